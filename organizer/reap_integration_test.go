//go:build integration

package organizer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eks-workshop/eks-workshop/internal/s3test"
	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// clock is a settable clock for the expiry comparisons.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// upWithTTL brings names up on o with ttl, at the clock's time.
func upWithTTL(t *testing.T, o *Organizer, ttl time.Duration, names ...string) {
	t.Helper()
	o.plan = testPlan(t, names...)
	o.opts.TTL = ttl
	report, err := o.Up(context.Background())
	if err != nil || report.Err() != nil {
		t.Fatal(err, report.Err())
	}
}

func TestReapDestroysOnlyExpiredStacksAndKeepsTheClusterWhileAParticipantRemains(t *testing.T) {
	s3test.ForEachBackend(t, func(t *testing.T, b s3test.Backend) { testReap(t, b.URL) })
}

func testReap(t *testing.T, backend string) {
	fake := &fakeRoom{}
	start := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	c := &clock{t: start}
	o := newTestOrganizer(t, testPlan(t), fake.program, func(opts *Options) { opts.Now = c.now; opts.Backend = backend })
	ctx := context.Background()

	// alice (and the cluster) expire at 11:00; carol, brought up an hour
	// later for 8h, at 18:00, and the cluster with her; dave, brought up with
	// alice, has his tag taken off: a stack with no expiry.
	upWithTTL(t, o, 2*time.Hour, "alice", "dave")
	ws, err := o.workspace(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.RemoveTag(ctx, "dave", room.ExpiryTag); err != nil {
		t.Fatal(err)
	}
	c.t = start.Add(time.Hour)
	upWithTTL(t, o, 8*time.Hour, "carol")

	// Status, from another machine: a fresh work directory on the same backend.
	elsewhere := o.opts
	elsewhere.WorkDir = filepath.Join(t.TempDir(), "elsewhere")
	remote, err := New(ctx, o.plan, elsewhere)
	if err != nil {
		t.Fatal(err)
	}
	remote.plan = testPlan(t, "alice", "carol", "dave")
	status, err := remote.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows := byStack(t, status)
	for name, want := range map[string]string{
		"alice": "expires in 1h0m (2026-12-04T11:00:00Z)", "carol": "expires in 8h0m (2026-12-04T18:00:00Z)",
		"dave": "no expiry", room.ClusterStack: "expires in 8h0m (2026-12-04T18:00:00Z)",
	} {
		if !strings.HasSuffix(rows[name].Detail, want) {
			t.Errorf("status of %s: %q, want it to end %q", name, rows[name].Detail, want)
		}
	}

	// At 12:00 alice is past her expiry; the dry run lists her only.
	c.t = start.Add(3 * time.Hour)
	report, err := remote.Reap(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	rows = byStack(t, report)
	for name, want := range map[string]room.Status{"alice": room.StatusExpired, "carol": room.StatusKept, "dave": room.StatusKept} {
		if rows[name].Status != want {
			t.Errorf("dry run, %s: %s, want %s", name, rows[name].Status, want)
		}
	}
	if got := backendNames(t, o); got != "alice carol dave workshop" {
		t.Fatalf("the dry run changed the backend: %s", got)
	}

	// The reap, from the other machine: exactly alice goes; the cluster
	// (re-tagged by carol's up to 18:00) stays.
	report, err = remote.Reap(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	rows = byStack(t, report)
	if got := rows["alice"]; got.Status != room.StatusDestroyed || got.Changes["delete"] != perStack {
		t.Errorf("alice: %+v, want destroyed with %d delete", got, perStack)
	}
	if got := rows[room.ClusterStack]; got.Status != room.StatusKept {
		t.Errorf("cluster before its expiry: %+v, want kept", got)
	}
	if got := backendNames(t, o); got != "carol dave workshop" {
		t.Errorf("after the reap the backend holds %s, want carol dave workshop", got)
	}

	// At 19:00 the cluster and carol are past their expiry, but dave, who
	// has none, still holds resources: carol goes, the cluster stays for him.
	c.t = start.Add(10 * time.Hour)
	report, err = remote.Reap(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	rows = byStack(t, report)
	if rows["carol"].Status != room.StatusDestroyed || rows["dave"].Status != room.StatusKept {
		t.Errorf("carol %s, dave %s: want destroyed, kept", rows["carol"].Status, rows["dave"].Status)
	}
	if got := rows[room.ClusterStack]; got.Status != room.StatusKept || !strings.Contains(got.Detail, "kept for 1 participant stack(s): dave") {
		t.Errorf("cluster with dave left: %+v", got)
	}

	// Once dave is destroyed by hand, the next reap takes the cluster.
	o.plan = testPlan(t, "dave")
	if report, err := o.Destroy(ctx); err != nil || report.Err() != nil {
		t.Fatal(err, report.Err())
	}
	report, err = remote.Reap(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	rows = byStack(t, report)
	if rows[room.ClusterStack].Status != room.StatusDestroyed || rows["dave"].Status != room.StatusKept {
		t.Errorf("cluster %s, dave (empty, no expiry) %s: want destroyed, kept", rows[room.ClusterStack].Status, rows["dave"].Status)
	}
	if got := backendNames(t, o); got != "dave" {
		t.Errorf("backend holds %s, want only dave's empty stack", got)
	}
}

// backendNames lists the backend's stacks.
func backendNames(t *testing.T, o *Organizer) string {
	t.Helper()
	stacks, err := o.roomExpiries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range stacks {
		names = append(names, s.Name)
	}
	return strings.Join(names, " ")
}

// The negative control for capacity: a room its nodes cannot hold is
// refused before any stack exists.
func TestUpRefusesARoomThatDoesNotFitBeforeAnyStackIsTouched(t *testing.T) {
	fake := &fakeRoom{}
	var names []string
	for i := range 30 {
		names = append(names, fmt.Sprintf("p%02d", i))
	}
	o := newTestOrganizer(t, testPlan(t, names...), fake.program, nil)
	report, err := o.Up(context.Background())
	var refused *room.CapacityError
	if !errors.As(err, &refused) || report != nil {
		t.Fatalf("30 participants on 5 × m5.large: report %v, error %v; want a CapacityError", report, err)
	}
	if got := backendNames(t, o); got != "" {
		t.Errorf("the refused up created stacks: %s", got)
	}
	// Control: a room of 10 passes the same check; every other test here is
	// such a room going ahead through Up.
	o.plan = testPlan(t, names[:10]...)
	if err := o.checkCapacity(); err != nil {
		t.Errorf("a room of 10 refused: %v", err)
	}
}

// Reap holds the room's lease: while an up holds it, reap stops and
// destroys nothing; and under the lease it reads each expiry again just
// before destroying, so an expiry extended after its list was read keeps
// the stack.
func TestReapTakesTheLeaseAndReadsTheExpiryAgainBeforeDestroying(t *testing.T) {
	s3test.ForEachBackend(t, func(t *testing.T, b s3test.Backend) {
		ctx := context.Background()
		start := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		c := &clock{t: start}
		o := newTestOrganizer(t, testPlan(t), (&fakeRoom{}).program, func(opts *Options) { opts.Now = c.now; opts.Backend = b.URL })
		upWithTTL(t, o, time.Hour, "alice", "bob")
		c.t = start.Add(2 * time.Hour)

		// Another run holds the room: the reap stops, naming it.
		other := backendOrganizer(t, b.URL)
		other.opts.Room = o.opts.Room // the same room: leases are per room
		h, err := other.acquireLease(ctx, room.OpUp)
		if err != nil {
			t.Fatal(err)
		}
		report, err := o.Reap(ctx, false)
		var busy *room.BusyError
		if !errors.As(err, &busy) || report != nil {
			t.Fatalf("reap while the room is held: %v, %v", report, err)
		}
		if got := backendNames(t, o); got != "alice bob workshop" {
			t.Fatalf("the refused reap changed the backend: %s", got)
		}
		if err := h.release(ctx); err != nil {
			t.Fatal(err)
		}

		// bob's expiry is extended between the reap's list and its destroys
		// (the clock's first reading comes after the list).
		extended := false
		o.opts.Now = func() time.Time {
			if !extended {
				extended = true
				ws, err := o.workspace(ctx, nil)
				if err == nil {
					err = ws.SetTag(ctx, "bob", room.ExpiryTag, room.FormatExpiry(start.Add(10*time.Hour)))
				}
				if err != nil {
					t.Error(err)
				}
			}
			return c.t
		}
		report, err = o.Reap(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		rows := byStack(t, report)
		if got := rows["alice"]; got.Status != room.StatusDestroyed {
			t.Errorf("alice: %+v, want destroyed", got)
		}
		if got := rows["bob"]; got.Status != room.StatusKept || !strings.Contains(got.Detail, "extended since the reap started") {
			t.Errorf("bob, extended under the reap: %+v, want kept", got)
		}
		if got := rows[room.ClusterStack]; got.Status != room.StatusKept || !strings.Contains(got.Detail, "kept for 1 participant stack(s): bob") {
			t.Errorf("the cluster, expired, with bob kept: %+v", got)
		}
		if got := backendNames(t, o); got != "bob workshop" {
			t.Errorf("backend after the reap: %s, want bob workshop", got)
		}
	})
}
