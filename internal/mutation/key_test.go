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

func TestKeyFollowsEveryInputAndTheFingerprint(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) { t.Helper(); writeFile(t, dir, name, content) }
	key := func(inputs []string, fingerprint string) string {
		t.Helper()
		k, err := Key(dir, inputs, fingerprint)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	write("pkg/a.go", "package pkg")
	write("pkg/b.go", "package pkg // b")
	write("README.md", "docs")
	inputs := []string{"pkg/a.go", "pkg/b.go"}
	base := key(inputs, "gremlins v0.6.0")

	// Negative control: a file that is not an input changes nothing, and the key is stable.
	write("README.md", "other docs")
	if again := key(inputs, "gremlins v0.6.0"); again != base {
		t.Fatalf("the key moved with no input changed: %s, then %s", base, again)
	}
	write("pkg/b.go", "package pkg // b changed")
	if key(inputs, "gremlins v0.6.0") == base {
		t.Error("the key did not follow a change to an input's content")
	}
	write("pkg/b.go", "package pkg // b")
	if key(inputs, "gremlins v0.7.0") == base {
		t.Error("the key did not follow the fingerprint")
	}
	if key([]string{"pkg/a.go"}, "gremlins v0.6.0") == base {
		t.Error("the key did not follow an input's removal from the list")
	}
	// The same contents under other names are other inputs.
	write("pkg/c.go", "package pkg // b")
	if key([]string{"pkg/a.go", "pkg/c.go"}, "gremlins v0.6.0") == base {
		t.Error("the key did not follow an input's name")
	}
	// A file deleted from the work tree but still listed by git is an input that is missing.
	if err := os.Remove(filepath.Join(dir, "pkg/c.go")); err != nil {
		t.Fatal(err)
	}
	if _, err := Key(dir, []string{"pkg/a.go", "pkg/c.go"}, ""); err != nil {
		t.Errorf("a deleted input: %v", err)
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
