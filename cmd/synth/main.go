// Command synth writes the program's plan for a stack as reviewable files,
// with no cloud credentials, no Pulumi CLI and no network: it runs
// stacks.Run under the shared mock monitor with the stack's configuration
// resolved as the Pulumi CLI resolves it (see package internal/synth).
//
//	go run ./cmd/synth -stack dev -out /tmp/dev             # /tmp/dev/resources.yaml, /tmp/dev/kubernetes/*.yaml
//	go run ./cmd/synth -stack dev -out /tmp/new -diff /tmp/dev
//	go run ./cmd/synth -all -out testdata/synth             # every stack: refresh the snapshots
//	go run ./cmd/synth -all -out /tmp/head -diff /tmp/base  # every stack, compared stack by stack
//	go run ./cmd/synth -stack dev -critical-path            # the deploy's simulated critical path
//	go run ./cmd/synth -stack dev -critical-path -latencies my-latencies.txt
//
// It prints the resources by type and, with -diff, what changed; with
// -critical-path, the simulated deploy over the recorded graph (package
// internal/critical): makespan, the critical chain, the ratio against the
// chain no program can avoid, and the latency table used. Run it from the
// repository root (or set -root).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/eks-workshop/eks-workshop/internal/critical"
	"github.com/eks-workshop/eks-workshop/internal/synth"
	"github.com/eks-workshop/eks-workshop/stacks"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("synth", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "the stack to synthesize (a Pulumi.<stack>.yaml)")
	all := flags.Bool("all", false, "synthesize every stack, each into <out>/<stack>")
	out := flags.String("out", "", "directory to write resources.yaml and kubernetes/ into (none: only print)")
	diff := flags.String("diff", "", "an earlier synth directory to compare with (with -all: one directory per stack)")
	root := flags.String("root", ".", "the repository root, where Pulumi.yaml is")
	criticalPath := flags.Bool("critical-path", false, "print the deploy's simulated critical path")
	latencies := flags.String("latencies", "", "with -critical-path: a file of TYPE=SECONDS lines overriding the latency table")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	if (*stack == "") == !*all {
		return errors.New("give exactly one of -stack <stack> and -all")
	}
	if *latencies != "" && !*criticalPath {
		return errors.New("-latencies goes with -critical-path")
	}
	table := critical.DefaultTable()
	if *latencies != "" {
		if err := table.OverrideFile(*latencies); err != nil {
			return err
		}
	}

	var results []*synth.Result
	if *all {
		var err error
		if results, err = synth.RunAll(*root, stacks.Run); err != nil {
			return err
		}
		if *out != "" {
			if err := synth.WriteAll(*out, results); err != nil {
				return err
			}
		}
	} else {
		r, err := synth.Run(*root, *stack, stacks.Run)
		if err != nil {
			return fmt.Errorf("stack %s: %w", *stack, err)
		}
		results = []*synth.Result{r}
		if *out != "" {
			files, err := r.Files()
			if err != nil {
				return err
			}
			if err := files.Write(*out); err != nil {
				return err
			}
		}
	}

	for _, r := range results {
		fmt.Fprint(stdout, r.Summary())
		if *criticalPath {
			report, err := critical.Analyze(r.Stack, r.Resources, table)
			if err != nil {
				return err
			}
			report.Write(stdout)
		}
		if *diff == "" {
			continue
		}
		earlier := *diff
		if *all {
			earlier = filepath.Join(*diff, r.Stack)
		}
		changes, err := diffWith(earlier, r)
		if err != nil {
			return fmt.Errorf("stack %s: %w", r.Stack, err)
		}
		fmt.Fprintf(stdout, "changes against %s:\n%s", earlier, changes)
	}
	if *criticalPath {
		fmt.Fprintln(stdout, "latency table:")
		table.Write(stdout)
	}
	return nil
}

// diffWith compares r with the synth in dir; a stack dir lacks is all new.
func diffWith(dir string, r *synth.Result) (string, error) {
	files, err := r.Files()
	if err != nil {
		return "", err
	}
	old, err := synth.ReadFiles(dir)
	if errors.Is(err, os.ErrNotExist) {
		old = synth.Files{synth.ResourcesFile: []byte("resources: []\n")}
	} else if err != nil {
		return "", err
	}
	changes, err := synth.Diff(old, files)
	if err != nil {
		return "", err
	}
	return changes.String(), nil
}
