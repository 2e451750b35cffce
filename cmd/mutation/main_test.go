package main

import (
	"os"
	"path/filepath"
	"slices"
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

func TestPkgDirsAreTheModulesPackagesATestBinaryLinks(t *testing.T) {
	root := repoRoot(t)
	spec, err := pkgDirs(root, "components/spec")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(spec, []string{"components/spec"}) {
		t.Errorf("components/spec links %q of the module, want itself only", spec)
	}
	synth, err := pkgDirs(root, "synth")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"components/spec", "internal/mocktest", "synth"} {
		if !slices.Contains(synth, want) {
			t.Errorf("synth's test binary links %s, missing from %q", want, synth)
		}
	}
	if slices.Contains(synth, "organizer/room") {
		t.Errorf("synth's dirs %q take organizer/room, which it does not link", synth)
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
