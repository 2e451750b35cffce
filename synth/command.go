package synth

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/cli"
	"github.com/eks-workshop/eks-workshop/internal/cost"
	"github.com/eks-workshop/eks-workshop/internal/critical"
)

// Command is cmd/synth: it parses args and synthesizes program (stacks.Run)
// as they ask. It takes the program as an argument so that it can be tested
// without linking the provider SDKs the real one imports.
func Command(args []string, program pulumi.RunFunc, stdout io.Writer) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	rep := reporter{options: o, stdout: stdout, table: critical.DefaultTable()}
	if o.latencies != "" {
		if err := rep.table.OverrideFile(o.latencies); err != nil {
			return err
		}
	}
	if rep.prices, rep.usage, err = costInputs(o.withCost, o.usageFile); err != nil {
		return err
	}
	results, err := o.synthesize(program)
	if err != nil {
		return err
	}
	for _, r := range results {
		if err := rep.report(r); err != nil {
			return err
		}
	}
	if o.criticalPath {
		fmt.Fprintln(stdout, "latency table:")
		rep.table.Write(stdout)
	}
	return nil
}

// Usage is cmd/synth's short usage, printed after a mistake in its flags.
const Usage = "usage: synth (-stack STACK | -all) [-out DIR] [-diff DIR] [-critical-path [-latencies FILE]] [-cost [-usage FILE]] [-root DIR]"

// options are cmd/synth's flags.
type options struct {
	stack, out, diff, root, latencies, usageFile string
	all, criticalPath, withCost                  bool
}

// parseOptions parses and checks the flags.
func parseOptions(args []string) (options, error) {
	var o options
	flags := flag.NewFlagSet("synth", flag.ContinueOnError)
	flags.StringVar(&o.stack, "stack", "", "the stack to synthesize (a Pulumi.<stack>.yaml)")
	flags.BoolVar(&o.all, "all", false, "synthesize every stack, each into <out>/<stack>")
	flags.StringVar(&o.out, "out", "", "directory to write resources.yaml and kubernetes/ into (none: only print)")
	flags.StringVar(&o.diff, "diff", "", "an earlier synth directory to compare with (with -all: one directory per stack)")
	flags.StringVar(&o.root, "root", ".", "the repository root, where Pulumi.yaml is")
	flags.BoolVar(&o.criticalPath, "critical-path", false, "print the deploy's simulated critical path")
	flags.StringVar(&o.latencies, "latencies", "", "with -critical-path: a file of TYPE=SECONDS lines overriding the latency table")
	flags.BoolVar(&o.withCost, "cost", false, "print the cost estimate (with -diff, also the cost difference)")
	flags.StringVar(&o.usageFile, "usage", "", "with -cost: a usage file overriding the usage assumptions")
	if err := cli.Parse(flags, args); err != nil {
		return o, err
	}
	if flags.NArg() > 0 {
		return o, cli.Usagef("unexpected arguments %q: synth takes only flags", flags.Args())
	}
	if (o.stack == "") == !o.all {
		return o, cli.Usagef("give exactly one of -stack STACK and -all")
	}
	if o.latencies != "" && !o.criticalPath {
		return o, cli.Usagef("-latencies goes with -critical-path")
	}
	if o.usageFile != "" && !o.withCost {
		return o, cli.Usagef("-usage goes with -cost")
	}
	return o, nil
}

// synthesize runs the stack, or every stack, and writes the files when
// -out asks for them.
func (o options) synthesize(program pulumi.RunFunc) ([]*Result, error) {
	if o.all {
		results, err := RunAll(o.root, program)
		if err != nil {
			return nil, err
		}
		if o.out != "" {
			return results, WriteAll(o.out, results)
		}
		return results, nil
	}
	r, err := Run(o.root, o.stack, program)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", o.stack, err)
	}
	if o.out != "" {
		files, err := r.Files()
		if err != nil {
			return nil, err
		}
		if err := files.Write(o.out); err != nil {
			return nil, err
		}
	}
	return []*Result{r}, nil
}

// reporter prints what the options ask of each stack's result.
type reporter struct {
	options
	stdout io.Writer
	table  critical.Table
	prices *cost.Table
	usage  *cost.Usage
}

// report prints the stack's summary, then its critical path, its cost and
// its changes against -diff, as asked.
func (rep reporter) report(r *Result) error {
	fmt.Fprint(rep.stdout, r.Summary())
	if rep.criticalPath {
		report, err := critical.Analyze(r.Stack, r.Resources, rep.table)
		if err != nil {
			return err
		}
		report.Write(rep.stdout)
	}
	var estimate *cost.Estimate
	if rep.prices != nil {
		var err error
		if estimate, err = r.Estimate(rep.prices, rep.usage); err != nil {
			return fmt.Errorf("stack %s: %w", r.Stack, err)
		}
		if err := estimate.Write(rep.stdout); err != nil {
			return err
		}
	}
	if rep.diff == "" {
		return nil
	}
	return rep.changes(r, estimate)
}

// changes prints the stack's diff against its earlier synth, and with an
// estimate, the cost difference.
func (rep reporter) changes(r *Result, estimate *cost.Estimate) error {
	earlier := rep.diff
	if rep.all {
		earlier = filepath.Join(rep.diff, r.Stack)
	}
	changes, err := diffWith(earlier, r)
	if err != nil {
		return fmt.Errorf("stack %s: %w", r.Stack, err)
	}
	fmt.Fprintf(rep.stdout, "changes against %s:\n%s", earlier, changes)
	if estimate == nil {
		return nil
	}
	costChanges, err := costDiffWith(earlier, estimate, rep.prices, rep.usage)
	if err != nil {
		return fmt.Errorf("stack %s: %w", r.Stack, err)
	}
	fmt.Fprint(rep.stdout, costChanges)
	return nil
}

// costInputs are the price table and the usage -cost prices with (nil
// without -cost).
func costInputs(withCost bool, usageFile string) (*cost.Table, *cost.Usage, error) {
	if !withCost {
		return nil, nil, nil
	}
	prices, err := cost.DefaultTable()
	if err != nil {
		return nil, nil, err
	}
	usage := cost.DefaultUsage()
	if usageFile != "" {
		if usage, err = cost.ReadUsage(usageFile); err != nil {
			return nil, nil, err
		}
	}
	return prices, usage, nil
}

// diffWith compares r with the synth in dir; a stack dir lacks is all new.
func diffWith(dir string, r *Result) (string, error) {
	files, err := r.Files()
	if err != nil {
		return "", err
	}
	old, err := ReadFiles(dir)
	if errors.Is(err, os.ErrNotExist) {
		old = Files{ResourcesFile: []byte("resources: []\n")}
	} else if err != nil {
		return "", err
	}
	changes, err := Diff(old, files)
	if err != nil {
		return "", err
	}
	return changes.String(), nil
}
