// Package mutation runs the mutation tier (gremlins, one package at a time)
// and keeps each package's passing result under a key of everything that
// result depends on, as the snapshot tests keep their output: committed in
// the repository (ResultsDir), where every clone has it, and in a local
// cache. A package whose code, tests, test data and tools are unchanged
// replays its result instead of being mutated again. The key is computed
// before gremlins runs, so a result is only ever replayed for the very
// inputs it was measured on.
package mutation

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// sharedData are the repository paths (a file, or a directory and all below
// it) that every package's tests may read besides their own package: the
// gremlins settings, the stacks' settings, the apps' build contexts and the
// snapshots. A package's own directory and its testdata/ are always in; the
// modules it links are in Deps.Modules, by version.
// The committed results (ResultsDir) are not: they are the tier's output.
var sharedData = []string{".gremlins.yaml", "Pulumi.yaml", "apps/", "testdata/"}

// ResultsDir holds the committed results, a file per package, relative to
// the repository's root.
const ResultsDir = "testdata/mutation"

// stackSettings matches the root's Pulumi.<stack>.yaml files.
const stackSettings = "Pulumi.*.yaml"

// Deps is what a package's test binary links: the directories of this
// module's packages (slash paths relative to the root), and every other
// module as path@version (a replacement after " => "), with the main
// module's go version, whose language rules the code is compiled by.
type Deps struct {
	Dirs    []string
	Modules []string
}

// Inputs selects, from the repository's files (slash paths relative to its
// root), those one package's mutation result depends on: the files directly
// in the directories of the module's packages its test binary links (pkgDirs,
// relative), their testdata/ trees, and sharedData. Everything else, such as
// README.md, .github/ or another package's code, cannot change the result.
func Inputs(files, pkgDirs []string) []string {
	var in []string
	for _, f := range files {
		if dependsOn(f, pkgDirs) {
			in = append(in, f)
		}
	}
	slices.Sort(in)
	// git lists a path once per stage while a merge is unresolved.
	return slices.Compact(in)
}

func dependsOn(file string, pkgDirs []string) bool {
	if strings.HasPrefix(file, ResultsDir+"/") {
		return false
	}
	dir := path.Dir(file)
	for _, p := range pkgDirs {
		// The root package's testdata/ is shared data already.
		if dir == p || strings.HasPrefix(file, p+"/testdata/") {
			return true
		}
	}
	for _, shared := range sharedData {
		if file == shared || (strings.HasSuffix(shared, "/") && strings.HasPrefix(file, shared)) {
			return true
		}
	}
	matched, _ := path.Match(stackSettings, file)
	return matched
}

// Manifest is what one package's result depends on, by name: "file:<path>"
// with the file's SHA-256, "module:<path@version>" and "tool:<name>" with
// their versions. A committed result keeps it, so a changed key can be
// explained by the inputs that changed.
type Manifest map[string]string

// Measure builds the manifest of the input files under root, the modules a
// package's test binary links and the tools.
func Measure(root string, inputs, modules []string, tools map[string]string) (Manifest, error) {
	m := Manifest{}
	for name, version := range tools {
		m["tool:"+name] = version
	}
	for _, mod := range modules {
		m["module:"+mod] = ""
	}
	for _, f := range inputs {
		sum, err := fileSum(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		m["file:"+f] = sum
	}
	return m, nil
}

// Key hashes every entry of the manifest, name and value.
func (m Manifest) Key() string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(h, "%q %q\n", name, m[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Changes names, in order, each entry added to, removed from or changed
// since old.
func (m Manifest) Changes(old Manifest) []string {
	var changes []string
	for _, name := range slices.Sorted(maps.Keys(union(m, old))) {
		now, inNew := m[name]
		was, inOld := old[name]
		// Not a switch: gremlins counts a case's condition as covered by no test.
		if !inOld {
			changes = append(changes, name+" added")
		} else if !inNew {
			changes = append(changes, name+" removed")
		} else if now != was {
			changes = append(changes, name+" changed")
		}
	}
	return changes
}

func union(a, b Manifest) Manifest {
	all := Manifest{}
	maps.Copy(all, a)
	maps.Copy(all, b)
	return all
}

func fileSum(name string) (string, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		// Deleted from the work tree but not yet from git's index.
		return "missing", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
