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

// Result is one package's passing gremlins run, as the cache keeps it.
type Result struct {
	Package string        `json:"package"`
	Key     string        `json:"key"`
	Ran     time.Time     `json:"ran"`
	Took    time.Duration `json:"took"`
	// Output is everything gremlins printed: each mutant and the figures.
	Output string `json:"output"`
}

// Cache keeps the last passing result of each package, a file per package.
type Cache struct{ Dir string }

func (c Cache) file(pkg string) string {
	return filepath.Join(c.Dir, strings.ReplaceAll(pkg, "/", "_")+".json")
}

// Load returns the package's kept result when it was measured on key.
func (c Cache) Load(pkg, key string) (Result, bool, error) {
	raw, err := os.ReadFile(c.file(pkg))
	if errors.Is(err, fs.ErrNotExist) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, err
	}
	var r Result
	if err := json.Unmarshal(raw, &r); err != nil {
		return Result{}, false, fmt.Errorf("mutation cache %s: %w", c.file(pkg), err)
	}
	return r, r.Package == pkg && r.Key == key, nil
}

// Store keeps r in place of the package's older result; the file is renamed
// into place, so a run cut short leaves the old result or the new one.
func (c Cache) Store(r Result) error {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.Dir, ".result-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), c.file(r.Package))
}
