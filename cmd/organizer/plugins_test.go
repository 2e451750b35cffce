package main

// The module-graph checks of the plugins cmd/organizer installs. They live
// here, beside the binary they build, rather than in organizer/room: each
// runs the go command for seconds, which every mutant of organizer/room's
// mutation run would pay again.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/tools"
	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// builtPlugins are the plugins PinnedPlugins finds in a build of pkg (a
// test binary records no modules, so the package is built).
func builtPlugins(t *testing.T, pkg string) []room.Plugin {
	return room.PluginsOf(tools.Modules(t, pkg))
}

// The plugins the organizer installs are the ones go.mod's SDKs register
// their resources with: each SDK module ships its plugin's name and version
// in pulumi-plugin.json.
func TestPinnedPluginsAreTheSDKsOwn(t *testing.T) {
	plugins := builtPlugins(t, ".")
	names := map[string]bool{}
	for _, p := range plugins {
		names[p.Name] = true
	}
	for _, want := range []string{"aws", "docker", "eks", "kubernetes"} {
		if !names[want] {
			t.Errorf("no pinned %s plugin in %v", want, plugins)
		}
	}
	for _, p := range plugins {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/pulumi/pulumi-"+p.Name+"/sdk/v"+strings.Split(p.Version, ".")[0]).Output()
		if err != nil {
			t.Fatalf("%s: go list: %v", p, err)
		}
		matches, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "go", "*", "pulumi-plugin.json"))
		if len(matches) != 1 {
			t.Fatalf("%s: want one pulumi-plugin.json in the SDK, found %v", p, matches)
		}
		data, err := os.ReadFile(matches[0])
		if err != nil {
			t.Fatal(err)
		}
		var own struct{ Name, Version string }
		if err := json.Unmarshal(data, &own); err != nil {
			t.Fatal(err)
		}
		if (room.Plugin{Name: own.Name, Version: own.Version}) != p {
			t.Errorf("pinned %v, but the SDK registers resources with %s v%s", p, own.Name, own.Version)
		}
	}
}

// The control: the organizer alone links no provider SDK, so the plugins
// above are those of the program cmd/organizer passes it.
func TestTheOrganizerAloneHasNoPlugins(t *testing.T) {
	for _, pkg := range []string{"../../organizer", "../../organizer/room"} {
		if plugins := builtPlugins(t, pkg); len(plugins) != 0 {
			t.Errorf("package %s links the SDKs of %v", pkg, plugins)
		}
	}
}
