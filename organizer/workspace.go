package organizer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
)

// roomWorkspace is the Automation API's local workspace with the CLI calls
// that a room repeats for every stack made cheaper. Each call starts the
// CLI, and most derive the passphrase provider's key (PBKDF2, a million
// rounds): together they cost more than a small stack's update. Every
// command the organizer runs names its stack (--stack), so none needs the
// project's current stack, which only selection wrote and which made
// stacks' creation take turns.
type roomWorkspace struct {
	auto.Workspace
	secretsProvider string
	// outputsFromEvents: the workspace runs a program, and Stack.Up's
	// reading of the outputs afterwards (a CLI start and the passphrase
	// key) is skipped, since Organizer.up takes them from the engine's
	// events (outputsFromEvents).
	outputsFromEvents bool
}

// errStackExists is CreateStack's answer for a stack the backend has.
var errStackExists = errors.New("the stack exists")

// SelectStack does nothing: the organizer selects a stack only once it
// knows that it exists (it created it, or the backend listed it: see
// Organizer.stack), and the commands it runs name their stack.
func (w roomWorkspace) SelectStack(context.Context, string) error { return nil }

// CreateStack creates the stack without selecting it (stack init
// --no-select), so stacks are created side by side. A stack that exists
// is errStackExists.
func (w roomWorkspace) CreateStack(ctx context.Context, name string) error {
	args := []string{"stack", "init", name, "--no-select"}
	if w.secretsProvider != "" {
		args = append(args, "--secrets-provider", w.secretsProvider)
	}
	_, stderr, err := w.run(ctx, args...)
	if err != nil && strings.Contains(stderr, "already exists") {
		return fmt.Errorf("%s: %w", name, errStackExists)
	}
	return err
}

// StackOutputs reads the stack's outputs, secrets in the clear, in one call
// where the Automation API makes two (the second only to mark which ones
// are secret, which the organizer does not ask); none in a workspace whose
// outputs come from the engine's events.
func (w roomWorkspace) StackOutputs(ctx context.Context, name string) (auto.OutputMap, error) {
	if w.outputsFromEvents {
		return auto.OutputMap{}, nil
	}
	stdout, _, err := w.run(ctx, "stack", "output", "--json", "--show-secrets", "--stack", name)
	if err != nil {
		return nil, err
	}
	var values map[string]any
	if err := json.Unmarshal([]byte(stdout), &values); err != nil {
		return nil, fmt.Errorf("stack %s: reading its outputs: %w", name, err)
	}
	outputs := auto.OutputMap{}
	for k, v := range values {
		outputs[k] = auto.OutputValue{Value: v}
	}
	return outputs, nil
}

// run runs the CLI as the workspace does: in its directory, with its
// PULUMI_HOME and environment.
func (w roomWorkspace) run(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	var env []string
	if home := w.PulumiHome(); home != "" {
		env = append(env, "PULUMI_HOME="+home)
	}
	for k, v := range w.GetEnvVars() {
		env = append(env, k+"="+v)
	}
	stdout, stderr, code, err := w.PulumiCommand().Run(ctx, w.WorkDir(), nil, nil, nil, env, args...)
	if err != nil {
		return stdout, stderr, fmt.Errorf("pulumi %s: %w (exit %d)\n%s", strings.Join(args, " "), err, code, stderr)
	}
	return stdout, stderr, nil
}

func (o *Organizer) isListed(name string) bool {
	o.listedMu.Lock()
	defer o.listedMu.Unlock()
	return o.listed[name]
}

// eventsDrainTimeout bounds the wait, after an update has ended, for its
// event stream to end.
const eventsDrainTimeout = time.Minute

// stackType is the type of a stack's root resource, whose outputs are the stack's.
const stackType = "pulumi:pulumi:Stack"

// outputsFromEvents reads an update's engine events to their end and
// returns the stack's outputs as the engine last reported them (secrets
// masked: the organizer reads only plain ones from an update).
func outputsFromEvents(engineEvents <-chan events.EngineEvent, observe func(events.EngineEvent)) auto.OutputMap {
	outputs := auto.OutputMap{}
	for e := range engineEvents {
		if observe != nil {
			observe(e)
		}
		if e.ResOutputsEvent == nil || e.ResOutputsEvent.Metadata.Type != stackType || e.ResOutputsEvent.Metadata.New == nil {
			continue
		}
		outputs = auto.OutputMap{}
		for k, v := range e.ResOutputsEvent.Metadata.New.Outputs {
			outputs[k] = auto.OutputValue{Value: v}
		}
	}
	return outputs
}
