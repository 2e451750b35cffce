package synth

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/cost"
	"github.com/eks-workshop/eks-workshop/internal/critical"
)

// Command is cmd/synth: it parses args and synthesizes program (stacks.Run)
// as they ask. It takes the program as an argument so that it can be tested
// without linking the provider SDKs the real one imports.
func Command(args []string, program pulumi.RunFunc, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("synth", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "the stack to synthesize (a Pulumi.<stack>.yaml)")
	all := flags.Bool("all", false, "synthesize every stack, each into <out>/<stack>")
	out := flags.String("out", "", "directory to write resources.yaml and kubernetes/ into (none: only print)")
	diff := flags.String("diff", "", "an earlier synth directory to compare with (with -all: one directory per stack)")
	root := flags.String("root", ".", "the repository root, where Pulumi.yaml is")
	criticalPath := flags.Bool("critical-path", false, "print the deploy's simulated critical path")
	latencies := flags.String("latencies", "", "with -critical-path: a file of TYPE=SECONDS lines overriding the latency table")
	withCost := flags.Bool("cost", false, "print the cost estimate (with -diff, also the cost difference)")
	usageFile := flags.String("usage", "", "with -cost: a usage file overriding the usage assumptions")
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
	prices, usage, err := costInputs(*withCost, *usageFile)
	if err != nil {
		return err
	}

	var results []*Result
	if *all {
		var err error
		if results, err = RunAll(*root, program); err != nil {
			return err
		}
		if *out != "" {
			if err := WriteAll(*out, results); err != nil {
				return err
			}
		}
	} else {
		r, err := Run(*root, *stack, program)
		if err != nil {
			return fmt.Errorf("stack %s: %w", *stack, err)
		}
		results = []*Result{r}
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
		var estimate *cost.Estimate
		if prices != nil {
			if estimate, err = r.Estimate(prices, usage); err != nil {
				return fmt.Errorf("stack %s: %w", r.Stack, err)
			}
			if err := estimate.Write(stdout); err != nil {
				return err
			}
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
		if estimate != nil {
			costChanges, err := costDiffWith(earlier, estimate, prices, usage)
			if err != nil {
				return fmt.Errorf("stack %s: %w", r.Stack, err)
			}
			fmt.Fprint(stdout, costChanges)
		}
	}
	if *criticalPath {
		fmt.Fprintln(stdout, "latency table:")
		table.Write(stdout)
	}
	return nil
}

// costInputs are the price table and the usage -cost prices with (nil
// without -cost).
func costInputs(withCost bool, usageFile string) (*cost.Table, *cost.Usage, error) {
	if !withCost {
		if usageFile != "" {
			return nil, nil, errors.New("-usage goes with -cost")
		}
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
