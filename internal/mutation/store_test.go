package mutation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleResult(pkg, key string) Result {
	return Result{
		Package:     pkg,
		Key:         key,
		Figures:     Figures{Efficacy: 90.5, Coverage: 88, Killed: 181, Lived: 19, NotCovered: 27, TimedOut: 1},
		Survivors:   []Mutant{{File: pkg + "/a.go", Line: 12, Column: 5, Type: "CONDITIONALS_BOUNDARY"}},
		Ran:         time.Date(2026, 12, 4, 16, 1, 30, 0, time.UTC),
		TookSeconds: 90.5,
		Inputs:      Manifest{"file:" + pkg + "/a.go": "0123", "tool:gremlins": "v0.6.0"},
		Output:      "Killed: 181, Lived: 19\n",
	}
}

func TestAStoredResultLoadsAsItWasAndIsTheSameBytesEachTime(t *testing.T) {
	store := Store{Dir: filepath.Join(t.TempDir(), "testdata", "mutation")}
	kept := sampleResult("organizer/room", "k1")
	if err := store.Save(kept); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(store.Dir, "organizer_room.json")
	first, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("the file's mode: %v, %v; want -rw-r--r--", info.Mode(), err)
	}
	if !strings.HasPrefix(string(first), "{\n  \"package\": \"organizer/room\",\n  \"key\": \"k1\",\n") || !strings.HasSuffix(string(first), "\n}\n") {
		t.Errorf("the file is not indented JSON ending in a newline:\n%s", first)
	}
	got, found, err := store.Load("organizer/room")
	if err != nil || !found || got.Key != kept.Key || got.Figures != kept.Figures || got.Survivors[0] != kept.Survivors[0] ||
		!got.Ran.Equal(kept.Ran) || got.TookSeconds != kept.TookSeconds || got.Inputs["tool:gremlins"] != "v0.6.0" || got.Output != kept.Output {
		t.Fatalf("Load = %+v, %v, %v; want %+v", got, found, err, kept)
	}
	if err := store.Save(got); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(file); string(again) != string(first) {
		t.Errorf("saving the loaded result changed the file:\n%s\nthen\n%s", first, again)
	}
	if entries, _ := os.ReadDir(store.Dir); len(entries) != 1 {
		t.Errorf("the store holds %d files, want the result alone", len(entries))
	}
}

func TestLoadTellsAMissingResultFromADamagedOne(t *testing.T) {
	store := Store{Dir: t.TempDir()}
	if _, found, err := store.Load("pkg"); found || err != nil {
		t.Errorf("Load of a package never stored = %v, %v; want not found, no error", found, err)
	}
	if err := os.WriteFile(store.file("bad"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Load("bad"); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("a damaged file: %v", err)
	}
	if err := os.WriteFile(store.file("renamed"), []byte(`{"package": "other"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, found, err := store.Load("renamed"); found || err == nil || !strings.Contains(err.Error(), `holds package "other", want "renamed"`) {
		t.Errorf("another package's result: %v, %v", found, err)
	}
	if err := os.Mkdir(store.file("dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, found, err := store.Load("dir"); found || err == nil {
		t.Errorf("an unreadable file: %v, %v", found, err)
	}
}

func TestSaveFailsWhereItCannotWrite(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := (Store{Dir: file}).Save(sampleResult("pkg", "k1")); err == nil {
		t.Error("Save into a path that is a file succeeded")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "pkg.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pkg.json", "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := (Store{Dir: dir}).Save(sampleResult("pkg", "k1")); err == nil {
		t.Error("Save over a directory succeeded")
	}
}
