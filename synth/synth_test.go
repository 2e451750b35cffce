package synth_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/cli"
	"github.com/eks-workshop/eks-workshop/synth"
)

// root is the repository root, seen from this package.
const root = ".."

func mustRun(t *testing.T, root, stack string, overrides map[string]string, program pulumi.RunFunc) *synth.Result {
	t.Helper()
	res, err := synth.RunWithConfig(root, stack, overrides, program)
	if err != nil {
		t.Fatalf("synth %s: %v", stack, err)
	}
	return res
}

func mustFiles(t *testing.T, res *synth.Result) synth.Files {
	t.Helper()
	files, err := res.Files()
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestStackConfigResolvesAsTheCLI(t *testing.T) {
	dev, err := synth.StackConfig(root, "dev")
	if err != nil {
		t.Fatal(err)
	}
	prod, err := synth.StackConfig(root, "prod")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg        map[string]string
		key, value string
	}{
		{dev, "aws:region", "ap-northeast-2"},                 // the provider's key, from the stack file
		{dev, "eks-workshop:namespace", "development"},        // the stack file over Pulumi.yaml's "workshop"
		{dev, "eks-workshop:logRetentionDays", "90"},          // not in Pulumi.dev.yaml: Pulumi.yaml's default
		{prod, "eks-workshop:logRetentionDays", "365"},        // the stack file's
		{prod, "eks-workshop:tags", `{"environment":"prod"}`}, // objects JSON-encoded, as the CLI passes them
	} {
		if got := c.cfg[c.key]; got != c.value {
			t.Errorf("%s = %q, want %q", c.key, got, c.value)
		}
	}
}

func TestStackConfigRejectsAnUnknownStackAndAMistypedValue(t *testing.T) {
	if _, err := synth.StackConfig(root, "staging"); err == nil ||
		!strings.Contains(err.Error(), `unknown stack "staging"`) || !strings.Contains(err.Error(), "dev, local, prod") {
		t.Errorf("unknown stack: %v", err)
	}
	dir := projectWith(t, "bad", "config:\n  eks-workshop:diskSize: big\n")
	if _, err := synth.StackConfig(dir, "bad"); err == nil || !strings.Contains(err.Error(), "'diskSize' must be of type 'integer'") {
		t.Errorf("a string for an integer key: %v", err)
	}
	if _, err := synth.StackConfig(projectWith(t, "good", "config:\n  eks-workshop:diskSize: 30\n"), "good"); err != nil {
		t.Errorf("control, an integer: %v", err)
	}
}

// projectWith is a project directory with the repository's Pulumi.yaml and
// one stack file.
func projectWith(t *testing.T, stack, stackFile string) string {
	t.Helper()
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi."+stack+".yaml"), []byte(stackFile), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// program stands in for stacks.Run without the provider SDKs: it registers
// by type token a custom resource that reads a path from the config, a
// Kubernetes object, and exports a computed value and a secret.
func program(ctx *pulumi.Context) error {
	apps, _ := ctx.GetConfig("eks-workshop:appsDir")
	var bucket pulumi.CustomResourceState
	if err := ctx.RegisterResource("test:index:Bucket", "assets", pulumi.Map{"source": pulumi.String(apps)}, &bucket); err != nil {
		return err
	}
	namespace, _ := ctx.GetConfig("eks-workshop:namespace")
	var configMap pulumi.CustomResourceState
	if err := ctx.RegisterResource("kubernetes:core/v1:ConfigMap", "settings", pulumi.Map{
		"apiVersion": pulumi.String("v1"),
		"kind":       pulumi.String("ConfigMap"),
		"metadata":   pulumi.Map{"name": pulumi.String("settings"), "namespace": pulumi.String(namespace)},
		"data":       pulumi.Map{"bucket": bucket.ID()},
	}, &configMap); err != nil {
		return err
	}
	ctx.Export("bucketId", bucket.ID())
	ctx.Export("token", pulumi.ToSecret(pulumi.String("s3cr3t")))
	return nil
}

// Two runs give the same bytes, whatever the spelling of the root: paths
// are absolute while the program runs.
func TestSynthOfAProgramIsDeterministic(t *testing.T) {
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	first := mustFiles(t, mustRun(t, root, "dev", nil, program))
	second := mustFiles(t, mustRun(t, abs, "dev", nil, program))
	if len(first) != len(second) || len(first) != 4 {
		t.Fatalf("%d files, then %d; want resources.yaml, one object and the two diagrams", len(first), len(second))
	}
	for _, p := range first.Paths() {
		if string(first[p]) != string(second[p]) {
			t.Errorf("%s differs between two runs", p)
		}
	}
	resources := string(first[synth.ResourcesFile])
	if strings.Contains(resources, abs) || !strings.Contains(resources, "source: apps") {
		t.Errorf("resources.yaml does not hold appsDir relative to the root:\n%s", resources)
	}
}

func TestComputedValuesAndSecretsArePlaceholders(t *testing.T) {
	res := mustRun(t, root, "dev", nil, program)
	files := mustFiles(t, res)
	for _, want := range []string{"bucketId: <computed:assets.id>", "token: '[secret]'"} {
		if !strings.Contains(string(files[synth.ResourcesFile]), want) {
			t.Errorf("resources.yaml lacks %q:\n%s", want, files[synth.ResourcesFile])
		}
	}
	object := string(files["kubernetes/development_ConfigMap_settings.yaml"])
	if !strings.Contains(object, "bucket: <computed:assets.id>") {
		t.Errorf("the ConfigMap does not hold the placeholder:\n%s", object)
	}
}

func TestCommandWritesDiffsAndChecksItsFlags(t *testing.T) {
	dev, prod := t.TempDir(), t.TempDir()
	var out bytes.Buffer
	if err := synth.Command([]string{"-root", root, "-stack", "dev", "-out", dev}, program, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dev, "kubernetes", "development_ConfigMap_settings.yaml")); err != nil {
		t.Error(err)
	}
	if !strings.Contains(out.String(), "dev: 2 resources, 1 Kubernetes objects") || !strings.Contains(out.String(), "test:index:Bucket") {
		t.Errorf("summary:\n%s", out.String())
	}
	out.Reset()
	if err := synth.Command([]string{"-root", root, "-stack", "prod", "-out", prod, "-diff", dev}, program, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "+ kubernetes/production_ConfigMap_settings.yaml") ||
		strings.Contains(out.String(), synth.ComponentsFile) || strings.Contains(out.String(), synth.CriticalPathFile) {
		t.Errorf("prod against dev (the diagrams are no objects):\n%s", out.String())
	}
	for _, d := range synth.DiagramFiles {
		if b, err := os.ReadFile(filepath.Join(dev, d)); err != nil || !strings.HasPrefix(string(b), "```mermaid\n") {
			t.Errorf("%s: %v\n%s", d, err, b)
		}
	}
	for _, args := range [][]string{
		{"-root", root},                                     // neither -stack nor -all
		{"-root", root, "-stack", "dev", "-all"},            // both
		{"-root", root, "-stack", "dev", "extra"},           // an argument
		{"-root", root, "-stack", "dev", "-latencies", "x"}, // -latencies alone
		{"-root", root, "-stack", "staging"},                // no such stack
	} {
		if err := synth.Command(args, program, &out); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// A program error (a bad configuration) is returned under the stack's name.
func TestCommandReportsTheProgramsError(t *testing.T) {
	failing := func(*pulumi.Context) error { return errors.New("invalid configuration (2 problems)") }
	var out bytes.Buffer
	err := synth.Command([]string{"-root", root, "-stack", "dev"}, failing, &out)
	if err == nil || !strings.HasPrefix(err.Error(), "stack dev: ") || !strings.Contains(err.Error(), "invalid configuration (2 problems)") {
		t.Errorf("got %v", err)
	}
}

func TestStaleSnapshotsOfAProgramAreReported(t *testing.T) {
	dir := t.TempDir()
	if err := synth.WriteAll(dir, []*synth.Result{mustRun(t, root, "dev", nil, program)}); err != nil {
		t.Fatal(err)
	}
	stale := func(res *synth.Result) string {
		report, err := synth.Stale(dir, []*synth.Result{res})
		if err != nil {
			t.Fatal(err)
		}
		return report
	}
	if report := stale(mustRun(t, root, "dev", nil, program)); report != "" {
		t.Errorf("control: an unchanged run is reported stale:\n%s", report)
	}
	if report := stale(mustRun(t, root, "dev", map[string]string{"eks-workshop:namespace": "other"}, program)); !strings.Contains(report, "+ kubernetes/other_ConfigMap_settings.yaml") {
		t.Errorf("a config change is not reported:\n%s", report)
	}
}

// The operator's settings (SettingsFile) reach the program for their stack
// only, arrays JSON-encoded as the CLI passes them, and the summary names
// them; StackConfig, the file as committed, does not have them.
func TestSettingsAreAppliedToTheirStackAndNamed(t *testing.T) {
	dir := projectWith(t, "prod", "config:\n  eks-workshop:publicAccessCidrs: []\n")
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.dev.yaml"), []byte("config: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "testdata", "synth"), 0o755); err != nil {
		t.Fatal(err)
	}
	settings := "prod:\n  eks-workshop:publicAccessCidrs: [\"54.180.0.10/32\"]\n"
	if err := os.WriteFile(filepath.Join(dir, synth.SettingsFile), []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	cidrs := func(ctx *pulumi.Context) error {
		v, _ := ctx.GetConfig("eks-workshop:publicAccessCidrs")
		ctx.Export("cidrs", pulumi.String(v))
		return nil
	}
	prod := mustRun(t, dir, "prod", nil, cidrs)
	if prod.Outputs["cidrs"] != `["54.180.0.10/32"]` || !strings.Contains(prod.Summary(), "with the operator's settings from "+synth.SettingsFile+": [eks-workshop:publicAccessCidrs]") {
		t.Errorf("prod: cidrs %v, summary %q", prod.Outputs["cidrs"], prod.Summary())
	}
	// Controls: another stack gets none, and the committed file stays as it is.
	if dev := mustRun(t, dir, "dev", nil, cidrs); dev.Outputs["cidrs"] != `["0.0.0.0/0"]` || strings.Contains(dev.Summary(), "operator") {
		t.Errorf("dev: cidrs %v, summary %q", dev.Outputs["cidrs"], dev.Summary())
	}
	if cfg, err := synth.StackConfig(dir, "prod"); err != nil || cfg["eks-workshop:publicAccessCidrs"] != "[]" {
		t.Errorf("StackConfig(prod) = %v, %v; want the file as committed", cfg["eks-workshop:publicAccessCidrs"], err)
	}
}

// A mistake in the flags is a usage error (the command prints the reason,
// then the short usage, and exits 2); a missing stack is not.
func TestCommandMistakesAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-nope"},
		{"-root", root},
		{"-root", root, "-stack", "dev", "-all"},
		{"-root", root, "-stack", "dev", "extra"},
		{"-root", root, "-stack", "dev", "-latencies", "x"},
		{"-root", root, "-stack", "dev", "-usage", "x"},
	} {
		var mistake cli.UsageError
		if err := synth.Command(args, program, io.Discard); !errors.As(err, &mistake) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	var mistake cli.UsageError
	if err := synth.Command([]string{"-root", root, "-stack", "staging"}, program, io.Discard); err == nil || errors.As(err, &mistake) {
		t.Errorf("a stack that does not exist: %v, want an error that is not a usage error", err)
	}
	if err := synth.Command([]string{"-h"}, program, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}
