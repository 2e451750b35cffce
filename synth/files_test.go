package synth_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/synth"
)

// WriteAll writes every stack, over what a directory held, and removes the
// stacks no longer synthesized; SnapshotStacks lists what is there.
func TestWriteAllReplacesTheSnapshots(t *testing.T) {
	dir := t.TempDir()
	dev := mustRun(t, root, "dev", nil, program)
	prod := mustRun(t, root, "prod", nil, program)
	if err := synth.WriteAll(dir, []*synth.Result{dev, prod}); err != nil {
		t.Fatal(err)
	}
	if stacks, err := synth.SnapshotStacks(dir); err != nil || !slices.Equal(stacks, []string{"dev", "prod"}) {
		t.Fatalf("after writing dev and prod: %v, %v", stacks, err)
	}
	other := mustRun(t, root, "dev", map[string]string{"eks-workshop:namespace": "other"}, program)
	if err := synth.WriteAll(dir, []*synth.Result{other}); err != nil {
		t.Fatal(err)
	}
	if stacks, err := synth.SnapshotStacks(dir); err != nil || !slices.Equal(stacks, []string{"dev"}) {
		t.Errorf("after writing dev alone: %v, %v; want prod removed", stacks, err)
	}
	written, err := synth.ReadFiles(filepath.Join(dir, "dev"))
	if err != nil {
		t.Fatal(err)
	}
	if want := mustFiles(t, other); !slices.Equal(written.Paths(), want.Paths()) ||
		!strings.Contains(string(written[synth.ResourcesFile]), "namespace: other") {
		t.Errorf("dev holds %v, want the second run's %v", written.Paths(), want.Paths())
	}
	if _, err := synth.SnapshotStacks(filepath.Join(dir, "[")); err == nil {
		t.Error("a directory name that is a bad pattern: no error")
	}
}

// Summary counts the resources of each type and the Kubernetes objects.
func TestSummaryCountsByType(t *testing.T) {
	twoBuckets := func(ctx *pulumi.Context) error {
		for _, name := range []string{"a", "b"} {
			var r pulumi.CustomResourceState
			if err := ctx.RegisterResource("test:index:Bucket", name, pulumi.Map{}, &r); err != nil {
				return err
			}
		}
		return program(ctx)
	}
	got := mustRun(t, root, "dev", nil, twoBuckets).Summary()
	for _, want := range []string{"dev: 4 resources, 1 Kubernetes objects\n", "     3  test:index:Bucket\n", "     1  kubernetes:core/v1:ConfigMap\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
}

// A relative appsDir reaches the program as an absolute path under the
// root, as `pulumi up` in the root resolves it; an absolute one, and an
// empty one, as they are.
func TestPathKeysAreResolvedFromTheRoot(t *testing.T) {
	appsDir := func(ctx *pulumi.Context) error {
		v, _ := ctx.GetConfig("eks-workshop:appsDir")
		ctx.Export("absolute", pulumi.Bool(filepath.IsAbs(v)))
		ctx.Export("empty", pulumi.Bool(v == ""))
		return nil
	}
	for value, want := range map[string][2]bool{"apps": {true, false}, "/srv/apps": {true, false}, "": {false, true}} {
		res := mustRun(t, root, "dev", map[string]string{"eks-workshop:appsDir": value}, appsDir)
		if got := [2]bool{res.Outputs["absolute"] == true, res.Outputs["empty"] == true}; got != want {
			t.Errorf("appsDir %q reached the program as absolute, empty = %v, want %v", value, got, want)
		}
	}
}

// The mock's zones follow aws:region.
func TestZonesFollowTheRegion(t *testing.T) {
	zones := func(ctx *pulumi.Context) error {
		var out struct {
			Names []string `pulumi:"names"`
		}
		if err := ctx.Invoke("aws:index/getAvailabilityZones:getAvailabilityZones", map[string]any{}, &out); err != nil {
			return err
		}
		ctx.Export("zone", pulumi.String(out.Names[0]))
		return nil
	}
	res, err := synth.RunProgram("dev", map[string]string{"aws:region": "eu-west-1"}, zones)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Outputs["zone"]; got != "eu-west-1a" {
		t.Errorf("first zone %v, want eu-west-1a", got)
	}
}

// A key Pulumi.yaml declares without a value or default must be on the stack.
func TestARequiredKeyMissingFromTheStackIsRefused(t *testing.T) {
	dir := t.TempDir()
	project := "name: eks-workshop\nruntime: go\nconfig:\n  needed:\n    type: string\n  given:\n    type: string\n    default: x\n"
	for name, body := range map[string]string{"Pulumi.yaml": project, "Pulumi.a.yaml": "config: {}\n", "Pulumi.b.yaml": "config:\n  eks-workshop:needed: y\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := synth.StackConfig(dir, "a"); err == nil || !strings.Contains(err.Error(), `"eks-workshop:needed" is required`) {
		t.Errorf("a required key left out: %v", err)
	}
	if cfg, err := synth.StackConfig(dir, "b"); err != nil || cfg["eks-workshop:needed"] != "y" || cfg["eks-workshop:given"] != "x" {
		t.Errorf("control, the key set: %v, %v", cfg, err)
	}
}

// -all writes every stack; -cost prints each estimate and, with -diff,
// what changed in it; -critical-path prints the latency table, which
// -latencies overrides; -usage without -cost, and files that cannot be
// read, are refused.
func TestCommandWithCostAndCriticalPath(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	if err := synth.Command([]string{"-root", root, "-all", "-out", dir}, program, &out); err != nil {
		t.Fatal(err)
	}
	if stacks, err := synth.SnapshotStacks(dir); err != nil || !slices.Equal(stacks, []string{"auto", "dev", "local", "prod"}) {
		t.Fatalf("-all -out wrote %v, %v", stacks, err)
	}
	latencies := filepath.Join(t.TempDir(), "latencies")
	if err := os.WriteFile(latencies, []byte("test:index:Bucket=42\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	args := []string{"-root", root, "-stack", "dev", "-cost", "-diff", filepath.Join(dir, "prod"), "-critical-path", "-latencies", latencies}
	if err := synth.Command(args, program, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cost of stack dev: unchanged", "latency table:", fmt.Sprintf("  %6d s  %-42s", 42, "test:index:Bucket")} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, args := range [][]string{
		{"-root", root, "-stack", "dev", "-usage", latencies},                          // -usage without -cost
		{"-root", root, "-stack", "dev", "-cost", "-usage", latencies + ".missing"},    // no usage file
		{"-root", root, "-stack", "dev", "-critical-path", "-latencies", root + "/no"}, // no latency file
	} {
		if err := synth.Command(args, program, &out); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// Write removes only the files it wrote (its marker lists them), and
// refuses a directory it did not make.
func TestWriteRemovesOnlyWhatItWroteAndRefusesADirectoryItDidNotMake(t *testing.T) {
	dir := t.TempDir()
	first := synth.Files{synth.ResourcesFile: []byte("a\n"), "kubernetes/ns_Deployment_gone.yaml": []byte("x\n"), "kubernetes/ns_Service_kept.yaml": []byte("y\n")}
	if err := first.Write(dir); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, synth.KubernetesDir, "mine.yaml")
	if err := os.WriteFile(mine, []byte("someone's\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	second := synth.Files{synth.ResourcesFile: []byte("b\n"), "kubernetes/ns_Service_kept.yaml": []byte("z\n")}
	if err := second.Write(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a file synth did not write was removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "kubernetes/ns_Deployment_gone.yaml")); !os.IsNotExist(err) {
		t.Errorf("an object gone from the synth lingers: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "kubernetes/ns_Service_kept.yaml")); string(got) != "z\n" {
		t.Errorf("kept object holds %q, want the second write's", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, synth.MarkerFile)); string(got) != "kubernetes/ns_Service_kept.yaml\nresources.yaml\n" {
		t.Errorf("marker %q", got)
	}

	// A directory with files and no marker is refused, and left as it was.
	foreign := t.TempDir()
	manifest := filepath.Join(foreign, synth.KubernetesDir, "prod.yaml")
	if err := os.MkdirAll(filepath.Dir(manifest), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(manifest, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := second.Write(foreign); err == nil || !strings.Contains(err.Error(), "synth did not write it") {
		t.Errorf("a directory synth did not make: %v", err)
	}
	if _, err := os.Stat(manifest); err != nil {
		t.Errorf("refused, yet its file is gone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(foreign, synth.ResourcesFile)); !os.IsNotExist(err) {
		t.Errorf("refused, yet it wrote: %v", err)
	}
	// Negative control: a new directory and an empty one are written.
	for _, fresh := range []string{filepath.Join(t.TempDir(), "new"), t.TempDir()} {
		if err := second.Write(fresh); err != nil {
			t.Errorf("%s: %v", fresh, err)
		}
	}
}
