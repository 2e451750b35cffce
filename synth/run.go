// Package synth runs the program under the shared mock monitor
// (internal/mocktest) with a stack's configuration resolved as the Pulumi
// CLI resolves it, and renders what it registers as reviewable files: the
// program's plan, with no cloud credentials, no Pulumi CLI, no provider
// plugins and no network. Command is its command line (cmd/synth); the
// snapshot test and the real-apiserver tests use it in-process.
//
// A synth is the program's plan under mocks, not AWS's answer: every value
// the cloud would compute is a placeholder, "<computed:NAME.ATTR>", and
// remote components (pulumi-eks's Cluster and ManagedNodeGroup, Helm v4
// Charts) are constructed by provider plugins that do not run here, so their
// children (a chart's Kubernetes objects among them) are not rendered.
//
// The API, in the order a caller uses it:
//
//	cfg, err := synth.StackConfig(root, "dev")           // the CLI's resolution, for tests
//	res, err := synth.Run(root, "dev", stacks.Run)        // run under mocks
//	manifests, err := res.Manifests()                     // the Kubernetes objects
//	files, err := res.Files()                             // resources.yaml, kubernetes/*.yaml
//	err = files.Write(dir)                                // or ReadFiles(dir) to compare
//	fmt.Print(synth.Diff(old, files))                     // what changed
package synth

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

// pathKeys are the config keys whose values are paths the program reads
// relative to its working directory (root, under `pulumi up`). Run resolves
// them against root so that it can run from any directory.
var pathKeys = []string{mocktest.Project + ":appsDir"}

// Secret is how a secret value appears in resources.yaml and in Outputs.
const Secret = "[secret]"

// Result is one stack's synth: everything the program registered under the
// mocks, with Placeholders on.
type Result struct {
	Stack string
	// Config is what the program was given ("project:key" -> value).
	Config map[string]string
	// Settings are the operator's settings from SettingsFile among Config.
	Settings map[string]string
	// Resources are every registration, sorted by URN. Inputs that held a
	// path under root hold it relative to root, so a synth does not depend
	// on where the repository is checked out.
	Resources []mocktest.Resource
	// Outputs are the stack outputs, as plain values (secrets as Secret).
	Outputs map[string]any
}

// Run synthesizes stack of the project in root: StackConfig and the
// stack's Settings, then program
// (stacks.Run) under a mocktest.Monitor with Placeholders on. A program
// error (for a bad configuration, the program's own error listing every
// problem) is returned as is.
func Run(root, stack string, program pulumi.RunFunc) (*Result, error) {
	return RunWithConfig(root, stack, nil, program)
}

// RunWithConfig is Run with overrides set over the stack's configuration
// and its Settings (keys "project:key" or "aws:region", values as
// StackConfig returns them), to synthesize a change without editing the
// stack file.
func RunWithConfig(root, stack string, overrides map[string]string, program pulumi.RunFunc) (*Result, error) {
	cfg, err := StackConfig(root, stack)
	if err != nil {
		return nil, err
	}
	settings, err := Settings(root, stack)
	if err != nil {
		return nil, err
	}
	for k, v := range settings {
		cfg[k] = v
	}
	for k, v := range overrides {
		cfg[k] = v
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	runCfg := map[string]string{}
	for k, v := range cfg {
		runCfg[k] = v
	}
	for _, k := range pathKeys {
		if v, ok := runCfg[k]; ok && v != "" && !filepath.IsAbs(v) {
			runCfg[k] = filepath.Join(absRoot, v)
		}
	}
	res, err := runMocked(stack, cfg, runCfg, absRoot, program)
	if err != nil {
		return nil, err
	}
	res.Settings = settings
	return res, nil
}

// RunProgram synthesizes program as stack with config ("project:key" or
// "aws:region" -> value) and no project directory: an inline program that
// takes its configuration in Go (stacks.Program), as the organizer runs.
func RunProgram(stack string, config map[string]string, program pulumi.RunFunc) (*Result, error) {
	return runMocked(stack, config, config, "", program)
}

// runMocked runs program under the mocks with runCfg, recording cfg as its
// configuration; paths under absRoot (if any) are recorded relative to it.
func runMocked(stack string, cfg, runCfg map[string]string, absRoot string, program pulumi.RunFunc) (*Result, error) {
	m := mocktest.New()
	m.Placeholders = true
	m.RootDirectory = absRoot // where `pulumi up` runs the program and its providers
	if region := cfg["aws:region"]; region != "" {
		// Zones as the region names them; which exist is AWS's answer, not the plan's.
		m.Region = region
		m.AvailabilityZones = []string{region + "a", region + "b", region + "c", region + "d"}
	}
	exports := map[string]pulumi.Output{}
	err := m.Run(stack, runCfg, func(ctx *pulumi.Context) error {
		if err := program(ctx); err != nil {
			return err
		}
		for key, value := range ctx.GetCurrentExportMap() {
			out := pulumi.ToOutput(value)
			exports[key] = out
			m.Capture(key, out)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	res := &Result{Stack: stack, Config: cfg, Outputs: map[string]any{}}
	for key, value := range m.Captured() {
		v := resource.NewPropertyValue(value)
		if pulumi.IsSecret(exports[key]) {
			v = resource.MakeSecret(v)
		}
		res.Outputs[key] = display(relativize(v, absRoot))
	}
	for _, r := range m.Resources() {
		r.Inputs = relativize(resource.NewObjectProperty(r.Inputs), absRoot).ObjectValue()
		res.Resources = append(res.Resources, r)
	}
	res.Resources = inURNOrder(res.Resources)
	for i := 1; i < len(res.Resources); i++ {
		if res.Resources[i].URN == res.Resources[i-1].URN {
			return nil, fmt.Errorf("synth %s: %s registered twice", stack, res.Resources[i].URN)
		}
	}
	return res, nil
}

// inURNOrder returns a copy of resources sorted by URN, each with its
// dependencies sorted and deduplicated: neither the order the program
// registered in nor the order the SDK lists dependencies in shows.
func inURNOrder(resources []mocktest.Resource) []mocktest.Resource {
	out := make([]mocktest.Resource, len(resources))
	for i, r := range resources {
		deps := append([]string(nil), r.Dependencies...)
		sort.Strings(deps)
		r.Dependencies = dedupe(deps)
		out[i] = r
	}
	// URNs are unique (runMocked refuses a repeat), so <= would sort the
	// same (gremlins' boundary mutant is equivalent).
	sort.SliceStable(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// relativeTo rewrites a path under root as relative to it.
func relativeTo(s, root string) string {
	if s == root {
		return "."
	}
	if rest, ok := strings.CutPrefix(s, root+string(filepath.Separator)); ok {
		return filepath.ToSlash(rest)
	}
	return s
}

// relativize rewrites every string under root in v as relative to root
// (none without a root).
func relativize(v resource.PropertyValue, root string) resource.PropertyValue {
	switch {
	case root == "":
		return v
	case v.IsString():
		return resource.NewStringProperty(relativeTo(v.StringValue(), root))
	case v.IsArray():
		out := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			out[i] = relativize(e, root)
		}
		return resource.NewArrayProperty(out)
	case v.IsObject():
		out := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			out[k] = relativize(e, root)
		}
		return resource.NewObjectProperty(out)
	case v.IsSecret():
		return resource.MakeSecret(relativize(v.SecretValue().Element, root))
	case v.IsOutput():
		o := v.OutputValue()
		o.Element = relativize(o.Element, root)
		return resource.NewOutputProperty(o)
	}
	return v
}

// RunAll synthesizes every stack of the project in root (Stacks), in
// parallel, and returns the results in stack order. The first error wins.
func RunAll(root string, program pulumi.RunFunc) ([]*Result, error) {
	stacks, err := Stacks(root)
	if err != nil {
		return nil, err
	}
	results := make([]*Result, len(stacks))
	errs := make([]error, len(stacks))
	var wg sync.WaitGroup
	for i, stack := range stacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = Run(root, stack, program)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w", stacks[i], err)
		}
	}
	return results, nil
}
