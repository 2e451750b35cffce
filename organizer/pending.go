package organizer

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// resolvePending resolves the pending operations an engine killed mid-update
// left in s's state (room.ResolvePending) with a refresh, before the update
// that follows: it clears the pending creates, which adoptOrphans then
// adopts the objects of, and reads what the others touched. It tells
// whether there was anything to resolve; r's Detail says what was done.
func (o *Organizer) resolvePending(ctx context.Context, s *auto.Stack, r *room.Result) (bool, error) {
	ws, ok := s.Workspace().(roomWorkspace)
	if !ok {
		return false, fmt.Errorf("stack %s: not in a room workspace", s.Name())
	}
	// Without --show-secrets: no passphrase key, and a name is no secret.
	export, _, err := ws.run(ctx, "stack", "export", "--stack", s.Name())
	if err != nil {
		return false, err
	}
	ops, err := room.ReadPendingOperations([]byte(export))
	if err != nil {
		return false, fmt.Errorf("stack %s: %w", s.Name(), err)
	}
	resolution := room.ResolvePending(ops)
	if resolution.Empty() {
		return false, nil
	}
	opts := []optrefresh.Option{optrefresh.ProgressStreams(o.progressWriter(s.Name()))}
	if len(resolution.Creates) > 0 {
		opts = append(opts, optrefresh.ClearPendingCreates())
	}
	if _, err := s.Refresh(ctx, opts...); err != nil {
		return true, fmt.Errorf("resolving the pending operations a killed engine left (%s): %w", resolution, err)
	}
	r.Note("resolved first: " + resolution.String())
	return true, nil
}
