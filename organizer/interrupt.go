package organizer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// Interrupts. The Automation API's own CLI runner answers a cancelled context
// with SIGINT to the CLI and SIGKILL 10 s later, and leaves the CLI in the
// terminal's process group, where Ctrl-C reaches it directly as well (a
// second SIGINT is the CLI's "terminate now"). The organizer runs the CLI
// itself instead (engineCommand): in a process group of its own, asked to
// stop once with SIGINT when the room is stopped (Stopper), so the engine
// finishes the resource operations it has in flight and writes the state,
// and killed, with its plugins, only when the context is cancelled: the
// forced stop of a second Ctrl-C.

// Stopper asks every running engine of the organizer to stop, once, and
// keeps any operation that has not started from starting.
type Stopper struct {
	once   sync.Once
	ch     chan struct{}
	mu     sync.Mutex
	reason string
}

// NewStopper is a Stopper not yet stopped.
func NewStopper() *Stopper { return &Stopper{ch: make(chan struct{})} }

// Stop asks for the stop, saying why; only the first call counts.
func (s *Stopper) Stop(reason string) {
	s.once.Do(func() {
		s.mu.Lock()
		s.reason = reason
		s.mu.Unlock()
		close(s.ch)
	})
}

// Done is closed once Stop is called.
func (s *Stopper) Done() <-chan struct{} { return s.ch }

// Reason is the first Stop's reason, "" before it.
func (s *Stopper) Reason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reason
}

// Stopped is whether Stop was called.
func (s *Stopper) Stopped() bool {
	select {
	case <-s.ch:
		return true
	default:
		return false
	}
}

// errStopped is the error of an operation the stop kept from starting.
var errStopped = errors.New("not started: the organizer was stopped")

// engineCommand runs the Pulumi CLI for the Automation API (it is an
// auto.PulumiCommand): every call within its deadline (room.CallTimeout),
// asked to stop once by the Stopper or at its deadline, and killed with its
// process group when ctx is cancelled or the grace after its deadline ends.
type engineCommand struct {
	path    string
	version semver.Version
	stop    *Stopper
	// operation and call bound the engine's operations and the other calls.
	operation, call time.Duration
	// grace is how long a call asked to stop at its deadline has to end
	// before it is killed.
	grace time.Duration
}

// newEngineCommand finds the CLI on PATH as the Automation API does.
func newEngineCommand(stop *Stopper, operation, call time.Duration) (*engineCommand, error) {
	cmd, err := auto.NewPulumiCommand(nil)
	if err != nil {
		return nil, err
	}
	path, err := exec.LookPath("pulumi")
	if err != nil {
		return nil, err
	}
	return &engineCommand{path: path, version: cmd.Version(), stop: stop, operation: operation, call: call, grace: room.DeadlineGrace}, nil
}

func (c *engineCommand) Version() semver.Version { return c.version }

func (c *engineCommand) Run(ctx context.Context, workdir string, stdin io.Reader, stdout, stderr []io.Writer, env []string, args ...string) (string, string, int, error) {
	if !slices.Contains(args, "--non-interactive") {
		args = append([]string{"--non-interactive"}, args...)
	}
	var outBuf, errBuf bytes.Buffer
	cmd := exec.Command(c.path, args...)
	cmd.Dir = workdir
	cmd.Env = append(append(os.Environ(), env...), "PULUMI_AUTOMATION_API=true")
	cmd.Stdin = stdin
	cmd.Stdout = io.MultiWriter(append(stdout, &outBuf)...)
	cmd.Stderr = io.MultiWriter(append(stderr, &errBuf)...)
	// A group of its own: the terminal's Ctrl-C reaches the organizer only,
	// and a forced stop kills the CLI's plugins with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := ctx.Err(); err != nil {
		return "", "", -1, err
	}
	if err := cmd.Start(); err != nil {
		return "", "", -1, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	err := c.supervise(ctx, cmd.Process, done, room.CallTimeout(args, c.operation, c.call))
	code := -1
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err == nil {
		code = 0
	}
	return outBuf.String(), errBuf.String(), code, err
}

// supervise waits for the process to end: asks it to stop (SIGINT, once)
// on the Stopper or at the deadline, kills its group when ctx is cancelled
// or grace after the deadline.
func (c *engineCommand) supervise(ctx context.Context, p *os.Process, done <-chan error, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var kill <-chan time.Time
	stop := c.stop.Done()
	var late error
	interrupted := false
	interrupt := func() {
		if !interrupted {
			_ = p.Signal(os.Interrupt)
			interrupted = true
		}
		stop = nil
	}
	for {
		select {
		case err := <-done:
			if late != nil {
				return errors.Join(late, err)
			}
			return err
		case <-stop:
			interrupt()
		case <-deadline.C:
			late = fmt.Errorf("the call passed its deadline (%s): asked to stop, killed %s later if still running", timeout, c.grace)
			interrupt()
			kill = time.After(c.grace)
		case <-kill:
			_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
			kill = nil
		case <-ctx.Done():
			_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
			return errors.Join(ctx.Err(), <-done)
		}
	}
}

// running tracks the stacks whose operation is under way, for the message
// of a forced stop.
type running struct {
	mu     sync.Mutex
	stacks map[string]bool
}

func (r *running) set(stack string, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stacks == nil {
		r.stacks = map[string]bool{}
	}
	if on {
		r.stacks[stack] = true
	} else {
		delete(r.stacks, stack)
	}
}

func (r *running) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for n := range r.stacks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Running are the stacks whose operation is under way.
func (o *Organizer) Running() []string { return o.running.names() }

// watchSignals turns the first signal into a stop (every running engine is
// asked once to stop and write its state) and the second into a forced one
// (force cancels the context: the engines are killed). It returns when
// signals is closed or done is.
func watchSignals(signals <-chan os.Signal, done <-chan struct{}, o *Organizer, force context.CancelFunc, stderr io.Writer) {
	say := func(format string, args ...any) { fmt.Fprintf(stderr, format, args...) }
	for n := 0; ; n++ {
		var sig os.Signal
		var ok bool
		select {
		case sig, ok = <-signals:
		case <-done:
			return
		}
		if !ok {
			return
		}
		if n == 0 {
			o.opts.Stop.Stop(sig.String())
			say("%s: stopping: each running engine (%s) is asked once to stop; it finishes the resource operations under way and writes its state. No new stack starts. Again to force.\n",
				sig, strings.Join(o.Running(), ", "))
			continue
		}
		say("%s again: forcing: killing the engines of %s. %s\n", sig, strings.Join(o.Running(), ", "), room.ForcedStopRisk)
		force()
		return
	}
}
