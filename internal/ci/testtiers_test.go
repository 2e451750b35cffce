package ci

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// besideNames are the tests of tools/test.sh's organizer_beside pattern,
// which its Go tier runs in a second go test and skips in every package.
func besideNames(script string) ([]string, error) {
	m := regexp.MustCompile(`(?m)^organizer_beside='\^\(([\w|]+)\)\$'$`).FindStringSubmatch(script)
	if m == nil {
		return nil, fmt.Errorf("tools/test.sh sets no organizer_beside='^(TestA|TestB)$'")
	}
	return strings.Split(m[1], "|"), nil
}

// besideProblems names each of names that is not a test of package
// directory dir or is also a test elsewhere under root: the Go tier's
// -skip would drop such a test everywhere, and it would run nowhere.
func besideProblems(root, dir string, names []string) ([]string, error) {
	where := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		for _, name := range names {
			if regexp.MustCompile(`(?m)^func ` + name + `\(t \*testing\.T\)`).Match(b) {
				where[name] = append(where[name], filepath.ToSlash(rel))
			}
		}
		return nil
	})
	var problems []string
	for _, name := range names {
		if dirs := where[name]; !slices.Equal(dirs, []string{dir}) {
			problems = append(problems, fmt.Sprintf("%s is a test of %q, not of %s alone", name, dirs, dir))
		}
	}
	return problems, err
}

// The tests the Go tier runs beside the rest are the organizer's, and no
// other package has a test of the same name.
func TestTheTestsRunBesideTheGoTierAreTheOrganizersAlone(t *testing.T) {
	script, err := os.ReadFile(filepath.Join(root, "tools/test.sh"))
	if err != nil {
		t.Fatal(err)
	}
	names, err := besideNames(string(script))
	if err != nil {
		t.Fatal(err)
	}
	problems, err := besideProblems(root, "organizer", names)
	if err != nil || len(problems) > 0 {
		t.Errorf("tools/test.sh's organizer_beside: %v %q", err, problems)
	}
}

// The check's negative control: a name that is no test, and one that
// another package also has, are both named.
func TestBesideProblemsNamesAMissingAndASharedTest(t *testing.T) {
	dir := t.TempDir()
	for file, body := range map[string]string{
		"organizer/a_test.go": "package organizer\n\nfunc TestShared(t *testing.T) {}\n\nfunc TestOwn(t *testing.T) {}\n",
		"stacks/b_test.go":    "package stacks\n\nfunc TestShared(t *testing.T) {}\n",
	} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(file)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := besideProblems(dir, "organizer", []string{"TestOwn", "TestShared", "TestGone"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`TestShared is a test of ["organizer" "stacks"], not of organizer alone`,
		`TestGone is a test of [], not of organizer alone`,
	}
	if !slices.Equal(problems, want) {
		t.Errorf("problems %q, want %q", problems, want)
	}
	if _, err := besideNames("organizer_beside='TestA'\n"); err == nil {
		t.Error("an unanchored pattern was read as a list of names")
	}
}
