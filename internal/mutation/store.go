package mutation

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Result is one package's passing gremlins run, as the committed files and
// the local cache keep it.
type Result struct {
	Package string  `json:"package"`
	Key     string  `json:"key"`
	Figures Figures `json:"figures"`
	// Survivors are the mutants that lived, in file order.
	Survivors []Mutant  `json:"survivors"`
	Ran       time.Time `json:"ran"`
	// TookSeconds is the run's wall time, to a tenth of a second.
	TookSeconds float64 `json:"took_seconds"`
	// Inputs are what the key was made of, kept to name what changed.
	Inputs Manifest `json:"inputs"`
	// Output is everything gremlins printed: each mutant and the figures.
	Output string `json:"output"`
}

// Store keeps the last passing result of each package, a file per package:
// the committed results under ResultsDir, or the local cache.
type Store struct{ Dir string }

// FileName is the name of a package's file in a store: its slash path with
// each slash an underscore.
func FileName(pkg string) string {
	return strings.ReplaceAll(pkg, "/", "_") + ".json"
}

func (s Store) file(pkg string) string {
	return filepath.Join(s.Dir, FileName(pkg))
}

// Load returns the package's kept result, if there is one.
func (s Store) Load(pkg string) (Result, bool, error) {
	r, err := read(s.file(pkg))
	if errors.Is(err, fs.ErrNotExist) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, err
	}
	if r.Package != pkg {
		return Result{}, false, fmt.Errorf("mutation result %s: holds package %q, want %q", s.file(pkg), r.Package, pkg)
	}
	return r, true, nil
}

func read(file string) (Result, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return Result{}, err
	}
	var r Result
	if err := json.Unmarshal(raw, &r); err != nil {
		return Result{}, fmt.Errorf("mutation result %s: %w", file, err)
	}
	return r, nil
}

// Save keeps r in place of the package's older result, indented, with its
// keys in a fixed order, so the same result is the same bytes. The file is
// renamed into place, so a run cut short leaves the old result or the new one.
func (s Store) Save(r Result) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.Dir, ".result-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return err
	}
	// CreateTemp makes the file readable by its owner only; a committed file is for everyone.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.file(r.Package))
}
