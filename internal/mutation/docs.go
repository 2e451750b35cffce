package mutation

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// DocBegin and DocEnd enclose the part of docs/mutation.md that Table renders.
const (
	DocBegin = "<!-- BEGIN mutation results: go run ./cmd/mutation -docs writes this part from testdata/mutation -->"
	DocEnd   = "<!-- END mutation results -->"
)

// LoadAll reads every result in the store, in the order of their files.
func (s Store) LoadAll() ([]Result, error) {
	files, err := filepath.Glob(filepath.Join(s.Dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var all []Result
	for _, f := range files {
		r, err := read(f)
		if err != nil {
			return nil, err
		}
		if filepath.Base(f) != FileName(r.Package) {
			return nil, fmt.Errorf("mutation result %s: holds package %q, whose file is %s", f, r.Package, FileName(r.Package))
		}
		all = append(all, r)
	}
	return all, nil
}

// Table renders the results' figures, a row per package and their total
// wall time, and every survivor.
func Table(results []Result) string {
	var b strings.Builder
	b.WriteString("| package | test efficacy | mutator coverage | killed / lived / not covered / timed out | wall | ran | key |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	var total float64
	var survivors []string
	for _, r := range results {
		f := r.Figures
		fmt.Fprintf(&b, "| `%s` | %.2f %% | %.2f %% | %d / %d / %d / %d | %.0f s | %s | `%.12s` |\n",
			r.Package, f.Efficacy, f.Coverage, f.Killed, f.Lived, f.NotCovered, f.TimedOut,
			r.TookSeconds, r.Ran.UTC().Format(time.DateOnly), r.Key)
		total += r.TookSeconds
		for _, m := range r.Survivors {
			survivors = append(survivors, fmt.Sprintf("- `%s`: `%s:%d:%d` %s\n", r.Package, m.File, m.Line, m.Column, m.Type))
		}
	}
	fmt.Fprintf(&b, "| all | | | | %.0f s | | |\n\nThe mutants that lived:\n\n", total)
	if len(survivors) == 0 {
		survivors = []string{"- none\n"}
	}
	b.WriteString(strings.Join(survivors, ""))
	return b.String()
}

// ReplaceTable puts table into doc between DocBegin and DocEnd.
func ReplaceTable(doc, table string) (string, error) {
	before, rest, begins := strings.Cut(doc, DocBegin)
	_, after, ends := strings.Cut(rest, DocEnd)
	if !begins || !ends {
		return "", fmt.Errorf("the document lacks the lines %q and, after it, %q", DocBegin, DocEnd)
	}
	return before + DocBegin + "\n" + table + DocEnd + after, nil
}
