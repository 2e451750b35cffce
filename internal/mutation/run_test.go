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
// counts its runs in runs.log, prints its package and the figures, and exits
// with the code in exit.code (0 when absent). When touch.me exists it changes
// pkg/a.go, as an edit made while a run is under way would.
func fakeGremlins(t *testing.T, dir string) []string {
	t.Helper()
	script := `#!/bin/sh
echo "$@" >> runs.log
echo "mutating $4"
echo "Killed: 9, Lived: 1"
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

func newFakeRepo(t *testing.T, cache *Cache) *fakeRepo {
	dir := t.TempDir()
	r := &fakeRepo{t: t, dir: dir, depVersion: "v1.0.0"}
	r.write("pkg/a.go", "package pkg")
	r.write("other/b.go", "package other")
	r.write("README.md", "docs")
	clock := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
	r.runner = Runner{
		Root:        dir,
		Gremlins:    fakeGremlins(t, dir),
		Fingerprint: "gremlins v0.6.0",
		Files:       []string{"README.md", "other/b.go", "pkg/a.go"},
		Deps: func(pkg string) (Deps, error) {
			return Deps{Dirs: []string{pkg}, Modules: []string{"go 1.26", "example.com/dep@" + r.depVersion}}, nil
		},
		Cache: cache,
		Out:   &r.out,
		Now:   func() time.Time { clock = clock.Add(90 * time.Second); return clock },
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

func TestAPassingResultIsReplayedUntilAnInputChanges(t *testing.T) {
	repo := newFakeRepo(t, &Cache{Dir: t.TempDir()})
	if runs, err := repo.run("pkg"); err != nil || runs != 1 {
		t.Fatalf("first run: err %v, gremlins ran %d times", err, runs)
	}
	if !strings.Contains(repo.out.String(), "gremlins: pkg took 90 s") {
		t.Errorf("the first run does not say what it took:\n%s", repo.out.String())
	}

	repo.write("README.md", "other docs")
	repo.write("other/b.go", "package other // changed")
	runs, err := repo.run("pkg")
	if err != nil || runs != 1 {
		t.Fatalf("with no input changed: err %v, gremlins ran %d times, want still 1", err, runs)
	}
	replay := repo.out.String()
	for _, want := range []string{"mutating ./pkg", "Killed: 9, Lived: 1", "kept from 2026-12-04T16:01:30Z (90 s)"} {
		if !strings.Contains(replay, want) {
			t.Errorf("the replay lacks %q:\n%s", want, replay)
		}
	}

	repo.write("pkg/a.go", "package pkg // changed")
	if runs, err := repo.run("pkg"); err != nil || runs != 2 {
		t.Fatalf("after an input changed: err %v, gremlins ran %d times, want 2", err, runs)
	}
	repo.depVersion = "v1.0.1"
	if runs, err := repo.run("pkg"); err != nil || runs != 3 {
		t.Fatalf("after a linked module's version changed: err %v, gremlins ran %d times, want 3", err, runs)
	}
}

func TestAFailingResultIsNotKeptAndTheOtherPackagesStillRun(t *testing.T) {
	repo := newFakeRepo(t, &Cache{Dir: t.TempDir()})
	repo.write("exit.code", "10")
	runs, err := repo.run("pkg", "other")
	if err == nil || err.Error() != "mutation testing failed for pkg, other" || runs != 2 {
		t.Fatalf("failing runs: err %v, gremlins ran %d times", err, runs)
	}
	repo.write("exit.code", "0")
	if runs, err := repo.run("pkg"); err != nil || runs != 3 {
		t.Fatalf("a failed result was replayed: err %v, gremlins ran %d times, want 3", err, runs)
	}
}

func TestNoCacheRunsEveryTime(t *testing.T) {
	repo := newFakeRepo(t, nil)
	repo.run("pkg")
	if runs, err := repo.run("pkg"); err != nil || runs != 2 {
		t.Fatalf("without a cache: err %v, gremlins ran %d times, want 2", err, runs)
	}
}

func TestAResultIsNotKeptWhenItsInputsChangedDuringTheRun(t *testing.T) {
	repo := newFakeRepo(t, &Cache{Dir: t.TempDir()})
	repo.write("touch.me", "")
	repo.run("pkg")
	if !strings.Contains(repo.out.String(), "inputs changed while it ran") {
		t.Errorf("no word of the change:\n%s", repo.out.String())
	}
	if err := os.Remove(filepath.Join(repo.dir, "touch.me")); err != nil {
		t.Fatal(err)
	}
	if runs, err := repo.run("pkg"); err != nil || runs != 2 {
		t.Fatalf("a result from changed inputs was replayed: err %v, gremlins ran %d times, want 2", err, runs)
	}
}

func TestAKeptResultOfOtherInputsIsNotLoaded(t *testing.T) {
	cache := Cache{Dir: t.TempDir()}
	kept := Result{Package: "pkg", Key: "k1", Output: "Killed: 1"}
	if err := cache.Store(kept); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := cache.Load("pkg", "k1"); err != nil || !ok || got.Output != kept.Output {
		t.Fatalf("Load(pkg, k1) = %+v, %v, %v", got, ok, err)
	}
	for _, c := range []struct{ pkg, key string }{{"pkg", "k2"}, {"other", "k1"}} {
		if _, ok, err := cache.Load(c.pkg, c.key); ok || err != nil {
			t.Errorf("Load(%s, %s) = %v, %v; want no result", c.pkg, c.key, ok, err)
		}
	}
	if err := os.WriteFile(cache.file("bad"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cache.Load("bad", "k1"); err == nil {
		t.Error("a damaged cache file loaded without error")
	}
}
