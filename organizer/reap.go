package organizer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// checkReapBackend refuses a file backend whose directory does not exist:
// on a runner, where ORGANIZER_BACKEND_URL was unset or mistyped, the reap
// would create it empty, reap nothing and succeed.
func checkReapBackend(backend string) error {
	u, err := url.Parse(backend)
	if err != nil {
		return fmt.Errorf("-backend = %q: %w", backend, err)
	}
	if u.Scheme != "file" {
		return nil
	}
	if _, err := os.Stat(u.Path); err != nil {
		return fmt.Errorf("-backend = %q: reap wants a backend that exists (%v); it creates none", backend, err)
	}
	return nil
}

// now is the organizer's clock: Options.Now, or the wall clock.
func (o *Organizer) now() time.Time {
	if o.opts.Now != nil {
		return o.opts.Now()
	}
	return time.Now()
}

// checkCapacity refuses a room its node group cannot hold at the HPAs'
// minimum, before any stack is touched.
func (o *Organizer) checkCapacity() error {
	c, err := o.plan.Capacity()
	if errors.Is(err, room.ErrNodesUnknown) {
		return nil
	}
	if err != nil {
		return err
	}
	return c.Err()
}

// recordExpiry tags s with the expiry of this Up, when it has a TTL, and a
// stack joining the room without one with the room's (joinExpires). The
// tag is set before the update, so a stack whose update fails expires too.
func (o *Organizer) recordExpiry(ctx context.Context, s *auto.Stack, joining bool) error {
	expires := o.expires
	if expires.IsZero() && joining {
		expires = o.joinExpires
	}
	if expires.IsZero() {
		return nil
	}
	if err := s.Workspace().SetTag(ctx, s.Name(), room.ExpiryTag, room.FormatExpiry(expires)); err != nil {
		return fmt.Errorf("recording the stack's expiry: %w", err)
	}
	return nil
}

// stackExpiry reads a stack's expiry tag; no tag is a zero expiry.
func stackExpiry(ctx context.Context, ws auto.Workspace, name string) (room.StackExpiry, error) {
	tags, err := ws.ListTags(ctx, name)
	if err != nil {
		return room.StackExpiry{}, err
	}
	e := room.StackExpiry{Name: name}
	if v, ok := tags[room.ExpiryTag]; ok {
		if e.Expires, err = room.ParseExpiry(v); err != nil {
			return e, err
		}
	}
	return e, nil
}

// roomExpiries are the room's stacks as list found them, with their
// expiries; a tag that cannot be read is the stack's Err.
func (o *Organizer) roomExpiries(ctx context.Context) ([]room.StackExpiry, error) {
	if _, err := o.list(ctx); err != nil {
		return nil, err
	}
	ws, err := o.workspace(ctx, nil)
	if err != nil {
		return nil, err
	}
	var stacks []room.StackExpiry
	for _, name := range o.roomStacks() {
		e, err := stackExpiry(ctx, ws, name)
		e.Name, e.Err = name, err
		o.listedMu.Lock()
		e.Resources = o.resources[name]
		o.listedMu.Unlock()
		stacks = append(stacks, e)
	}
	return stacks, nil
}

// roomExpiry is the expiry a stack joining the room gets without a TTL of
// its own: the cluster stack's when the room has one, else the latest of
// its stacks'; zero when none has one.
func (o *Organizer) roomExpiry(ctx context.Context) (time.Time, error) {
	ws, err := o.workspace(ctx, nil)
	if err != nil {
		return time.Time{}, err
	}
	names := o.roomStacks()
	if cluster, _ := room.RoomStackNames(names); cluster {
		names = []string{room.ClusterStack}
	}
	var stacks []room.StackExpiry
	for _, name := range names {
		e, err := stackExpiry(ctx, ws, name)
		if err != nil {
			return time.Time{}, fmt.Errorf("the room's expiry, which a participant joining it gets: %w", err)
		}
		stacks = append(stacks, e)
	}
	return room.RoomExpiry(stacks), nil
}

// Reap destroys, and then removes from the backend, every participant stack
// of the room past its expiry (Parallel at a time), then the cluster stack
// if it is past its own and no participant stack holding resources is
// left. A stack whose expiry tag cannot be read is reported (failed) and
// kept, and keeps the cluster; the rest are reaped. With dryRun it only
// reports what it would do. It needs no participants list: the room's
// stacks and their tags are all it reads. It holds the room's lease
// throughout (a dry run too: what it lists is then what a reap would do),
// and reads each stack's expiry again just before destroying it.
func (o *Organizer) Reap(ctx context.Context, dryRun bool) (room.Report, error) {
	return o.withLease(ctx, room.OpReap, func() (room.Report, error) { return o.reapRoom(ctx, dryRun) })
}

// reapRoom is Reap, holding the room's lease.
func (o *Organizer) reapRoom(ctx context.Context, dryRun bool) (room.Report, error) {
	stacks, err := o.roomExpiries(ctx)
	if err != nil {
		return nil, err
	}
	now := o.now()
	plan := room.PlanReap(stacks, now)
	rows := make([]room.Result, 0, len(plan.Expired)+len(plan.Kept))
	for _, s := range append(append([]room.StackExpiry(nil), plan.Expired...), plan.Kept...) {
		rows = append(rows, room.Result{Stack: s.Name, Participant: s.Name, Detail: s.TimeLeft(now)})
	}
	byName := map[string]room.StackExpiry{}
	for _, s := range stacks {
		byName[s.Name] = s
	}
	report := o.runParticipants(ctx, room.OpReap, rows, func(r *room.Result) error {
		return o.reap(ctx, r, byName[r.Stack], now, dryRun)
	})
	blocking := plan.Blocking
	for _, r := range report {
		// A stack that failed, or whose expiry was extended under the reap.
		if r.Err != nil || (r.Status == room.StatusKept && byName[r.Stack].Expired(now)) {
			blocking = append(blocking, r.Stack)
		}
	}
	if plan.Cluster == nil {
		return report, nil
	}
	cluster := o.run(ctx, room.OpReap, room.Result{Stack: room.ClusterStack, Detail: plan.Cluster.TimeLeft(now)}, func(r *room.Result) error {
		if plan.Cluster.Expired(now) && len(blocking) > 0 {
			r.Status = room.StatusKept
			r.Detail += fmt.Sprintf("; kept for %d participant stack(s): %s", len(blocking), strings.Join(blocking, ", "))
			return nil
		}
		return o.reap(ctx, r, *plan.Cluster, now, dryRun)
	})
	return append(room.Report{cluster}, report...), nil
}

// reap destroys and removes one stack if it is past its expiry.
func (o *Organizer) reap(ctx context.Context, r *room.Result, s room.StackExpiry, now time.Time, dryRun bool) error {
	switch {
	case s.Err != nil:
		return fmt.Errorf("kept: %w", s.Err)
	case !s.Expired(now):
		r.Status = room.StatusKept
		return nil
	case dryRun:
		r.Status = room.StatusExpired
		return nil
	}
	ws, err := o.workspace(ctx, nil)
	if err != nil {
		return err
	}
	// Read again now: the list is as old as the reap.
	again, err := stackExpiry(ctx, ws, s.Name)
	if err != nil {
		return err
	}
	if !again.Expired(o.now()) {
		r.Status, r.Detail = room.StatusKept, again.TimeLeft(o.now())+" (extended since the reap started)"
		return nil
	}
	if err := o.destroy(ctx, r); err != nil {
		return err
	}
	if err := ws.RemoveStack(ctx, s.Name); err != nil {
		return fmt.Errorf("destroyed, but removing the stack: %w", err)
	}
	return nil
}
