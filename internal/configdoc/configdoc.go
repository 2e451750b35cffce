// Package configdoc renders README.md's configuration table from
// Pulumi.yaml, the one place each key's type, description and default are
// written, in Pulumi.yaml's order. `go run ./cmd/docs` rewrites the table;
// a test fails while it is stale.
package configdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// The markers around the generated table in README.md.
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

// Replace puts table between the markers in readme.
func Replace(readme, table string) (string, error) {
	start := strings.Index(readme, Begin)
	end := strings.Index(readme, End)
	if start < 0 || end < start {
		return "", fmt.Errorf("README.md lacks the markers %q and %q", Begin, End)
	}
	return readme[:start+len(Begin)] + "\n" + table + readme[end:], nil
}
