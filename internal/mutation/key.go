// Package mutation runs the mutation tier (gremlins, one package at a time)
// and keeps each package's passing result under a key of everything that
// result depends on, as go test keeps a passing test's output: a package
// whose code, tests, test data and tools are unchanged is not mutated again.
// The key is computed before gremlins runs, so a result is only ever replayed
// for the very inputs it was measured on.
package mutation

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
var sharedData = []string{".gremlins.yaml", "Pulumi.yaml", "apps/", "testdata/"}

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

// Key hashes the fingerprint (tool versions, the go environment) and each
// input file's path and content under root.
func Key(root string, inputs []string, fingerprint string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "fingerprint %q\n", fingerprint)
	for _, f := range inputs {
		sum, err := fileSum(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "file %q %s\n", f, sum)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
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
