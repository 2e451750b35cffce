package tools

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionsAreParsedFromTheOneFile(t *testing.T) {
	v := Versions()
	for _, kit := range []string{"kubernetes", "kwok", "kube-score", "actionlint", "pulumi", "pulumi-kubernetes"} {
		if !strings.HasPrefix(v[kit], "v") {
			t.Errorf("version of %s = %q, want a pinned vX.Y.Z", kit, v[kit])
		}
	}
	for binary, kit := range kits {
		if v[kit] == "" {
			t.Errorf("%s belongs to kit %q, which versions.env does not pin", binary, kit)
		}
	}
}

func TestPathFindsAnInstalledKitAndNamesTheInstallCommandOtherwise(t *testing.T) {
	t.Setenv(EnvDir, t.TempDir())
	_, err := Path("kube-score")
	if err == nil || !strings.Contains(err.Error(), "bash tools/install.sh kube-score") {
		t.Fatalf("missing kube-score: err = %v, want the install command", err)
	}
	bin := filepath.Join(KitDir("kube-score"), "kube-score")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := Path("kube-score"); err != nil || got != bin {
		t.Fatalf("Path(kube-score) = %q, %v; want %q", got, err, bin)
	}
}
