package mutation

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestInputsAreThePackagesFilesTheirTestDataAndTheSharedData(t *testing.T) {
	files := []string{
		".github/workflows/synth.yml",
		".gremlins.yaml",
		"Pulumi.dev.yaml",
		"Pulumi.yaml",
		"README.md",
		"apps/flask/app.py",
		"components/spec/app.go",
		"components/spec/app.go", // an unresolved merge lists a path once per stage
		"components/spec/app_test.go",
		"components/spec/sub/other.go",
		"components/spec/testdata/case/input.json",
		"components/specx/look_alike.go",
		"go.mod",
		"go.sum",
		"main.go",
		"organizer/room/room.go",
		"stacks/config/plan.go",
		"testdata/mutation/components_spec.json", // the tier's own output
		"testdata/synth/dev/resources.yaml",
		"tools/install.sh",
	}
	got := Inputs(files, []string{"components/spec", "stacks/config"})
	want := []string{
		".gremlins.yaml",
		"Pulumi.dev.yaml",
		"Pulumi.yaml",
		"apps/flask/app.py",
		"components/spec/app.go",
		"components/spec/app_test.go",
		"components/spec/testdata/case/input.json",
		"stacks/config/plan.go",
		"testdata/synth/dev/resources.yaml",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Inputs:\n got %q\nwant %q", got, want)
	}

	// The module's root package takes the root's own files, but not every file below the root.
	root := Inputs(files, []string{"."})
	if !slices.Contains(root, "main.go") || slices.Contains(root, "organizer/room/room.go") || slices.Contains(root, "tools/install.sh") {
		t.Errorf("Inputs for the root package = %q", root)
	}
}

func TestKeyFollowsEveryInputModuleAndTool(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) { t.Helper(); writeFile(t, dir, name, content) }
	key := func(inputs, modules []string, gremlins string) string {
		t.Helper()
		m, err := Measure(dir, inputs, modules, map[string]string{"gremlins": gremlins})
		if err != nil {
			t.Fatal(err)
		}
		return m.Key()
	}
	write("pkg/a.go", "package pkg")
	write("pkg/b.go", "package pkg // b")
	write("README.md", "docs")
	inputs, modules := []string{"pkg/a.go", "pkg/b.go"}, []string{"example.com/dep@v1.0.0"}
	base := key(inputs, modules, "v0.6.0")

	// Negative control: a file that is not an input changes nothing, and the key is stable.
	write("README.md", "other docs")
	if again := key(inputs, modules, "v0.6.0"); again != base {
		t.Fatalf("the key moved with no input changed: %s, then %s", base, again)
	}
	write("pkg/b.go", "package pkg // b changed")
	if key(inputs, modules, "v0.6.0") == base {
		t.Error("the key did not follow a change to an input's content")
	}
	write("pkg/b.go", "package pkg // b")
	if key(inputs, modules, "v0.7.0") == base {
		t.Error("the key did not follow a tool's version")
	}
	if key(inputs, []string{"example.com/dep@v1.0.1"}, "v0.6.0") == base {
		t.Error("the key did not follow a module's version")
	}
	if key([]string{"pkg/a.go"}, modules, "v0.6.0") == base {
		t.Error("the key did not follow an input's removal from the list")
	}
	// The same contents under other names are other inputs.
	write("pkg/c.go", "package pkg // b")
	if key([]string{"pkg/a.go", "pkg/c.go"}, modules, "v0.6.0") == base {
		t.Error("the key did not follow an input's name")
	}
	// A file deleted from the work tree but still listed by git is an input that is missing.
	if err := os.Remove(filepath.Join(dir, "pkg/c.go")); err != nil {
		t.Fatal(err)
	}
	m, err := Measure(dir, []string{"pkg/a.go", "pkg/c.go"}, nil, nil)
	if err != nil || m["file:pkg/c.go"] != "missing" {
		t.Errorf("a deleted input: %q, %v", m["file:pkg/c.go"], err)
	}
	if err := os.Mkdir(filepath.Join(dir, "unreadable.go"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Measure(dir, []string{"unreadable.go"}, nil, nil); err == nil {
		t.Error("an input that cannot be read measured without error")
	}
}

func TestChangesNameEachInputAddedRemovedOrChanged(t *testing.T) {
	old := Manifest{"file:a.go": "1", "file:b.go": "2", "file:gone.go": "3", "module:x@v1": "", "tool:gremlins": "v0.6.0"}
	now := Manifest{"file:a.go": "1", "file:b.go": "2b", "file:new.go": "4", "module:x@v2": "", "tool:gremlins": "v0.7.0"}
	want := []string{
		"file:b.go changed",
		"file:gone.go removed",
		"file:new.go added",
		"module:x@v1 removed",
		"module:x@v2 added",
		"tool:gremlins changed",
	}
	if got := now.Changes(old); !slices.Equal(got, want) {
		t.Errorf("Changes:\n got %q\nwant %q", got, want)
	}
	if got := now.Changes(now); got != nil {
		t.Errorf("a manifest's changes from itself: %q", got)
	}
	if got := now.Changes(nil); len(got) != len(now) {
		t.Errorf("changes from a result that kept no inputs: %q", got)
	}
}

// writeFile writes content to name under dir, making its directories.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
