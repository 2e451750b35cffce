package room

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultParallel is how many participants' stacks run at once by default.
const DefaultParallel = 4

// Commands are organizer's commands: an Operation on every stack, or
// installing the pinned provider plugins.
var Commands = []string{string(OpUp), string(OpPreview), string(OpDestroy), string(OpStatus), string(OpReap), CommandPlan, "plugins"}

const usage = `usage: organizer [flags] COMMAND

Runs the workshop for a room: the shared cluster (stack %q, configured by
-cluster-config) and, on it, one stack per participant: a namespace they may
edit, with their own copy of the workloads. With -kubeconfig the room runs
on that existing cluster instead (EKS Anywhere, kind, an admin's cluster):
no cluster stack, and the images given by -flask-image and -nginx-image.

commands:
  up       install the pinned provider plugins, deploy the cluster, then every
           participant (-parallel at a time); re-run after a failure to finish.
           Refuses a room its nodes cannot hold (see plan); -ttl 8h records
           when each stack expires, in the stack's tags
  preview  show what up would change
  destroy  destroy every participant's stack, then the cluster
  status   every stack's last update, URL and time left
  reap     destroy every participant stack past its expiry, then the cluster
           once no participant is left; -dry-run lists them only
  plan     print whether the room fits its nodes (pods, CPU, memory at the
           HPA minimum and maximum); runs nothing
  plugins  install the pinned provider plugins

flags:
`

// mistake reports a command-line mistake: the reason, then the short usage.
func mistake(stderr io.Writer, err error) (*CommandLine, error) {
	fmt.Fprintf(stderr, "organizer: %v\nusage: organizer [flags] %s (organizer -h lists the flags)\n", err, strings.Join(Commands, "|"))
	return nil, err
}

// participantFlags collects repeated -participant NAME[=PRINCIPAL_ARN].
type participantFlags []Participant

func (p *participantFlags) String() string { return fmt.Sprint(len(*p)) }
func (p *participantFlags) Set(s string) error {
	*p = append(*p, ParseParticipant(s))
	return nil
}

// Settings are the organizer's options that are plain values, checked
// before anything runs; organizer.Options embeds them.
type Settings struct {
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
	// Env is added to the environment of every pulumi command.
	Env map[string]string
	// Refresh makes Up refresh every stack from the cloud before updating it.
	Refresh bool
	// TTL, when set, makes Up record in each stack's tags that it expires
	// this long after the Up starts (reap destroys it then).
	TTL time.Duration
}

// Check fills in the defaults (SecretsProvider, Parallel) and reports every
// problem at once. Backend and WorkDir are required.
func (s *Settings) Check() error {
	var problems []error
	if s.Backend == "" {
		problems = append(problems, errors.New("no state backend: want a URL such as file:///path/to/state or s3://bucket/prefix"))
	}
	if s.WorkDir == "" {
		problems = append(problems, errors.New("no work directory for the stacks' settings files"))
	}
	if s.Parallel == 0 {
		s.Parallel = DefaultParallel
	}
	if s.Parallel < 1 {
		problems = append(problems, fmt.Errorf("parallel = %d: want at least 1", s.Parallel))
	}
	if s.TTL < 0 {
		problems = append(problems, fmt.Errorf("ttl = %s: want a positive duration such as 8h, or 0 for none", s.TTL))
	}
	if s.SecretsProvider == "" {
		s.SecretsProvider = "passphrase"
	}
	if s.SecretsProvider == "passphrase" && !s.hasEnv("PULUMI_CONFIG_PASSPHRASE") && !s.hasEnv("PULUMI_CONFIG_PASSPHRASE_FILE") {
		problems = append(problems, errors.New("the passphrase secrets provider needs PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) set: it encrypts the stacks' secrets, the cluster's kubeconfig among them"))
	}
	return errors.Join(problems...)
}

// hasEnv is whether key is set for the pulumi commands: in Env, or else in
// this process's environment, which they inherit.
func (s *Settings) hasEnv(key string) bool {
	if v, ok := s.Env[key]; ok {
		return v != ""
	}
	return os.Getenv(key) != ""
}

// CommandLine is organizer's command line, checked.
type CommandLine struct {
	// Command is one of Commands.
	Command string
	Plan    *Plan
	Settings
	// EngineOutput asks for the engine's output, each line prefixed with its stack.
	EngineOutput bool
	// DryRun makes reap list what it would destroy.
	DryRun bool
}

// ParseArgs reads organizer's command line and checks everything that can
// be checked before a stack is touched: the flags and the command, the
// participants, the cluster's settings file, the plan they make and the
// settings. It creates nothing. When something is wrong it writes why to
// stderr (with the usage when the arguments do not parse) and returns the
// error; the command then exits 2.
func ParseArgs(args []string, stderr io.Writer) (*CommandLine, error) {
	fs := flag.NewFlagSet("organizer", flag.ContinueOnError)
	// The flag package would print every flag before the reason; mistake
	// prints the reason, then the short usage. -h prints the whole usage.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
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
	ttl := fs.Duration("ttl", 0, "up: the stacks expire this long after up starts (e.g. 8h); reap destroys them then")
	dryRun := fs.Bool("dry-run", false, "reap: list the expired stacks, destroy nothing")
	existing := addExistingFlags(fs)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stderr, usage, ClusterStack)
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		return nil, err
	} else if err != nil {
		return mistake(stderr, err)
	}
	if fs.NArg() != 1 {
		return mistake(stderr, fmt.Errorf("want one command (%s), got %q", strings.Join(Commands, ", "), fs.Args()))
	}
	fail := func(err error) (*CommandLine, error) {
		fmt.Fprintln(stderr, err)
		return nil, err
	}
	cl := &CommandLine{Command: fs.Arg(0), EngineOutput: *engineOutput, DryRun: *dryRun}
	if !slices.Contains(Commands, cl.Command) {
		return mistake(stderr, fmt.Errorf("unknown command %q: want one of %s", cl.Command, strings.Join(Commands, ", ")))
	}

	var participants []Participant
	if *participantsFile != "" {
		read, err := ReadParticipants(*participantsFile)
		if err != nil {
			return fail(err)
		}
		participants = read
	}
	participants = append(participants, flagged...)
	var err error
	if *existing.kubeconfig != "" {
		cl.Plan, err = existing.plan(fs, cl.Command, participants)
	} else {
		cl.Plan, err = newBuiltClusterPlan(*clusterConfig, participants, existing.misused())
	}
	if err != nil {
		return fail(err)
	}

	state, err := filepath.Abs(*stateDir)
	if err != nil {
		return fail(err)
	}
	cl.Settings = Settings{
		Backend:         *backend,
		WorkDir:         filepath.Join(state, "work"),
		SecretsProvider: *secrets,
		Parallel:        *parallel,
		Refresh:         *refresh,
		TTL:             *ttl,
	}
	if cl.Backend == "" {
		cl.Backend = "file://" + filepath.Join(state, "state")
	}
	if cl.Command == CommandPlan {
		return cl, nil // runs no stack: no backend or passphrase needed
	}
	if err := cl.Settings.Check(); err != nil {
		return fail(err)
	}
	return cl, nil
}
