package room

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
)

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
