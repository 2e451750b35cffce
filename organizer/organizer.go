// Package organizer runs the workshop for a room of participants through the
// Pulumi Automation API: one shared cluster (an eks environment, by default
// the dev stack's configuration) and on it one environment per participant,
// a namespace with the participant's own access and their own copy of the
// workloads, deployed through the local target pointed at the cluster.
//
// Each environment is its own stack running stacks.Program as an inline
// program, so a participant's failure is theirs alone, and re-running Up
// after a failure finishes what is missing: the engine leaves stacks that are
// already up unchanged.
//
// What the room is (its Plan, the participants, the settings files), the
// command line and the Report live in organizer/room, which imports no Pulumi
// package, so they are tested without linking the Automation API.
package organizer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// The stack outputs the organizer reads.
const (
	outputKubeconfig = "kubeconfig"
	outputFlaskImage = "flaskImage"
	outputNginxImage = "nginxImage"
	// outputALBURL is a stack's ALB (the cluster's, or a participant's own
	// on a cluster the room builds); outputInClusterURL a participant's
	// nginx page inside the cluster, on an existing cluster.
	outputALBURL       = "albUrl"
	outputInClusterURL = "nginxClusterUrl"
)

// ProgramFactory turns an environment's configuration into the program that
// deploys it: stacks.Program, which cmd/organizer passes; tests substitute
// programs that need no provider plugin. It is not a default here, so the
// organizer and its tests link no provider SDK.
type ProgramFactory func(config.Config) pulumi.RunFunc

// Options configure an Organizer. Backend, WorkDir and Program are required.
type Options struct {
	// Settings are the plain options: backend, work directory, secrets
	// provider, parallelism, environment, refresh.
	room.Settings
	// Program builds each stack's program: stacks.Program. Required.
	Program ProgramFactory
	// Plugins are installed, when missing, before the first operation.
	Plugins []room.Plugin
	// Command is the Pulumi CLI (default: pulumi on PATH).
	Command auto.PulumiCommand
	// Progress receives the engine's output, each line prefixed with its stack.
	Progress io.Writer
	// Events, when set, is told when each stack's operation starts and ends.
	Events func(Event)
	// Now is the clock expiries are set and compared by (default time.Now).
	Now func() time.Time
	// Stop, when stopped, asks every running engine to stop once and keeps
	// the stacks not started from starting (default: one that only this
	// organizer's lease stops; Main stops it on the first signal).
	Stop *Stopper
	// EngineEvents, when set, sees every engine event of each stack's up:
	// the steps it takes (ResourcePreEvent), as they start.
	EngineEvents func(stack string, e events.EngineEvent)
	// Notices receives what the organizer says while it runs: waiting for
	// the room's lease, taking over a lapsed one.
	Notices io.Writer
	// LeaseTTL is how long the room's lease lasts unless renewed (default
	// room.DefaultLeaseTTL).
	LeaseTTL time.Duration
	// OperationTimeout and CallTimeout are the deadlines of the engine's
	// operations and of every other CLI call (defaults
	// room.DefaultOperationTimeout and room.DefaultCallTimeout).
	OperationTimeout, CallTimeout time.Duration
}

// Event is one stack's operation starting (Result nil) or finishing.
type Event struct {
	Stack     string
	Operation room.Operation
	Result    *room.Result
}

// Organizer runs a Plan's stacks.
type Organizer struct {
	plan    *room.Plan
	opts    Options
	env     map[string]string
	program ProgramFactory
	// tmp is the engines' TMPDIR, which Close removes ("" when Env set one).
	tmp string
	// listed are the room's stacks (scan), the only ones it selects, and
	// resources how many resources each held when listed.
	listed    map[string]bool
	resources map[string]int
	listedMu  sync.Mutex
	// progress serializes writes to opts.Progress.
	progress sync.Mutex
	// expires is when the stacks of this Up expire (zero without a TTL);
	// joinExpires, without one, when those joining the room do: the room's.
	expires, joinExpires time.Time
	// running are the stacks whose operation is under way.
	running running
	// notices serializes writes to opts.Notices.
	notices sync.Mutex
}

// New prepares the organizer: it checks the options, creates a file
// backend's directory, the work directory and the engines' temporary
// directory (Close removes it), and writes the project file
// every stack's workspace shares.
func New(ctx context.Context, plan *room.Plan, opts Options) (*Organizer, error) {
	problems := []error{opts.Settings.Check()}
	if opts.Program == nil {
		problems = append(problems, errors.New("no program: want the ProgramFactory the stacks run (stacks.Program)"))
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	env := map[string]string{
		"PULUMI_BACKEND_URL":       opts.Backend,
		"PULUMI_SKIP_UPDATE_CHECK": "true",
	}
	for k, v := range opts.Env {
		env[k] = v
	}

	if u, err := url.Parse(opts.Backend); err == nil && u.Scheme == "file" {
		if err := os.MkdirAll(u.Path, 0o700); err != nil {
			return nil, fmt.Errorf("state backend %s: %w", opts.Backend, err)
		}
	}
	if opts.Room.Name != "" {
		// Each room's project file and stack settings in a directory of its own.
		opts.WorkDir = filepath.Join(opts.WorkDir, opts.Room.Name)
	}
	if err := os.MkdirAll(opts.WorkDir, 0o700); err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	if opts.Stop == nil {
		opts.Stop = NewStopper()
	}
	if opts.OperationTimeout <= 0 {
		opts.OperationTimeout = room.DefaultOperationTimeout
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = room.DefaultCallTimeout
	}
	if opts.Command == nil {
		cmd, err := newEngineCommand(opts.Stop, opts.OperationTimeout, opts.CallTimeout)
		if err != nil {
			return nil, fmt.Errorf("the Pulumi CLI (3.276 or newer on PATH): %w", err)
		}
		opts.Command = cmd
	}
	tmp, err := engineTempDir(opts.WorkDir, env)
	if err != nil {
		return nil, err
	}
	o := &Organizer{plan: plan, opts: opts, env: env, program: opts.Program, tmp: tmp}
	if err := o.saveProject(ctx); err != nil {
		return nil, errors.Join(err, o.Close())
	}
	return o, nil
}

// saveProject writes the project file every stack's workspace shares.
func (o *Organizer) saveProject(ctx context.Context) error {
	ws, err := o.workspace(ctx, nil)
	if err != nil {
		return err
	}
	project := workspace.Project{Name: tokens.PackageName(o.projectName()), Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	if err := ws.SaveProjectSettings(ctx, &project); err != nil {
		return fmt.Errorf("writing the project file: %w", err)
	}
	return nil
}

// engineTempDir makes the engines' TMPDIR, a directory of this run's in
// workDir, unless env names one. The Kubernetes provider writes the
// kubeconfig it is given to a new file in TMPDIR at each configure and
// never removes it (pulumi-kubernetes pkg/provider/util.go,
// writeKubeconfigToFile): in a shared /tmp a room would leave its
// cluster's credentials behind, a file per stack and run. Close removes it.
func engineTempDir(workDir string, env map[string]string) (string, error) {
	if _, set := env["TMPDIR"]; set {
		return "", nil
	}
	tmp, err := os.MkdirTemp(workDir, ".tmp-")
	if err != nil {
		return "", fmt.Errorf("the engines' temporary directory: %w", err)
	}
	env["TMPDIR"] = tmp
	return tmp, nil
}

// Close removes the engines' temporary directory and what they left in it.
func (o *Organizer) Close() error {
	if o.tmp == "" {
		return nil
	}
	return os.RemoveAll(o.tmp)
}

// workspace is a workspace in WorkDir running program (nil for commands that run none).
func (o *Organizer) workspace(ctx context.Context, program pulumi.RunFunc) (roomWorkspace, error) {
	opts := []auto.LocalWorkspaceOption{
		auto.WorkDir(o.opts.WorkDir),
		auto.Pulumi(o.opts.Command),
		auto.EnvVars(o.env),
		auto.SecretsProvider(o.opts.SecretsProvider),
	}
	if program != nil {
		opts = append(opts, auto.Program(program))
	}
	ws, err := auto.NewLocalWorkspace(ctx, opts...)
	return roomWorkspace{Workspace: ws, secretsProvider: o.opts.SecretsProvider, outputsFromEvents: program != nil}, err
}

// stack selects the room's stack name, creating and tagging it first when
// create is set; with create false a stack that is not the room's (scan
// did not list it) is reported as (nil, nil).
func (o *Organizer) stack(ctx context.Context, name string, program pulumi.RunFunc, create bool) (*auto.Stack, error) {
	ws, err := o.workspace(ctx, program)
	if err != nil {
		return nil, err
	}
	switch {
	case o.isListed(name):
	case !create:
		return nil, nil // not the room's: never selected
	default:
		if err := o.createStack(ctx, ws, name); err != nil {
			return nil, err
		}
	}
	s, err := auto.SelectStack(ctx, name, ws)
	return &s, err
}

// InstallPlugins installs the pinned provider plugins that are missing.
func (o *Organizer) InstallPlugins(ctx context.Context) error {
	plugins := o.plugins()
	if len(plugins) == 0 {
		return nil
	}
	ws, err := o.workspace(ctx, nil)
	if err != nil {
		return err
	}
	return installPlugins(ctx, ws, plugins)
}

// Up deploys the cluster, then every participant's environment on it,
// Parallel at a time. A participant's failure is recorded in the Report and
// the others go on; if the cluster fails, no participant is attempted. A
// room its node group cannot hold at the HPAs' minimum is refused (a
// *room.CapacityError) before any stack is touched. With a TTL, each stack
// is tagged with its expiry before its update.
func (o *Organizer) Up(ctx context.Context) (room.Report, error) {
	if err := o.checkCapacity(); err != nil {
		return nil, err
	}
	return o.withLease(ctx, room.OpUp, func() (room.Report, error) { return o.upRoom(ctx) })
}

// upRoom is Up, holding the room's lease.
func (o *Organizer) upRoom(ctx context.Context) (room.Report, error) {
	if err := o.scan(ctx); err != nil {
		return nil, err
	}
	// Without a TTL, tags already set stay as they are, and a stack joining
	// the room gets the room's.
	o.expires, o.joinExpires = time.Time{}, time.Time{}
	var err error
	if o.opts.TTL > 0 {
		o.expires = o.now().Add(o.opts.TTL)
	} else if o.joining() {
		if o.joinExpires, err = o.roomExpiry(ctx); err != nil {
			return nil, err
		}
	}
	if err := o.InstallPlugins(ctx); err != nil {
		return nil, err
	}
	report := o.cluster(ctx, room.OpUp, func(r *room.Result) error {
		return o.up(ctx, r, o.plan.Cluster)
	})
	outputs, err := o.clusterOutputs(ctx)
	if len(report) == 1 && report[0].Err == nil && err != nil {
		report[0].Err, report[0].Status = err, room.StatusFailed
	}
	clusterErr := report.Err()
	return append(report, o.runParticipants(ctx, room.OpUp, o.participantRows(), func(r *room.Result) error {
		if clusterErr != nil {
			r.Status = room.StatusSkipped
			return errors.New("the cluster is not up")
		}
		cfg, err := o.plan.ParticipantConfig(r.Stack, outputs)
		if err != nil {
			return err
		}
		return o.up(ctx, r, cfg)
	})...), nil
}

// up runs `pulumi up` on r's stack with cfg's program and records the
// changes and the stack's URL.
func (o *Organizer) up(ctx context.Context, r *room.Result, cfg config.Config) error {
	joining := !o.isListed(r.Stack)
	s, err := o.stack(ctx, r.Stack, o.program(cfg), true)
	if err != nil {
		return err
	}
	if err := o.recordExpiry(ctx, s, joining); err != nil {
		return err
	}
	if o.isListed(r.Stack) {
		if err := o.repairAfterKilledEngines(ctx, r); err != nil {
			return err
		}
		hadPending, err := o.resolvePending(ctx, s, r)
		if err != nil {
			return err
		}
		if cfg.Target == config.TargetLocal {
			if err := o.adoptOrphans(ctx, s, cfg, r, hadPending); err != nil {
				return err
			}
		}
	}
	outputs := make(chan auto.OutputMap, 1)
	res, err := s.Up(ctx, o.upOptions(r.Stack, outputs)...)
	if err != nil {
		return err
	}
	r.Changes = changes(res.Summary.ResourceChanges)
	select {
	case out := <-outputs:
		r.URL = stackURL(out)
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(eventsDrainTimeout):
		return fmt.Errorf("the update succeeded, but its event stream did not end within %s of it: the stack's outputs are unread", eventsDrainTimeout)
	}
	return nil
}

// upOptions streams the engine's events into stackOutputs, which receives
// the stack's outputs as the engine reports them once the up has ended (the
// stack's workspace does not read them again: see roomWorkspace.StackOutputs).
func (o *Organizer) upOptions(stack string, stackOutputs chan<- auto.OutputMap) []optup.Option {
	engineEvents := make(chan events.EngineEvent)
	var observe func(events.EngineEvent)
	if o.opts.EngineEvents != nil {
		observe = func(e events.EngineEvent) { o.opts.EngineEvents(stack, e) }
	}
	go func() { stackOutputs <- outputsFromEvents(engineEvents, observe) }()
	// ShowSecrets(false): the summary needs no secret, and so no passphrase key.
	opts := []optup.Option{
		optup.ProgressStreams(o.progressWriter(stack)), optup.ShowSecrets(false),
		optup.EventStreams(engineEvents),
	}
	if o.opts.Refresh {
		opts = append(opts, optup.Refresh())
	}
	return opts
}

// Preview shows what Up would change. Participants are previewed against the
// cluster as it is; before the cluster is up there is nothing to preview
// them against, and they are reported as skipped.
func (o *Organizer) Preview(ctx context.Context) (room.Report, error) {
	if err := o.scan(ctx); err != nil {
		return nil, err
	}
	if err := o.InstallPlugins(ctx); err != nil {
		return nil, err
	}
	report := o.cluster(ctx, room.OpPreview, func(r *room.Result) error {
		s, err := o.stack(ctx, room.ClusterStack, o.program(o.plan.Cluster), true)
		if err != nil {
			return err
		}
		res, err := s.Preview(ctx, optpreview.ProgressStreams(o.progressWriter(room.ClusterStack)))
		if err != nil {
			return err
		}
		r.Changes = planned(res.ChangeSummary)
		return nil
	})
	outputs, clusterErr := o.clusterOutputs(ctx)
	if err := report.Err(); err != nil {
		clusterErr = err
	}
	return append(report, o.runParticipants(ctx, room.OpPreview, o.participantRows(), func(r *room.Result) error {
		switch {
		case errors.Is(clusterErr, errClusterNotUp):
			// A room not up yet: nothing to preview a participant against,
			// and nothing wrong either.
			r.Status = room.StatusSkipped
			r.Note("previewed once the cluster is up (" + clusterErr.Error() + ")")
			return nil
		case clusterErr != nil:
			r.Status = room.StatusSkipped
			return fmt.Errorf("previewed once the cluster is up (%w)", clusterErr)
		}
		cfg, err := o.plan.ParticipantConfig(r.Stack, outputs)
		if err != nil {
			return err
		}
		s, err := o.stack(ctx, r.Stack, o.program(cfg), true)
		if err != nil {
			return err
		}
		res, err := s.Preview(ctx, optpreview.ProgressStreams(o.progressWriter(r.Stack)))
		if err != nil {
			return err
		}
		r.Changes = planned(res.ChangeSummary)
		return nil
	})...), nil
}

// Destroy removes the plan's participants' environments and nothing else;
// with WholeRoom, every participant stack of the room, those in the plan
// and any other (someone taken off the list since), then the cluster, but
// only if all of them are gone: a cluster deleted under a participant's
// stack would leave that stack pointing at nothing. With DryRun it reports
// what it would destroy and changes nothing.
func (o *Organizer) Destroy(ctx context.Context) (room.Report, error) {
	return o.withLease(ctx, room.OpDestroy, func() (room.Report, error) { return o.destroyRoom(ctx) })
}

// destroyRoom is Destroy, holding the room's lease.
func (o *Organizer) destroyRoom(ctx context.Context) (room.Report, error) {
	if err := o.scan(ctx); err != nil {
		return nil, err
	}
	rows := o.participantRows()
	if o.opts.WholeRoom {
		rows = o.allParticipantRows()
	}
	report := o.runParticipants(ctx, room.OpDestroy, rows, func(r *room.Result) error {
		return o.destroy(ctx, r)
	})
	if !o.opts.WholeRoom {
		return report, nil
	}
	remaining := 0
	for _, r := range report {
		if r.Err != nil {
			remaining++
		}
	}
	cluster := o.cluster(ctx, room.OpDestroy, func(r *room.Result) error {
		if remaining > 0 {
			r.Status = room.StatusSkipped
			return fmt.Errorf("%d participant stack(s) are not destroyed", remaining)
		}
		return o.destroy(ctx, r)
	})
	return append(cluster, report...), nil
}

func (o *Organizer) destroy(ctx context.Context, r *room.Result) error {
	s, err := o.stack(ctx, r.Stack, nil, false)
	if err != nil {
		return err
	}
	if s == nil {
		r.Status = room.StatusAbsent
		return nil
	}
	if o.opts.DryRun {
		r.Status = room.StatusWouldDestroy
		return nil
	}
	if err := o.repairAfterKilledEngines(ctx, r); err != nil {
		return err
	}
	res, err := s.Destroy(ctx, optdestroy.ProgressStreams(o.progressWriter(r.Stack)), optdestroy.ShowSecrets(false))
	if err != nil {
		return err
	}
	r.Changes = changes(res.Summary.ResourceChanges)
	r.Status = room.StatusDestroyed
	return nil
}

// Status reports every stack: whether it exists, its last update, and its
// URL. It changes nothing and takes no lease, so it refuses no plan either:
// a stack of the room's project without the room's tag (someone else's, or
// one an up is creating and has not tagged yet) is reported as absent.
func (o *Organizer) Status(ctx context.Context) (room.Report, error) {
	if _, err := o.list(ctx); err != nil {
		return nil, err
	}
	rows := o.allParticipantRows()
	status := func(r *room.Result) error {
		s, err := o.stack(ctx, r.Stack, nil, false)
		if err != nil {
			return err
		}
		if s == nil {
			r.Status = room.StatusAbsent
			return nil
		}
		history, err := s.History(ctx, 1, 1)
		if err != nil {
			return err
		}
		if len(history) == 0 {
			r.Status = room.StatusNew
			return nil
		}
		last := history[0]
		r.Changes = changes(last.ResourceChanges)
		r.Status = room.Status(last.Kind + " " + last.Result)
		if last.EndTime != nil {
			r.Detail = *last.EndTime + "; "
		}
		expiry, err := stackExpiry(ctx, s.Workspace(), r.Stack)
		if err != nil {
			return err
		}
		r.Detail += expiry.TimeLeft(o.now())
		outputs, err := s.Outputs(ctx)
		if err != nil {
			return err
		}
		r.URL = stackURL(outputs)
		return nil
	}
	return append(o.cluster(ctx, room.OpStatus, status), o.runParticipants(ctx, room.OpStatus, rows, status)...), nil
}

// errClusterNotUp is a room's cluster not up yet.
var errClusterNotUp = errors.New("the cluster is not up")

// clusterOutputs reads what participants need from the cluster stack.
func (o *Organizer) clusterOutputs(ctx context.Context) (room.ClusterOutputs, error) {
	if o.plan.Existing != nil {
		return *o.plan.Existing, nil
	}
	s, err := o.stack(ctx, room.ClusterStack, nil, false)
	if err != nil {
		return room.ClusterOutputs{}, err
	}
	if s == nil {
		return room.ClusterOutputs{}, fmt.Errorf("%w: its stack does not exist yet", errClusterNotUp)
	}
	outputs, err := s.Outputs(ctx)
	if err != nil {
		return room.ClusterOutputs{}, err
	}
	var missing []string
	get := func(key string) string {
		v := outputString(outputs, key)
		if v == "" {
			missing = append(missing, key)
		}
		return v
	}
	c := room.ClusterOutputs{Kubeconfig: get(outputKubeconfig), FlaskImage: get(outputFlaskImage), NginxImage: get(outputNginxImage)}
	if len(missing) > 0 {
		return c, fmt.Errorf("%w: its stack has no output %q yet", errClusterNotUp, missing)
	}
	return c, nil
}

// changes is an update's or destroy's count of resources by operation.
func changes(c *map[string]int) map[string]int {
	if c == nil {
		return nil
	}
	return *c
}

// planned is a preview's count of resources by operation.
func planned(c map[apitype.OpType]int) map[string]int {
	ops := map[string]int{}
	for op, n := range c {
		ops[string(op)] = n
	}
	return ops
}

// stackURL is where a stack's apps are reached: its ALB, or else (a
// participant on an existing cluster) nginx inside the cluster.
func stackURL(outputs auto.OutputMap) string {
	if url := outputString(outputs, outputALBURL); url != "" {
		return url
	}
	return outputString(outputs, outputInClusterURL)
}

func outputString(outputs auto.OutputMap, key string) string {
	s, _ := outputs[key].Value.(string)
	return s
}

func (o *Organizer) clusterRow() room.Result {
	return room.Result{Stack: room.ClusterStack, Namespace: o.plan.Cluster.Namespace}
}

func (o *Organizer) participantRows() []room.Result {
	rows := make([]room.Result, len(o.plan.Participants))
	for i := range o.plan.Participants {
		p := o.plan.Participants[i]
		rows[i] = room.Result{Stack: p.Name, Participant: p.Name, Namespace: p.EnvironmentNamespace()}
	}
	return rows
}

// allParticipantRows are the plan's participants and, after them, any other
// participant stack of the room (someone taken off the list since).
func (o *Organizer) allParticipantRows() []room.Result {
	rows := o.participantRows()
	planned := map[string]bool{}
	for _, r := range rows {
		planned[r.Stack] = true
	}
	_, others := room.RoomStackNames(o.roomStacks())
	for _, name := range others {
		if !planned[name] {
			rows = append(rows, room.Result{Stack: name, Participant: name, Detail: "not in the participants list"})
		}
	}
	return rows
}

// runParticipants runs op for every row, Parallel at a time, in row order in the report.
func (o *Organizer) runParticipants(ctx context.Context, op room.Operation, rows []room.Result, do func(*room.Result) error) room.Report {
	report := make(room.Report, len(rows))
	slots := make(chan struct{}, o.opts.Parallel)
	var wg sync.WaitGroup
	for i, row := range rows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			report[i] = o.run(ctx, op, row, do)
		}()
	}
	wg.Wait()
	return report
}

// run does one stack's operation, timing it and telling Events.
func (o *Organizer) run(ctx context.Context, op room.Operation, r room.Result, do func(*room.Result) error) room.Result {
	o.event(Event{Stack: r.Stack, Operation: op})
	start := time.Now()
	switch {
	case ctx.Err() != nil:
		r.Err, r.Status = ctx.Err(), room.StatusNotStarted
	case o.opts.Stop.Stopped():
		r.Err, r.Status = errStopped, room.StatusNotStarted
	default:
		o.running.set(r.Stack, true)
		r.Err = room.ExplainMissingPlugin(do(&r))
		o.running.set(r.Stack, false)
	}
	r.Duration = time.Since(start)
	switch {
	case r.Err != nil && r.Status == "" && ctx.Err() != nil:
		r.Status = room.StatusKilled
	case r.Err != nil && r.Status == "" && o.opts.Stop.Stopped():
		r.Status = room.StatusStopped
	case r.Err != nil && r.Status == "":
		r.Status = room.StatusFailed
	case r.Status == "":
		r.Status = room.Status(op)
	}
	o.event(Event{Stack: r.Stack, Operation: op, Result: &r})
	return r
}

func (o *Organizer) event(e Event) {
	if o.opts.Events != nil {
		o.opts.Events(e)
	}
}

func (o *Organizer) progressWriter(stack string) io.Writer {
	if o.opts.Progress == nil {
		return io.Discard
	}
	return &prefixWriter{mu: &o.progress, w: o.opts.Progress, prefix: stack + " | "}
}
