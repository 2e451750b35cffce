package configdoc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const root = "../.."

// docs/deploying.md's configuration table is what Pulumi.yaml declares.
func TestConfigurationTableIsCurrent(t *testing.T) {
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, TableFile))
	if err != nil {
		t.Fatal(err)
	}
	table, err := Table(project)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Replace(string(readme), table)
	if err != nil {
		t.Fatal(err)
	}
	if want != string(readme) {
		t.Errorf("%s's configuration table is stale: run `%s`", TableFile, RefreshCommand)
	}
}

// docs/diagrams.md shows the diagrams of the committed synth of dev, prod
// and local, which the snapshot test keeps current with the program.
func TestDiagramsPageIsCurrent(t *testing.T) {
	read := func(stack, file string) ([]byte, error) {
		return os.ReadFile(filepath.Join(root, "testdata", "synth", stack, file))
	}
	want, err := Diagrams(read)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, DiagramsFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s is stale: run `%s`", DiagramsFile, RefreshCommand)
	}
	for _, stack := range DiagramStacks {
		if !strings.Contains(want, "## "+stack+"\n") || strings.Count(want, "```mermaid") != 2*len(DiagramStacks) {
			t.Errorf("the page lacks %s's two diagrams", stack)
		}
	}
	// Negative control: a changed diagram makes the page stale.
	changed, err := Diagrams(func(stack, file string) ([]byte, error) {
		b, err := read(stack, file)
		return append(b, '\n'), err
	})
	if err != nil || changed == want {
		t.Errorf("a changed diagram left the page as it was (%v)", err)
	}
}

func TestTableShowsEveryKeyInOrder(t *testing.T) {
	table, err := Table([]byte(`name: p
config:
  b:
    type: string
    description: "the | pipe
      and a fold"
    default: ""
  a:
    type: array
    description: A list.
    default: ["*"]
`))
	if err != nil {
		t.Fatal(err)
	}
	want := "| key | type | default | meaning |\n| --- | --- | --- | --- |\n" +
		"| `b` | string | `\"\"` | the \\| pipe and a fold |\n" +
		"| `a` | array | `[\"*\"]` | A list. |\n"
	if table != want {
		t.Errorf("table =\n%s\nwant\n%s", table, want)
	}
	// Negative control: a README whose table differs is not current.
	readme := "x\n" + Begin + "\nold\n" + End + "\ny\n"
	got, err := Replace(readme, table)
	if err != nil || got == readme || !strings.Contains(got, "`a`") || !strings.HasSuffix(got, End+"\ny\n") {
		t.Errorf("Replace = %q, %v", got, err)
	}
	if _, err := Replace("no markers", table); err == nil {
		t.Error("Replace accepted a README without markers")
	}
}
