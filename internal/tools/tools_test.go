package tools

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestVersionsAreParsedFromTheOneFile(t *testing.T) {
	v := Versions()
	for _, kit := range []string{"kubernetes", "kwok", "kube-score", "actionlint", "pulumi", "pulumi-kubernetes", "gremlins"} {
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

// TestInstallShInstallsEveryKit: a kit versions.env pins that tools/install.sh
// does not build would make Require fail in CI with no way to install it.
func TestInstallShInstallsEveryKit(t *testing.T) {
	script, err := os.ReadFile("../../tools/install.sh")
	if err != nil {
		t.Fatal(err)
	}
	all := regexp.MustCompile(`kits=\(([a-z -]+)\)`).FindSubmatch(script)
	if all == nil {
		t.Fatal("tools/install.sh has no default kits=(...) list")
	}
	defaults := strings.Fields(string(all[1]))
	for kit := range Versions() {
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(kit) + `\) `).Match(script) {
			t.Errorf("tools/install.sh has no case for kit %q", kit)
		}
		if !contains(defaults, kit) {
			t.Errorf("tools/install.sh's default kits %v leave out %q", defaults, kit)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// recorder is a testing.TB that records Skip and Fatal and, like the real
// ones, ends the calling goroutine there. Require calls no other method.
type recorder struct {
	testing.TB
	skipped, fatal string
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) {
	r.fatal = fmt.Sprint(args...)
	runtime.Goexit()
}

// require runs Require on a recorder in its own goroutine, as the testing
// package runs a test, so that Skip and Fatal can end it.
func require(binaries ...string) (*recorder, map[string]string) {
	r := &recorder{}
	var paths map[string]string
	done := make(chan struct{})
	go func() {
		defer close(done)
		paths = Require(r, binaries...)
	}()
	<-done
	return r, paths
}

// TestRequireFailsInCIAndSkipsElsewhere is the promise .ci/run relies on: under
// EKS_WORKSHOP_REQUIRE_TOOLS=1 a missing tool fails its test, never skips it.
func TestRequireFailsInCIAndSkipsElsewhere(t *testing.T) {
	t.Setenv(EnvDir, t.TempDir())
	installed := filepath.Join(KitDir("kwok"), "kwok")
	if err := os.MkdirAll(filepath.Dir(installed), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(installed, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	missing := "kube-score " + Versions()["kube-score"] + " is not installed"

	t.Setenv(EnvRequire, "1")
	r, _ := require("kwok", "kube-score")
	if !strings.Contains(r.fatal, missing) || !strings.Contains(r.fatal, "bash tools/install.sh kube-score") || r.skipped != "" {
		t.Errorf("%s=1, kube-score missing: Fatal(%q), Skip(%q); want Fatal naming it and its install command, no Skip", EnvRequire, r.fatal, r.skipped)
	}

	for _, value := range []string{"", "0"} {
		t.Setenv(EnvRequire, value)
		r, _ = require("kwok", "kube-score")
		if !strings.Contains(r.skipped, missing) || r.fatal != "" {
			t.Errorf("%s=%q, kube-score missing: Skip(%q), Fatal(%q); want a Skip naming it", EnvRequire, value, r.skipped, r.fatal)
		}
	}

	// Negative control: with every tool installed, Require neither fails nor skips.
	t.Setenv(EnvRequire, "1")
	r, paths := require("kwok")
	if r.fatal != "" || r.skipped != "" || paths["kwok"] != installed {
		t.Errorf("%s=1, kwok installed: Fatal(%q), Skip(%q), paths %v; want %s and neither", EnvRequire, r.fatal, r.skipped, paths, installed)
	}
}
