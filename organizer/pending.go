package organizer

import (
	"context"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// resolvePending resolves the pending operations an engine killed mid-update
// left in s's state (room.ResolvePending) with a refresh, before the update
// that follows: pending creates whose object's ID is known are imported (the
// refresh keeps each object that exists, so the update does not create it a
// second time), the others cleared. r's Detail says what was done.
func (o *Organizer) resolvePending(ctx context.Context, s *auto.Stack, r *room.Result) error {
	ws, ok := s.Workspace().(roomWorkspace)
	if !ok {
		return fmt.Errorf("stack %s: not in a room workspace", s.Name())
	}
	// Without --show-secrets: no passphrase key, and a name is no secret.
	export, _, err := ws.run(ctx, "stack", "export", "--stack", s.Name())
	if err != nil {
		return err
	}
	ops, err := room.ReadPendingOperations([]byte(export))
	if err != nil {
		return fmt.Errorf("stack %s: %w", s.Name(), err)
	}
	resolution := room.ResolvePending(ops)
	if resolution.Empty() {
		return nil
	}
	opts := []optrefresh.Option{optrefresh.ProgressStreams(o.progressWriter(s.Name()))}
	if len(resolution.Imports) > 0 {
		imports := make([]optrefresh.PendingCreate, len(resolution.Imports))
		for i, im := range resolution.Imports {
			imports[i] = optrefresh.PendingCreate{URN: im.URN, ID: im.ID}
		}
		opts = append(opts, optrefresh.ImportPendingCreates(imports))
	}
	if len(resolution.Cleared) > 0 {
		opts = append(opts, optrefresh.ClearPendingCreates())
	}
	if _, err := s.Refresh(ctx, opts...); err != nil {
		return fmt.Errorf("resolving the pending operations a killed engine left (%s): %w", resolution, err)
	}
	r.Detail = strings.TrimPrefix(r.Detail+"; resolved first: "+resolution.String(), "; ")
	return nil
}
