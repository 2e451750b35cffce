package organizer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// fakeCLI is a stand-in for the pulumi CLI: a shell script that runs 30 s
// (or EKS_WORKSHOP_FAKE_CLI_TICKS tenths of a second), counts the SIGINTs
// it gets and, unless told to ignore them, exits 3 on the first.
func fakeCLI(t *testing.T, ignoreInterrupts bool) string {
	t.Helper()
	onInt := `n=$((n+1)); echo "INT $n"; exit 3`
	if ignoreInterrupts {
		onInt = `n=$((n+1)); echo "INT $n"`
	}
	script := "#!/bin/sh\nn=0\ntrap '" + onInt + "' INT\necho \"args $*\"\ni=0\nwhile [ $i -lt ${EKS_WORKSHOP_FAKE_CLI_TICKS:-300} ]; do sleep 0.1; i=$((i+1)); done\necho done\n"
	path := filepath.Join(t.TempDir(), "pulumi")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func runFake(t *testing.T, c *engineCommand, ctx context.Context, args ...string) (string, int, error, time.Duration) {
	t.Helper()
	start := time.Now()
	out, _, code, err := c.Run(ctx, t.TempDir(), nil, nil, nil, nil, args...)
	return out, code, err, time.Since(start)
}

func TestEngineCommandAsksOnceToStopWhenTheRoomStops(t *testing.T) {
	stop := NewStopper()
	c := &engineCommand{path: fakeCLI(t, false), stop: stop, operation: time.Minute, call: time.Minute, grace: time.Minute}
	go func() {
		time.Sleep(300 * time.Millisecond)
		stop.Stop("test")
		stop.Stop("again")
	}()
	out, code, err, took := runFake(t, c, context.Background(), "up", "--yes")
	if code != 3 || err == nil || !strings.Contains(out, "INT 1") || strings.Contains(out, "done") || took > 5*time.Second {
		t.Errorf("exit %d, %v after %s; output %q", code, err, took, out)
	}
	if !strings.Contains(out, "args --non-interactive up --yes") {
		t.Errorf("the CLI ran interactive: %q", out)
	}
	if stop.Reason() != "test" {
		t.Errorf("reason %q, want the first", stop.Reason())
	}
	// Control: a call the room does not stop runs to its end.
	c.stop = NewStopper()
	t.Setenv("EKS_WORKSHOP_FAKE_CLI_TICKS", "3")
	if out, code, _, _ := runFake(t, c, context.Background(), "--non-interactive", "stack", "ls"); code != 0 || !strings.Contains(out, "done") ||
		strings.Count(out, "--non-interactive") != 1 {
		t.Errorf("unstopped call: exit %d, %q", code, out)
	}
}

func TestEngineCommandSendsOneInterruptAndKillsWhenForced(t *testing.T) {
	stop := NewStopper()
	c := &engineCommand{path: fakeCLI(t, true), stop: stop, operation: time.Minute, call: time.Minute, grace: time.Minute}
	ctx, force := context.WithCancel(context.Background())
	go func() {
		time.Sleep(300 * time.Millisecond)
		stop.Stop("first")
		time.Sleep(500 * time.Millisecond)
		force()
	}()
	out, _, err, took := runFake(t, c, ctx, "up")
	if strings.Count(out, "INT") != 1 || !strings.Contains(out, "INT 1") {
		t.Errorf("want exactly one SIGINT: %q", out)
	}
	if err == nil || !strings.Contains(err.Error(), "context canceled") || took > 5*time.Second {
		t.Errorf("forced: %v after %s", err, took)
	}
	// A call started after the force does not run.
	if out, code, err, _ := runFake(t, c, ctx, "up"); err == nil || code != -1 || out != "" {
		t.Errorf("after the force: exit %d, %v, %q", code, err, out)
	}
}

func TestEngineCommandDeadlineAsksToStopThenKills(t *testing.T) {
	c := &engineCommand{path: fakeCLI(t, true), stop: NewStopper(), operation: time.Minute, call: 300 * time.Millisecond, grace: 500 * time.Millisecond}
	out, _, err, took := runFake(t, c, context.Background(), "stack", "tag", "set")
	if !strings.Contains(out, "INT 1") || err == nil || !strings.Contains(err.Error(), "passed its deadline (300ms)") {
		t.Errorf("%v, %q", err, out)
	}
	t.Logf("killed after %s", took)
	if took < 800*time.Millisecond || took > 5*time.Second {
		t.Errorf("killed after %s, want the deadline plus the grace", took)
	}
	// The engine's operations get the long deadline: the same script, as
	// up, is not stopped at 300 ms (it is stopped by the room here).
	stop := NewStopper()
	c.stop, c.path = stop, fakeCLI(t, false)
	time.AfterFunc(time.Second, func() { stop.Stop("test") })
	_, _, err, took = runFake(t, c, context.Background(), "up")
	if took < time.Second || err == nil || strings.Contains(err.Error(), "deadline") {
		t.Errorf("up: %v after %s", err, took)
	}
	if c.Version().String() != "0.0.0" {
		t.Errorf("version %s", c.Version())
	}
}

func TestSignalsStopFirstAndForceSecond(t *testing.T) {
	o := &Organizer{opts: Options{Stop: NewStopper()}}
	o.running.set("alice", true)
	o.running.set("bob", true)
	o.running.set("bob", false)
	signals := make(chan os.Signal, 2)
	forced := make(chan struct{})
	var stderr strings.Builder
	done := make(chan struct{})
	go func() {
		watchSignals(signals, make(chan struct{}), o, func() { close(forced) }, &syncWriter{w: &stderr})
		close(done)
	}()
	signals <- syscall.SIGTERM
	<-o.opts.Stop.Done()
	select {
	case <-forced:
		t.Fatal("the first signal forced")
	case <-time.After(100 * time.Millisecond):
	}
	signals <- os.Interrupt
	<-forced
	<-done
	out := stderr.String()
	if !strings.Contains(out, "terminated: stopping: each running engine (alice) is asked once to stop") ||
		!strings.Contains(out, "interrupt again: forcing: killing the engines of alice. "+room.ForcedStopRisk) {
		t.Errorf("stderr %q", out)
	}
	if o.opts.Stop.Reason() != "terminated" {
		t.Errorf("reason %q", o.opts.Stop.Reason())
	}
	// Closing the channel, or the run ending, ends the watch.
	closed := make(chan os.Signal)
	close(closed)
	watchSignals(closed, make(chan struct{}), o, func() { t.Error("forced") }, &stderr)
	ended := make(chan struct{})
	close(ended)
	watchSignals(make(chan os.Signal), ended, o, func() { t.Error("forced") }, &stderr)
}

// How a stack's row ends when the room is stopped or forced around it.
func TestRunSaysWhetherAStackWasStoppedKilledOrNeverStarted(t *testing.T) {
	failing := func(*room.Result) error { return os.ErrDeadlineExceeded }
	o := &Organizer{opts: Options{Stop: NewStopper()}}
	row := room.Result{Stack: "alice"}
	ctx := context.Background()

	if r := o.run(ctx, room.OpUp, row, failing); r.Status != room.StatusFailed {
		t.Errorf("a failure with no stop: %s", r.Status)
	}
	if r := o.run(ctx, room.OpUp, row, func(*room.Result) error { return nil }); r.Status != room.Status(room.OpUp) || r.Err != nil {
		t.Errorf("a success: %+v", r)
	}
	var sawRunning []string
	stopping := func(*room.Result) error {
		sawRunning = o.Running()
		o.opts.Stop.Stop("test")
		return os.ErrDeadlineExceeded
	}
	if r := o.run(ctx, room.OpUp, row, stopping); r.Status != room.StatusStopped {
		t.Errorf("stopped while running: %s", r.Status)
	}
	if strings.Join(sawRunning, ",") != "alice" || len(o.Running()) != 0 {
		t.Errorf("running during the operation %v, after it %v", sawRunning, o.Running())
	}
	ran := false
	if r := o.run(ctx, room.OpUp, row, func(*room.Result) error { ran = true; return nil }); ran || r.Status != room.StatusNotStarted || r.Err != errStopped {
		t.Errorf("after the stop: ran %v, %+v", ran, r)
	}
	forcedCtx, force := context.WithCancel(ctx)
	o.opts.Stop = NewStopper()
	killing := func(*room.Result) error { o.opts.Stop.Stop("test"); force(); return context.Canceled }
	if r := o.run(forcedCtx, room.OpUp, row, killing); r.Status != room.StatusKilled {
		t.Errorf("forced while running: %s", r.Status)
	}
	if r := o.run(forcedCtx, room.OpUp, row, failing); r.Status != room.StatusNotStarted || r.Err != context.Canceled {
		t.Errorf("after the force: %+v", r)
	}
	skipped := func(r *room.Result) error { r.Status = room.StatusSkipped; return os.ErrNotExist }
	o.opts.Stop = NewStopper()
	if r := o.run(ctx, room.OpUp, row, skipped); r.Status != room.StatusSkipped {
		t.Errorf("a status the operation set: %s", r.Status)
	}
}
