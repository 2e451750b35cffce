//go:build integration

package organizer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/s3test"
	"github.com/eks-workshop/eks-workshop/internal/tools"
	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks"
)

// These run the organizer as separate processes, as two people (or a
// person and the hourly reaper) would: this test binary re-run with
// envChild set is cmd/organizer with fakeRoom's programs, each participant's
// program taking envChildDelay, so that a run holds the room for a while.

const (
	envChild      = "EKS_WORKSHOP_TEST_ORGANIZER_ARGS"
	envChildDelay = "EKS_WORKSHOP_TEST_ORGANIZER_DELAY"
)

func TestMain(m *testing.M) {
	if args := os.Getenv(envChild); args != "" {
		os.Exit(childOrganizer(args))
	}
	os.Exit(m.Run())
}

// childOrganizer is the organizer process: Main with the command line in
// args (JSON), SIGINT and SIGTERM handed to it as cmd/organizer does.
func childOrganizer(args string) int {
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	delay, _ := time.ParseDuration(os.Getenv(envChildDelay))
	fake := &fakeRoom{}
	program := func(cfg stacks.Config) pulumi.RunFunc {
		run := fake.program(cfg)
		return func(ctx *pulumi.Context) error {
			if cfg.Namespace != "" && delay > 0 {
				time.Sleep(delay)
			}
			return run(ctx)
		}
	}
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	return Main(context.Background(), argv, os.Stdout, os.Stderr, Setup{
		Program: program,
		Plugins: func() ([]room.Plugin, error) { return nil, nil },
		Signals: signals,
	})
}

// process is a running organizer process.
type process struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	mu     sync.Mutex
	stderr bytes.Buffer
	lines  chan string
	done   chan struct{}
	code   int
}

// startOrganizer starts an organizer process on backend with its own state
// directory, running args; each participant's program takes delay.
func startOrganizer(t *testing.T, backend string, delay time.Duration, args ...string) *process {
	t.Helper()
	cli := tools.Require(t, "pulumi")["pulumi"]
	// Every command names the room (the lease tests' room); reap does not
	// read the cluster's settings.
	argv := []string{"-room", leaseRoom.Name, "-backend", backend, "-state-dir", t.TempDir()}
	if args[len(args)-1] != "reap" {
		argv = append(argv, "-cluster-config", filepath.Join("..", "Pulumi.dev.yaml"))
	}
	argv = append(argv, args...)
	encoded, _ := json.Marshal(argv)
	p := &process{cmd: exec.Command(os.Args[0], "-test.run=^$"), lines: make(chan string, 256), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(),
		envChild+"="+string(encoded), envChildDelay+"="+delay.String(),
		"PATH="+filepath.Dir(cli)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PULUMI_CONFIG_PASSPHRASE=test passphrase", "PULUMI_HOME="+filepath.Join(t.TempDir(), "home"),
	)
	p.cmd.Stdout = &p.stdout
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(s.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- s.Text():
			default:
			}
		}
		err := p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		if err != nil && p.code < 0 {
			p.code = -1
		}
		close(p.lines)
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits for the process to end, within limit, and returns its exit code.
func (p *process) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		t.Fatalf("the organizer did not end within %s:\n%s", limit, p.errors())
	}
	t.Logf("organizer %v exited %d\nstdout:\n%s\nstderr:\n%s", p.cmd.Args, p.code, p.stdout.String(), p.errors())
	return p.code
}

func (p *process) errors() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// waitForLine waits until the process writes a line to stderr matching re.
func (p *process) waitForLine(t *testing.T, re string, limit time.Duration) {
	t.Helper()
	pattern := regexp.MustCompile(re)
	deadline := time.After(limit)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("the organizer ended before writing %q:\n%s", re, p.errors())
			}
			if pattern.MatchString(line) {
				return
			}
		case <-deadline:
			t.Fatalf("no line %q within %s:\n%s", re, limit, p.errors())
		}
	}
}

// waitForLease waits until the room's lease exists in backend.
func waitForLease(t *testing.T, backend string, limit time.Duration) *room.Lease {
	t.Helper()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if l := readLease(t, backend); l != nil {
			return l
		}
	}
	t.Fatalf("no lease in %s within %s", backend, limit)
	return nil
}

// backendOrganizer is a test organizer on backend, for reading what the
// processes left.
func backendOrganizer(t *testing.T, backend string, names ...string) *Organizer {
	return newTestOrganizer(t, testPlan(t, names...), (&fakeRoom{}).program, func(o *Options) { o.Backend, o.Room = backend, leaseRoom })
}

// checkRoomComplete wants every stack of the room in the backend, its last
// update succeeded, and an up with nothing to change: nothing was lost or
// left half done.
func checkRoomComplete(t *testing.T, backend string, names ...string) {
	t.Helper()
	o := backendOrganizer(t, backend, names...)
	want := strings.Join(append(append([]string(nil), names...), room.ClusterStack), " ")
	if got := backendNames(t, o); got != want {
		t.Errorf("backend holds %q, want %q", got, want)
	}
	status, err := o.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range status {
		if r.Status != "update succeeded" {
			t.Errorf("%s: %s, want update succeeded", r.Stack, r.Status)
		}
	}
	report, err := o.Up(context.Background())
	if err != nil || report.Err() != nil {
		t.Fatal(err, report.Err())
	}
	for _, r := range report {
		if len(r.Changes) != 1 || r.Changes["same"] != perStack {
			t.Errorf("%s after the runs: %v, want only %d same", r.Stack, r.Changes, perStack)
		}
	}
}

func TestTwoOrganizerProcessesForOneRoomTakeTurns(t *testing.T) {
	s3test.ForEachBackend(t, func(t *testing.T, b s3test.Backend) {
		room3 := []string{"-participant", "alice", "-participant", "bob", "-participant", "carol", "-parallel", "1"}
		first := startOrganizer(t, b.URL, 2*time.Second, append(room3, "up")...)
		held := waitForLease(t, b.URL, 2*time.Minute)

		// A second up at once stops, naming the first.
		second := startOrganizer(t, b.URL, 0, append(room3, "up")...)
		if code := second.wait(t, 2*time.Minute); code != 1 {
			t.Errorf("second up: exit %d, want 1", code)
		}
		want := fmt.Sprintf("the room is busy: %s has run up on it since", held.Owner)
		if !strings.Contains(second.errors(), want) || !strings.Contains(held.Owner, fmt.Sprintf("(pid %d)", first.cmd.Process.Pid)) {
			t.Errorf("second up does not name the first (pid %d): %q, want %q", first.cmd.Process.Pid, second.errors(), want)
		}
		// Status takes no lease; an up that waits for the room runs once the first is done.
		third := startOrganizer(t, b.URL, 0, append(room3, "status")...)
		if code := third.wait(t, time.Minute); code != 0 {
			t.Errorf("status, which takes no lease, during the up: exit %d", code)
		}
		waiting := startOrganizer(t, b.URL, 0, append(room3, "-lease-wait", "5m", "up")...)
		waiting.waitForLine(t, "waiting up to 5m0s for the room: .* holds it for up", time.Minute)
		if code := first.wait(t, 5*time.Minute); code != 0 {
			t.Fatalf("first up: exit %d", code)
		}
		if code := waiting.wait(t, 5*time.Minute); code != 0 {
			t.Fatalf("waiting up: exit %d", code)
		}
		if l := readLease(t, b.URL); l != nil {
			t.Errorf("a lease is left after both runs: %+v", l)
		}
		checkRoomComplete(t, b.URL, "alice", "bob", "carol")
	})
}

// SIGTERM, once: the running engine is asked to stop and writes its state,
// no other stack starts, the organizer says which finished and which did
// not, and the next up finishes the room.
func TestSIGTERMStopsTheRoomGracefully(t *testing.T) {
	s3test.ForEachBackend(t, func(t *testing.T, b s3test.Backend) {
		args := []string{"-participant", "alice", "-participant", "bob", "-participant", "carol", "-parallel", "1", "-engine-output", "up"}
		p := startOrganizer(t, b.URL, 5*time.Second, args...)
		// A participant's engine has begun its update, and is running the
		// program's 5 s delay (its "up ..." line comes just before the
		// organizer checks for a stop, so a signal then is "not started").
		p.waitForLine(t, `^(alice|bob|carol) \| Updating \(`, 3*time.Minute)
		start := time.Now()
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		code := p.wait(t, 2*time.Minute)
		t.Logf("ended %s after SIGTERM", time.Since(start).Round(time.Millisecond))
		out := p.errors()
		if code != 1 || !strings.Contains(out, "terminated: stopping: each running engine") {
			t.Errorf("exit %d; stderr lacks the stop notice", code)
		}
		summary := regexp.MustCompile(`interrupted\. finished: workshop; stopped: (alice|bob|carol); not started: [a-z, ]+\. Run the same command again to finish\.`)
		if !summary.MatchString(out) || strings.Contains(out, "forcing") {
			t.Errorf("no summary of what finished and what did not: %s", out)
		}
		if l := readLease(t, b.URL); l != nil {
			t.Errorf("the stopped run left its lease: %+v", l)
		}
		// Every stack the stop left can be updated at once: no pending
		// operation, no lock left by the stopped engine.
		o := backendOrganizer(t, b.URL, "alice", "bob", "carol")
		report, err := o.Up(context.Background())
		if err != nil || report.Err() != nil {
			t.Fatal(err, report.Err())
		}
		byStack(t, report)
	})
}

// A second SIGTERM forces: the organizer says what that risks and ends at once.
func TestASecondSignalForcesAndSaysWhatThatRisks(t *testing.T) {
	backend := "file://" + filepath.Join(t.TempDir(), "state")
	p := startOrganizer(t, backend, 30*time.Second, "-participant", "alice", "-engine-output", "up")
	p.waitForLine(t, `^alice \| Updating \(`, 3*time.Minute) // alice's engine is running her program
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	p.waitForLine(t, "stopping", 10*time.Second)
	start := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	code := p.wait(t, time.Minute)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the forced stop took %s", took)
	}
	out := p.errors()
	if code != 1 || !strings.Contains(out, "interrupt again: forcing: killing the engines of alice. "+room.ForcedStopRisk) {
		t.Errorf("exit %d, forced-stop notice missing", code)
	}
	if !strings.Contains(out, "killed: alice") {
		t.Errorf("the summary does not say alice was killed")
	}
}

// Two rooms in one bucket, each under its own prefix, and the team's dev
// and prod under a third: the rooms' ups run at the same time without
// waiting for each other, one room is destroyed while the other is reaped,
// and not one object of the team's stacks is written.
func TestTwoRoomsAndTheTeamsStacksShareABucket(t *testing.T) {
	s := s3test.Start(t)
	ctx := context.Background()
	team := s.BackendURL("team")
	teamOrganizer := backendOrganizer(t, team)
	for _, name := range []string{"dev", "prod"} {
		stack, err := teamOrganizer.stack(ctx, name, (&fakeRoom{}).program(devConfig(t)), true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stack.Up(ctx); err != nil {
			t.Fatal(err)
		}
	}
	before := s.Snapshot(t, "team/")
	if len(before) == 0 {
		t.Fatal("the team's stacks are not in the bucket")
	}

	roomA, roomB := s.BackendURL("rooms/a"), s.BackendURL("rooms/b")
	a := startOrganizer(t, roomA, time.Second, "-participant", "alice", "-participant", "bob", "up")
	b := startOrganizer(t, roomB, time.Second, "-participant", "alice", "-participant", "carol", "-ttl", "2s", "up")
	for _, p := range []*process{a, b} {
		if code := p.wait(t, 5*time.Minute); code != 0 || strings.Contains(p.errors(), "waiting") || strings.Contains(p.errors(), "busy") {
			t.Fatalf("a room's up: exit %d, or it waited for the other room", code)
		}
	}
	if got := backendNames(t, backendOrganizer(t, roomB)); got != "alice carol workshop" {
		t.Errorf("room b holds %s", got)
	}
	time.Sleep(2 * time.Second) // room b's stacks expire
	destroyA := startOrganizer(t, roomA, 0, "-whole-room", "destroy")
	reapB := startOrganizer(t, roomB, 0, "reap")
	for _, p := range []*process{destroyA, reapB} {
		if code := p.wait(t, 5*time.Minute); code != 0 {
			t.Fatalf("exit %d", code)
		}
	}
	if got := backendNames(t, backendOrganizer(t, roomB)); got != "" {
		t.Errorf("room b after its reap holds %s", got)
	}
	status, err := backendOrganizer(t, roomA, "alice", "bob").Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range status {
		if r.Status != "destroy succeeded" {
			t.Errorf("room a, %s: %s, want destroy succeeded", r.Stack, r.Status)
		}
	}
	after := s.Snapshot(t, "team/")
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the team's stacks were written:\nbefore %v\nafter  %v", before, after)
	}
	// Control: the snapshot sees a write under the team's prefix.
	ws, err := teamOrganizer.workspace(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.SetTag(ctx, "dev", "touched", "yes"); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(s.Snapshot(t, "team/")) == fmt.Sprint(before) {
		t.Error("a tag written on dev did not change the snapshot: it proves nothing")
	}
}
