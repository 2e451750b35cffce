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

	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// DefaultParallel is how many participants' stacks run at once by default.
const DefaultParallel = 4

// Commands are organizer's commands: an Operation on every stack, or
// installing the pinned provider plugins.
var Commands = []string{string(OpUp), string(OpPreview), string(OpDestroy), string(OpStatus), string(OpReap), CommandAdopt, CommandPlan, CommandHandout, CommandReset, CommandServe, CommandRender, "plugins"}

// roomCommands need -room: they run on one room's stacks. reap without it
// reaps every room in the backend.
var roomCommands = []string{string(OpUp), string(OpPreview), string(OpDestroy), string(OpStatus), CommandAdopt, CommandHandout, CommandReset, CommandServe}

const usage = `usage: organizer [flags] COMMAND (reset NAME...)

Runs the workshop for a room: the shared cluster (stack %q, configured by
-cluster-config) and, on it, one stack per participant: a namespace they may
edit, with their own copy of the workloads. With -kubeconfig the room runs
on that existing cluster instead (EKS Anywhere, kind, an admin's cluster):
no cluster stack, and the images given by -flask-image and -nginx-image.
A room is named by -room NAME: its stacks live in project
eks-workshop-room-NAME and carry the tag eks-workshop:room=NAME, and no
command touches a stack without them (docs/room-ownership.md).

commands:
  up       install the pinned provider plugins, deploy the cluster, then every
           participant (-parallel at a time); re-run after a failure to finish.
           Refuses a room its nodes cannot hold (see plan); -ttl 8h records
           when each stack expires, in the stack's tags
  preview  show what up would change
  destroy  destroy the participants named (the cluster stays), or with
           -whole-room every stack of the room, the cluster last; -dry-run
           lists them only
  status   every stack's last update, URL and time left
  reap     destroy every participant stack past its expiry, then the cluster
           once no participant is left, in -room or else in every room of
           -backend (required); -dry-run lists them only
  adopt    make the stacks named (the cluster and the participants given)
           the room's: a room made before rooms had names; -dry-run lists
  plan     print whether the room fits its nodes (pods, CPU, memory at the
           HPA minimum and maximum); runs nothing
  handout  write each participant's handout, <handout-dir>/NAME.txt: their
           namespace, how to reach it as themselves, how to open their
           apps, their expiry; no secret
  reset NAME...  destroy those participants' stacks and bring them up again,
           as up would (its refusals, its report); no one else's is touched
  serve    serve the room's board on -listen (loopback by default): every
           stack's state, URL, time left and last error, read every
           -refresh, and each participant's handout at /p/NAME
  render   write each participant stack's plan, as synth writes a stack's, into
           -render-dir/NAME (resources.yaml, kubernetes/*.yaml); runs nothing
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
	// LeaseWait is how long up, destroy and reap wait for the room's lease
	// while another run holds it; 0 stops at once, naming the holder.
	LeaseWait time.Duration
	// Room is the room whose stacks the organizer runs; required.
	Room Room
	// WholeRoom makes Destroy destroy every stack of the room, the cluster
	// last; without it Destroy destroys the plan's participants only.
	WholeRoom bool
	// DryRun makes Destroy, Reap and Adopt list what they would do and
	// change nothing.
	DryRun bool
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
	if s.LeaseWait < 0 {
		problems = append(problems, fmt.Errorf("lease-wait = %s: want a duration such as 10m, or 0 to stop at once when another run holds the room", s.LeaseWait))
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
	// HandoutDir is where handout writes.
	HandoutDir string
	// Names are reset's participants.
	Names []string
	// RenderDir is where render writes.
	RenderDir string
	// Listen and Refresh are serve's address and reading interval.
	Listen       string
	BoardRefresh time.Duration
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
	f := defineFlags(fs)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stderr, usage, ClusterStack)
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		return nil, err
	} else if err != nil {
		return mistake(stderr, err)
	}
	if fs.NArg() != 1 && (fs.NArg() == 0 || fs.Arg(0) != CommandReset) {
		return mistake(stderr, fmt.Errorf("want one command (%s), got %q", strings.Join(Commands, ", "), fs.Args()))
	}
	cl := &CommandLine{Command: fs.Arg(0), EngineOutput: *f.engineOutput, Names: fs.Args()[1:], Listen: *f.listen, BoardRefresh: *f.boardRefresh, RenderDir: *f.renderDir}
	if !slices.Contains(Commands, cl.Command) {
		return mistake(stderr, fmt.Errorf("unknown command %q: want one of %s", cl.Command, strings.Join(Commands, ", ")))
	}
	r, err := f.plan(fs, cl)
	if err == nil {
		err = f.settings(cl, r)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, err
	}
	return cl, nil
}

// parsedFlags are the command line's flags, as defineFlags registers them.
type parsedFlags struct {
	participantsFile, clusterConfig, stateDir, backend, secrets *string
	handoutDir, listen, renderDir, roomName                     *string
	parallel                                                    *int
	refresh, engineOutput, dryRun, wholeRoom                    *bool
	ttl, leaseWait, boardRefresh                                *time.Duration
	participants                                                participantFlags
	existing                                                    existingFlags
}

// defineFlags registers the command line's flags on fs.
func defineFlags(fs *flag.FlagSet) *parsedFlags {
	f := &parsedFlags{}
	f.participantsFile = fs.String("participants", "", "participants file (YAML: participants: [{name, principalArn?, namespace?}])")
	fs.Var(&f.participants, "participant", "a participant as NAME[=PRINCIPAL_ARN] (repeatable; added to -participants)")
	f.clusterConfig = fs.String("cluster-config", "Pulumi.dev.yaml", "the shared cluster's stack settings file")
	f.stateDir = fs.String("state-dir", ".organizer", "where the file backend (state/) and the stacks' settings (work/) live")
	f.backend = fs.String("backend", "", "state backend URL (s3://bucket/prefix, https://api.pulumi.com, ...); default: file://<state-dir>/state")
	f.secrets = fs.String("secrets-provider", "passphrase", "secrets provider: passphrase (set PULUMI_CONFIG_PASSPHRASE) or a KMS URL such as awskms://alias/workshop")
	f.parallel = fs.Int("parallel", DefaultParallel, "participants' stacks run at once")
	f.refresh = fs.Bool("refresh", false, "up: refresh each stack from the cloud first")
	f.engineOutput = fs.Bool("engine-output", false, "print the engine's output, each line prefixed with its stack")
	f.ttl = fs.Duration("ttl", 0, "up: the stacks expire this long after up starts (e.g. 8h); reap destroys them then")
	f.leaseWait = fs.Duration("lease-wait", 0, "up, destroy, reap, reset: wait this long for the room while another run holds it (0: stop at once, naming it)")
	f.handoutDir = fs.String("handout-dir", "", "handout: where the files go (default <state-dir>/handouts)")
	f.listen = fs.String("listen", DefaultListen, "serve: the board's address; another host than loopback shows the room to that network")
	f.boardRefresh = fs.Duration("refresh-every", DefaultRefresh, "serve: how often the board reads the stacks")
	f.renderDir = fs.String("render-dir", "room-plan", "render: where each participant's plan goes")
	f.dryRun = fs.Bool(FlagDryRun[1:], false, "destroy, reap, adopt: list the stacks it would change, change nothing")
	f.roomName = fs.String(FlagRoom[1:], "", "the room's name (required but by reap): its stacks' project is eks-workshop-room-NAME and their tag eks-workshop:room=NAME")
	f.wholeRoom = fs.Bool(FlagWholeRoom[1:], false, "destroy: every stack of the room, the cluster last (without it, only the participants named)")
	f.existing = addExistingFlags(fs)
	return f
}

// plan sets cl's Plan: the participants on the cluster the flags name,
// with every problem of the command line and the plan at once. It returns
// the room named.
func (f *parsedFlags) plan(fs *flag.FlagSet, cl *CommandLine) (Room, error) {
	var participants []Participant
	if *f.participantsFile != "" {
		read, err := ReadParticipants(*f.participantsFile)
		if err != nil {
			return Room{}, err
		}
		participants = read
	}
	participants = append(participants, f.participants...)
	r, early := commandProblems(fs, cl.Command, *f.roomName, *f.backend, len(participants), *f.wholeRoom)
	var err error
	switch {
	case cl.Command == string(OpReap):
		// The backend's stacks and their tags are all reap reads.
		cl.Plan, err = &Plan{}, withProblems(early, nil)
	case *f.existing.kubeconfig != "":
		cl.Plan, err = f.existing.plan(fs, cl.Command, participants)
		err = withProblems(early, err)
	default:
		cl.Plan, err = newBuiltClusterPlan(*f.clusterConfig, participants, append(early, f.existing.misused()...))
	}
	if err == nil && cl.Command == CommandReset {
		_, err = cl.Plan.SelectParticipants(cl.Names)
	}
	return r, err
}

// settings sets cl's Settings, the handout directory and the backend's
// default, and checks them for the commands that run stacks.
func (f *parsedFlags) settings(cl *CommandLine, r Room) error {
	state, err := filepath.Abs(*f.stateDir)
	if err != nil {
		return err
	}
	cl.Settings = Settings{
		Backend:         *f.backend,
		WorkDir:         filepath.Join(state, "work"),
		SecretsProvider: *f.secrets,
		Parallel:        *f.parallel,
		Refresh:         *f.refresh,
		TTL:             *f.ttl,
		LeaseWait:       *f.leaseWait,
		Room:            r,
		WholeRoom:       *f.wholeRoom,
		DryRun:          *f.dryRun,
	}
	if cl.Backend == "" {
		cl.Backend = "file://" + filepath.Join(state, "state")
	}
	if cl.HandoutDir = *f.handoutDir; cl.HandoutDir == "" {
		cl.HandoutDir = filepath.Join(state, "handouts")
	}
	if cl.Command == CommandPlan || cl.Command == CommandRender {
		return nil // runs no stack: no backend or passphrase needed
	}
	return cl.Settings.Check()
}

// commandProblems checks what the command itself asks of its command line:
// only the flags it reads, a valid -room where it needs one, destroy's form
// and reap's explicit backend. It returns the room named.
func commandProblems(fs *flag.FlagSet, command, roomName, backend string, participants int, wholeRoom bool) (Room, []string) {
	var set []string
	fs.Visit(func(f *flag.Flag) { set = append(set, f.Name) })
	problems := checkCommandFlags(command, set)
	var r Room
	if roomName != "" || slices.Contains(roomCommands, command) {
		var err error
		if r, err = NewRoom(roomName); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if command == string(OpDestroy) {
		problems = append(problems, checkDestroyForm(participants, wholeRoom)...)
	}
	if command == string(OpReap) && backend == "" {
		problems = append(problems, fmt.Sprintf("%s = %q: reap wants the backend that holds the rooms (s3://bucket/prefix, file:///path): on a runner, the default file backend is empty and a reap of it would succeed having reaped nothing", FlagBackend, backend))
	}
	return r, problems
}

// withProblems adds problems found before err's to it.
func withProblems(problems []string, err error) error {
	var invalid *config.ConfigError
	switch {
	case len(problems) == 0:
		return err
	case errors.As(err, &invalid):
		return &config.ConfigError{Problems: append(problems, invalid.Problems...)}
	case err != nil:
		return errors.Join(append(stringErrors(problems), err)...)
	}
	return &config.ConfigError{Problems: problems}
}
