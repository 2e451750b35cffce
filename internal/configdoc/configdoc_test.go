package configdoc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const root = "../.."

// README.md's configuration table is what Pulumi.yaml declares.
func TestReadmeTableIsCurrent(t *testing.T) {
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
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
		t.Errorf("README.md's configuration table is stale: run `%s`", RefreshCommand)
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
