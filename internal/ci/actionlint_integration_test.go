//go:build integration

package ci

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/tools"
)

// The workflows pass actionlint (expressions, runner labels, action inputs,
// and shellcheck on run: scripts when it is on PATH).
func TestWorkflowsPassActionlint(t *testing.T) {
	actionlint := tools.Require(t, "actionlint")["actionlint"]
	files, err := filepath.Glob(filepath.Join(root, ".github/workflows/*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows: %v", err)
	}
	out, err := exec.Command(actionlint, append([]string{"-no-color"}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out)
	}
}
