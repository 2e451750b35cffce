package room

import (
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
)

// Plugin is a provider plugin at a version.
type Plugin struct {
	Name, Version string
}

func (p Plugin) String() string { return p.Name + " v" + p.Version }

// InstallCommand is how a person installs the plugin by hand.
func (p Plugin) InstallCommand() string {
	return fmt.Sprintf("pulumi plugin install resource %s %s", p.Name, p.Version)
}

// providerSDK matches the Go SDK module of a Pulumi provider; its version is
// the plugin's (each SDK registers its resources at exactly that version).
var providerSDK = regexp.MustCompile(`^github\.com/pulumi/pulumi-([a-z0-9-]+)/sdk(/v\d+)?$`)

// PinnedPlugins are the provider plugins this binary's SDKs register
// resources with: aws, docker, eks, kubernetes at the versions go.mod pins,
// read from the module information Go builds into the binary. The engine
// loads exactly these versions, so they are installed up front.
func PinnedPlugins() ([]Plugin, error) {
	info, ok := debug.ReadBuildInfo()
	var plugins []Plugin
	if ok {
		plugins = PluginsOf(info.Deps)
	}
	if len(plugins) == 0 {
		return nil, errors.New("this binary carries no module information to tell the pinned provider plugins from: build it with go build or go install")
	}
	return plugins, nil
}

// PluginsOf are the provider plugins whose SDKs are among deps, a binary's
// modules.
func PluginsOf(deps []*debug.Module) []Plugin {
	var plugins []Plugin
	for _, m := range deps {
		if m.Replace != nil {
			m = m.Replace
		}
		if match := providerSDK.FindStringSubmatch(m.Path); match != nil {
			plugins = append(plugins, Plugin{Name: match[1], Version: strings.TrimPrefix(m.Version, "v")})
		}
	}
	sort.Slice(plugins, func(i, j int) bool { return plugins[i].Name < plugins[j].Name })
	return plugins
}

// missingPlugin finds the engine's report of a provider plugin it could not
// load ("no resource plugin 'pulumi-resource-aws' found in the workspace at
// version v6.83.2").
var missingPlugin = regexp.MustCompile(`no resource plugin 'pulumi-resource-([a-z0-9-]+)' found in the workspace(?: at version v([0-9A-Za-z.+-]+))?`)

// MissingPluginError is an operation that stopped because a provider plugin
// is not installed.
type MissingPluginError struct {
	Plugin Plugin
	Err    error
}

func (e *MissingPluginError) Error() string {
	return fmt.Sprintf("the %s provider plugin v%s is not installed: run `organizer plugins` to install the pinned plugins, or `%s`",
		e.Plugin.Name, e.Plugin.Version, e.Plugin.InstallCommand())
}

func (e *MissingPluginError) Unwrap() error { return e.Err }

// ExplainMissingPlugin turns the engine's missing-plugin failure into a
// MissingPluginError; other errors pass through.
func ExplainMissingPlugin(err error) error {
	if err == nil {
		return nil
	}
	match := missingPlugin.FindStringSubmatch(err.Error())
	if match == nil {
		return err
	}
	return &MissingPluginError{Plugin: Plugin{Name: match[1], Version: match[2]}, Err: err}
}
