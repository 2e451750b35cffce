package stacks_test

// The synth of our program: its snapshots, and cmd/synth's command over it.
// Here rather than in synth or cmd/synth, whose tests would
// otherwise link the provider SDKs the program imports.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/doccheck"
	"github.com/eks-workshop/eks-workshop/stacks"
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

// Two runs give the same bytes, whatever the spelling of the root: the
// program registers concurrently and paths are absolute while it runs.
func TestSynthIsDeterministic(t *testing.T) {
	t.Parallel()
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	first := mustFiles(t, mustRun(t, root, "dev", nil, stacks.Run))
	second := mustFiles(t, mustRun(t, abs, "dev", nil, stacks.Run))
	if len(first) != len(second) {
		t.Fatalf("%d files, then %d", len(first), len(second))
	}
	for _, p := range first.Paths() {
		if string(first[p]) != string(second[p]) {
			t.Errorf("%s differs between two runs", p)
		}
	}
	if strings.Contains(string(first[synth.ResourcesFile]), abs) {
		t.Errorf("resources.yaml names the checkout %s", abs)
	}
}

func TestComputedValuesArePlaceholders(t *testing.T) {
	t.Parallel()
	res := mustRun(t, root, "dev", nil, stacks.Run)
	resources := string(mustFiles(t, res)[synth.ResourcesFile])
	for _, want := range []string{
		"vpcId: <computed:eks-demo-vpc.id>",
		"clusterEndpoint: <computed:eks-demo-cluster.endpoint>",
		"kubeconfig: '[secret]'",
	} {
		if !strings.Contains(resources, want) {
			t.Errorf("resources.yaml lacks %q", want)
		}
	}
	// The realistic fakes the tests' mock invents must not leak in.
	for _, fake := range []string{"vpc-0", "subnet-0", ".eks.amazonaws.com", "@sha256:", "mock-ecr-password"} {
		if strings.Contains(resources, fake) {
			t.Errorf("resources.yaml has a realistic fake value %q", fake)
		}
	}
	manifests, err := res.Manifests()
	if err != nil {
		t.Fatal(err)
	}
	var images []string
	for _, m := range manifests {
		if m.Object["kind"] == "Deployment" {
			spec := m.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
			images = append(images, spec["containers"].([]any)[0].(map[string]any)["image"].(string))
		}
	}
	// The digest placeholder names the content-hash tag it is the digest of.
	if len(images) != 2 || !strings.HasPrefix(images[0], "<computed:demo-flask-backend-image.repoDigest(tag=") {
		t.Errorf("Deployment images %q", images)
	}
}

func TestSnapshotsAreCurrent(t *testing.T) {
	t.Parallel()
	results, err := synth.RunAll(root, stacks.Run)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, synth.SnapshotDir)
	report, err := synth.Stale(dir, results)
	if err != nil {
		t.Fatal(err)
	}
	names, err := synth.Stacks(root)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := synth.SnapshotStacks(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(committed, names) {
		report += fmt.Sprintf("snapshots of stacks %v, but the stacks are %v\n", committed, names)
	}
	if report != "" {
		t.Fatalf("the committed synth snapshots are stale:\n%s\nReview the change, then refresh them from the repository root with\n\n  %s\n", report, synth.RefreshCommand)
	}
}

// The negative control of TestSnapshotsAreCurrent: a change to the
// configuration or to the program is reported against the committed
// snapshot, with the field or object that changed.
func TestStaleSnapshotsAreReported(t *testing.T) {
	t.Parallel()
	snapshots := filepath.Join(root, synth.SnapshotDir)
	stale := func(res *synth.Result) string {
		report, err := synth.Stale(snapshots, []*synth.Result{res})
		if err != nil {
			t.Fatal(err)
		}
		return report
	}

	bigger := mustRun(t, root, "dev", map[string]string{"eks-workshop:maxSize": "7"}, stacks.Run)
	if report := stale(bigger); !strings.Contains(report, "inputs.scalingConfig.maxSize: 5 -> 7") {
		t.Errorf("a config change is not reported:\n%s", report)
	}

	extraObject := func(ctx *pulumi.Context) error {
		if err := stacks.Run(ctx); err != nil {
			return err
		}
		_, err := corev1.NewConfigMap(ctx, "extra", &corev1.ConfigMapArgs{
			Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("extra"), Namespace: pulumi.String("development")},
		})
		return err
	}
	report := stale(mustRun(t, root, "dev", nil, extraObject))
	for _, want := range []string{"+ kubernetes:core/v1:ConfigMap extra", "+ kubernetes/development_ConfigMap_extra.yaml"} {
		if !strings.Contains(report, want) {
			t.Errorf("a program change is not reported as %q:\n%s", want, report)
		}
	}

	if report := stale(mustRun(t, root, "prod", nil, stacks.Run)); report != "" {
		t.Errorf("control: the unchanged prod stack is reported stale:\n%s", report)
	}
}

// synthCommand is cmd/synth over our program.
func synthCommand(args []string, stdout *bytes.Buffer) error {
	return synth.Command(args, stacks.Run, stdout)
}

func TestUnknownStackAndBadConfigFailWithTheirMessage(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := synthCommand([]string{"-root", "..", "-stack", "staging"}, &out); err == nil || !strings.Contains(err.Error(), `unknown stack "staging"`) {
		t.Errorf("unknown stack: %v", err)
	}
	// A stack file with two mistakes the program rejects: both are listed.
	dir := t.TempDir()
	project, err := os.ReadFile("../Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	apps, _ := filepath.Abs("../apps")
	for name, content := range map[string]string{
		"Pulumi.yaml":     string(project),
		"Pulumi.bad.yaml": "config:\n  aws:region: ap-northeast-2\n  eks-workshop:appsDir: " + apps + "\n  eks-workshop:natGateway: Sometimes\n  eks-workshop:diskSize: 1\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err = synthCommand([]string{"-root", dir, "-stack", "bad"}, &out)
	if err == nil || !strings.Contains(err.Error(), "2 problems") || !strings.Contains(err.Error(), "natGateway") || !strings.Contains(err.Error(), "diskSize") {
		t.Errorf("bad config: %v", err)
	}
}

func TestWritesAndDiffs(t *testing.T) {
	t.Parallel()
	dev, prod := t.TempDir(), t.TempDir()
	var out bytes.Buffer
	if err := synthCommand([]string{"-root", "..", "-stack", "dev", "-out", dev}, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dev, "kubernetes", "development_Deployment_demo-nginx.yaml")); err != nil {
		t.Error(err)
	}
	if !strings.Contains(out.String(), "dev: ") || !strings.Contains(out.String(), "kubernetes:apps/v1:Deployment") {
		t.Errorf("summary:\n%s", out.String())
	}
	out.Reset()
	if err := synthCommand([]string{"-root", "..", "-stack", "prod", "-out", prod, "-diff", dev}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "+ kubernetes/production_Deployment_demo-nginx.yaml") {
		t.Errorf("prod against dev:\n%s", out.String())
	}
}

func TestCriticalPathReportUsesTheLatencyTable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := synthCommand([]string{"-root", "..", "-stack", "dev", "-critical-path"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"stack dev: a deploy takes about", "1.0", "critical chain", "eks:index:Cluster", "latency table:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	// Control: an ECR repository that took an hour would be the critical path.
	slow := filepath.Join(t.TempDir(), "latencies.txt")
	if err := os.WriteFile(slow, []byte("aws:ecr/repository:Repository=3600 # a pathological registry\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := synthCommand([]string{"-root", "..", "-stack", "dev", "-critical-path", "-latencies", slow}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "3600 s  aws:ecr/repository:Repository") || strings.Contains(out.String(), "ratio 1.0") {
		t.Errorf("the override did not move the critical path:\n%s", out.String())
	}
	if err := synthCommand([]string{"-root", "..", "-stack", "dev", "-latencies", slow}, &out); err == nil {
		t.Error("-latencies without -critical-path was accepted")
	}
}

// What synth prints for every stack (the plan, the critical path with its
// latency table, the cost estimate) refers to no issue and no machine's
// history: doccheck finds nothing in it.
func TestToolOutputSpeaksToTheUser(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := synthCommand([]string{"-root", "..", "-all", "-critical-path", "-cost"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, f := range doccheck.Find(out.String()) {
		t.Errorf("synth's output, %s", f)
	}
	// Negative control: a latency table whose source is an issue is found.
	latencies := filepath.Join(t.TempDir(), "issue 11.txt")
	if err := os.WriteFile(latencies, []byte("default=5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := synthCommand([]string{"-root", "..", "-stack", "local", "-critical-path", "-latencies", latencies}, &out); err != nil {
		t.Fatal(err)
	}
	if len(doccheck.Find(out.String())) == 0 {
		t.Errorf("a latency table from %q passed:\n%s", latencies, out.String())
	}
}

// README's try-it output is what `go run ./cmd/synth -stack local` prints.
func TestReadmeShowsSynthsOutput(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := synthCommand([]string{"-root", "..", "-stack", "local"}, &out); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```\n"+out.String()+"```\n") {
		t.Errorf("README.md does not show synth's output for local:\n%s", out.String())
	}
}
