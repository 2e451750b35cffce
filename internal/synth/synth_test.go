package synth_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/synth"
	"github.com/eks-workshop/eks-workshop/stacks"
)

// root is the repository root, seen from this package.
const root = "../.."

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
