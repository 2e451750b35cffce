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
package organizer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// DefaultParallel is how many participants' stacks run at once by default.
const DefaultParallel = 4

// The stack outputs the organizer reads.
const (
	outputKubeconfig = "kubeconfig"
	outputFlaskImage = "flaskImage"
	outputNginxImage = "nginxImage"
	// outputClusterURL is the shared ALB; outputParticipantURL the
	// participant's nginx page inside the cluster.
	outputClusterURL     = "albUrl"
	outputParticipantURL = "nginxClusterUrl"
)

// ProgramFactory turns an environment's configuration into the program that
// deploys it: stacks.Program, which cmd/organizer passes; tests substitute
// programs that need no provider plugin. It is not a default here, so the
// organizer and its tests link no provider SDK.
type ProgramFactory func(config.Config) pulumi.RunFunc

// Options configure an Organizer. Backend, WorkDir and Program are required.
type Options struct {
	// Backend is the state backend URL: file://<dir>, s3://<bucket>/<path>,
	// https://api.pulumi.com, ... A file backend's directory is created.
	Backend string
	// WorkDir holds the project file and each stack's settings file (with
	// the passphrase provider's salt): keep it as long as the stacks.
	WorkDir string
	// SecretsProvider encrypts the stacks' secrets: "passphrase" (default;
	// PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE must be set)
	// or a KMS URL such as awskms://alias/workshop.
	SecretsProvider string
	// Parallel bounds how many participants' stacks run at once (default DefaultParallel).
	Parallel int
	// Program builds each stack's program: stacks.Program. Required.
	Program ProgramFactory
	// Plugins are installed, when missing, before the first operation.
	Plugins []Plugin
	// Command is the Pulumi CLI (default: pulumi on PATH).
	Command auto.PulumiCommand
	// Env is added to the environment of every pulumi command.
	Env map[string]string
	// Progress receives the engine's output, each line prefixed with its stack.
	Progress io.Writer
	// Events, when set, is told when each stack's operation starts and ends.
	Events func(Event)
	// Refresh makes Up refresh every stack from the cloud before updating it.
	Refresh bool
}

// Operation names what the organizer does to the stacks.
type Operation string

const (
	OpUp      Operation = "up"
	OpPreview Operation = "preview"
	OpDestroy Operation = "destroy"
	OpStatus  Operation = "status"
)

// Event is one stack's operation starting (Result nil) or finishing.
type Event struct {
	Stack     string
	Operation Operation
	Result    *Result
}

// Organizer runs a Plan's stacks.
type Organizer struct {
	plan    *Plan
	opts    Options
	env     map[string]string
	program ProgramFactory
	// selecting serializes stack creation and selection: each writes the
	// CLI's current-stack file for the project, which is not safe to share.
	selecting sync.Mutex
	// progress serializes writes to opts.Progress.
	progress sync.Mutex
}

// New prepares the organizer: it checks the options, creates a file
// backend's directory and the work directory, and writes the project file
// every stack's workspace shares.
func New(ctx context.Context, plan *Plan, opts Options) (*Organizer, error) {
	var problems []error
	if opts.Backend == "" {
		problems = append(problems, errors.New("no state backend: want a URL such as file:///path/to/state or s3://bucket/prefix"))
	}
	if opts.WorkDir == "" {
		problems = append(problems, errors.New("no work directory for the stacks' settings files"))
	}
	if opts.Program == nil {
		problems = append(problems, errors.New("no program: want the ProgramFactory the stacks run (stacks.Program)"))
	}
	if opts.Parallel == 0 {
		opts.Parallel = DefaultParallel
	}
	if opts.Parallel < 1 {
		problems = append(problems, fmt.Errorf("parallel = %d: want at least 1", opts.Parallel))
	}
	if opts.SecretsProvider == "" {
		opts.SecretsProvider = "passphrase"
	}
	env := map[string]string{
		"PULUMI_BACKEND_URL":       opts.Backend,
		"PULUMI_SKIP_UPDATE_CHECK": "true",
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	if opts.SecretsProvider == "passphrase" && !hasEnv(env, "PULUMI_CONFIG_PASSPHRASE") && !hasEnv(env, "PULUMI_CONFIG_PASSPHRASE_FILE") {
		problems = append(problems, errors.New("the passphrase secrets provider needs PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) set: it encrypts the stacks' secrets, the cluster's kubeconfig among them"))
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}

	if u, err := url.Parse(opts.Backend); err == nil && u.Scheme == "file" {
		if err := os.MkdirAll(u.Path, 0o700); err != nil {
			return nil, fmt.Errorf("state backend %s: %w", opts.Backend, err)
		}
	}
	if err := os.MkdirAll(opts.WorkDir, 0o700); err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	if opts.Command == nil {
		cmd, err := auto.NewPulumiCommand(nil)
		if err != nil {
			return nil, fmt.Errorf("the Pulumi CLI (3.226 or newer on PATH): %w", err)
		}
		opts.Command = cmd
	}
	o := &Organizer{plan: plan, opts: opts, env: env, program: opts.Program}
	ws, err := o.workspace(ctx, nil)
	if err != nil {
		return nil, err
	}
	project := workspace.Project{Name: config.ProjectName, Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	if err := ws.SaveProjectSettings(ctx, &project); err != nil {
		return nil, fmt.Errorf("writing the project file: %w", err)
	}
	return o, nil
}

func hasEnv(env map[string]string, key string) bool {
	if v, ok := env[key]; ok {
		return v != ""
	}
	return os.Getenv(key) != ""
}

// workspace is a workspace in WorkDir running program (nil for commands that run none).
func (o *Organizer) workspace(ctx context.Context, program pulumi.RunFunc) (auto.Workspace, error) {
	opts := []auto.LocalWorkspaceOption{
		auto.WorkDir(o.opts.WorkDir),
		auto.Pulumi(o.opts.Command),
		auto.EnvVars(o.env),
		auto.SecretsProvider(o.opts.SecretsProvider),
	}
	if program != nil {
		opts = append(opts, auto.Program(program))
	}
	return auto.NewLocalWorkspace(ctx, opts...)
}

// stack creates or selects the named stack; with create false a stack that
// does not exist is reported as (nil, nil).
func (o *Organizer) stack(ctx context.Context, name string, program pulumi.RunFunc, create bool) (*auto.Stack, error) {
	ws, err := o.workspace(ctx, program)
	if err != nil {
		return nil, err
	}
	o.selecting.Lock()
	defer o.selecting.Unlock()
	if create {
		s, err := auto.UpsertStack(ctx, name, ws)
		return &s, err
	}
	s, err := auto.SelectStack(ctx, name, ws)
	if auto.IsSelectStack404Error(err) {
		return nil, nil
	}
	return &s, err
}

// InstallPlugins installs the pinned provider plugins that are missing.
func (o *Organizer) InstallPlugins(ctx context.Context) error {
	if len(o.opts.Plugins) == 0 {
		return nil
	}
	ws, err := o.workspace(ctx, nil)
	if err != nil {
		return err
	}
	return installPlugins(ctx, ws, o.opts.Plugins)
}

// Up deploys the cluster, then every participant's environment on it,
// Parallel at a time. A participant's failure is recorded in the Report and
// the others go on; if the cluster fails, no participant is attempted.
func (o *Organizer) Up(ctx context.Context) (Report, error) {
	if err := o.InstallPlugins(ctx); err != nil {
		return nil, err
	}
	cluster := o.run(ctx, OpUp, o.clusterRow(), func(r *Result) error {
		s, err := o.stack(ctx, ClusterStack, o.program(o.plan.Cluster), true)
		if err != nil {
			return err
		}
		res, err := s.Up(ctx, o.upOptions(ClusterStack)...)
		if err != nil {
			return err
		}
		r.setChanges(res.Summary.ResourceChanges)
		r.URL = outputString(res.Outputs, outputClusterURL)
		return nil
	})
	outputs, err := o.clusterOutputs(ctx)
	if cluster.Err == nil && err != nil {
		cluster.Err, cluster.Status = err, StatusFailed
	}
	report := Report{cluster}
	return append(report, o.participants(ctx, OpUp, o.participantRows(), func(r *Result) error {
		if cluster.Err != nil {
			r.Status = StatusSkipped
			return errors.New("the cluster is not up")
		}
		s, err := o.stack(ctx, r.Stack, o.program(o.plan.participantConfig(*r.participant, outputs)), true)
		if err != nil {
			return err
		}
		res, err := s.Up(ctx, o.upOptions(r.Stack)...)
		if err != nil {
			return err
		}
		r.setChanges(res.Summary.ResourceChanges)
		r.URL = outputString(res.Outputs, outputParticipantURL)
		return nil
	})...), nil
}

func (o *Organizer) upOptions(stack string) []optup.Option {
	opts := []optup.Option{optup.ProgressStreams(o.progressWriter(stack))}
	if o.opts.Refresh {
		opts = append(opts, optup.Refresh())
	}
	return opts
}

// Preview shows what Up would change. Participants are previewed against the
// cluster as it is; before the cluster is up there is nothing to preview
// them against, and they are reported as skipped.
func (o *Organizer) Preview(ctx context.Context) (Report, error) {
	if err := o.InstallPlugins(ctx); err != nil {
		return nil, err
	}
	cluster := o.run(ctx, OpPreview, o.clusterRow(), func(r *Result) error {
		s, err := o.stack(ctx, ClusterStack, o.program(o.plan.Cluster), true)
		if err != nil {
			return err
		}
		res, err := s.Preview(ctx, optpreview.ProgressStreams(o.progressWriter(ClusterStack)))
		if err != nil {
			return err
		}
		r.setPlanned(res.ChangeSummary)
		return nil
	})
	outputs, clusterErr := o.clusterOutputs(ctx)
	report := Report{cluster}
	return append(report, o.participants(ctx, OpPreview, o.participantRows(), func(r *Result) error {
		if clusterErr != nil {
			r.Status = StatusSkipped
			return fmt.Errorf("previewed once the cluster is up (%w)", clusterErr)
		}
		s, err := o.stack(ctx, r.Stack, o.program(o.plan.participantConfig(*r.participant, outputs)), true)
		if err != nil {
			return err
		}
		res, err := s.Preview(ctx, optpreview.ProgressStreams(o.progressWriter(r.Stack)))
		if err != nil {
			return err
		}
		r.setPlanned(res.ChangeSummary)
		return nil
	})...), nil
}

// Destroy removes every participant's environment, those in the plan and
// any other participant stack in the backend, then the cluster, but only if
// all of them are gone: a cluster deleted under a participant's stack would
// leave that stack pointing at nothing.
func (o *Organizer) Destroy(ctx context.Context) (Report, error) {
	rows, err := o.allParticipantRows(ctx)
	if err != nil {
		return nil, err
	}
	report := o.participants(ctx, OpDestroy, rows, func(r *Result) error {
		return o.destroy(ctx, r)
	})
	remaining := 0
	for _, r := range report {
		if r.Err != nil {
			remaining++
		}
	}
	cluster := o.run(ctx, OpDestroy, o.clusterRow(), func(r *Result) error {
		if remaining > 0 {
			r.Status = StatusSkipped
			return fmt.Errorf("%d participant stack(s) are not destroyed", remaining)
		}
		return o.destroy(ctx, r)
	})
	return append(Report{cluster}, report...), nil
}

func (o *Organizer) destroy(ctx context.Context, r *Result) error {
	s, err := o.stack(ctx, r.Stack, nil, false)
	if err != nil {
		return err
	}
	if s == nil {
		r.Status = StatusAbsent
		return nil
	}
	res, err := s.Destroy(ctx, optdestroy.ProgressStreams(o.progressWriter(r.Stack)))
	if err != nil {
		return err
	}
	r.setChanges(res.Summary.ResourceChanges)
	r.Status = StatusDestroyed
	return nil
}

// Status reports every stack: whether it exists, its last update, and its URL.
func (o *Organizer) Status(ctx context.Context) (Report, error) {
	rows, err := o.allParticipantRows(ctx)
	if err != nil {
		return nil, err
	}
	status := func(r *Result) error {
		s, err := o.stack(ctx, r.Stack, nil, false)
		if err != nil {
			return err
		}
		if s == nil {
			r.Status = StatusAbsent
			return nil
		}
		history, err := s.History(ctx, 1, 1)
		if err != nil {
			return err
		}
		if len(history) == 0 {
			r.Status = StatusNew
			return nil
		}
		last := history[0]
		r.setChanges(last.ResourceChanges)
		r.Status = Status(last.Kind + " " + last.Result)
		if last.EndTime != nil {
			r.Detail = *last.EndTime
		}
		outputs, err := s.Outputs(ctx)
		if err != nil {
			return err
		}
		key := outputParticipantURL
		if r.Stack == ClusterStack {
			key = outputClusterURL
		}
		r.URL = outputString(outputs, key)
		return nil
	}
	cluster := o.run(ctx, OpStatus, o.clusterRow(), status)
	return append(Report{cluster}, o.participants(ctx, OpStatus, rows, status)...), nil
}

// clusterOutputs reads what participants need from the cluster stack.
func (o *Organizer) clusterOutputs(ctx context.Context) (ClusterOutputs, error) {
	s, err := o.stack(ctx, ClusterStack, nil, false)
	if err != nil {
		return ClusterOutputs{}, err
	}
	if s == nil {
		return ClusterOutputs{}, errors.New("the cluster stack does not exist yet")
	}
	outputs, err := s.Outputs(ctx)
	if err != nil {
		return ClusterOutputs{}, err
	}
	var missing []string
	get := func(key string) string {
		v := outputString(outputs, key)
		if v == "" {
			missing = append(missing, key)
		}
		return v
	}
	c := ClusterOutputs{Kubeconfig: get(outputKubeconfig), FlaskImage: get(outputFlaskImage), NginxImage: get(outputNginxImage)}
	if len(missing) > 0 {
		return c, fmt.Errorf("the cluster stack has no output %q yet", missing)
	}
	return c, nil
}

func outputString(outputs auto.OutputMap, key string) string {
	s, _ := outputs[key].Value.(string)
	return s
}

func (o *Organizer) clusterRow() Result {
	return Result{Stack: ClusterStack, Namespace: o.plan.Cluster.Namespace}
}

func (o *Organizer) participantRows() []Result {
	rows := make([]Result, len(o.plan.Participants))
	for i := range o.plan.Participants {
		p := &o.plan.Participants[i]
		rows[i] = Result{Stack: p.Name, Participant: p.Name, Namespace: p.namespace(), participant: p}
	}
	return rows
}

// allParticipantRows are the plan's participants and, after them, any other
// participant stack the backend holds (someone taken off the list since).
func (o *Organizer) allParticipantRows(ctx context.Context) ([]Result, error) {
	rows := o.participantRows()
	ws, err := o.workspace(ctx, nil)
	if err != nil {
		return nil, err
	}
	existing, err := ws.ListStacks(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the backend's stacks: %w", err)
	}
	listed := map[string]bool{ClusterStack: true}
	for _, r := range rows {
		listed[r.Stack] = true
	}
	var others []string
	for _, s := range existing {
		if !listed[s.Name] {
			others = append(others, s.Name)
		}
	}
	sort.Strings(others)
	for _, name := range others {
		rows = append(rows, Result{Stack: name, Participant: name, Detail: "not in the participants list"})
	}
	return rows, nil
}

// participants runs op for every row, Parallel at a time, in row order in the report.
func (o *Organizer) participants(ctx context.Context, op Operation, rows []Result, do func(*Result) error) Report {
	report := make(Report, len(rows))
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
func (o *Organizer) run(ctx context.Context, op Operation, r Result, do func(*Result) error) Result {
	o.event(Event{Stack: r.Stack, Operation: op})
	start := time.Now()
	if err := ctx.Err(); err != nil {
		r.Err = err
	} else {
		r.Err = explainMissingPlugin(do(&r))
	}
	r.Duration = time.Since(start)
	switch {
	case r.Err != nil && r.Status == "":
		r.Status = StatusFailed
	case r.Status == "":
		r.Status = Status(op)
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
