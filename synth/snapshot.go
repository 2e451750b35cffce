package synth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// SnapshotDir holds the committed synth of every stack, one directory per
// stack, relative to the repository root.
const SnapshotDir = "testdata/synth"

// RefreshCommand rewrites every snapshot under SnapshotDir; run it from the
// repository root.
const RefreshCommand = "go run ./cmd/synth -all -out " + SnapshotDir

// WriteAll writes each result to dir/<stack> and removes what synth wrote
// in the directories of stacks that no longer exist (those holding a
// resources.yaml), and each directory once it is empty.
func WriteAll(dir string, results []*Result) error {
	keep := map[string]bool{}
	for _, r := range results {
		files, err := r.Files()
		if err != nil {
			return fmt.Errorf("stack %s: %w", r.Stack, err)
		}
		if err := files.Write(filepath.Join(dir, r.Stack)); err != nil {
			return err
		}
		keep[r.Stack] = true
	}
	old, err := SnapshotStacks(dir)
	if err != nil {
		return err
	}
	for _, stack := range old {
		if !keep[stack] {
			// Only what synth wrote there: a directory without its marker is refused.
			if err := removeWritten(filepath.Join(dir, stack)); err != nil {
				return err
			}
			if err := os.Remove(filepath.Join(dir, stack)); err != nil && !errors.Is(err, fs.ErrExist) && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// SnapshotStacks lists the stack directories under dir (those with a resources.yaml), sorted.
func SnapshotStacks(dir string) ([]string, error) {
	found, err := filepath.Glob(filepath.Join(dir, "*", ResourcesFile))
	if err != nil {
		return nil, err
	}
	var stacks []string
	for _, f := range found {
		stacks = append(stacks, filepath.Base(filepath.Dir(f)))
	}
	sort.Strings(stacks)
	return stacks, nil
}

// Stale compares each result with its snapshot under dir, byte for byte,
// and says what differs: the changes (Diff), or the files whose bytes
// differ, or that the snapshot is missing. It returns "" when every
// result's snapshot is current. SnapshotStacks finds snapshots of stacks
// that no longer exist.
func Stale(dir string, results []*Result) (string, error) {
	var b strings.Builder
	for _, r := range results {
		files, err := r.Files()
		if err != nil {
			return "", fmt.Errorf("stack %s: %w", r.Stack, err)
		}
		committed, err := ReadFiles(filepath.Join(dir, r.Stack))
		if err != nil {
			fmt.Fprintf(&b, "%s: %v\n", r.Stack, err)
			continue
		}
		var differ []string
		for _, p := range unionPaths(committed, files) {
			if string(committed[p]) != string(files[p]) {
				differ = append(differ, p)
			}
		}
		if len(differ) == 0 {
			continue
		}
		changes, err := Diff(committed, files)
		if err == nil && !changes.Empty() {
			fmt.Fprintf(&b, "%s:\n%s", r.Stack, indent(changes.String()))
		} else {
			// Same plan, other bytes (formatting, the header): name the files.
			fmt.Fprintf(&b, "%s: differs in %s\n", r.Stack, strings.Join(differ, ", "))
		}
	}
	return b.String(), nil
}

func unionPaths(a, b Files) []string {
	all := Files{}
	for p := range a {
		all[p] = nil
	}
	for p := range b {
		all[p] = nil
	}
	return all.Paths()
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}
