package room

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Deadlines: every CLI call the organizer makes has one. An engine
// operation (up, destroy, preview, refresh) may take as long as a cluster
// takes; every other call reads or writes a little state.
const (
	DefaultOperationTimeout = 2 * time.Hour
	DefaultCallTimeout      = 5 * time.Minute
	// DeadlineGrace is how long a call asked to stop at its deadline has
	// to write its state before it is killed.
	DeadlineGrace = 2 * time.Minute
)

// engineOperations are the CLI commands that run the engine.
var engineOperations = []string{"up", "update", "destroy", "preview", "refresh", "import"}

// CallTimeout is the deadline of the CLI call with args: operation for the
// engine's operations, call for the rest. Flags before the command
// (--non-interactive) are skipped.
func CallTimeout(args []string, operation, call time.Duration) time.Duration {
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if slices.Contains(engineOperations, a) {
			return operation
		}
		return call
	}
	return call
}

// How a stack's operation ended when the organizer was stopped.
const (
	// StatusStopped: its engine was asked to stop and wrote its state.
	StatusStopped Status = "stopped"
	// StatusNotStarted: the stop came before its turn.
	StatusNotStarted Status = "not started"
	// StatusKilled: its engine was killed by a forced stop.
	StatusKilled Status = "killed"
)

// ForcedStopRisk is what a forced stop risks, said when it is asked for.
const ForcedStopRisk = "A killed engine writes nothing more: its stack may keep pending operations " +
	"and the backend's lock on it, which the next up or destroy run from this host resolves and removes " +
	"(from another host, `pulumi cancel --stack NAME` removes the lock), and objects created in its last moments are in no state: " +
	"the next up adopts the Kubernetes objects among them, but not a cloud resource of the cluster stack."

// InterruptSummary says, after a stop, which stacks finished, which were
// stopped and which never started; "" when the report has none of the last two.
func (r Report) InterruptSummary() string {
	groups := map[Status][]string{}
	var finished []string
	for _, res := range r {
		switch res.Status {
		case StatusStopped, StatusNotStarted, StatusKilled:
			groups[res.Status] = append(groups[res.Status], res.Stack)
		default:
			if res.Err == nil {
				finished = append(finished, res.Stack)
			}
		}
	}
	if len(groups) == 0 {
		return ""
	}
	parts := []string{fmt.Sprintf("finished: %s", list(finished))}
	for _, s := range []Status{StatusStopped, StatusKilled, StatusNotStarted} {
		if len(groups[s]) > 0 {
			parts = append(parts, fmt.Sprintf("%s: %s", s, list(groups[s])))
		}
	}
	summary := "interrupted. " + strings.Join(parts, "; ") + ". Run the same command again to finish."
	if len(groups[StatusKilled]) > 0 {
		summary += " " + ForcedStopRisk
	}
	return summary
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
