package organizer

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// Setup is what Main takes besides its arguments: the programs the stacks
// run (stacks.Program) and the plugins they need (room.PinnedPlugins); tests
// pass programs that need none.
type Setup struct {
	Program ProgramFactory
	Plugins func() ([]room.Plugin, error)
	// Now is the clock for expiries; nil is the wall clock.
	Now func() time.Time
	// Signals are the interrupts (cmd/organizer: SIGINT and SIGTERM): the
	// first stops the room's engines, the second forces them (watchSignals).
	Signals <-chan os.Signal
}

// Main is cmd/organizer; it returns the exit code: 0 when every stack
// succeeded, 1 when one failed, 2 when the input is wrong. The command line
// is room.ParseArgs's; Main runs it.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, with Setup) int {
	stderr = &syncWriter{w: stderr} // stacks, signals and the lease all report on it
	cl, err := room.ParseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0 // the usage asked for
	} else if err != nil {
		return 2 // ParseArgs has said why
	}
	if code, done := beforeAnyStack(cl, with, stdout, stderr); done {
		return code
	}
	opts, err := organizerOptions(cl, with, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	ctx, force := context.WithCancel(ctx)
	defer force()
	o, err := New(ctx, cl.Plan, opts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer closeOrganizer(o, stderr)
	if with.Signals != nil {
		done := make(chan struct{})
		defer close(done)
		go watchSignals(with.Signals, done, o, force, stderr)
	}
	if cl.Command == string(room.OpReap) && cl.Room.Name == "" {
		return reapRooms(ctx, o, opts, stdout, stderr)
	}
	return runCommand(ctx, o, cl, with, stdout, stderr)
}

// beforeAnyStack runs the commands that need no backend (plan: the room's
// capacity, guard and cost; render) and refuses, before the backend is
// created, a room that cannot fit and a reap without a backend; done says
// Main ends with code.
func beforeAnyStack(cl *room.CommandLine, with Setup, stdout, stderr io.Writer) (code int, done bool) {
	switch cl.Command {
	case room.CommandPlan:
		code := printCapacity(cl.Plan, stdout, stderr)
		printRoomCost(stdout, stderr, cl.Plan, with.Program, nil, false)
		return code, true
	case room.CommandRender:
		return render(cl, with.Program, stdout, stderr), true
	case string(room.OpUp), room.CommandReset:
		code := checkCapacity(cl.Plan, stderr)
		return code, code != 0
	case string(room.OpReap):
		if err := checkReapBackend(cl.Backend); err != nil {
			fmt.Fprintln(stderr, err)
			return 2, true
		}
	}
	return 0, false
}

// organizerOptions are the Options of cl's organizer.
func organizerOptions(cl *room.CommandLine, with Setup, stderr io.Writer) (Options, error) {
	opts := Options{
		Settings: cl.Settings,
		Events:   printEvents(stderr),
		Now:      with.Now,
		Program:  with.Program,
		Stop:     NewStopper(),
		Notices:  stderr,
	}
	if cl.EngineOutput {
		opts.Progress = stderr
	}
	var err error
	if cl.Command == string(room.OpUp) || cl.Command == string(room.OpPreview) || cl.Command == "plugins" || cl.Command == room.CommandReset {
		opts.Plugins, err = with.Plugins()
	}
	return opts, err
}

// runCommand runs cl's command on o's room and prints its report.
func runCommand(ctx context.Context, o *Organizer, cl *room.CommandLine, with Setup, stdout, stderr io.Writer) int {
	var report room.Report
	var err error
	switch room.Operation(cl.Command) {
	case room.OpUp:
		report, err = o.Up(ctx)
	case room.OpPreview:
		report, err = o.Preview(ctx)
	case room.OpDestroy:
		report, err = o.Destroy(ctx)
	case room.OpStatus:
		report, err = o.Status(ctx)
	case room.OpReap:
		report, err = o.Reap(ctx, cl.DryRun)
	case opHandout:
		report, err = o.Handouts(ctx, cl.HandoutDir)
	case opReset:
		report, err = o.Reset(ctx, cl.Names)
	case opServe:
		return serve(ctx, o, cl, stderr)
	case room.OpAdopt:
		report, err = o.Adopt(ctx)
	default: // plugins
		return installPluginsCommand(ctx, o, stdout, stderr)
	}
	return printReport(cl, with, report, err, stdout, stderr)
}

// installPluginsCommand installs the room's missing plugins and names them.
func installPluginsCommand(ctx context.Context, o *Organizer, stdout, stderr io.Writer) int {
	if err := o.InstallPlugins(ctx); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, p := range o.plugins() {
		fmt.Fprintf(stdout, "%s installed\n", p)
	}
	return 0
}

// printReport prints a command's report (its table, what an interrupt
// left, the room's cost) and returns Main's exit code.
func printReport(cl *room.CommandLine, with Setup, report room.Report, err error, stdout, stderr io.Writer) int {
	var refused *config.ConfigError
	if errors.As(err, &refused) {
		fmt.Fprintln(stderr, err) // the plan refused before anything was touched
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if err := report.WriteTable(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	summary := report.InterruptSummary()
	if summary != "" {
		fmt.Fprintln(stderr, summary)
	}
	// An interrupted run ends at once: its room's cost can wait for the next.
	if summary == "" && (cl.Command == string(room.OpUp) || cl.Command == string(room.OpStatus)) {
		printRoomCost(stdout, stderr, cl.Plan, with.Program, report, cl.Command == string(room.OpStatus))
	}
	if report.Err() != nil {
		return 1
	}
	return 0
}

// printCapacity prints the room's capacity table; a room that does not fit
// at the HPAs' minimum exits 2, as up would refuse it.
func printCapacity(plan *room.Plan, stdout, stderr io.Writer) int {
	c, err := plan.Capacity()
	if errors.Is(err, room.ErrNodesUnknown) {
		fmt.Fprintln(stdout, err)
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := c.WriteTable(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if err := plan.WriteGuard(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if !c.FitsAtMinimum() {
		return 2
	}
	return 0
}

// checkCapacity refuses a room that does not fit its nodes at the HPAs'
// minimum (exit 2, saying what would fit) and warns about one that fits
// only below their maximum; 0 lets up go on.
func checkCapacity(plan *room.Plan, stderr io.Writer) int {
	c, err := plan.Capacity()
	if errors.Is(err, room.ErrNodesUnknown) {
		return 0
	}
	if err == nil {
		err = c.Err()
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if w := c.Warning(); w != "" {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	return 0
}

// printEvents prints a line when a stack's operation starts and ends; the
// participants' goroutines call it at once, so its writes take turns.
func printEvents(w io.Writer) func(Event) {
	var mu sync.Mutex
	return func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now().Format("15:04:05")
		if e.Result == nil {
			fmt.Fprintf(w, "%s  %-12s %s ...\n", now, e.Stack, e.Operation)
			return
		}
		fmt.Fprintf(w, "%s  %-12s -> %s\n", now, e.Stack, e.Result.Summary())
	}
}

// syncWriter serializes the writes of the goroutines that share a writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// reapRooms reaps every room the backend holds, each with its own
// organizer, and prints a table per room; one room's failure does not stop
// the next.
func reapRooms(ctx context.Context, finder *Organizer, opts Options, stdout, stderr io.Writer) int {
	rooms, err := finder.Rooms(ctx)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if len(rooms) == 0 {
		fmt.Fprintf(stdout, "no room in %s\n", opts.Backend)
	}
	code := 0
	for _, r := range rooms {
		fmt.Fprintf(stdout, "room %s\n", r.Name)
		roomOpts := opts
		roomOpts.Room = r
		o, err := New(ctx, finder.plan, roomOpts)
		var report room.Report
		if err == nil {
			report, err = o.Reap(ctx, opts.DryRun)
			closeOrganizer(o, stderr)
		}
		if err == nil {
			err = report.WriteTable(stdout)
		}
		if err == nil {
			err = report.Err()
		}
		if err != nil {
			fmt.Fprintf(stderr, "room %s: %v\n", r.Name, err)
			code = 1
		}
	}
	return code
}

// closeOrganizer removes what the organizer's engines left in its
// temporary directory; a failure is said, and changes no exit code.
func closeOrganizer(o *Organizer, stderr io.Writer) {
	if err := o.Close(); err != nil {
		fmt.Fprintf(stderr, "removing the engines' temporary files: %v\n", err)
	}
}
