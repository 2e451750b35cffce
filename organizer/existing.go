package organizer

import (
	"context"
	"fmt"

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
