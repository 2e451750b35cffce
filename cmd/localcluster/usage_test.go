package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/cli"
)

// Every wrong invocation says what is wrong first, then the short usage,
// and exits 2; nothing runs (no docker, kind or kubectl is called: PATH
// holds fakes that log, and the log stays empty).
func TestWrongInvocationsSayWhatIsWrong(t *testing.T) {
	log := fakeTools(t, nil)
	for _, c := range []struct {
		args   []string
		reason string
	}{
		{nil, "no cluster named: want kwok, kind or eksa"},
		{[]string{"minikube"}, `unknown cluster "minikube": want kwok, kind or eksa`},
		{[]string{"kind", "-nope"}, "flag provided but not defined: -nope"},
		{[]string{"kind", "-registry-port", "0"}, "-registry-port 0: want 1 to 65535"},
		{[]string{"kind", "-registry-port", "x"}, `invalid value "x" for flag -registry-port`},
		{[]string{"eksa"}, "eksa needs -cluster NAME"},
		{[]string{"kwok", "extra"}, `kwok takes no arguments besides its flags, got ["extra"]`},
	} {
		var stdout, stderr bytes.Buffer
		code := cli.Exit("localcluster", usage, nil, run(context.Background(), c.args, &stdout, &stderr), &stdout, &stderr)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != 2 || !strings.HasPrefix(lines[0], "localcluster: "+c.reason) || len(lines) > 4 ||
			!strings.Contains(stderr.String(), "usage: localcluster kwok") || stdout.Len() > 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s", c.args, code, stdout.String(), stderr.String())
		}
	}
	if logged, _ := readIfExists(log); logged != "" {
		t.Errorf("a wrong invocation ran commands:\n%s", logged)
	}
	// Negative control: a right invocation runs the fakes.
	fakeTools(t, map[string]string{"FAKE_REGISTRY_RUNNING": "true", "FAKE_REGISTRY_NETWORK": "{}"})
	if err := run(context.Background(), []string{"kind", "-dir", t.TempDir()}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
}

func readIfExists(path string) (string, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "", nil
	}
	return string(b), err
}
