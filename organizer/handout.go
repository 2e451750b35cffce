package organizer

import (
	"context"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// opHandout is the handout command's row operation.
const opHandout room.Operation = room.CommandHandout

// Handouts writes every participant's handout into dir (room.Handout: their
// namespace, how to reach it, how to open their apps, their expiry). A
// participant whose stack does not exist yet gets none: their row says so.
func (o *Organizer) Handouts(ctx context.Context, dir string) (room.Report, error) {
	return o.runParticipants(ctx, opHandout, o.participantRows(), func(r *room.Result) error {
		s, err := o.stack(ctx, r.Stack, nil, false)
		if err != nil {
			return err
		}
		if s == nil {
			r.Status = room.StatusAbsent
			r.Detail = "no stack yet: run up first"
			return nil
		}
		expiry, err := stackExpiry(ctx, s.Workspace(), r.Stack)
		if err != nil {
			return err
		}
		h, err := o.plan.Handout(r.Participant, expiry, o.now())
		if err != nil {
			return err
		}
		r.Detail, err = room.WriteHandout(dir, h)
		return err
	}), nil
}
