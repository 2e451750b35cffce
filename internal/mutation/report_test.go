package mutation

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestReadReportCountsEachStatusAndSortsTheSurvivors(t *testing.T) {
	raw, err := os.ReadFile("testdata/report.json")
	if err != nil {
		t.Fatal(err)
	}
	figures, survivors, err := ReadReport(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := Figures{Efficacy: 28.57142857142857, Coverage: 87.5, Killed: 2, Lived: 5, NotCovered: 1, TimedOut: 1, NotViable: 1, Skipped: 1}
	if figures != want {
		t.Errorf("figures:\n got %+v\nwant %+v", figures, want)
	}
	// By file, then line (numerically), column and mutator.
	wantSurvivors := []string{
		"a.go:3:4 ARITHMETIC_BASE",
		"a.go:3:9 ARITHMETIC_BASE",
		"a.go:12:5 CONDITIONALS_BOUNDARY",
		"a.go:12:5 CONDITIONALS_NEGATION",
		"b.go:7:9 CONDITIONALS_NEGATION",
	}
	var got []string
	for _, m := range survivors {
		got = append(got, m.String())
	}
	if !slices.Equal(got, wantSurvivors) {
		t.Errorf("survivors:\n got %q\nwant %q", got, wantSurvivors)
	}
}

func TestReadReportRefusesWhatIsNoResult(t *testing.T) {
	for name, c := range map[string]struct{ raw, want string }{
		"not JSON":       {`{`, "gremlins' report: unexpected end of JSON input"},
		"no efficacy":    {`{"mutations_coverage": 90}`, "lacks test_efficacy or mutations_coverage"},
		"no coverage":    {`{"test_efficacy": 90}`, "lacks test_efficacy or mutations_coverage"},
		"a dry run":      {`{"test_efficacy": 0, "mutations_coverage": 90, "files": [{"file_name": "a.go", "mutations": [{"status": "RUNNABLE", "line": 4}]}]}`, `a.go:4: unknown status "RUNNABLE"`},
		"no mutants yet": {`{"test_efficacy": 0, "mutations_coverage": 0}`, ""},
	} {
		_, survivors, err := ReadReport([]byte(c.raw))
		if c.want == "" {
			if err != nil || survivors == nil || len(survivors) != 0 {
				t.Errorf("%s: survivors %#v, err %v; want an empty list, no error", name, survivors, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want one containing %q", name, err, c.want)
		}
	}
}
