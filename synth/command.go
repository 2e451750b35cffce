package synth

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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
