package mutation

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Figures are a run's figures as gremlins reports them: test efficacy
// (killed in percent of killed + lived), mutator coverage (killed + lived in
// percent of those and the not covered) and each status's count.
type Figures struct {
	Efficacy   float64 `json:"test_efficacy"`
	Coverage   float64 `json:"mutator_coverage"`
	Killed     int     `json:"killed"`
	Lived      int     `json:"lived"`
	NotCovered int     `json:"not_covered"`
	TimedOut   int     `json:"timed_out"`
	NotViable  int     `json:"not_viable"`
	Skipped    int     `json:"skipped"`
}

// Mutant is one mutation: where (gremlins names the file relative to the
// package's directory; a Result, relative to the repository's root), and
// which mutator made it.
type Mutant struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Type   string `json:"type"`
}

func (m Mutant) String() string {
	return fmt.Sprintf("%s:%d:%d %s", m.File, m.Line, m.Column, m.Type)
}

// gremlinsReport is what of gremlins' --output file (v0.6.0) the figures
// come from; its counts leave out the mutants that timed out.
type gremlinsReport struct {
	Efficacy *float64 `json:"test_efficacy"`
	Coverage *float64 `json:"mutations_coverage"`
	Files    []struct {
		Name      string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

// ReadReport reads gremlins' --output file: its figures, each status counted
// from the mutants, and the survivors in file order.
func ReadReport(raw []byte) (Figures, []Mutant, error) {
	var rep gremlinsReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		return Figures{}, nil, fmt.Errorf("gremlins' report: %w", err)
	}
	if rep.Efficacy == nil || rep.Coverage == nil {
		return Figures{}, nil, fmt.Errorf("gremlins' report lacks test_efficacy or mutations_coverage: %.200s", raw)
	}
	f := Figures{Efficacy: *rep.Efficacy, Coverage: *rep.Coverage}
	survivors := []Mutant{}
	counts := map[string]*int{"KILLED": &f.Killed, "LIVED": &f.Lived, "NOT COVERED": &f.NotCovered, "TIMED OUT": &f.TimedOut, "NOT VIABLE": &f.NotViable, "SKIPPED": &f.Skipped}
	for _, file := range rep.Files {
		for _, m := range file.Mutations {
			count, ok := counts[m.Status]
			if !ok { // RUNNABLE: a dry run, which is no result
				return Figures{}, nil, fmt.Errorf("gremlins' report: %s:%d: unknown status %q", file.Name, m.Line, m.Status)
			}
			*count++
			if m.Status == "LIVED" {
				survivors = append(survivors, Mutant{File: file.Name, Line: m.Line, Column: m.Column, Type: m.Type})
			}
		}
	}
	slices.SortFunc(survivors, func(a, b Mutant) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column), strings.Compare(a.Type, b.Type))
	})
	return f, survivors, nil
}
