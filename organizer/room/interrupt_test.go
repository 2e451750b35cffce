package room

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCallTimeoutGivesEngineOperationsTheLongDeadline(t *testing.T) {
	const op, call = time.Hour, time.Minute
	for _, args := range [][]string{
		{"--non-interactive", "up", "--yes"}, {"update"}, {"destroy", "--stack", "a"}, {"preview"}, {"refresh"}, {"import"},
	} {
		if got := CallTimeout(args, op, call); got != op {
			t.Errorf("%q: %s, want %s", args, got, op)
		}
	}
	for _, args := range [][]string{
		{"--non-interactive", "stack", "ls"}, {"stack", "tag", "set", "up"}, {"version"}, {}, {"--non-interactive"},
	} {
		if got := CallTimeout(args, op, call); got != call {
			t.Errorf("%q: %s, want %s", args, got, call)
		}
	}
	if DefaultOperationTimeout <= DefaultCallTimeout || DeadlineGrace <= 0 {
		t.Error("defaults out of order")
	}
}

func TestInterruptSummarySaysWhichStacksFinishedAndWhichDidNot(t *testing.T) {
	failed := errors.New("x")
	report := Report{
		{Stack: "workshop", Status: Status(OpUp)},
		{Stack: "alice", Status: StatusStopped, Err: failed},
		{Stack: "bob", Status: StatusNotStarted, Err: failed},
		{Stack: "carol", Status: Status(OpUp)},
		{Stack: "dave", Status: StatusFailed, Err: failed},
		{Stack: "erin", Status: StatusNotStarted, Err: failed},
	}
	got := report.InterruptSummary()
	want := "interrupted. finished: workshop, carol; stopped: alice; not started: bob, erin. Run the same command again to finish."
	if got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	report[1].Status = StatusKilled
	got = report.InterruptSummary()
	if !strings.Contains(got, "; killed: alice; not started") || !strings.HasSuffix(got, " "+ForcedStopRisk) {
		t.Errorf("forced: %q", got)
	}
	if got := (Report{{Stack: "a", Status: StatusStopped}}).InterruptSummary(); !strings.Contains(got, "finished: none; stopped: a.") {
		t.Errorf("none finished: %q", got)
	}
	if got := (Report{{Stack: "a", Status: Status(OpUp)}, {Stack: "b", Status: StatusFailed, Err: failed}}).InterruptSummary(); got != "" {
		t.Errorf("a run that was not interrupted: %q", got)
	}
}
