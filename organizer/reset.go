package organizer

import (
	"context"
	"fmt"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// opReset is reset's row operation.
const opReset room.Operation = room.CommandReset

// Reset puts the named participants' environments back to where up left
// them first: each stack is destroyed (its namespace with everything the
// participant made in it) and brought up again with the plan's program.
// Nothing else is touched: not the cluster stack, not another participant.
// It refuses what up refuses (a room that does not fit, a cluster that is
// not up) and reports as up does, a row per participant.
func (o *Organizer) Reset(ctx context.Context, names []string) (room.Report, error) {
	selected, err := o.plan.SelectParticipants(names)
	if err != nil {
		return nil, err
	}
	if err := o.checkCapacity(); err != nil {
		return nil, err
	}
	if err := o.InstallPlugins(ctx); err != nil {
		return nil, err
	}
	outputs, clusterErr := o.clusterOutputs(ctx)
	rows := make([]room.Result, len(selected))
	for i, p := range selected {
		rows[i] = room.Result{Stack: p.Name, Participant: p.Name, Namespace: p.EnvironmentNamespace()}
	}
	o.listStacks(ctx)
	return o.runParticipants(ctx, opReset, rows, func(r *room.Result) error {
		if clusterErr != nil {
			r.Status = room.StatusSkipped
			return fmt.Errorf("the cluster is not up (%w)", clusterErr)
		}
		cfg, err := o.plan.ParticipantConfig(r.Stack, outputs)
		if err != nil {
			return err
		}
		if err := o.destroy(ctx, r); err != nil {
			return fmt.Errorf("destroying: %w", err)
		}
		destroyed := r.Changes["delete"]
		r.Status = ""
		if err := o.up(ctx, r, cfg); err != nil {
			return fmt.Errorf("bringing up again: %w", err)
		}
		r.Detail = fmt.Sprintf("%d deleted first", destroyed)
		return nil
	}), nil
}
