package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/mutation"
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

func TestDocsAreCurrent(t *testing.T) {
	root := repoRoot(t)
	page, err := renderDocs(root)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, docsFile))
	if err != nil {
		t.Fatal(err)
	}
	if page != string(doc) {
		t.Errorf("%s is not what %s holds; run: go run ./cmd/mutation -docs", docsFile, mutation.ResultsDir)
	}
}

// copyDocs copies the docs page and the committed results into a new root.
func copyDocs(t *testing.T) string {
	t.Helper()
	root, dir := repoRoot(t), t.TempDir()
	files, err := filepath.Glob(filepath.Join(root, mutation.ResultsDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no committed results: %v", err)
	}
	for _, f := range append(files, filepath.Join(root, docsFile)) {
		rel, _ := filepath.Rel(root, f)
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTheDocsFollowTheCommittedResults(t *testing.T) {
	dir := copyDocs(t)
	store := mutation.Store{Dir: filepath.Join(dir, mutation.ResultsDir)}
	results, err := store.LoadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Negative control: a result refreshed with other figures leaves the page stale.
	results[0].Figures.Lived++
	if err := store.Save(results[0]); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(filepath.Join(dir, docsFile))
	page, err := renderDocs(dir)
	if err != nil || page == string(doc) {
		t.Fatalf("the page did not follow a changed result: err %v", err)
	}
	if err := writeDocs(dir); err != nil {
		t.Fatal(err)
	}
	if written, _ := os.ReadFile(filepath.Join(dir, docsFile)); string(written) != page {
		t.Error("writeDocs did not write the rendered page")
	}
	if err := os.WriteFile(filepath.Join(dir, docsFile), []byte("no markers"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := renderDocs(dir); err == nil || !strings.Contains(err.Error(), docsFile) {
		t.Errorf("a page without the markers: %v", err)
	}
}

func TestTheCommittedResultsAreOfTheTiersPackages(t *testing.T) {
	root := repoRoot(t)
	script, err := os.ReadFile(filepath.Join(root, "tools", "test.sh"))
	if err != nil {
		t.Fatal(err)
	}
	_, list, _ := strings.Cut(string(script), "\nmutation_packages=(")
	list, _, _ = strings.Cut(list, ")")
	tier := strings.Fields(list)
	results, err := mutation.Store{Dir: filepath.Join(root, mutation.ResultsDir)}.LoadAll()
	if err != nil || len(tier) == 0 {
		t.Fatalf("tools/test.sh's packages %q, committed results' error %v", tier, err)
	}
	for _, r := range results {
		if !slices.Contains(tier, r.Package) {
			t.Errorf("%s/%s is the result of %s, which tools/test.sh does not mutate: remove it", mutation.ResultsDir, mutation.FileName(r.Package), r.Package)
		}
	}
}

func TestTheCommandLineIsChecked(t *testing.T) {
	for _, args := range [][]string{{}, {"-docs", "synth"}, {"-docs", "-update"}, {"-nonsense"}} {
		if err := run(context.Background(), args, io.Discard); err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}

func TestGoEnvIsEachVariableByName(t *testing.T) {
	env, err := goEnv()
	if err != nil {
		t.Fatal(err)
	}
	if len(env) != len(goEnvVars) || env["GOVERSION"] != runtime.Version() || env["GOOS"] != runtime.GOOS || env["GOARCH"] != runtime.GOARCH {
		t.Errorf("goEnv = %q", env)
	}
}

func TestGoFlagsThatCannotChangeATestAreNoInput(t *testing.T) {
	for goflags, want := range map[string]string{
		"":                               "",
		"-buildvcs=false":                "",
		"-mod=mod -buildvcs=false -race": "-mod=mod -race",
		"-tags=integration":              "-tags=integration",
	} {
		if got := testFlags(goflags); got != want {
			t.Errorf("testFlags(%q) = %q, want %q", goflags, got, want)
		}
	}
}
