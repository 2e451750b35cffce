package stacks

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

// repoRoot is where Pulumi.yaml and the stack files live.
const repoRoot = ".."

// loadProject parses Pulumi.yaml with the Pulumi CLI's own loader, which
// checks it against the project schema.
func loadProject(t testing.TB) *workspace.Project {
	t.Helper()
	project, err := workspace.LoadProject(filepath.Join(repoRoot, "Pulumi.yaml"))
	if err != nil {
		t.Fatalf("Pulumi.yaml: %v", err)
	}
	return project
}

// stackConfig reads Pulumi.<stack>.yaml with the CLI's loader and returns the
// config as the CLI hands it to the program ("project:key" -> string). Tests
// run in stacks/, so appsDir is pointed at the repository's apps/.
func stackConfig(t testing.TB, stack string) map[string]string {
	t.Helper()
	project := loadProject(t)
	ps, err := workspace.LoadProjectStack(nil, project, filepath.Join(repoRoot, fmt.Sprintf("Pulumi.%s.yaml", stack)))
	if err != nil {
		t.Fatalf("Pulumi.%s.yaml: %v", stack, err)
	}
	decrypted, err := ps.Config.Decrypt(config.NopDecrypter)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{ProjectName + ":appsDir": filepath.Join(repoRoot, "apps")}
	for k, v := range decrypted {
		out[k.String()] = v
	}
	return out
}

// stackRun is one run of the whole program under the mocks.
type stackRun struct {
	*mocktest.Monitor
	Outputs map[string]any
}

// runStack runs Run with a stack's config file (plus overrides) and returns
// what was registered and the resolved stack outputs.
func runStack(t testing.TB, stack string, overrides map[string]string) stackRun {
	t.Helper()
	cfg := stackConfig(t, stack)
	for k, v := range overrides {
		cfg[k] = v
	}
	run := stackRun{Monitor: mocktest.New()}
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
