package stacks

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// dockerImageInputs runs dev with appsDir as given, the program in the
// working directory it is in and the engine's project root at root, and
// returns every docker:Image's inputs by name.
func dockerImageInputs(t *testing.T, cfg map[string]string, appsDir, root string) map[string]map[string]any {
	t.Helper()
	cfg[config.ProjectName+":appsDir"] = appsDir
	m := mocktest.New()
	m.RootDirectory = root
	m.MustRun(t, "dev", cfg, Run)
	out := map[string]map[string]any{}
	for _, r := range m.ByType("docker:index/image:Image") {
		out[r.Name] = r.Plain()
	}
	if len(out) != 2 {
		t.Fatalf("%d images built, want 2", len(out))
	}
	return out
}

// The same sources give the same docker:Image inputs whether appsDir is
// relative or absolute and wherever the program runs: pulumi-docker diffs
// the build context and Dockerfile strings, so any other spelling would
// rebuild unchanged sources under their content tag, which the IMMUTABLE
// ECR repository refuses to take twice. Not parallel: it changes directory.
func TestImageInputsDependOnlyOnTheSources(t *testing.T) {
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	cfg := stackConfig(t, "dev")
	relative := dockerImageInputs(t, cfg, filepath.Join(repoRoot, "apps"), root) // from stacks/, as the tests run
	t.Chdir(t.TempDir())                                                         // an embedder's process, anywhere
	absolute := dockerImageInputs(t, cfg, filepath.Join(root, "apps"), root)
	if !reflect.DeepEqual(relative, absolute) {
		t.Errorf("inputs differ:\nappsDir %s from stacks/: %v\nappsDir %s from elsewhere: %v", filepath.Join(repoRoot, "apps"), relative, filepath.Join(root, "apps"), absolute)
	}
	if got := absolute["demo-flask-backend-image"]["build"].(map[string]any); got["context"] != "apps/flask" || got["dockerfile"] != "apps/flask/Dockerfile" {
		t.Errorf("build = %v, want apps/flask relative to the project root", got)
	}

	// Negative control: the comparison sees a path that moved. Under another
	// project root the provider resolves the context from elsewhere, and
	// the inputs say so.
	moved := dockerImageInputs(t, cfg, filepath.Join(root, "apps"), filepath.Dir(root))
	if reflect.DeepEqual(moved, absolute) {
		t.Errorf("a different project root gave the same inputs %v", moved)
	}
}
