package organizer

import (
	"context"
	"fmt"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// Adopt makes the plan's stacks the room's: the cluster stack (unless the
// room is on an existing cluster) and each participant named, nothing else.
// A stack of the room's project without the room's tag is tagged; one of the
// project eks-workshop (a room made before rooms had names) is renamed
// into the room's project, then tagged. A stack already another room's is
// refused; one not found is reported absent. With DryRun it reports what it
// would do and changes nothing. The team's dev, prod and local are never
// named: the plan refuses participants of those names.
func (o *Organizer) Adopt(ctx context.Context) (room.Report, error) {
	stacks, err := o.list(ctx)
	if err != nil {
		return nil, err
	}
	inProject := map[string]bool{}
	for _, s := range stacks {
		inProject[s.Name] = true
	}
	all, err := o.listStacks(ctx, "--all")
	if err != nil {
		return nil, err
	}
	legacy := map[string]string{} // name: organization/eks-workshop/name
	for _, s := range all {
		if _, project, name := room.QualifiedStack(s.Name); project == room.LegacyProject {
			legacy[name] = s.Name
		}
	}
	rows := o.participantRows()
	if o.plan.Existing == nil {
		rows = append([]room.Result{o.clusterRow()}, rows...)
	}
	return o.runParticipants(ctx, room.OpAdopt, rows, func(r *room.Result) error {
		switch {
		case o.isListed(r.Stack):
			r.Status = room.StatusRoomsOwn
			return nil
		case inProject[r.Stack]:
			return o.adopt(ctx, r, "")
		case legacy[r.Stack] != "":
			return o.adopt(ctx, r, legacy[r.Stack])
		}
		r.Status = room.StatusAbsent
		return nil
	}), nil
}

// adopt tags r's stack with the room, after renaming it into the room's
// project from from (its fully qualified name) when from is set.
func (o *Organizer) adopt(ctx context.Context, r *room.Result, from string) error {
	ws, err := o.workspace(ctx, nil)
	if err != nil {
		return err
	}
	current := r.Stack
	if from != "" {
		current = from
		r.Detail = "from " + from
	}
	tags, err := ws.ListTags(ctx, current)
	if err != nil {
		return err
	}
	if owner, ok := tags[room.RoomTag]; ok && owner != o.opts.Room.Name {
		return fmt.Errorf("stack %s is room %s's (%s=%s): not adopted", current, owner, room.RoomTag, owner)
	}
	if o.opts.DryRun {
		r.Status = room.StatusWouldAdopt
		return nil
	}
	if from != "" {
		org, _, _ := room.QualifiedStack(from)
		to := org + "/" + o.opts.Room.Project() + "/" + r.Stack
		if _, _, err := ws.run(ctx, "stack", "rename", to, "--stack", from); err != nil {
			return fmt.Errorf("moving %s into the room's project: %w", from, err)
		}
	}
	if err := ws.SetTag(ctx, r.Stack, room.RoomTag, o.opts.Room.Name); err != nil {
		return fmt.Errorf("tagging %s with its room (%s): %w", r.Stack, o.opts.Room.TagFilter(), err)
	}
	o.markListed(r.Stack)
	r.Status = room.StatusAdopted
	return nil
}
