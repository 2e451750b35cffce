package organizer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// backends
	_ "gocloud.dev/blob/s3blob"   // s3:// backends
	"gocloud.dev/gcerrors"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// The room's lease (room.Lease) lives in the state backend as one object,
// written with gocloud.dev/blob, the library the Pulumi CLI reaches file://
// and s3:// backends with. It is created only if absent, so of two runs
// that want the room one gets it: on S3 by a conditional write
// (If-None-Match: *); on a file backend by a hard link of a complete file,
// which fails if the name exists (fileblob's own conditional write checks,
// then renames: two writers can both pass the check). The holder renews it a few times per TTL and checks,
// each time, that it is still its own; a lease not renewed lapses, and the
// next run takes it over.

// leaseCallTimeout bounds each read or write of the lease.
const leaseCallTimeout = 30 * time.Second

// leasePoll is how often a run waiting for the room looks again.
const leasePoll = 2 * time.Second

// heldLease is a lease this organizer holds, renewed until released.
type heldLease struct {
	bucket *blob.Bucket
	// dir is a file backend's directory, "" for S3.
	dir   string
	key   string
	ttl   time.Duration
	mu    sync.Mutex
	lease room.Lease
	// lost is set when a renewal found the lease gone or another's.
	lost error
	done chan struct{}
	wg   sync.WaitGroup
}

// openLeaseBucket opens the backend's bucket: a file:// directory, or an
// s3:// bucket whose URL path is the prefix the CLI keeps the state under.
func openLeaseBucket(ctx context.Context, backend string) (*blob.Bucket, error) {
	u, err := url.Parse(backend)
	if err != nil {
		return nil, fmt.Errorf("state backend %s: %w", backend, err)
	}
	if u.Scheme == "file" {
		// No sidecar attribute files: a reader could find one half written.
		q := u.Query()
		q.Set("metadata", "skip")
		u.RawQuery = q.Encode()
		return blob.OpenBucket(ctx, u.String())
	}
	prefix := strings.Trim(u.Path, "/")
	u.Path = ""
	b, err := blob.OpenBucket(ctx, u.String())
	if err != nil || prefix == "" {
		return b, err
	}
	return blob.PrefixedBucket(b, prefix+"/"), nil
}

// leaseKey is the object of this organizer's room.
func (o *Organizer) leaseKey() string { return room.LeaseKey(o.opts.Room.Project()) }

// acquireLease takes the room for op, waiting up to Options.LeaseWait for a
// holder to let go; it fails with a *room.BusyError naming the holder.
// Only the backends the organizer writes objects to (file://, s3://) are
// leased; on another (the Pulumi Cloud, which locks each stack during an
// update itself) the organizer says so and runs without one.
func (o *Organizer) acquireLease(ctx context.Context, op room.Operation) (*heldLease, error) {
	if u, err := url.Parse(o.opts.Backend); err != nil || (u.Scheme != "file" && u.Scheme != "s3") {
		o.notice("the backend %s holds no room-wide lease (file:// and s3:// do): nothing keeps another organizer off this room while %s runs\n", o.opts.Backend, op)
		return nil, nil
	}
	bucket, err := openLeaseBucket(ctx, o.opts.Backend)
	if err != nil {
		return nil, fmt.Errorf("opening the backend for the room's lease: %w", err)
	}
	h := &heldLease{bucket: bucket, key: o.leaseKey(), ttl: o.leaseTTL(), done: make(chan struct{})}
	if u, _ := url.Parse(o.opts.Backend); u.Scheme == "file" {
		h.dir = u.Path
	}
	start := time.Now()
	told := false
	for {
		mine := room.NewLease(newLeaseID(), leaseOwner(), op, time.Now(), h.ttl)
		held, err := h.tryCreate(ctx, mine)
		switch {
		case err != nil:
			bucket.Close()
			return nil, err
		case held == nil:
			h.lease = mine
			h.wg.Add(1)
			go h.renew(o.opts.Stop)
			return h, nil
		case room.NextLeaseStep(*held, time.Now()) == room.LeaseStepTakeOver:
			o.notice("the room's lease %s, held by %s for %s, lapsed at %s: taking it over\n", h.key, held.Owner, held.Operation, held.Expires.Format(time.RFC3339))
			if err := h.remove(ctx); err != nil {
				bucket.Close()
				return nil, err
			}
			continue
		}
		waited := time.Since(start)
		if waited >= o.opts.LeaseWait {
			bucket.Close()
			return nil, &room.BusyError{Key: h.key, Holder: *held, Waited: waited}
		}
		if !told {
			o.notice("waiting up to %s for the room: %s holds it for %s\n", o.opts.LeaseWait, held.Owner, held.Operation)
			told = true
		}
		select {
		case <-ctx.Done():
			bucket.Close()
			return nil, ctx.Err()
		case <-o.opts.Stop.Done():
			bucket.Close()
			return nil, fmt.Errorf("stopped while waiting for the room: %w", &room.BusyError{Key: h.key, Holder: *held, Waited: waited})
		case <-time.After(leasePoll):
		}
	}
}

// tryCreate writes mine if no lease exists; otherwise it returns the
// lease that does (nil when it vanished meanwhile: try again).
func (h *heldLease) tryCreate(ctx context.Context, mine room.Lease) (*room.Lease, error) {
	exists, err := h.create(ctx, mine)
	if err != nil {
		return nil, fmt.Errorf("writing the room's lease %s: %w", h.key, err)
	}
	if !exists {
		return nil, nil
	}
	held, err := h.read(ctx)
	if err != nil || held != nil {
		return held, err
	}
	return h.tryCreate(ctx, mine)
}

// create writes l unless a lease exists (then exists is true).
func (h *heldLease) create(ctx context.Context, l room.Lease) (exists bool, err error) {
	if h.dir != "" {
		return createFileExclusive(filepath.Join(h.dir, filepath.FromSlash(h.key)), l.Encode())
	}
	wctx, cancel := context.WithTimeout(ctx, leaseCallTimeout)
	defer cancel()
	err = h.bucket.WriteAll(wctx, h.key, l.Encode(), &blob.WriterOptions{ContentType: "application/json", IfNotExist: true})
	if gcerrors.Code(err) == gcerrors.FailedPrecondition {
		return true, nil
	}
	return false, err
}

// createFileExclusive writes data to path unless path exists: a complete
// temporary file, hard-linked to path (link fails on an existing name,
// atomically), so no reader sees it half written.
func createFileExclusive(path string, data []byte) (exists bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".lease-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	err = os.Link(tmp.Name(), path)
	if errors.Is(err, fs.ErrExist) {
		return true, nil
	}
	return false, err
}

// read reads the lease; nil when there is none.
func (h *heldLease) read(ctx context.Context) (*room.Lease, error) {
	rctx, cancel := context.WithTimeout(ctx, leaseCallTimeout)
	defer cancel()
	b, err := h.bucket.ReadAll(rctx, h.key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the room's lease %s: %w", h.key, err)
	}
	l, err := room.DecodeLease(h.key, b)
	return &l, err
}

func (h *heldLease) remove(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(ctx, leaseCallTimeout)
	defer cancel()
	if err := h.bucket.Delete(dctx, h.key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("removing the room's lease %s: %w", h.key, err)
	}
	return nil
}

// renew extends the lease RenewEvery(ttl), checking each time that it is
// still this organizer's. A lease found lost stops the organizer's engines
// (stop): the room is someone else's now.
func (h *heldLease) renew(stop *Stopper) {
	defer h.wg.Done()
	tick := time.NewTicker(room.RenewEvery(h.ttl))
	defer tick.Stop()
	for {
		select {
		case <-h.done:
			return
		case <-tick.C:
		}
		if err := h.renewOnce(); err != nil {
			h.mu.Lock()
			h.lost = err
			h.mu.Unlock()
			stop.Stop(err.Error())
			return
		}
	}
}

// renewOnce reads the lease back and extends it if it is still ours. A
// read or write that fails is tried again at the next tick, until the
// lease would have lapsed: then it is lost. The read and the write are two
// steps (the backends offer no compare-and-swap on an existing object): a
// take-over between them is written over, and the taker's own renewal
// then finds the lease lost and stops that run, so one of the two goes on.
func (h *heldLease) renewOnce() error {
	ctx := context.Background()
	h.mu.Lock()
	mine := h.lease
	h.mu.Unlock()
	found, err := h.read(ctx)
	if err == nil {
		if err := room.CheckStillHeld(mine, found); err != nil {
			return err
		}
		renewed := mine.Renewed(time.Now(), h.ttl)
		wctx, cancel := context.WithTimeout(ctx, leaseCallTimeout)
		err = h.bucket.WriteAll(wctx, h.key, renewed.Encode(), &blob.WriterOptions{ContentType: "application/json"})
		cancel()
		if err == nil {
			h.mu.Lock()
			h.lease = renewed
			h.mu.Unlock()
			return nil
		}
	}
	if mine.Expired(time.Now()) {
		return fmt.Errorf("%w: not renewed before it lapsed: %v", room.ErrLeaseLost, err)
	}
	return nil
}

// release stops the renewals and removes the lease if it is still ours; it
// returns the loss a renewal found, if any. It runs even after the context
// is cancelled, within its own deadline.
func (h *heldLease) release(ctx context.Context) error {
	if h == nil {
		return nil
	}
	close(h.done)
	h.wg.Wait()
	defer h.bucket.Close()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaseCallTimeout)
	defer cancel()
	h.mu.Lock()
	lost, mine := h.lost, h.lease
	h.mu.Unlock()
	if lost != nil {
		return lost
	}
	found, err := h.read(ctx)
	if err != nil {
		return err
	}
	if err := room.CheckStillHeld(mine, found); err != nil {
		return err
	}
	return h.remove(ctx)
}

// withLease runs f holding the room's lease for op.
func (o *Organizer) withLease(ctx context.Context, op room.Operation, f func() (room.Report, error)) (room.Report, error) {
	h, err := o.acquireLease(ctx, op)
	if err != nil {
		return nil, err
	}
	report, err := f()
	if lerr := h.release(ctx); lerr != nil {
		err = errors.Join(err, fmt.Errorf("the room's lease: %w", lerr))
	}
	return report, err
}

func (o *Organizer) leaseTTL() time.Duration {
	if o.opts.LeaseTTL > 0 {
		return o.opts.LeaseTTL
	}
	return room.DefaultLeaseTTL
}

func newLeaseID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// leaseOwner is user@host (pid N), as the CLI's own stack locks say it.
func leaseOwner() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s@%s (pid %d)", name, host, os.Getpid())
}

// notice tells the user something while the organizer runs.
func (o *Organizer) notice(format string, args ...any) {
	if o.opts.Notices != nil {
		o.notices.Lock()
		defer o.notices.Unlock()
		fmt.Fprintf(o.opts.Notices, format, args...)
	}
}
