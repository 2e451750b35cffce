package stacks

import (
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/stacks/config"
	"github.com/eks-workshop/eks-workshop/synth"
)

// repoRoot is where Pulumi.yaml and the stack files live.
const repoRoot = ".."

// stackConfig is the config the CLI hands the program for stack
// (synth.StackConfig: Pulumi.yaml defaults under Pulumi.<stack>.yaml), with
// what its operator sets before the first `pulumi up` (synth.Settings:
// prod's egress CIDR). Tests run in stacks/, so appsDir is pointed at the
// repository's apps/.
func stackConfig(t testing.TB, stack string) map[string]string {
	t.Helper()
	cfg, err := synth.StackConfig(repoRoot, stack)
	if err != nil {
		t.Fatal(err)
	}
	settings, err := synth.Settings(repoRoot, stack)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range settings {
		cfg[k] = v
	}
	cfg[config.ProjectName+":appsDir"] = filepath.Join(repoRoot, "apps")
	return cfg
}

// stackRun is one run of the whole program under the mocks.
type stackRun struct {
	*mocktest.Monitor
	Outputs map[string]any
}

// runStack runs Run with a stack's config file (plus overrides) and returns
// what was registered and the resolved stack outputs. Each run has a monitor
// of its own, so the tests that run stacks run in parallel.
func runStack(t testing.TB, stack string, overrides map[string]string) stackRun {
	t.Helper()
	return runStackAs(t, stack, stack, overrides)
}

// runStackAs runs the stack named stack with the config file of another,
// as a copy of Pulumi.<configOf>.yaml would.
func runStackAs(t testing.TB, stack, configOf string, overrides map[string]string) stackRun {
	t.Helper()
	cfg := stackConfig(t, configOf)
	for k, v := range overrides {
		cfg[k] = v
	}
	run := stackRun{Monitor: mocktest.New()}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	run.RootDirectory = root // as `pulumi up` in the repository root
	run.MustRun(t, stack, cfg, func(ctx *pulumi.Context) error {
		c, err := LoadConfig(ctx)
		if err != nil {
			return err
		}
		outputs, err := deploy(ctx, c)
		if err != nil {
			return err
		}
		for key, value := range outputs {
			run.Capture(key, pulumi.ToOutput(value))
		}
		return nil
	})
	run.Outputs = run.Captured()
	return run
}

// loadProject parses Pulumi.yaml with the Pulumi CLI's own loader.
func loadProject(t testing.TB) *workspace.Project {
	t.Helper()
	project, err := synth.LoadProject(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	return project
}
