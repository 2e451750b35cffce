package mutation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTableShowsEachPackagesFiguresTheTotalAndTheSurvivors(t *testing.T) {
	spec := sampleResult("components/spec", "0123456789abcdef")
	room := sampleResult("organizer/room", "fedcba9876543210")
	room.Figures = Figures{Efficacy: 100, Coverage: 94.696, Killed: 125, NotCovered: 7}
	room.Survivors, room.TookSeconds = []Mutant{}, 171.4
	want := "| package | test efficacy | mutator coverage | killed / lived / not covered / timed out | wall | ran | key |\n" +
		"| --- | --- | --- | --- | --- | --- | --- |\n" +
		"| `components/spec` | 90.50 % | 88.00 % | 181 / 19 / 27 / 1 | 90 s | 2026-12-04 | `0123456789ab` |\n" +
		"| `organizer/room` | 100.00 % | 94.70 % | 125 / 0 / 7 / 0 | 171 s | 2026-12-04 | `fedcba987654` |\n" +
		"| all | | | | 262 s | | |\n" +
		"\nThe mutants that lived:\n\n" +
		"- `components/spec`: `components/spec/a.go:12:5` CONDITIONALS_BOUNDARY\n"
	if got := Table([]Result{spec, room}); got != want {
		t.Errorf("Table:\n%s\nwant\n%s", got, want)
	}
	if got := Table([]Result{room}); !strings.HasSuffix(got, "| all | | | | 171 s | | |\n\nThe mutants that lived:\n\n- none\n") {
		t.Errorf("Table without survivors:\n%s", got)
	}
}

func TestReplaceTableRewritesOnlyBetweenTheMarkers(t *testing.T) {
	doc := DocBegin + "\nold table\n" + DocEnd + "\nafter\n"
	got, err := ReplaceTable("before\n"+doc, "new table\n")
	if want := "before\n" + DocBegin + "\nnew table\n" + DocEnd + "\nafter\n"; err != nil || got != want {
		t.Errorf("ReplaceTable = %q, %v; want %q", got, err, want)
	}
	// A document may start with the marker.
	if got, err := ReplaceTable(doc, "t\n"); err != nil || got != DocBegin+"\nt\n"+DocEnd+"\nafter\n" {
		t.Errorf("ReplaceTable at the document's start = %q, %v", got, err)
	}
	for _, bad := range []string{"no markers", DocBegin + " no end", DocEnd + " before " + DocBegin} {
		if _, err := ReplaceTable(bad, "t\n"); err == nil || !strings.Contains(err.Error(), "lacks the lines") {
			t.Errorf("ReplaceTable(%q): %v", bad, err)
		}
	}
}

func TestLoadAllReadsEveryResultAndRefusesAMisnamedOne(t *testing.T) {
	store := Store{Dir: t.TempDir()}
	for _, pkg := range []string{"synth", "components/spec"} {
		if err := store.Save(sampleResult(pkg, "k")); err != nil {
			t.Fatal(err)
		}
	}
	all, err := store.LoadAll()
	if err != nil || len(all) != 2 || all[0].Package != "components/spec" || all[1].Package != "synth" {
		t.Fatalf("LoadAll = %+v, %v", all, err)
	}
	if err := os.Rename(store.file("synth"), filepath.Join(store.Dir, "z.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := store.LoadAll(); err == nil || !strings.Contains(err.Error(), `holds package "synth", whose file is synth.json`) {
		t.Errorf("a misnamed result: %v", err)
	}
	if err := os.WriteFile(filepath.Join(store.Dir, "z.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := store.LoadAll(); err == nil {
		t.Error("a damaged result loaded")
	}
	if _, err := (Store{Dir: "["}).LoadAll(); err == nil {
		t.Error("a bad pattern loaded")
	}
}
