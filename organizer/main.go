package organizer

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// Setup is what Main takes besides its arguments: the programs the stacks
// run (stacks.Program) and the plugins they need (room.PinnedPlugins); tests
// pass programs that need none.
type Setup struct {
	Program ProgramFactory
	Plugins func() ([]room.Plugin, error)
}

// Main is cmd/organizer; it returns the exit code: 0 when every stack
// succeeded, 1 when one failed, 2 when the input is wrong. The command line
// is room.ParseArgs's; Main runs it.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, with Setup) int {
	cl, err := room.ParseArgs(args, stderr)
	if err != nil {
		return 2
	}
	opts := Options{
		Settings: cl.Settings,
		Events:   printEvents(stderr),
		Program:  with.Program,
	}
	if cl.EngineOutput {
		opts.Progress = stderr
	}
	if cl.Command != string(room.OpDestroy) && cl.Command != string(room.OpStatus) {
		if opts.Plugins, err = with.Plugins(); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	}
	o, err := New(ctx, cl.Plan, opts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}

	var report room.Report
	switch room.Operation(cl.Command) {
	case room.OpUp:
		report, err = o.Up(ctx)
	case room.OpPreview:
		report, err = o.Preview(ctx)
	case room.OpDestroy:
		report, err = o.Destroy(ctx)
	case room.OpStatus:
		report, err = o.Status(ctx)
	default: // plugins
		if err := o.InstallPlugins(ctx); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		for _, p := range o.plugins() {
			fmt.Fprintf(stdout, "%s installed\n", p)
		}
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if err := report.WriteTable(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if report.Err() != nil {
		return 1
	}
	return 0
}

// printEvents prints a line when a stack's operation starts and ends.
func printEvents(w io.Writer) func(Event) {
	return func(e Event) {
		now := time.Now().Format("15:04:05")
		if e.Result == nil {
			fmt.Fprintf(w, "%s  %-12s %s ...\n", now, e.Stack, e.Operation)
			return
		}
		fmt.Fprintf(w, "%s  %-12s -> %s\n", now, e.Stack, e.Result.Summary())
	}
}
