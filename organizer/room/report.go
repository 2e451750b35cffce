package room

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Operation names what the organizer does to the stacks.
type Operation string

const (
	OpUp      Operation = "up"
	OpPreview Operation = "preview"
	OpDestroy Operation = "destroy"
	OpStatus  Operation = "status"
)

// Status is how a stack's operation ended: the Operation when it succeeded;
// OpStatus reports the last update's kind and result instead ("update
// succeeded").
type Status string

const (
	StatusFailed    Status = "failed"
	StatusSkipped   Status = "skipped"
	StatusAbsent    Status = "absent" // no such stack
	StatusNew       Status = "new"    // a stack without updates
	StatusDestroyed Status = "destroyed"
)

// Result is one stack's row in a Report.
type Result struct {
	Stack       string
	Participant string // empty for the cluster
	Namespace   string
	URL         string
	Status      Status
	// Changes counts resources by operation (create, update, same, ...).
	Changes map[string]int
	// Detail is a note: the last update's end time for Status.
	Detail   string
	Err      error
	Duration time.Duration
}

// changesText is "2 create, 1 same", by operation.
func (r Result) changesText() string {
	ops := make([]string, 0, len(r.Changes))
	for op, n := range r.Changes {
		if n > 0 {
			ops = append(ops, op)
		}
	}
	sort.Strings(ops)
	for i, op := range ops {
		ops[i] = fmt.Sprintf("%d %s", r.Changes[op], op)
	}
	return strings.Join(ops, ", ")
}

// Report is the outcome of one operation on every stack: the cluster first
// (none for a room on an existing cluster), then the participants in their order.
type Report []Result

// Err joins every stack's error, each naming its stack; nil when all succeeded.
func (r Report) Err() error {
	var errs []error
	for _, res := range r {
		if res.Err != nil {
			errs = append(errs, fmt.Errorf("stack %s: %w", res.Stack, res.Err))
		}
	}
	return errors.Join(errs...)
}

// WriteTable prints the summary: one row per stack (participant, namespace,
// URL, status), then every error in full.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTICIPANT\tNAMESPACE\tURL\tSTATUS")
	for _, res := range r {
		who := res.Participant
		if res.Stack == ClusterStack {
			who = "(cluster)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", who, dash(res.Namespace), dash(res.URL), res.Summary())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, res := range r {
		if res.Err != nil && res.Status == StatusFailed {
			if _, err := fmt.Fprintf(w, "\n%s: %v\n", res.Stack, res.Err); err != nil {
				return err
			}
		}
	}
	return nil
}

// Summary is the status with what explains it: "up (2 create; 7s)",
// "failed (the program's message; 3s)".
func (r Result) Summary() string {
	var notes []string
	if c := r.changesText(); c != "" {
		notes = append(notes, c)
	}
	if r.Detail != "" {
		notes = append(notes, r.Detail)
	}
	if r.Err != nil {
		notes = append(notes, r.Problem())
	}
	if r.Duration > 0 {
		notes = append(notes, r.Duration.Round(time.Second).String())
	}
	if len(notes) == 0 {
		return string(r.Status)
	}
	return string(r.Status) + " (" + strings.Join(notes, "; ") + ")"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Problem is the gist of the stack's error in one line: the program's or a
// provider's own message from the engine's diagnostics rather than
// "exit status 1".
func (r Result) Problem() string {
	if r.Err == nil {
		return ""
	}
	text := r.Err.Error()
	var missing *MissingPluginError
	if _, diagnostics, ok := strings.Cut(text, "\nDiagnostics:\n"); ok && !errors.As(r.Err, &missing) {
		diagnostics, _, _ = strings.Cut(diagnostics, "\nResources:")
		for _, line := range strings.Split(diagnostics, "\n") {
			line = strings.TrimSpace(line)
			if msg, ok := strings.CutPrefix(line, "error: "); ok {
				line = msg
			} else if msg, ok := strings.CutPrefix(line, "* "); ok {
				line = msg
			} else {
				continue
			}
			if !unhandled.MatchString(line) {
				return line
			}
		}
	}
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return line
}

// unhandled is the Go SDK's wrapper around a program's error.
var unhandled = regexp.MustCompile(`^an unhandled error occurred: (\d+ errors? occurred:|program failed:)?$`)
