package mutation

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Runner mutates packages one at a time with gremlins. A package replays
// its committed result (ResultsDir) while that was measured on the
// package's current inputs; otherwise it replays the local cache's result
// of the same inputs, or is mutated. Each passing result that is not the
// committed one is named with the command that commits it.
type Runner struct {
	// Root is the repository's root, where gremlins runs.
	Root string
	// Gremlins is the command before the package: the binary, "unleash",
	// and its flags. A non-zero exit is a failure (10 and 11 are gremlins'
	// thresholds).
	Gremlins []string
	// Tools name what besides the files the result depends on: the
	// gremlins version and the go command's environment.
	Tools map[string]string
	// Files are the repository's files, slash paths relative to Root.
	Files []string
	// Deps returns what a package's test binary links.
	Deps func(pkg string) (Deps, error)
	// Cache keeps passing results on this machine; nil keeps none.
	Cache *Store
	// Update writes each passing result that is not committed yet into
	// ResultsDir; UpdateCommand is the command that does, for the messages.
	Update        bool
	UpdateCommand string
	Out           io.Writer
	Now           func() time.Time
}

// shownChanges is how many changed inputs a stale result's message names.
const shownChanges = 5

// Run mutates every package, even after one fails, and returns an error
// naming those that failed.
func (r Runner) Run(ctx context.Context, pkgs []string) error {
	var failed, stale []string
	for _, pkg := range pkgs {
		current, err := r.one(ctx, pkg)
		if err != nil {
			fmt.Fprintf(r.Out, "gremlins: %s: %v\n", pkg, err)
			failed = append(failed, pkg)
		} else if !current {
			stale = append(stale, pkg)
		}
	}
	if len(stale) > 0 {
		fmt.Fprintf(r.Out, "gremlins: the committed results of %s are stale; refresh them with: %s %s\n",
			strings.Join(stale, ", "), r.UpdateCommand, strings.Join(stale, " "))
	}
	if len(failed) > 0 {
		return fmt.Errorf("mutation testing failed for %s", strings.Join(failed, ", "))
	}
	return nil
}

// one replays or mutates pkg and returns whether its committed result is
// current at the end.
func (r Runner) one(ctx context.Context, pkg string) (bool, error) {
	inputs, err := r.inputs(pkg)
	if err != nil {
		return false, err
	}
	key := inputs.Key()
	committed := Store{Dir: filepath.Join(r.Root, filepath.FromSlash(ResultsDir))}
	file := path.Join(ResultsDir, FileName(pkg))
	kept, found, err := committed.Load(pkg)
	if err != nil {
		return false, err
	}
	if found && kept.Key == key {
		r.replay(pkg, kept, fmt.Sprintf("%s: its key %.12s is that of the inputs", file, key))
		return true, nil
	}
	fmt.Fprintf(r.Out, "gremlins: %s: %s\n", pkg, staleness(file, kept, found, inputs))
	res, err := r.result(ctx, pkg, inputs, key)
	if err != nil || !r.Update {
		return false, err
	}
	if err := committed.Save(res); err != nil {
		return false, err
	}
	fmt.Fprintf(r.Out, "gremlins: %s: wrote %s\n", pkg, file)
	return true, nil
}

// staleness says why a committed result is not replayed.
func staleness(file string, kept Result, found bool, inputs Manifest) string {
	if !found {
		return "no committed result in " + file
	}
	changes := inputs.Changes(kept.Inputs)
	if len(changes) == 0 {
		return fmt.Sprintf("%s is stale: its key %.12s is not that of the same inputs", file, kept.Key)
	}
	more := ""
	if len(changes) > shownChanges {
		more = fmt.Sprintf(" and %d more", len(changes)-shownChanges)
		changes = changes[:shownChanges]
	}
	return fmt.Sprintf("%s is stale: %s%s", file, strings.Join(changes, ", "), more)
}

// result replays the local cache's passing result of these inputs, or
// mutates pkg and returns its passing result.
func (r Runner) result(ctx context.Context, pkg string, inputs Manifest, key string) (Result, error) {
	if r.Cache != nil {
		cached, found, err := r.Cache.Load(pkg)
		if err != nil {
			return Result{}, err
		}
		if found && cached.Key == key {
			r.replay(pkg, cached, fmt.Sprintf("the local cache's result %s: its key is that of the inputs", r.Cache.file(pkg)))
			return cached, nil
		}
	}
	fmt.Fprintf(r.Out, "gremlins: %s: mutating\n", pkg)
	res, err := r.mutate(ctx, pkg)
	if err != nil {
		return Result{}, err
	}
	res.Key, res.Inputs = key, inputs
	return res, r.keep(res)
}

func (r Runner) replay(pkg string, res Result, why string) {
	fmt.Fprintf(r.Out, "gremlins: %s: replays %s\n", pkg, why)
	fmt.Fprint(r.Out, res.Output)
	fmt.Fprintf(r.Out, "gremlins: %s: the result above ran at %s and took %.0f s\n",
		pkg, res.Ran.UTC().Format(time.RFC3339), res.TookSeconds)
}

// mutate runs gremlins on pkg and reads its report.
func (r Runner) mutate(ctx context.Context, pkg string) (Result, error) {
	dir, err := os.MkdirTemp("", "gremlins-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	report := filepath.Join(dir, "report.json")
	start := r.Now()
	var output bytes.Buffer
	cmd := exec.CommandContext(ctx, r.Gremlins[0], append(slices.Clone(r.Gremlins[1:]), "--output", report, "./"+pkg)...)
	cmd.Dir = r.Root
	cmd.Stdout = io.MultiWriter(r.Out, &output)
	cmd.Stderr = cmd.Stdout
	runErr := cmd.Run()
	took := r.Now().Sub(start)
	fmt.Fprintf(r.Out, "gremlins: %s took %d s\n", pkg, int(took.Seconds()))
	if runErr != nil {
		return Result{}, fmt.Errorf("gremlins: %w", runErr)
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		return Result{}, fmt.Errorf("gremlins wrote no report: %w", err)
	}
	figures, survivors, err := ReadReport(raw)
	for i := range survivors {
		survivors[i].File = path.Join(pkg, survivors[i].File)
	}
	return Result{Package: pkg, Figures: figures, Survivors: survivors, Ran: start.UTC().Truncate(time.Second),
		TookSeconds: math.Round(took.Seconds()*10) / 10, Output: output.String()}, err
}

// keep stores a passing result in the local cache unless the inputs
// changed while it ran: then it is no result of them, and an error.
func (r Runner) keep(res Result) error {
	after, err := r.inputs(res.Package)
	if err != nil {
		return err
	}
	if after.Key() != res.Key {
		return fmt.Errorf("its inputs changed while it ran (%s); the result is not kept: run it again", strings.Join(after.Changes(res.Inputs), ", "))
	}
	if r.Cache == nil {
		return nil
	}
	return r.Cache.Save(res)
}

func (r Runner) inputs(pkg string) (Manifest, error) {
	deps, err := r.Deps(pkg)
	if err != nil {
		return nil, err
	}
	return Measure(r.Root, Inputs(r.Files, deps.Dirs), deps.Modules, r.Tools)
}
