package organizer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// noEngine is a setup whose programs must never run: these tests stop
// before any stack is touched.
func noEngine(t *testing.T) Setup {
	return Setup{
		Program: func(config.Config) pulumi.RunFunc {
			t.Error("a program ran")
			return nil
		},
		Plugins: func() ([]Plugin, error) { return nil, nil },
	}
}

func TestBadInputStopsBeforeAnyStackWithEveryProblem(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "participants.yaml")
	if err := os.WriteFile(file, []byte("participants:\n  - name: Alice\n  - name: bob\n    principalArn: arn:aws:iam::1:role/bob\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	code := Main(context.Background(), []string{
		"-participants", file, "-participant", "bob", "-cluster-config", "../Pulumi.dev.yaml", "-state-dir", dir, "up",
	}, &stdout, &stderr, noEngine(t))
	if code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	for _, want := range []string{
		`participants[0] (Alice).name = "Alice"`,
		`participants[1] (bob).principalArn = "arn:aws:iam::1:role/bob"`,
		`participants[2] (bob).name = "bob": already used by participants[1] (bob)`,
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "state")); !os.IsNotExist(err) {
		t.Errorf("the backend was created for a plan that is invalid: %v", err)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"up", "down"}, {"-parallel", "x", "up"}} {
		var stdout, stderr strings.Builder
		if code := Main(context.Background(), args, &stdout, &stderr, noEngine(t)); code != 2 {
			t.Errorf("%q: exit code %d, want 2", args, code)
		}
	}
	var stdout, stderr strings.Builder
	dir := t.TempDir()
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "")
	code := Main(context.Background(), []string{"-cluster-config", "../Pulumi.dev.yaml", "-state-dir", dir, "status"}, &stdout, &stderr, noEngine(t))
	if code != 2 || !strings.Contains(stderr.String(), "PULUMI_CONFIG_PASSPHRASE") {
		t.Errorf("no passphrase: exit code %d, stderr %q", code, stderr.String())
	}
}
