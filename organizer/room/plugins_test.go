package room

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/tools"
)

// builtPlugins are the plugins PinnedPlugins finds in a build of pkg. (A
// test binary records no modules, and this one links no provider SDK:
// stacks.Program comes from cmd/organizer.)
func builtPlugins(t *testing.T, pkg string) []Plugin {
	return PluginsOf(tools.Modules(t, pkg))
}

// The plugins the organizer installs are the ones go.mod's SDKs register
// their resources with: each SDK module ships its plugin's name and version
// in pulumi-plugin.json.
func TestPinnedPluginsAreTheSDKsOwn(t *testing.T) {
	plugins := builtPlugins(t, "../../cmd/organizer")
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
		if (Plugin{Name: own.Name, Version: own.Version}) != p {
			t.Errorf("pinned %v, but the SDK registers resources with %s v%s", p, own.Name, own.Version)
		}
	}
}

// The control: the organizer alone links no provider SDK, so the plugins
// above are those of the program cmd/organizer passes it.
func TestTheOrganizerAloneHasNoPlugins(t *testing.T) {
	for _, pkg := range []string{"..", "."} {
		if plugins := builtPlugins(t, pkg); len(plugins) != 0 {
			t.Errorf("package %s links the SDKs of %v", pkg, plugins)
		}
	}
}

func TestPluginsOfReadsOnlyProviderSDKs(t *testing.T) {
	got := PluginsOf([]*debug.Module{
		{Path: "github.com/pulumi/pulumi/sdk/v3", Version: "v3.226.0"},
		{Path: "github.com/pulumi/pulumi-kubernetes/sdk/v4", Version: "v4.30.0"},
		{Path: "github.com/pulumi/pulumi-aws/sdk/v6", Version: "v6.83.2", Replace: &debug.Module{Path: "github.com/pulumi/pulumi-aws/sdk/v6", Version: "v6.84.0"}},
		{Path: "github.com/pulumi/pulumi-docker-build/sdk", Version: "v0.0.12"},
		{Path: "github.com/pulumi/esc", Version: "v0.17.0"},
	})
	want := []Plugin{{"aws", "6.84.0"}, {"docker-build", "0.0.12"}, {"kubernetes", "4.30.0"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("plugins %v, want %v", got, want)
	}
}

func TestMissingPluginErrorSaysWhichAndHow(t *testing.T) {
	engine := errors.New("error: could not load plugin for kubernetes provider 'default_4_30_0': no resource plugin 'pulumi-resource-kubernetes' found in the workspace at version v4.30.0")
	err := ExplainMissingPlugin(engine)
	var missing *MissingPluginError
	if !errors.As(err, &missing) || missing.Plugin != (Plugin{"kubernetes", "4.30.0"}) {
		t.Fatalf("%v: not read as the missing kubernetes v4.30.0", err)
	}
	for _, want := range []string{"kubernetes provider plugin v4.30.0 is not installed", "organizer plugins", "pulumi plugin install resource kubernetes 4.30.0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if !errors.Is(err, engine) {
		t.Error("the engine's error is not kept")
	}
	other := errors.New("error: update failed")
	if ExplainMissingPlugin(other) != other {
		t.Error("an unrelated error was rewritten")
	}
}
