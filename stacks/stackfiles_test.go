package stacks

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/eks-workshop/eks-workshop/synth"
)

var writeStackFiles = flag.Bool("stackfiles.write", false,
	"rewrite every Pulumi.<stack>.yaml in the form the Pulumi CLI writes it")

// stackFilesCommand puts the stack files in the CLI's form.
const stackFilesCommand = "go test ./stacks -run TestStackFilesAreInTheCLIsForm -args -stackfiles.write"

// The committed Pulumi.<stack>.yaml files are byte for byte what the
// Pulumi CLI writes when it saves them (workspace.ProjectStack's Save, as
// `pulumi stack init` and `pulumi config set` do: it keeps the comments and
// the order of the keys it loaded, and quotes every scalar it re-encodes,
// booleans and numbers included), so creating a stack adds the one line
// the passphrase provider needs, encryptionsalt, and changes nothing else.
func TestStackFilesAreInTheCLIsForm(t *testing.T) {
	project, err := synth.LoadProject(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	stacks, err := synth.Stacks(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range stacks {
		path := filepath.Join(repoRoot, "Pulumi."+stack+".yaml")
		committed, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		saved, salted := cliForms(t, project, committed)
		if *writeStackFiles {
			if err := os.WriteFile(path, saved, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if !bytes.Equal(saved, committed) {
			t.Errorf("%s is not in the form the Pulumi CLI writes; creating the stack would rewrite it as:\n%s\nrun: %s", filepath.Base(path), saved, stackFilesCommand)
		}
		if added := addedLines(committed, salted); len(added) != 1 || !strings.HasPrefix(added[0], "encryptionsalt: ") {
			t.Errorf("%s: creating the stack adds %q, want only the encryptionsalt line", filepath.Base(path), added)
		}
	}
	// Negative control: a boolean as a hand would write it, unquoted.
	handWritten := []byte("# the hardened variant\nconfig:\n  eks-workshop:protect: true\n")
	if saved, _ := cliForms(t, project, handWritten); bytes.Equal(saved, handWritten) {
		t.Error("a hand-written stack file passed as the CLI's form")
	}
}

// cliForms are a stack file as the CLI saves it, and as it saves it once
// `pulumi stack init` has set the passphrase provider's salt.
func cliForms(t *testing.T, project *workspace.Project, content []byte) (saved, salted []byte) {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "Pulumi.in.yaml")
	if err := os.WriteFile(in, content, 0o644); err != nil {
		t.Fatal(err)
	}
	ps, err := workspace.LoadProjectStack(nil, project, in)
	if err != nil {
		t.Fatal(err)
	}
	save := func(name string) []byte {
		out := filepath.Join(dir, name)
		if err := ps.Save(out); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	saved = save("Pulumi.saved.yaml")
	ps.EncryptionSalt = "v1:c2FsdA==:v1:bm9uY2U=:Y2lwaGVydGV4dA=="
	return saved, save("Pulumi.salted.yaml")
}

// addedLines are the lines of after that before lacks.
func addedLines(before, after []byte) []string {
	had := map[string]int{}
	for _, l := range strings.Split(string(before), "\n") {
		had[l]++
	}
	var added []string
	for _, l := range strings.Split(string(after), "\n") {
		if had[l] > 0 {
			had[l]--
			continue
		}
		added = append(added, l)
	}
	return added
}
