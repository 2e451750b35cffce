package mutation

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// Runner mutates packages one at a time with gremlins, replaying a kept
// result when the package's inputs are those it was measured on.
type Runner struct {
	// Root is the repository's root, where gremlins runs.
	Root string
	// Gremlins is the command before the package: the binary, "unleash",
	// and its flags. A non-zero exit is a failure (10 and 11 are gremlins'
	// thresholds).
	Gremlins []string
	// Fingerprint names what besides the files the result depends on: the
	// gremlins version and the go command's environment.
	Fingerprint string
	// Files are the repository's files, slash paths relative to Root.
	Files []string
	// Deps returns what a package's test binary links.
	Deps func(pkg string) (Deps, error)
	// Cache keeps passing results; nil runs every package.
	Cache *Cache
	Out   io.Writer
	Now   func() time.Time
}

// Run mutates every package, even after one fails, and returns an error
// naming those that failed.
func (r Runner) Run(ctx context.Context, pkgs []string) error {
	var failed []string
	for _, pkg := range pkgs {
		if err := r.one(ctx, pkg); err != nil {
			fmt.Fprintf(r.Out, "gremlins: %s: %v\n", pkg, err)
			failed = append(failed, pkg)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("mutation testing failed for %s", strings.Join(failed, ", "))
	}
	return nil
}

func (r Runner) one(ctx context.Context, pkg string) error {
	key, err := r.key(pkg)
	if err != nil {
		return err
	}
	if r.Cache != nil {
		kept, ok, err := r.Cache.Load(pkg, key)
		if err != nil {
			return err
		}
		if ok {
			fmt.Fprint(r.Out, kept.Output)
			fmt.Fprintf(r.Out, "gremlins: %s: the result above is kept from %s (%d s); the package, its tests, their data and the tools are unchanged since (key %.12s)\n",
				pkg, kept.Ran.UTC().Format(time.RFC3339), int(kept.Took.Seconds()), key)
			return nil
		}
	}
	fmt.Fprintf(r.Out, "gremlins: %s\n", pkg)
	start := r.Now()
	var output bytes.Buffer
	cmd := exec.CommandContext(ctx, r.Gremlins[0], append(r.Gremlins[1:], "./"+pkg)...)
	cmd.Dir = r.Root
	cmd.Stdout = io.MultiWriter(r.Out, &output)
	cmd.Stderr = cmd.Stdout
	runErr := cmd.Run()
	took := r.Now().Sub(start)
	fmt.Fprintf(r.Out, "gremlins: %s took %d s\n", pkg, int(took.Seconds()))
	if runErr != nil {
		return fmt.Errorf("gremlins: %w", runErr)
	}
	return r.keep(pkg, key, Result{Package: pkg, Key: key, Ran: start, Took: took, Output: output.String()})
}

// keep stores a passing result unless the inputs changed while it ran.
func (r Runner) keep(pkg, key string, res Result) error {
	if r.Cache == nil {
		return nil
	}
	after, err := r.key(pkg)
	if err != nil {
		return err
	}
	if after != key {
		fmt.Fprintf(r.Out, "gremlins: %s: its inputs changed while it ran; the result is not kept\n", pkg)
		return nil
	}
	return r.Cache.Store(res)
}

func (r Runner) key(pkg string) (string, error) {
	deps, err := r.Deps(pkg)
	if err != nil {
		return "", err
	}
	fingerprint := r.Fingerprint + "\n" + strings.Join(deps.Modules, "\n")
	return Key(r.Root, Inputs(r.Files, deps.Dirs), fingerprint)
}
