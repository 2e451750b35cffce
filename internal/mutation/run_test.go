package mutation

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeGremlins writes a stand-in for gremlins into a repository at dir: it
// counts its runs in runs.log, prints its package and the figures, writes
// testdata/report.json as its report, and exits with the code in exit.code
// (0 when absent). When touch.me exists it changes pkg/a.go, as an edit
// made while a run is under way would; when no.report exists it writes none.
func fakeGremlins(t *testing.T, dir string) []string {
	t.Helper()
	report, err := filepath.Abs("testdata/report.json")
	if err != nil {
		t.Fatal(err)
	}
	script := `#!/bin/sh
echo "$@" >> runs.log
echo "mutating $6"
echo "Killed: 2, Lived: 5"
[ "$4" = --output ] && [ ! -f no.report ] && cp '` + report + `' "$5"
[ -f touch.me ] && echo "// edited" >> pkg/a.go
exit "$(cat exit.code 2>/dev/null || echo 0)"
`
	path := filepath.Join(dir, "fake-gremlins")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{path, "unleash", "--config", ".gremlins.yaml"}
}

type fakeRepo struct {
	t          *testing.T
	dir        string
	depVersion string
	out        bytes.Buffer
	runner     Runner
}

// newFakeRepo makes a repository whose package pkg depends on pkg/a.go and
// a module; README.md and other/b.go are no inputs of it. Each run takes
// 90.04 s by its clock.
func newFakeRepo(t *testing.T, cache *Store) *fakeRepo {
	dir := t.TempDir()
	r := &fakeRepo{t: t, dir: dir, depVersion: "v1.0.0"}
	r.write("pkg/a.go", "package pkg")
	r.write("other/b.go", "package other")
	r.write("README.md", "docs")
	clock := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
	r.runner = Runner{
		Root:     dir,
		Gremlins: fakeGremlins(t, dir),
		Tools:    map[string]string{"gremlins": "v0.6.0"},
		Files:    []string{"README.md", "other/b.go", "pkg/a.go"},
		Deps: func(pkg string) (Deps, error) {
			return Deps{Dirs: []string{pkg}, Modules: []string{"go1.26", "example.com/dep@" + r.depVersion}}, nil
		},
		Cache:         cache,
		UpdateCommand: "go run ./cmd/mutation -update",
		Out:           &r.out,
		Now:           func() time.Time { clock = clock.Add(90040 * time.Millisecond); return clock },
	}
	return r
}

func (r *fakeRepo) write(name, content string) {
	r.t.Helper()
	writeFile(r.t, r.dir, name, content)
}

// run runs the packages and returns the error and how often gremlins ran in all.
func (r *fakeRepo) run(pkgs ...string) (int, error) {
	r.t.Helper()
	r.out.Reset()
	err := r.runner.Run(context.Background(), pkgs)
	log, _ := os.ReadFile(filepath.Join(r.dir, "runs.log"))
	return strings.Count(string(log), "\n"), err
}

// update runs the packages with the update flag.
func (r *fakeRepo) update(pkgs ...string) (int, error) {
	r.t.Helper()
	r.runner.Update = true
	defer func() { r.runner.Update = false }()
	return r.run(pkgs...)
}

func (r *fakeRepo) committed(pkg string) string {
	r.t.Helper()
	raw, err := os.ReadFile(filepath.Join(r.dir, "testdata", "mutation", FileName(pkg)))
	if err != nil {
		r.t.Fatal(err)
	}
	return string(raw)
}

func (r *fakeRepo) says(want ...string) {
	r.t.Helper()
	for _, w := range want {
		if !strings.Contains(r.out.String(), w) {
			r.t.Errorf("the run does not say %q:\n%s", w, r.out.String())
		}
	}
}

func (r *fakeRepo) saysNot(unwanted ...string) {
	r.t.Helper()
	for _, u := range unwanted {
		if strings.Contains(r.out.String(), u) {
			r.t.Errorf("the run says %q:\n%s", u, r.out.String())
		}
	}
}

func TestAnUpdateCommitsTheResultAndANewCloneReplaysIt(t *testing.T) {
	repo := newFakeRepo(t, nil)
	if runs, err := repo.update("pkg"); err != nil || runs != 1 {
		t.Fatalf("first run: err %v, gremlins ran %d times", err, runs)
	}
	repo.says("gremlins: pkg: no committed result in testdata/mutation/pkg.json\n", "gremlins: pkg: mutating\n",
		"mutating ./pkg", "gremlins: pkg took 90 s", "gremlins: pkg: wrote testdata/mutation/pkg.json\n")
	repo.saysNot("stale")
	kept, found, err := Store{Dir: filepath.Join(repo.dir, "testdata", "mutation")}.Load("pkg")
	if err != nil || !found {
		t.Fatalf("the committed result: %v, %v", found, err)
	}
	inputs, err := repo.runner.inputs("pkg")
	if err != nil {
		t.Fatal(err)
	}
	if kept.Key != inputs.Key() || kept.Inputs["file:pkg/a.go"] == "" || kept.Inputs["module:example.com/dep@v1.0.0"] != "" ||
		kept.Inputs["tool:gremlins"] != "v0.6.0" || len(kept.Inputs) != 4 {
		t.Errorf("the committed key %s and inputs %q, want %s of %q", kept.Key, kept.Inputs, inputs.Key(), inputs)
	}
	if kept.Figures.Killed != 2 || kept.Figures.Lived != 5 || len(kept.Survivors) != 5 || kept.Survivors[0].String() != "pkg/a.go:3:4 ARITHMETIC_BASE" {
		t.Errorf("the committed figures %+v and survivors %v are not the report's", kept.Figures, kept.Survivors)
	}
	if !kept.Ran.Equal(time.Date(2026, 12, 4, 16, 1, 30, 0, time.UTC)) || kept.TookSeconds != 90 || kept.Output != "mutating ./pkg\nKilled: 2, Lived: 5\n" {
		t.Errorf("the committed run: ran %v, took %v s, output %q", kept.Ran, kept.TookSeconds, kept.Output)
	}

	// Negative control: nothing that is an input changed, so nothing is mutated.
	repo.write("README.md", "other docs")
	repo.write("other/b.go", "package other // changed")
	runs, err := repo.run("pkg")
	if err != nil || runs != 1 {
		t.Fatalf("with no input changed: err %v, gremlins ran %d times, want still 1", err, runs)
	}
	repo.says("gremlins: pkg: replays testdata/mutation/pkg.json: its key "+kept.Key[:12]+" is that of the inputs\n",
		"mutating ./pkg\nKilled: 2, Lived: 5\n", "gremlins: pkg: the result above ran at 2026-12-04T16:01:30Z and took 90 s\n")
	repo.saysNot("stale", "mutating\n")
}

func TestAStaleCommittedResultIsMutatedAgainAndNamedWithItsRefresh(t *testing.T) {
	repo := newFakeRepo(t, nil)
	repo.update("pkg")
	before := repo.committed("pkg")

	repo.write("pkg/a.go", "package pkg // changed")
	if runs, err := repo.run("pkg"); err != nil || runs != 2 {
		t.Fatalf("after an input changed: err %v, gremlins ran %d times, want 2", err, runs)
	}
	repo.says("gremlins: pkg: testdata/mutation/pkg.json is stale: file:pkg/a.go changed\n", "gremlins: pkg: mutating\n",
		"gremlins: the committed results of pkg are stale; refresh them with: go run ./cmd/mutation -update pkg\n")
	if repo.committed("pkg") != before {
		t.Error("a run without the update flag changed the committed result")
	}
	// Without a cache, the stale result is mutated every time.
	if runs, err := repo.run("pkg"); err != nil || runs != 3 {
		t.Fatalf("again: err %v, gremlins ran %d times, want 3", err, runs)
	}

	repo.depVersion = "v1.0.1"
	repo.run("pkg")
	repo.says("file:pkg/a.go changed, module:example.com/dep@v1.0.0 removed, module:example.com/dep@v1.0.1 added\n")
	if runs, err := repo.update("pkg"); err != nil || runs != 5 {
		t.Fatalf("the update: err %v, gremlins ran %d times, want 5", err, runs)
	}
	if runs, err := repo.run("pkg"); err != nil || runs != 5 || repo.committed("pkg") == before {
		t.Fatalf("after the update: err %v, gremlins ran %d times, want still 5", err, runs)
	}
}

func TestTheLocalCacheStandsInForAStaleCommittedResult(t *testing.T) {
	cache := &Store{Dir: t.TempDir()}
	repo := newFakeRepo(t, cache)
	repo.update("pkg")
	repo.write("pkg/a.go", "package pkg // changed")
	repo.run("pkg")
	before := repo.committed("pkg")

	runs, err := repo.run("pkg")
	if err != nil || runs != 2 {
		t.Fatalf("with the cache's result of these inputs: err %v, gremlins ran %d times, want still 2", err, runs)
	}
	repo.says("testdata/mutation/pkg.json is stale: file:pkg/a.go changed\n",
		"gremlins: pkg: replays the local cache's result "+cache.file("pkg")+": its key is that of the inputs\n",
		"refresh them with: go run ./cmd/mutation -update pkg\n")
	repo.saysNot("mutating\n")

	// An update commits the cache's result without mutating again.
	if runs, err := repo.update("pkg"); err != nil || runs != 2 {
		t.Fatalf("the update: err %v, gremlins ran %d times, want still 2", err, runs)
	}
	cached, _ := os.ReadFile(cache.file("pkg"))
	if after := repo.committed("pkg"); after == before || after != string(cached) {
		t.Errorf("the update did not commit the cache's result:\n%s", after)
	}
	repo.run("pkg")
	repo.says("gremlins: pkg: replays testdata/mutation/pkg.json")
	repo.saysNot("stale")
}

func TestAFailingResultIsNeitherKeptNorCommittedAndTheOtherPackagesStillRun(t *testing.T) {
	repo := newFakeRepo(t, &Store{Dir: t.TempDir()})
	repo.write("exit.code", "10")
	runs, err := repo.update("pkg", "other")
	if err == nil || err.Error() != "mutation testing failed for pkg, other" || runs != 2 {
		t.Fatalf("failing runs: err %v, gremlins ran %d times", err, runs)
	}
	repo.says("gremlins: pkg: gremlins: exit status 10\n")
	repo.saysNot("wrote testdata", "stale;")
	if _, err := os.Stat(filepath.Join(repo.dir, "testdata", "mutation")); !os.IsNotExist(err) {
		t.Errorf("a failing result was committed: %v", err)
	}
	repo.write("exit.code", "0")
	if runs, err := repo.run("pkg"); err != nil || runs != 3 {
		t.Fatalf("a failed result was replayed: err %v, gremlins ran %d times, want 3", err, runs)
	}
}

func TestAPassingRunWithoutAReportFails(t *testing.T) {
	repo := newFakeRepo(t, nil)
	repo.write("no.report", "")
	if _, err := repo.update("pkg"); err == nil {
		t.Fatal("a run that wrote no report passed")
	}
	repo.says("gremlins: pkg: gremlins wrote no report: open ")
	repo.saysNot("wrote testdata")
}

func TestAResultIsNotKeptWhenItsInputsChangedDuringTheRun(t *testing.T) {
	repo := newFakeRepo(t, &Store{Dir: t.TempDir()})
	repo.write("touch.me", "")
	if _, err := repo.update("pkg"); err == nil {
		t.Error("a run whose inputs changed under it passed")
	}
	repo.says("its inputs changed while it ran (file:pkg/a.go changed); the result is not kept: run it again\n")
	repo.saysNot("wrote testdata")
	if err := os.Remove(filepath.Join(repo.dir, "touch.me")); err != nil {
		t.Fatal(err)
	}
	if runs, err := repo.run("pkg"); err != nil || runs != 2 {
		t.Fatalf("a result from changed inputs was replayed: err %v, gremlins ran %d times, want 2", err, runs)
	}
}

func TestADamagedResultFailsItsPackage(t *testing.T) {
	cache := &Store{Dir: t.TempDir()}
	repo := newFakeRepo(t, cache)
	repo.write("testdata/mutation/pkg.json", "{")
	if runs, err := repo.run("pkg"); err == nil || runs != 0 {
		t.Errorf("a damaged committed result: err %v, gremlins ran %d times", err, runs)
	}
	repo.write("testdata/mutation/pkg.json", `{"package": "pkg", "key": "old"}`)
	writeFile(t, cache.Dir, "pkg.json", "{")
	if runs, err := repo.run("pkg"); err == nil || runs != 0 {
		t.Errorf("a damaged cached result: err %v, gremlins ran %d times", err, runs)
	}
	repo.says("testdata/mutation/pkg.json is stale: file:pkg/a.go added, ")
	repo.runner.Deps = func(string) (Deps, error) { return Deps{}, os.ErrPermission }
	if runs, err := repo.run("pkg"); err == nil || runs != 0 {
		t.Errorf("no deps: err %v, gremlins ran %d times", err, runs)
	}
}

func TestStalenessNamesAtMostFiveChanges(t *testing.T) {
	kept := Result{Key: "0123456789abcdef", Inputs: Manifest{"file:a": "1"}}
	five := Manifest{"file:a": "2", "file:b": "", "file:c": "", "file:d": "", "file:e": ""}
	if got, want := staleness("f.json", kept, true, five), "f.json is stale: file:a changed, file:b added, file:c added, file:d added, file:e added"; got != want {
		t.Errorf("five changes:\n got %q\nwant %q", got, want)
	}
	seven := Manifest{"file:a": "2", "file:b": "", "file:c": "", "file:d": "", "file:e": "", "file:f": "", "file:g": ""}
	if got, want := staleness("f.json", kept, true, seven), "f.json is stale: file:a changed, file:b added, file:c added, file:d added, file:e added and 2 more"; got != want {
		t.Errorf("seven changes:\n got %q\nwant %q", got, want)
	}
	if got, want := staleness("f.json", kept, true, kept.Inputs), "f.json is stale: its key 0123456789ab is not that of the same inputs"; got != want {
		t.Errorf("no change:\n got %q\nwant %q", got, want)
	}
}
