// Command docs regenerates the generated parts of the documentation: the
// configuration table in docs/deploying.md, from Pulumi.yaml, and
// docs/diagrams.md, from each stack's committed synth. Run it from the
// repository root: go run ./cmd/docs
package main

import (
	"flag"
	"os"
	"path/filepath"

	"github.com/eks-workshop/eks-workshop/internal/cli"
	"github.com/eks-workshop/eks-workshop/internal/configdoc"
)

const usage = "usage: docs (run from the repository root; it takes no arguments)"

func main() {
	os.Exit(cli.Exit("docs", usage, nil, run(os.Args[1:]), os.Stdout, os.Stderr))
}

func run(args []string) error {
	flags := flag.NewFlagSet("docs", flag.ContinueOnError)
	if err := cli.Parse(flags, args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return cli.Usagef("unexpected arguments %q: docs takes none", flags.Args())
	}
	project, err := os.ReadFile("Pulumi.yaml")
	if err != nil {
		return cli.Usagef("no Pulumi.yaml here (%v): run docs from the repository root", err)
	}
	page, err := os.ReadFile(configdoc.TableFile)
	if err != nil {
		return err
	}
	table, err := configdoc.Table(project)
	if err != nil {
		return err
	}
	updated, err := configdoc.Replace(string(page), table)
	if err != nil {
		return err
	}
	if err := os.WriteFile(configdoc.TableFile, []byte(updated), 0o644); err != nil {
		return err
	}
	diagrams, err := configdoc.Diagrams(func(stack, file string) ([]byte, error) {
		return os.ReadFile(filepath.Join("testdata", "synth", stack, file))
	})
	if err != nil {
		return err
	}
	return os.WriteFile(configdoc.DiagramsFile, []byte(diagrams), 0o644)
}
