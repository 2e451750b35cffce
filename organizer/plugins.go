package organizer

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// installPlugins installs the plugins the workspace does not have yet, so a
// second run needs no network.
func installPlugins(ctx context.Context, ws auto.Workspace, plugins []room.Plugin) error {
	installed, err := ws.ListPlugins(ctx)
	if err != nil {
		return fmt.Errorf("listing installed plugins: %w", err)
	}
	have := map[room.Plugin]bool{}
	for _, p := range installed {
		if p.Version != nil {
			have[room.Plugin{Name: p.Name, Version: p.Version.String()}] = true
		}
	}
	for _, p := range plugins {
		if have[p] {
			continue
		}
		if err := ws.InstallPlugin(ctx, p.Name, p.Version); err != nil {
			return fmt.Errorf("installing the %s plugin (%s): %w", p, p.InstallCommand(), err)
		}
	}
	return nil
}
