package synth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
	if err := applyProjectConfig(project, ps.Config); err != nil {
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

// applyProjectConfig does what the CLI's config merge does for a stack with
// no ESC environment and no secrets (pkg/v3/workspace mergeConfig at
// v3.276.0, which moved out of the SDK): every key the stack file sets is
// checked against the type Pulumi.yaml declares, and every key it leaves out
// takes Pulumi.yaml's value or default. pkg/v3 is not imported for it: its
// workspace package links the engine's plugin host and code generators.
func applyProjectConfig(project *workspace.Project, stackConfig config.Map) error {
	keys := make([]string, 0, len(project.Config))
	for k := range project.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var problems []error
	for _, name := range keys {
		declared := project.Config[name]
		key, err := projectConfigKey(project.Name.String(), name)
		if err != nil {
			return err
		}
		value, onStack, err := stackConfig.Get(key, true)
		if err != nil {
			return fmt.Errorf("config key %q: %w", key, err)
		}
		if !onStack {
			if err := setProjectDefault(stackConfig, key, declared); err != nil {
				problems = append(problems, err)
			}
			continue
		}
		if err := checkDeclaredType(name, declared, value); err != nil {
			problems = append(problems, err)
		}
	}
	return errors.Join(problems...)
}

// projectConfigKey namespaces a Pulumi.yaml config key as the CLI does: a
// key without a namespace belongs to the project.
func projectConfigKey(project, name string) (config.Key, error) {
	if strings.Contains(name, ":") {
		return config.ParseKey(name)
	}
	return config.MustMakeKey(project, name), nil
}

// setProjectDefault gives key Pulumi.yaml's value, else its default, with
// arrays and objects JSON-encoded as the CLI stores them.
func setProjectDefault(stackConfig config.Map, key config.Key, declared workspace.ProjectConfigType) error {
	raw := declared.Value
	if declared.Default != nil {
		raw = declared.Default
	}
	if raw == nil {
		return fmt.Errorf("config key %q is required: Pulumi.yaml gives it no default", key)
	}
	switch v := raw.(type) {
	case string, int, bool:
		return stackConfig.Set(key, config.NewValue(fmt.Sprint(v)), true)
	}
	simple, err := workspace.SimplifyMarshalledValue(raw)
	if err != nil {
		return fmt.Errorf("config key %q: %w", key, err)
	}
	encoded, err := json.Marshal(simple)
	if err != nil {
		return fmt.Errorf("config key %q: %w", key, err)
	}
	return stackConfig.Set(key, config.NewObjectValue(string(encoded)), true)
}

// checkDeclaredType fails when a stack value is not of the type Pulumi.yaml
// declares for it, in the CLI's words.
func checkDeclaredType(name string, declared workspace.ProjectConfigType, value config.Value) error {
	if !declared.IsExplicitlyTyped() {
		return nil
	}
	text, err := value.Value(config.NopDecrypter)
	if err != nil {
		return fmt.Errorf("config key %q: %w", name, err)
	}
	var content any = text
	if value.Object() {
		if err := json.Unmarshal([]byte(text), &content); err != nil {
			return fmt.Errorf("config key %q: %w", name, err)
		}
	}
	if !workspace.ValidateConfigValue(*declared.Type, declared.Items, content) {
		return fmt.Errorf("configuration key '%s' must be of type '%s'",
			name, workspace.InferFullTypeName(*declared.Type, declared.Items))
	}
	return nil
}
