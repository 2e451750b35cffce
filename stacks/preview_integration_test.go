//go:build integration

package stacks

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"

	"github.com/eks-workshop/eks-workshop/internal/tools"
	"github.com/eks-workshop/eks-workshop/synth"
)

// previewOnTheEngine runs `pulumi preview` of stack on the real engine
// (the CLI from tools/install.sh pulumi, a file backend), with the
// repository's Pulumi.yaml and Pulumi.<stack>.yaml as committed plus set,
// and the program in-process (run in root, the repository's absolute path). No provider plugin is installed or
// downloaded: a preview that gets past validation stops at the first
// resource. It returns the engine's output and the preview's error.
func previewOnTheEngine(t *testing.T, root, stack string, set map[string]string) (string, error) {
	t.Helper()
	cli := tools.Require(t, "pulumi")["pulumi"]
	t.Setenv("PATH", filepath.Dir(cli)+string(os.PathListSeparator)+os.Getenv("PATH"))
	project, err := synth.LoadProject(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	stackFile, err := os.ReadFile(filepath.Join(root, "Pulumi."+stack+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{work, filepath.Join(dir, "state")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(work, "Pulumi."+stack+".yaml"), stackFile, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root) // appsDir "apps", as `pulumi up` in the repository root
	ctx := context.Background()
	s, err := auto.UpsertStackInlineSource(ctx, stack, project.Name.String(), Run,
		auto.WorkDir(work), auto.Project(*project), auto.PulumiHome(filepath.Join(dir, "home")),
		auto.EnvVars(map[string]string{
			"PULUMI_BACKEND_URL":                          "file://" + filepath.Join(dir, "state"),
			"PULUMI_CONFIG_PASSPHRASE":                    "test passphrase",
			"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		}))
	if err != nil {
		t.Fatal(err)
	}
	for key, value := range set {
		// As the operator would: `pulumi config set --path <key> <value>`.
		if err := s.SetConfigWithOptions(ctx, key, auto.ConfigValue{Value: value}, &auto.ConfigOptions{Path: true}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	_, err = s.Preview(ctx, optpreview.ProgressStreams(&out), optpreview.ErrorProgressStreams(&out))
	return out.String(), err
}

// `pulumi preview -s prod` with the file as committed fails at once, naming
// publicAccessCidrs and how to find the address to put there; with the
// operator's address set it gets past validation to the first resource.
func TestCommittedProdFailsOnTheRealEngine(t *testing.T) {
	root := absRepoRoot(t)
	out, err := previewOnTheEngine(t, root, "prod", nil)
	if err == nil {
		t.Fatal("preview of the committed prod succeeded")
	}
	for _, want := range []string{"eks-workshop:publicAccessCidrs = []", "curl https://checkip.amazonaws.com", "pulumi config set --path 'publicAccessCidrs[0]'"} {
		if !strings.Contains(out+err.Error(), want) {
			t.Errorf("preview output lacks %q:\n%s", want, out)
		}
	}
	// Control: the operator's egress CIDR set, validation passes and the
	// preview stops where this machine has no aws plugin.
	out, err = previewOnTheEngine(t, root, "prod", map[string]string{"eks-workshop:publicAccessCidrs[0]": "54.180.0.10/32",
		"eks-workshop:certificateArn": "arn:aws:acm:ap-northeast-2:111122223333:certificate/0b5b9b8e-1b3a-4c55-9e8f-3d2a8c1f7e10"})
	if err == nil || strings.Contains(out, "invalid configuration") || !strings.Contains(out+err.Error(), "aws") {
		t.Errorf("prod with an egress CIDR: %v\n%s", err, out)
	}
}

// A version in extended support is previewed with a warning naming its end
// date and price, logged before anything is registered.
func TestExtendedSupportWarningOnTheRealEngine(t *testing.T) {
	root := absRepoRoot(t)
	out, _ := previewOnTheEngine(t, root, "dev", map[string]string{"eks-workshop:kubernetesVersion": "1.33", "eks-workshop:supportType": "EXTENDED"})
	for _, want := range []string{"warning:", "kubernetesVersion 1.33 left EKS standard support on 2026-07-29", "$0.60 per cluster-hour"} {
		if !strings.Contains(out, want) {
			t.Errorf("preview output lacks %q:\n%s", want, out)
		}
	}
	// Control: the stack's own version, in standard support, warns nothing.
	if out, _ := previewOnTheEngine(t, root, "dev", nil); strings.Contains(out, "standard support") {
		t.Errorf("dev as committed warns:\n%s", out)
	}
}

func absRepoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	return root
}
