package doccheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const root = "../.."

// userDocs are the files a user reads: README.md, the docs/ pages and the
// project's conventions files.
func userDocs(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md", "CONTRIBUTING.md", "CHANGELOG.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, _ := filepath.Rel(root, path)
			files = append(files, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// No user document refers to the issue tracker or reads like a diary.
func TestDocsSpeakToTheUser(t *testing.T) {
	for _, file := range userDocs(t) {
		text, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range Find(string(text)) {
			t.Errorf("%s %s", file, f)
		}
	}
}

func TestFindCatchesEachRule(t *testing.T) {
	for _, bad := range []string{
		"the lifecycle of issue 16",
		"see Issue #27",
		"issues 11 and 12",
		"(#27) fixed",
		"as the issue asks",
		"Measured on this 2-core machine idle",
		"on this machine",
		"recorded while the default was 1.33",
		"while other sessions' builds ran",
		"seven other engineers",
		"slower that afternoon",
		"on a faster morning",
		"My own builds ran beside it",
		"I measured it twice",
	} {
		if got := Find("fine line\n" + bad); len(got) == 0 || got[0].Line != 2 {
			t.Errorf("Find(%q) = %v, want a finding on line 2", bad, got)
		}
	}
	// Negative controls: what documentation may say.
	for _, good := range []string{
		"Measured on a 2-core x86-64 machine with nothing else running (2026-12-04).",
		"kubernetes-sigs/aws-load-balancer-controller#4140 and aws/eks-charts#1058",
		"images for the architecture of the machine that runs pulumi up",
		"issuer https://kubernetes.default.svc.cluster.local",
		"`organizer status` adds each stack's time left",
	} {
		if got := Find(good); len(got) > 0 {
			t.Errorf("Find(%q) = %v, want nothing", good, got)
		}
	}
}
