// Package configdoc renders the generated parts of the documentation:
// the configuration table in docs/deploying.md, from Pulumi.yaml (the one
// place each key's type, description and default are written, in its
// order), and docs/diagrams.md, the Mermaid diagrams of each stack's
// committed synth. `go run ./cmd/docs` rewrites both; a test fails while
// either is stale.
package configdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// TableFile is the page holding the configuration table, DiagramsFile the
// page of diagrams, relative to the repository root.
const (
	TableFile    = "docs/deploying.md"
	DiagramsFile = "docs/diagrams.md"
)

// The markers around the generated table in TableFile.
const (
	Begin = "<!-- BEGIN CONFIG TABLE: generated from Pulumi.yaml by `go run ./cmd/docs`, do not edit -->"
	End   = "<!-- END CONFIG TABLE -->"
)

// RefreshCommand regenerates the table.
const RefreshCommand = "go run ./cmd/docs"

type key struct {
	Type        string `yaml:"type"`
	Description string `yaml:"description"`
	Default     any    `yaml:"default"`
}

// Table renders the config keys of a Pulumi.yaml as a Markdown table.
func Table(pulumiYAML []byte) (string, error) {
	var project struct {
		Config yaml.Node `yaml:"config"`
	}
	if err := yaml.Unmarshal(pulumiYAML, &project); err != nil {
		return "", fmt.Errorf("Pulumi.yaml: %w", err)
	}
	if project.Config.Kind != yaml.MappingNode {
		return "", fmt.Errorf("Pulumi.yaml declares no config keys")
	}
	var b strings.Builder
	b.WriteString("| key | type | default | meaning |\n| --- | --- | --- | --- |\n")
	nodes := project.Config.Content
	for i := 0; i+1 < len(nodes); i += 2 {
		var k key
		if err := nodes[i+1].Decode(&k); err != nil {
			return "", fmt.Errorf("Pulumi.yaml config %s: %w", nodes[i].Value, err)
		}
		def, err := defaultText(k.Default)
		if err != nil {
			return "", fmt.Errorf("Pulumi.yaml config %s: %w", nodes[i].Value, err)
		}
		description := strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(cell(k.Description)) // not HTML tags
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", nodes[i].Value, k.Type, def, description)
	}
	return b.String(), nil
}

// defaultText shows a default as code: strings as they are, everything else as JSON.
func defaultText(v any) (string, error) {
	if s, ok := v.(string); ok {
		if s == "" {
			return "`\"\"`", nil
		}
		return "`" + s + "`", nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return cell("`" + strings.TrimSpace(buf.String()) + "`"), nil
}

// cell makes text fit one Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

// Replace puts table between the markers in page.
func Replace(readme, table string) (string, error) {
	start := strings.Index(readme, Begin)
	end := strings.Index(readme, End)
	if start < 0 || end < start {
		return "", fmt.Errorf("%s lacks the markers %q and %q", TableFile, Begin, End)
	}
	return readme[:start+len(Begin)] + "\n" + table + readme[end:], nil
}

// DiagramStacks are the stacks whose diagrams DiagramsFile shows.
var DiagramStacks = []string{"dev", "prod", "local"}

// Diagrams renders DiagramsFile from each stack's diagram files, read by
// read(stack, file) from its committed synth (testdata/synth/<stack>/).
func Diagrams(read func(stack, file string) ([]byte, error)) (string, error) {
	var b strings.Builder
	b.WriteString(`# The plan's diagrams

[Documentation index](README.md)

<!-- generated from testdata/synth/<stack>/ by ` + "`" + RefreshCommand + "`" + `, do not edit -->

Each stack's components (an arrow from A to B: B waits for A) and the critical path of
its deploy under typical AWS creation times, as ` + "`go run ./cmd/synth -all -out testdata/synth`" + `
writes them (` + "`components.md`, `critical-path.md`" + `). The snapshot test keeps those files current
with the program, and a test keeps this page equal to them. See
[reviewing changes](reviewing.md#deploy-time-the-critical-path) for how the critical
path is computed.
`)
	for _, stack := range DiagramStacks {
		fmt.Fprintf(&b, "\n## %s\n", stack)
		for _, d := range []struct{ file, title string }{{"components.md", "Components"}, {"critical-path.md", "Critical path"}} {
			content, err := read(stack, d.file)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&b, "\n### %s: %s\n\n%s", stack, d.title, content)
		}
	}
	return b.String(), nil
}
