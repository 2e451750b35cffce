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
		h, exists, err := o.handout(ctx, r.Participant)
		if err != nil {
			return err
		}
		if !exists {
			r.Status = room.StatusAbsent
			r.Detail = "no stack yet: run up first"
			return nil
		}
		r.Detail, err = room.WriteHandout(dir, h)
		return err
	}), nil
}

// handout is a participant's handout, with their stack's expiry, and
// whether their stack exists.
func (o *Organizer) handout(ctx context.Context, name string) (room.Handout, bool, error) {
	s, err := o.stack(ctx, name, nil, false)
	if err != nil || s == nil {
		return room.Handout{}, false, err
	}
	expiry, err := stackExpiry(ctx, s.Workspace(), name)
	if err != nil {
		return room.Handout{}, true, err
	}
	h, err := o.plan.Handout(name, expiry, o.now())
	if err != nil {
		return h, true, err
	}
	outputs, err := s.Outputs(ctx)
	h.URL = outputString(outputs, outputALBURL)
	return h, true, err
}
