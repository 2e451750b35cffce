package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/eks-workshop/eks-workshop/internal/kubetest"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// The fake nodes hold both apps at their HPA maximum: every resource the
// apps request (ephemeral-storage among them, which kwokctl's default
// nodes lack) is offered, and the three nodes' sum covers the requests.
func TestKwokNodesHoldTheAppsAtTheirMaximum(t *testing.T) {
	cfg := config.DefaultConfig()
	requested := map[corev1.ResourceName]*resource.Quantity{}
	for name, app := range cfg.AppArgs() {
		app = app.WithDefaults()
		r := app.Resources
		requests := map[corev1.ResourceName]string{
			corev1.ResourceCPU: r.CPURequest, corev1.ResourceMemory: r.MemoryRequest, corev1.ResourceEphemeralStorage: r.EphemeralStorageRequest,
		}
		for res, q := range requests {
			if q == "" {
				t.Fatalf("%s: no %s request (defaults not applied?)", name, res)
			}
			sum, ok := requested[res]
			if !ok {
				sum = resource.NewQuantity(0, resource.DecimalSI)
				requested[res] = sum
			}
			for range app.Autoscaling.MaxReplicas {
				sum.Add(resource.MustParse(q))
			}
		}
	}
	if !fits(requested, kubetest.NodeAllocatable, len(kwokZones)) {
		t.Errorf("%d nodes of %v do not hold %v", len(kwokZones), kubetest.NodeAllocatable, requested)
	}
	// Negative control: kwokctl's default node, without ephemeral-storage.
	kwokctlNode := kubetest.NodeAllocatable.DeepCopy()
	delete(kwokctlNode, corev1.ResourceEphemeralStorage)
	if fits(requested, kwokctlNode, len(kwokZones)) {
		t.Error("nodes without ephemeral-storage hold the apps")
	}
}

func fits(requested map[corev1.ResourceName]*resource.Quantity, node corev1.ResourceList, nodes int) bool {
	for res, sum := range requested {
		offered, ok := node[res]
		if !ok {
			return false
		}
		total := resource.NewQuantity(0, offered.Format)
		for range nodes {
			total.Add(offered)
		}
		if total.Cmp(*sum) < 0 {
			return false
		}
	}
	return true
}

// The settings are pulumi config set commands for the local stack, one per
// line, quoted as shell words; the images are references by digest.
func TestKwokSettings(t *testing.T) {
	got := kwokSettings("/tmp/a b/kubeconfig")
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	want := []string{
		"pulumi config set kubeconfig '/tmp/a b/kubeconfig' -s local",
		"pulumi config set metricsServer false -s local",
		"pulumi config set flaskImage registry.example.com/demo-flask-backend@sha256:",
		"pulumi config set nginxImage registry.example.com/demo-nginx@sha256:",
	}
	if len(lines) != len(want) {
		t.Fatalf("settings:\n%s", got)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
		}
	}
	// The images pass the stack's own validation, as the lifecycle test's do.
	cfg := config.DefaultConfig()
	cfg.Target, cfg.Stack, cfg.MetricsServer = "local", "local", false
	cfg.FlaskImage, cfg.NginxImage = kwokImage("demo-flask-backend"), kwokImage("demo-nginx")
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
	cfg.NginxImage = "registry.example.com/demo-nginx@sha256:0" // negative control
	if err := cfg.Validate(); err == nil {
		t.Error("a malformed digest passed")
	}
}

// README's try-it path shows the image settings kwok prints, as printed.
func TestReadmeShowsTheKwokSettings(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(kwokSettings("/k"), "\n"), "\n")[1:] {
		if !strings.Contains(string(readme), "\n"+line+"\n") {
			t.Errorf("README.md lacks %q", line)
		}
	}
	if !strings.Contains(string(readme), "go run ./cmd/localcluster kwok | sh") {
		t.Error("README.md lacks the kwok command")
	}
}
