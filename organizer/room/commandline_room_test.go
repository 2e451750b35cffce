package room

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestResetTakesNamesFromThePlanAndOnlyResetTakesThem(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "x")
	base := []string{"-cluster-config", "../../Pulumi.dev.yaml", "-state-dir", dir, "-room", "r1", "-participant", "alice", "-participant", "bob"}
	var stderr strings.Builder
	cl, err := ParseArgs(append(base, "reset", "bob"), &stderr)
	if err != nil || cl.Command != CommandReset || len(cl.Names) != 1 || cl.Names[0] != "bob" {
		t.Fatalf("reset bob: %+v, %v, %s", cl, err, stderr.String())
	}
	if cl.HandoutDir != filepath.Join(dir, "handouts") {
		t.Errorf("handout dir %q, want under the state dir", cl.HandoutDir)
	}
	for _, args := range [][]string{{"reset", "carol"}, {"reset"}, {"up", "bob"}} {
		stderr.Reset()
		if _, err := ParseArgs(append(base, args...), &stderr); err == nil || stderr.Len() == 0 {
			t.Errorf("%q: accepted (%v) or said nothing", args, err)
		}
	}
	stderr.Reset()
	cl, err = ParseArgs(append(base[:len(base):len(base)], "-handout-dir", "/tmp/h", "handout"), &stderr)
	if err != nil || cl.HandoutDir != "/tmp/h" {
		t.Errorf("-handout-dir: %+v, %v", cl, err)
	}
}
