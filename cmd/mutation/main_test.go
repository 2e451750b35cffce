package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestDepsAreWhatATestBinaryLinks(t *testing.T) {
	root := repoRoot(t)
	spec, err := deps(root, "components/spec")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(spec.Dirs, []string{"components/spec"}) {
		t.Errorf("components/spec links %q of this module, want itself only", spec.Dirs)
	}
	for _, want := range []string{"go1.", "k8s.io/apimachinery@v"} {
		if !slices.ContainsFunc(spec.Modules, func(m string) bool { return strings.HasPrefix(m, want) }) {
			t.Errorf("components/spec's modules lack %s...: %q", want, spec.Modules)
		}
	}
	if slices.ContainsFunc(spec.Modules, func(m string) bool { return strings.HasPrefix(m, "github.com/pulumi/") }) {
		t.Errorf("components/spec's modules %q take a Pulumi SDK, which it does not link", spec.Modules)
	}
	synth, err := deps(root, "synth")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"components/spec", "internal/mocktest", "synth"} {
		if !slices.Contains(synth.Dirs, want) {
			t.Errorf("synth's test binary links %s, missing from %q", want, synth.Dirs)
		}
	}
	if slices.Contains(synth.Dirs, "organizer/room") {
		t.Errorf("synth's dirs %q take organizer/room, which it does not link", synth.Dirs)
	}
	if !slices.ContainsFunc(synth.Modules, func(m string) bool { return strings.HasPrefix(m, "github.com/pulumi/pulumi/sdk/v3@v") }) {
		t.Errorf("synth's modules lack the Pulumi SDK: %q", synth.Modules)
	}
}

func TestRepoFilesAreWhatGitTracksOrWouldTrack(t *testing.T) {
	root := repoRoot(t)
	untracked := filepath.Join(root, "cmd", "mutation", "untracked-input.txt")
	ignored := filepath.Join(root, "cmd", "mutation", "ignored.test")
	for _, f := range []string{untracked, ignored} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(f) })
	}
	files, err := repoFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"go.mod", "cmd/mutation/main.go", "cmd/mutation/untracked-input.txt"} {
		if !slices.Contains(files, want) {
			t.Errorf("repoFiles lacks %s", want)
		}
	}
	if slices.Contains(files, "cmd/mutation/ignored.test") {
		t.Error("repoFiles takes a file .gitignore leaves out")
	}
}
