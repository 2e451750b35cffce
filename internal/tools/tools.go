// Package tools finds the pinned binaries the integration tests run
// (kube-apiserver, kwok, kube-score, the Pulumi CLI, ...). tools/install.sh
// builds them from the Go module proxy into Dir(), one directory per kit and
// version; etcd comes from Debian's etcd-server package on PATH.
package tools

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

//go:embed versions.env
var versionsEnv string

// EnvDir overrides where the tools are installed.
const EnvDir = "EKS_WORKSHOP_TOOLS"

// EnvRequire, set to 1 (as .ci/run does), turns a missing tool from a skip
// into a failure, so CI cannot pass with the integration tiers skipped.
const EnvRequire = "EKS_WORKSHOP_REQUIRE_TOOLS"

// kits maps each binary to the kit that installs it; the kit's directory is
// <Dir>/<kit>-<version>. Binaries not listed here are looked up on PATH.
var kits = map[string]string{
	"kube-apiserver":             "kubernetes",
	"kube-controller-manager":    "kubernetes",
	"kube-scheduler":             "kubernetes",
	"kwok":                       "kwok",
	"kube-score":                 "kube-score",
	"actionlint":                 "actionlint",
	"pulumi":                     "pulumi",
	"pulumi-resource-kubernetes": "pulumi-kubernetes",
}

// Versions returns the pinned versions by kit ("kubernetes": "v1.33.4").
func Versions() map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(versionsEnv, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, _ := strings.Cut(line, "=")
		kit := strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(key, "_VERSION"), "_", "-"))
		out[kit] = value
	}
	return out
}

// Dir is where tools/install.sh puts the kits: $EKS_WORKSHOP_TOOLS, or
// eks-workshop/tools in the user's cache directory.
func Dir() string {
	if dir := os.Getenv(EnvDir); dir != "" {
		return dir
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "eks-workshop", "tools")
}

// KitDir is the directory of one kit at its pinned version.
func KitDir(kit string) string {
	return filepath.Join(Dir(), kit+"-"+Versions()[kit])
}

// Path returns the binary's path, or an error that says how to install it.
func Path(binary string) (string, error) {
	kit, ok := kits[binary]
	if !ok {
		path, err := exec.LookPath(binary)
		if err != nil {
			return "", fmt.Errorf("%s is not on PATH (apt-get install etcd-server for etcd)", binary)
		}
		return path, nil
	}
	path := filepath.Join(KitDir(kit), binary)
	if info, err := os.Stat(path); err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s %s is not installed at %s; run: bash tools/install.sh %s", binary, Versions()[kit], path, kit)
	}
	return path, nil
}

// Require returns the paths of the binaries by name. When one is missing the
// test is skipped with the install command, or fails under EKS_WORKSHOP_REQUIRE_TOOLS=1.
func Require(t testing.TB, binaries ...string) map[string]string {
	t.Helper()
	paths := map[string]string{}
	var missing []string
	for _, b := range binaries {
		path, err := Path(b)
		if err != nil {
			missing = append(missing, err.Error())
			continue
		}
		paths[b] = path
	}
	if len(missing) > 0 {
		msg := "missing tools:\n  " + strings.Join(missing, "\n  ")
		if os.Getenv(EnvRequire) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return paths
}

// Modules are the modules a build of pkg links, as Go records them in the
// binary (debug.BuildInfo's Deps), read with the go command.
func Modules(t testing.TB, pkg string) []*debug.Module {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{with .Module}}{{.Path}} {{.Version}}{{end}}", pkg).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var deps []*debug.Module
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, version, ok := strings.Cut(line, " "); ok && version != "" {
			deps = append(deps, &debug.Module{Path: path, Version: version})
		}
	}
	return deps
}
