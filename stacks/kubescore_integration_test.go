//go:build integration

package stacks

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/eks-workshop/eks-workshop/internal/tools"
)

// kubeScoreCritical runs kube-score over the objects and returns its
// CRITICAL findings, one line each.
func kubeScoreCritical(t *testing.T, bin string, objects []*unstructured.Unstructured) []string {
	t.Helper()
	var docs [][]byte
	for _, o := range objects {
		doc, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	file := filepath.Join(t.TempDir(), "objects.yaml")
	if err := os.WriteFile(file, bytes.Join(docs, []byte("---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "score", "--output-format", "ci", file).CombinedOutput()
	// kube-score exits 1 when it finds something critical; that is reported below.
	if exit := (*exec.ExitError)(nil); err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("kube-score: %v\n%s", err, out)
	}
	var critical []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "[CRITICAL]") {
			critical = append(critical, line)
		}
	}
	if err != nil && len(critical) == 0 {
		t.Fatalf("kube-score failed without a critical finding:\n%s", out)
	}
	return critical
}

// kube-score finds nothing critical in any stack's objects (its committed synth). Where a check
// does not apply, the object says why with kube-score/ignore (see
// components/app.go); removing those exemptions must make it complain again.
func TestKubeScoreFindsNothingCritical(t *testing.T) {
	bin := tools.Require(t, "kube-score")["kube-score"]
	for _, stack := range snapshotStacks(t) {
		t.Run(stack, func(t *testing.T) {
			objects := stackObjects(t, stack)
			for _, finding := range kubeScoreCritical(t, bin, objects) {
				t.Error(finding)
			}

			exempted := 0
			for _, o := range objects {
				annotations := o.GetAnnotations()
				if _, ok := annotations["kube-score/ignore"]; ok {
					delete(annotations, "kube-score/ignore")
					o.SetAnnotations(annotations)
					exempted++
				}
			}
			if exempted == 0 {
				t.Fatal("negative control: no object has a kube-score/ignore annotation to remove")
			}
			if got := kubeScoreCritical(t, bin, objects); len(got) < exempted {
				t.Errorf("without the %d kube-score/ignore annotations, kube-score reports %d critical findings, want at least %d: %q",
					exempted, len(got), exempted, got)
			}
		})
	}
}
