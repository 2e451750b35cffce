//go:build integration

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/tools"
	"github.com/eks-workshop/eks-workshop/organizer"
	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// withEngine puts the Pulumi CLI on PATH and gives the test a directory
// with its own PULUMI_HOME (no plugin of this machine's is found) and a
// passphrase for the stacks' secrets.
func withEngine(t *testing.T) string {
	t.Helper()
	cli := tools.Require(t, "pulumi")["pulumi"]
	t.Setenv("PATH", filepath.Dir(cli)+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	t.Setenv("PULUMI_HOME", filepath.Join(dir, "home"))
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "workshop passphrase")
	return dir
}

// summary reads the summary table by its first column.
func summary(out string) map[string][]string {
	rows := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		cells := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), 4)
		if len(cells) == 4 {
			rows[cells[0]] = cells
		}
	}
	return rows
}

// A session of the command against the real engine, with programs that need
// no provider plugin: the cluster exports what participants read, each
// participant registers one component. README's session is this test's log
// (go test -tags integration ./cmd/organizer -run TestSession -v).
func TestSession(t *testing.T) {
	dir := withEngine(t)
	participants := filepath.Join(dir, "participants.yaml")
	if err := os.WriteFile(participants, []byte(`participants:
  - name: alice
    principalArn: arn:aws:iam::111122223333:role/alice
  - name: bob
    principalArn: arn:aws:iam::111122223333:role/bob
  - name: carol
`), 0o600); err != nil {
		t.Fatal(err)
	}

	var bobFails atomic.Bool
	bobFails.Store(true)
	fake := organizer.Setup{
		Plugins: func() ([]room.Plugin, error) { return nil, nil },
		Program: func(cfg config.Config) pulumi.RunFunc {
			return func(ctx *pulumi.Context) error {
				var res pulumi.ResourceState
				if cfg.Target == config.TargetEKS {
					ctx.Export("kubeconfig", pulumi.ToSecret(pulumi.String(`{"apiVersion":"v1","kind":"Config"}`)))
					ctx.Export("flaskImage", pulumi.String("111122223333.dkr.ecr.ap-northeast-2.amazonaws.com/demo-flask-backend-workshop@sha256:"+strings.Repeat("a", 64)))
					ctx.Export("nginxImage", pulumi.String("111122223333.dkr.ecr.ap-northeast-2.amazonaws.com/demo-nginx-workshop@sha256:"+strings.Repeat("b", 64)))
					ctx.Export("albUrl", pulumi.String("http://k8s-eksdemogroup-0123456789.ap-northeast-2.elb.amazonaws.com"))
					return ctx.RegisterComponentResource("eks-workshop:test:Cluster", "eks-demo-workshop", &res)
				}
				if cfg.Namespace == "bob" && bobFails.Load() {
					return errors.New(`namespaces "bob" is forbidden: exceeded quota (a failure injected by the test)`)
				}
				ctx.Export("nginxClusterUrl", pulumi.Sprintf("http://demo-nginx.%s.svc.cluster.local", cfg.Namespace))
				return ctx.RegisterComponentResource("eks-workshop:test:Environment", cfg.Namespace, &res)
			}
		},
	}
	session := func(wantCode int, command string) string {
		t.Helper()
		// destroy's whole-room form names no participant.
		who := []string{"-participants", participants}
		if command == "destroy" {
			who = []string{"-whole-room"}
		}
		args := append(append([]string{"-room", "seoul-1207"}, who...), "-cluster-config", "../../Pulumi.dev.yaml", "-state-dir", filepath.Join(dir, "organizer"), "-parallel", "2", command)
		var stdout, stderr strings.Builder
		code := organizer.Main(context.Background(), args, &stdout, &stderr, fake)
		t.Logf("$ organizer -participants participants.yaml %s\n%s%s(exit %d)", command, stderr.String(), stdout.String(), code)
		if code != wantCode {
			t.Fatalf("organizer %s: exit %d, want %d", command, code, wantCode)
		}
		return stdout.String()
	}

	rows := summary(session(1, "up"))
	for who, want := range map[string]string{
		"(cluster)": "up (2 create;",
		"alice":     "up (2 create;",
		"bob":       `failed (namespaces "bob" is forbidden`,
		"carol":     "up (2 create;",
	} {
		if !strings.HasPrefix(rows[who][3], want) {
			t.Errorf("first up, %s: %q, want %q...", who, rows[who][3], want)
		}
	}
	if rows["alice"][2] != "http://demo-nginx.alice.svc.cluster.local" || rows["bob"][2] != "-" {
		t.Errorf("URLs: alice %q, bob %q", rows["alice"][2], rows["bob"][2])
	}
	bobFails.Store(false)
	rows = summary(session(0, "up"))
	if !strings.HasPrefix(rows["bob"][3], "up (1 create, 1 same;") || !strings.HasPrefix(rows["alice"][3], "up (2 same;") {
		t.Errorf("the second up did not resume: bob %q, alice %q", rows["bob"][3], rows["alice"][3])
	}
	out := session(0, "status")
	if got := strings.Count(out, "update succeeded"); got != 4 {
		t.Errorf("%d stacks up after resume, want 4", got)
	}
	// The room's cost: these programs register nothing AWS bills for.
	for _, want := range []string{"room cost with every stack up: $0.00/h", "now: $0.0000/h (the stacks that exist: cluster true, 3 of 3 participants)"} {
		if !strings.Contains(out, want) {
			t.Errorf("status does not say %q", want)
		}
	}
	out = session(0, "destroy")
	if got := strings.Count(out, "destroyed"); got != 4 {
		t.Errorf("%d stacks destroyed, want 4", got)
	}
	// Negative control: once destroyed, no stack counts as running.
	if out := session(0, "status"); !strings.Contains(out, "(the stacks that exist: cluster false, 0 of 3 participants)") {
		t.Errorf("status after destroy counts running stacks:\n%s", out)
	}
}

// The room's capacity and end through the command: plan prints the table
// and exits 2 for a room that does not fit, up refuses that room before the
// backend exists, up -ttl tags the stacks, status shows the time left and
// reap -dry-run lists what reap then destroys. The clock is the test's.
func TestPlanTTLAndReapCommands(t *testing.T) {
	dir := withEngine(t)
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	setup := organizer.Setup{
		Plugins: func() ([]room.Plugin, error) { return nil, nil },
		Now:     func() time.Time { return now },
		Program: func(cfg config.Config) pulumi.RunFunc {
			return func(ctx *pulumi.Context) error {
				var res pulumi.ResourceState
				for _, key := range []string{"kubeconfig", "flaskImage", "nginxImage"} {
					ctx.Export(key, pulumi.String("given "+key))
				}
				return ctx.RegisterComponentResource("eks-workshop:test:Environment", cfg.Namespace, &res)
			}
		},
	}
	state := filepath.Join(dir, "organizer")
	// run returns the command's stdout (the summary table), and its stderr
	// (the events and errors) after a blank line.
	run := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		// Each command gets the flags it reads: plan neither the backend
		// nor the room, reap not the cluster's settings but the backend.
		room := []string{"-state-dir", state, "-room", "seoul-1207"}
		switch args[len(args)-1] {
		case "plan":
			args = append([]string{"-cluster-config", "../../Pulumi.dev.yaml"}, args...)
		case "reap":
			args = append(append(room, "-backend", "file://"+filepath.Join(state, "state")), args...)
		default:
			args = append(append([]string{"-cluster-config", "../../Pulumi.dev.yaml"}, room...), args...)
		}
		var stdout, stderr strings.Builder
		code := organizer.Main(context.Background(), args, &stdout, &stderr, setup)
		t.Logf("$ organizer %s\n%s%s(exit %d)", strings.Join(args, " "), stderr.String(), stdout.String(), code)
		if code != wantCode {
			t.Fatalf("organizer %v: exit %d, want %d", args, code, wantCode)
		}
		return stdout.String(), stderr.String()
	}
	room := func(n int) []string {
		var args []string
		for i := range n {
			args = append(args, "-participant", fmt.Sprintf("p%02d", i))
		}
		return args
	}

	if out, _ := run(0, append(room(10), "plan")...); !strings.Contains(out, "WARNING: the room fits at the HPA minimum (32 pods on 3 × m5.large)") ||
		!strings.Contains(out, "room cost with every stack up: ") || !strings.Contains(out, "10 participant stacks add ") {
		t.Errorf("plan of 10 does not warn, or does not price the room")
	}
	if out, _ := run(2, append(room(30), "plan")...); !strings.Contains(out, "REFUSED: the room (30 participants)") {
		t.Errorf("plan of 30 does not refuse")
	}
	if _, errs := run(2, append(room(30), "up")...); !strings.Contains(errs, "want at least 7") {
		t.Errorf("up of 30 does not say what would fit")
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("the refused up touched the backend: %v", err)
	}

	run(0, "-participant", "alice", "-ttl", "1h", "up")
	if out, _ := run(0, "-participant", "alice", "status"); strings.Count(out, "expires in 1h0m (2026-12-04T10:00:00Z)") != 2 {
		t.Errorf("status does not show both stacks' time left")
	}
	now = now.Add(2 * time.Hour)
	if out, _ := run(0, "-dry-run", "reap"); strings.Count(out, "expired (expired 1h0m ago") != 2 {
		t.Errorf("the dry run does not list both stacks as expired")
	}
	if out, _ := run(0, "reap"); strings.Count(out, "destroyed (2 delete") != 2 {
		t.Errorf("reap did not destroy both stacks")
	}
	if out, _ := run(0, "reap"); strings.Contains(out, "destroyed") {
		t.Errorf("a second reap found something to destroy")
	}
}
