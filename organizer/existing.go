package organizer

import (
	"context"
	"fmt"
	"os/exec"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// cluster runs op on the cluster stack: the Report's first row. A room on an
// existing cluster (room.Plan.Existing) has no cluster stack and no row,
// unless the state it was given holds a room that builds its cluster: its
// participants' stacks would move to the other cluster, so up and preview
// stop there, with a failed row that says so.
func (o *Organizer) cluster(ctx context.Context, op room.Operation, do func(*room.Result) error) room.Report {
	if o.plan.Existing == nil {
		return room.Report{o.run(ctx, op, o.clusterRow(), do)}
	}
	if op != room.OpUp && op != room.OpPreview {
		return nil
	}
	s, err := o.stack(ctx, room.ClusterStack, nil, false)
	if err == nil && s == nil {
		return nil
	}
	row := room.Result{Stack: room.ClusterStack, Status: room.StatusFailed, Err: err}
	if err == nil {
		row.Err = fmt.Errorf("the state %s holds stack %s, of a room that builds its cluster: with -kubeconfig its participants would move to %s; use another -state-dir (or -backend)",
			o.opts.Backend, room.ClusterStack, o.plan.Existing.Kubeconfig)
	}
	return room.Report{row}
}

// plugins are the pinned plugins the room's stacks load and the engine does
// not find on PATH (where it takes a plugin of any version, and says so).
// On an existing cluster that is the kubernetes provider's alone:
// participants build no image and create nothing in AWS.
func (o *Organizer) plugins() []room.Plugin {
	var out []room.Plugin
	for _, p := range o.opts.Plugins {
		if o.plan.Existing != nil && p.Name != "kubernetes" {
			continue
		}
		if _, err := exec.LookPath("pulumi-resource-" + p.Name); err == nil {
			continue
		}
		out = append(out, p)
	}
	return out
}
