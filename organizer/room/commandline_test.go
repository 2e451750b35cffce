package room

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A command line ParseArgs refuses stops the command (exit code 2) before
// any stack is touched, saying every problem.
func TestBadInputStopsBeforeAnyStackWithEveryProblem(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "participants.yaml")
	if err := os.WriteFile(file, []byte("participants:\n  - name: Alice\n  - name: bob\n    principalArn: arn:aws:iam::1:role/bob\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	_, err := ParseArgs([]string{
		"-participants", file, "-participant", "bob", "-cluster-config", "../../Pulumi.dev.yaml", "-state-dir", dir, "up",
	}, &stderr)
	if err == nil {
		t.Error("accepted")
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

// A command-line mistake prints the reason first, then the short usage
// (two lines); -h prints the whole usage with every flag.
func TestUsage(t *testing.T) {
	for args, reason := range map[string]string{
		"":               "organizer: want one command (up, preview, destroy, status, reap, adopt, plan, handout, reset, serve, render, plugins), got []",
		"up down":        `organizer: want one command (up, preview, destroy, status, reap, adopt, plan, handout, reset, serve, render, plugins), got ["up" "down"]`,
		"-parallel x up": `organizer: invalid value "x" for flag -parallel: parse error`,
		"-nope up":       "organizer: flag provided but not defined: -nope",
		"down":           `organizer: unknown command "down": want one of up, preview, destroy, status, reap, adopt, plan, handout, reset, serve, render, plugins`,
	} {
		var stderr strings.Builder
		_, err := ParseArgs(strings.Fields(args), &stderr)
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if err == nil || len(lines) != 2 || lines[0] != reason || !strings.HasPrefix(lines[1], "usage: organizer [flags] up|preview|") {
			t.Errorf("%q: %v, stderr:\n%s", args, err, stderr.String())
		}
	}
	var help strings.Builder
	if _, err := ParseArgs([]string{"-h"}, &help); !errors.Is(err, flag.ErrHelp) || !strings.Contains(help.String(), "-participants") {
		t.Errorf("-h: %v, stderr:\n%s", err, help.String())
	}
	var stderr strings.Builder
	dir := t.TempDir()
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "")
	_, err := ParseArgs([]string{"-cluster-config", "../../Pulumi.dev.yaml", "-state-dir", dir, "-room", "r1", "status"}, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "PULUMI_CONFIG_PASSPHRASE") {
		t.Errorf("no passphrase: %v, stderr %q", err, stderr.String())
	}
}

func TestParseArgsDefaultsTheStateToTheStateDir(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "x")
	var stderr strings.Builder
	cl, err := ParseArgs([]string{"-cluster-config", "../../Pulumi.dev.yaml", "-state-dir", dir, "-room", "r1", "-participant", "alice", "preview"}, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if cl.Command != "preview" || cl.Backend != "file://"+filepath.Join(dir, "state") || cl.WorkDir != filepath.Join(dir, "work") ||
		cl.Parallel != DefaultParallel || cl.SecretsProvider != "passphrase" || len(cl.Plan.Participants) != 1 || cl.Room.Name != "r1" {
		t.Errorf("command line %+v", cl)
	}
}

func TestPlanNeedsNoBackendAndTTLMustBePositive(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "")
	var stderr strings.Builder
	cl, err := ParseArgs([]string{"-cluster-config", "../../Pulumi.dev.yaml", "-participant", "alice", "plan"}, &stderr)
	if err != nil || cl.Command != CommandPlan {
		t.Fatalf("plan without a passphrase: %v\n%s", err, stderr.String())
	}
	// Control: reap, which runs stacks, needs the passphrase.
	if _, err := ParseArgs([]string{"-backend", "file:///tmp/x", "-state-dir", dir, "reap"}, &stderr); err == nil {
		t.Error("reap without a passphrase was accepted")
	}

	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "x")
	cl, err = ParseArgs([]string{"-cluster-config", "../../Pulumi.dev.yaml", "-state-dir", dir, "-room", "r1", "-ttl", "8h", "up"}, &stderr)
	if err != nil || cl.TTL != 8*time.Hour || cl.DryRun {
		t.Errorf("-ttl 8h: %+v, %v", cl, err)
	}
	cl, err = ParseArgs([]string{"-backend", "file:///tmp/x", "-state-dir", dir, "-dry-run", "reap"}, &stderr)
	if err != nil || !cl.DryRun || cl.Room.Name != "" {
		t.Errorf("-dry-run reap: %+v, %v", cl, err)
	}
	stderr.Reset()
	if _, err := ParseArgs([]string{"-cluster-config", "../../Pulumi.dev.yaml", "-state-dir", dir, "-room", "r1", "-ttl", "-1h", "up"}, &stderr); err == nil ||
		!strings.Contains(stderr.String(), "ttl = -1h0m0s: want a positive duration") {
		t.Errorf("a negative TTL: %v, %q", err, stderr.String())
	}
}

func TestLeaseWaitIsReadAndMustNotBeNegative(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "x")
	var stderr strings.Builder
	cl, err := ParseArgs([]string{"-cluster-config", "../../Pulumi.dev.yaml", "-state-dir", dir, "-room", "r1", "-lease-wait", "10m", "up"}, &stderr)
	if err != nil || cl.LeaseWait != 10*time.Minute {
		t.Fatalf("-lease-wait 10m: %+v, %v\n%s", cl, err, stderr.String())
	}
	stderr.Reset()
	if _, err := ParseArgs([]string{"-cluster-config", "../../Pulumi.dev.yaml", "-state-dir", dir, "-room", "r1", "-lease-wait", "-1s", "-ttl", "-1h", "up"}, &stderr); err == nil ||
		!strings.Contains(stderr.String(), "lease-wait = -1s: want a duration") || !strings.Contains(stderr.String(), "ttl = -1h0m0s") {
		t.Errorf("a negative wait, reported with the other problems: %v, %q", err, stderr.String())
	}
}
