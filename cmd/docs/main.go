// Command docs regenerates README.md's configuration table from
// Pulumi.yaml. Run it from the repository root: go run ./cmd/docs
package main

import (
	"fmt"
	"os"

	"github.com/eks-workshop/eks-workshop/internal/configdoc"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "docs:", err)
		os.Exit(1)
	}
}

func run() error {
	project, err := os.ReadFile("Pulumi.yaml")
	if err != nil {
		return err
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		return err
	}
	table, err := configdoc.Table(project)
	if err != nil {
		return err
	}
	updated, err := configdoc.Replace(string(readme), table)
	if err != nil {
		return err
	}
	return os.WriteFile("README.md", []byte(updated), 0o644)
}
