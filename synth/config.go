package synth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/esc"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

// LoadProject parses root/Pulumi.yaml with the Pulumi CLI's own loader,
// which checks it against the project schema.
func LoadProject(root string) (*workspace.Project, error) {
	project, err := workspace.LoadProject(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		return nil, fmt.Errorf("Pulumi.yaml: %w", err)
	}
	if project.Name.String() != mocktest.Project {
		return nil, fmt.Errorf("Pulumi.yaml: project %q, but the mocks run project %q", project.Name, mocktest.Project)
	}
	return project, nil
}

// Stacks lists the stacks of the project in root: every Pulumi.<stack>.yaml, sorted.
func Stacks(root string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	var stacks []string
	for _, p := range paths {
		stacks = append(stacks, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "Pulumi."), ".yaml"))
	}
	sort.Strings(stacks)
	return stacks, nil
}

// StackConfig returns the configuration the Pulumi CLI hands the program
// for stack, keyed "project:key" (and "aws:region"), each value a string
// with arrays and objects JSON-encoded. It resolves it as `pulumi up` does,
// with the CLI's own loader: Pulumi.<stack>.yaml, then every key it leaves
// out from Pulumi.yaml's defaults, each value checked against the type
// Pulumi.yaml declares. Secrets are not decrypted (none is needed).
//
// Relative paths in the result are as the stack file gives them: relative
// to root, where `pulumi up` runs.
func StackConfig(root, stack string) (map[string]string, error) {
	project, err := LoadProject(root)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(root, "Pulumi."+stack+".yaml")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		known, _ := Stacks(root)
		return nil, fmt.Errorf("unknown stack %q: no %s (stacks: %s)", stack, filepath.Base(path), strings.Join(known, ", "))
	}
	ps, err := workspace.LoadProjectStack(nil, project, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	// No ESC environment: the stacks import none.
	if err := workspace.ValidateStackConfigAndApplyProjectConfig(context.Background(), stack, project,
		esc.Value{}, ps.Config, config.NopEncrypter, config.NopDecrypter); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	decrypted, err := ps.Config.Decrypt(config.NopDecrypter)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	out := map[string]string{}
	for k, v := range decrypted {
		out[k.String()] = v
	}
	return out, nil
}
