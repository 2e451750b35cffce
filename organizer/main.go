package organizer

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

const usage = `usage: organizer [flags] COMMAND

Runs the workshop for a room: the shared cluster (stack %q, configured by
-cluster-config) and, on it, one stack per participant: a namespace they may
edit, with their own copy of the workloads.

commands:
  up       install the pinned provider plugins, deploy the cluster, then every
           participant (-parallel at a time); re-run after a failure to finish
  preview  show what up would change
  destroy  destroy every participant's stack, then the cluster
  status   every stack's last update and URL
  plugins  install the pinned provider plugins

flags:
`

// participantFlags collects repeated -participant NAME[=PRINCIPAL_ARN].
type participantFlags []Participant

func (p *participantFlags) String() string { return fmt.Sprint(len(*p)) }
func (p *participantFlags) Set(s string) error {
	*p = append(*p, ParseParticipant(s))
	return nil
}

// Setup is what Main takes besides its arguments: the programs the stacks
// run (stacks.Program) and the plugins they need (PinnedPlugins); tests pass
// programs that need none.
type Setup struct {
	Program ProgramFactory
	Plugins func() ([]Plugin, error)
}

// Main is cmd/organizer; it returns the exit code: 0 when every stack
// succeeded, 1 when one failed, 2 when the input is wrong.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, with Setup) int {
	fs := flag.NewFlagSet("organizer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, usage, ClusterStack)
		fs.PrintDefaults()
	}
	var flagged participantFlags
	participantsFile := fs.String("participants", "", "participants file (YAML: participants: [{name, principalArn?, namespace?}])")
	fs.Var(&flagged, "participant", "a participant as NAME[=PRINCIPAL_ARN] (repeatable; added to -participants)")
	clusterConfig := fs.String("cluster-config", "Pulumi.dev.yaml", "the shared cluster's stack settings file")
	stateDir := fs.String("state-dir", ".organizer", "where the file backend (state/) and the stacks' settings (work/) live")
	backend := fs.String("backend", "", "state backend URL (s3://bucket/prefix, https://api.pulumi.com, ...); default: file://<state-dir>/state")
	secrets := fs.String("secrets-provider", "passphrase", "secrets provider: passphrase (set PULUMI_CONFIG_PASSPHRASE) or a KMS URL such as awskms://alias/workshop")
	parallel := fs.Int("parallel", DefaultParallel, "participants' stacks run at once")
	refresh := fs.Bool("refresh", false, "up: refresh each stack from the cloud first")
	engineOutput := fs.Bool("engine-output", false, "print the engine's output, each line prefixed with its stack")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	command := fs.Arg(0)

	var participants []Participant
	if *participantsFile != "" {
		read, err := ReadParticipants(*participantsFile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		participants = read
	}
	participants = append(participants, flagged...)
	cluster, err := ReadStackConfig(*clusterConfig)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	plan, err := NewPlan(cluster, participants)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}

	state, err := filepath.Abs(*stateDir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	opts := Options{
		Backend:         *backend,
		WorkDir:         filepath.Join(state, "work"),
		SecretsProvider: *secrets,
		Parallel:        *parallel,
		Refresh:         *refresh,
		Events:          printEvents(stderr),
		Program:         with.Program,
	}
	if opts.Backend == "" {
		opts.Backend = "file://" + filepath.Join(state, "state")
	}
	if *engineOutput {
		opts.Progress = stderr
	}
	if command == "up" || command == "preview" || command == "plugins" {
		if opts.Plugins, err = with.Plugins(); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	}
	o, err := New(ctx, plan, opts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}

	var report Report
	switch command {
	case "up":
		report, err = o.Up(ctx)
	case "preview":
		report, err = o.Preview(ctx)
	case "destroy":
		report, err = o.Destroy(ctx)
	case "status":
		report, err = o.Status(ctx)
	case "plugins":
		if err := o.InstallPlugins(ctx); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		for _, p := range opts.Plugins {
			fmt.Fprintf(stdout, "%s installed\n", p)
		}
		return 0
	default:
		fmt.Fprintf(stderr, "unknown command %q\n", command)
		fs.Usage()
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
