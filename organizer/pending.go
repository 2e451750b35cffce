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
	state, err := o.stackState(ctx, ws, s.Name())
	if err != nil {
		return false, err
	}
	ops, err := room.ReadPendingOperations(state)
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

// stackState is the stack's state: its checkpoint read from the backend,
// or when the CLI keeps it compressed, `pulumi stack export` (a CLI call
// that costs a room's up about half a CPU-second a participant). Without
// --show-secrets: no passphrase key, and a name is no secret.
func (o *Organizer) stackState(ctx context.Context, ws roomWorkspace, stack string) ([]byte, error) {
	checkpoint := room.StackCheckpoint(o.projectName(), stack)
	bucket, keys, err := o.backendKeys(ctx, checkpoint)
	if err != nil {
		return nil, fmt.Errorf("the state of stack %s: %w", stack, err)
	}
	defer bucket.Close()
	if room.OnlyUncompressed(keys, checkpoint) {
		return bucket.ReadAll(ctx, checkpoint)
	}
	export, _, err := ws.run(ctx, "stack", "export", "--stack", stack)
	return []byte(export), err
}
