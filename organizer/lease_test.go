package organizer

import (
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/eks-workshop/eks-workshop/internal/s3test"
	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// These need no Pulumi CLI: the lease is the organizer's own object in the
// backend, written with gocloud.dev/blob.

// leaseRoom is the room the lease tests' organizers run.
var leaseRoom = room.Room{Name: "lease-room"}

// leaseOrganizer is an organizer with just what the lease reads.
func leaseOrganizer(t *testing.T, backend string, wait, ttl time.Duration) (*Organizer, *strings.Builder) {
	t.Helper()
	if u, _ := url.Parse(backend); u.Scheme == "file" {
		if err := os.MkdirAll(u.Path, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	var notices strings.Builder
	o := &Organizer{opts: Options{Settings: room.Settings{Backend: backend, LeaseWait: wait, Room: leaseRoom}, LeaseTTL: ttl, Stop: NewStopper(), Notices: &syncWriter{w: &notices}}}
	return o, &notices
}

func readLease(t *testing.T, backend string) *room.Lease {
	t.Helper()
	if u, err := url.Parse(backend); err == nil && u.Scheme == "file" {
		if _, err := os.Stat(u.Path); errors.Is(err, fs.ErrNotExist) {
			return nil // no organizer has run on it yet
		}
	}
	b, err := openLeaseBucket(context.Background(), backend)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	h := &heldLease{bucket: b, key: room.LeaseKey(leaseRoom.Project())}
	l, err := h.read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func writeLease(t *testing.T, backend string, l room.Lease) {
	t.Helper()
	b, err := openLeaseBucket(context.Background(), backend)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.WriteAll(context.Background(), room.LeaseKey(leaseRoom.Project()), l.Encode(), &blob.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestLeaseAdmitsOneRunAndNamesTheHolderToTheOther(t *testing.T) {
	s3test.ForEachBackend(t, func(t *testing.T, b s3test.Backend) {
		ctx := context.Background()
		first, _ := leaseOrganizer(t, b.URL, 0, time.Minute)
		h, err := first.acquireLease(ctx, room.OpUp)
		if err != nil || h == nil {
			t.Fatalf("first run: %v", err)
		}
		held := readLease(t, b.URL)
		if held == nil || held.Operation != room.OpUp || !strings.Contains(held.Owner, "(pid ") {
			t.Fatalf("lease in the backend: %+v", held)
		}
		if b.S3 != nil {
			if keys := b.S3.Keys(t, "rooms/"); !contains(keys, "rooms/"+room.LeaseKey(leaseRoom.Project())) {
				t.Errorf("the lease is not under the backend URL's prefix: %v", keys)
			}
		}

		second, _ := leaseOrganizer(t, b.URL, 0, time.Minute)
		_, err = second.acquireLease(ctx, room.OpReap)
		var busy *room.BusyError
		if !errors.As(err, &busy) || busy.Holder.ID != held.ID || !strings.Contains(err.Error(), held.Owner) || !strings.Contains(err.Error(), "run up") {
			t.Fatalf("second run while the first holds the room: %v", err)
		}

		// A run that waits gets the room once the first lets go.
		waiting, notices := leaseOrganizer(t, b.URL, 20*time.Second, time.Minute)
		go func() {
			time.Sleep(time.Second)
			if err := h.release(ctx); err != nil {
				t.Error(err)
			}
		}()
		h2, err := waiting.acquireLease(ctx, room.OpDestroy)
		if err != nil {
			t.Fatalf("waiting run: %v", err)
		}
		if !strings.Contains(notices.String(), "waiting up to 20s for the room: "+held.Owner+" holds it for up") {
			t.Errorf("the waiting run did not say whom it waits for: %q", notices.String())
		}
		if got := readLease(t, b.URL); got == nil || got.Operation != room.OpDestroy {
			t.Errorf("lease after the hand-over: %+v", got)
		}
		if err := h2.release(ctx); err != nil {
			t.Fatal(err)
		}
		if got := readLease(t, b.URL); got != nil {
			t.Errorf("released lease still in the backend: %+v", got)
		}
	})
}

func TestLeaseOfManyRunsAtOnceGoesToExactlyOne(t *testing.T) {
	s3test.ForEachBackend(t, func(t *testing.T, b s3test.Backend) {
		const runs = 8
		var wg sync.WaitGroup
		var mu sync.Mutex
		var holders []*heldLease
		busy := 0
		for range runs {
			o, _ := leaseOrganizer(t, b.URL, 0, time.Minute)
			wg.Add(1)
			go func() {
				defer wg.Done()
				h, err := o.acquireLease(context.Background(), room.OpUp)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					holders = append(holders, h)
				case errors.Is(err, room.ErrRoomBusy):
					busy++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if len(holders) != 1 || busy != runs-1 {
			t.Fatalf("%d holders and %d refused of %d runs at once, want 1 and %d", len(holders), busy, runs, runs-1)
		}
		if err := holders[0].release(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestALapsedLeaseIsTakenOverAndALiveOneIsNot(t *testing.T) {
	s3test.ForEachBackend(t, func(t *testing.T, b s3test.Backend) {
		ctx := context.Background()
		o, notices := leaseOrganizer(t, b.URL, 0, time.Minute)
		// Control: a live lease of a run elsewhere keeps the room.
		writeLease(t, b.URL, room.NewLease("elsewhere", "ci@runner (pid 1)", room.OpReap, time.Now(), time.Minute))
		if _, err := o.acquireLease(ctx, room.OpUp); !errors.Is(err, room.ErrRoomBusy) {
			t.Fatalf("a live lease: %v", err)
		}
		// The same lease, lapsed: its holder died without letting go.
		writeLease(t, b.URL, room.NewLease("elsewhere", "ci@runner (pid 1)", room.OpReap, time.Now().Add(-time.Hour), time.Minute))
		h, err := o.acquireLease(ctx, room.OpUp)
		if err != nil {
			t.Fatalf("a lapsed lease: %v", err)
		}
		if !strings.Contains(notices.String(), "held by ci@runner (pid 1) for reap, lapsed at") {
			t.Errorf("the take-over was not said: %q", notices.String())
		}
		if got := readLease(t, b.URL); got == nil || got.ID == "elsewhere" {
			t.Errorf("lease after the take-over: %+v", got)
		}
		if err := h.release(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestALeaseIsRenewedAndItsLossStopsTheRun(t *testing.T) {
	s3test.ForEachBackend(t, func(t *testing.T, b s3test.Backend) {
		ctx := context.Background()
		const ttl = 900 * time.Millisecond
		o, _ := leaseOrganizer(t, b.URL, 0, ttl)
		h, err := o.acquireLease(ctx, room.OpUp)
		if err != nil {
			t.Fatal(err)
		}
		first := readLease(t, b.URL)
		// Three renewals per TTL: after two TTLs the lease is still ours, renewed.
		time.Sleep(2 * ttl)
		renewed := readLease(t, b.URL)
		if renewed == nil || renewed.ID != first.ID || !renewed.Expires.After(first.Expires.Add(ttl/2)) || o.opts.Stop.Stopped() {
			t.Fatalf("after two TTLs: %+v (first %+v), stopped %v", renewed, first, o.opts.Stop.Stopped())
		}
		// Someone takes the room: the next renewal finds out and stops the
		// run. The taker renews its lease as an organizer does: a renewal
		// that read ours just before the take-over writes ours back (the
		// backends have no compare-and-swap), and the taker's next renewal
		// is then what the run finds.
		thief := room.NewLease("thief", "bob@laptop (pid 9)", room.OpDestroy, time.Now(), time.Hour)
		for deadline := time.Now().Add(5 * ttl); !o.opts.Stop.Stopped(); time.Sleep(ttl / 9) {
			if time.Now().After(deadline) {
				t.Fatal("the loss of the lease did not stop the run")
			}
			writeLease(t, b.URL, thief)
		}
		if r := o.opts.Stop.Reason(); !strings.Contains(r, "bob@laptop (pid 9) took it for destroy") {
			t.Errorf("stop reason %q", r)
		}
		if err := h.release(ctx); !errors.Is(err, room.ErrLeaseLost) {
			t.Errorf("release of a lost lease: %v", err)
		}
		if got := readLease(t, b.URL); got == nil || got.ID != "thief" {
			t.Errorf("the release removed another's lease: %+v", got)
		}
	})
}

func TestABackendWithoutObjectsRunsWithoutALeaseAndSaysSo(t *testing.T) {
	o, notices := leaseOrganizer(t, "https://api.pulumi.com", 0, time.Minute)
	h, err := o.acquireLease(context.Background(), room.OpUp)
	if err != nil || h != nil || !strings.Contains(notices.String(), "holds no room-wide lease") {
		t.Errorf("%v, %v, %q", h, err, notices.String())
	}
	if err := h.release(context.Background()); err != nil {
		t.Error(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
