package room

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"
)

// The room-wide lease: up, destroy and reap hold it in the state backend for
// as long as they run, so two of them never work on one room at once. The
// backend locks one stack during one update (see docs/room-backend.md); the
// lease covers the room's whole operation: the cluster and every participant,
// and reap's reading of the expiries with the destroys that follow.
const (
	// LeaseDir is where leases live, under the backend's URL, beside (not
	// in) the .pulumi directory the CLI owns.
	LeaseDir = "eks-workshop-organizer/leases"
	// DefaultLeaseTTL is how long a lease lasts without being renewed: how
	// long a room stays taken after its holder died without releasing it.
	DefaultLeaseTTL = 5 * time.Minute
	// LeaseRenewals is how many times within its TTL the holder renews the
	// lease, so that one or two failed renewals do not lose it.
	LeaseRenewals = 3
)

// LeaseKey is the backend object of the room whose stacks live in project.
func LeaseKey(project string) string { return path.Join(LeaseDir, project+".json") }

// Lease is who holds a room, doing what, until when.
type Lease struct {
	// ID tells this holder's lease from another's with the same owner.
	ID string `json:"id"`
	// Owner is user@host (pid N) of the holder.
	Owner     string    `json:"owner"`
	Operation Operation `json:"operation"`
	Acquired  time.Time `json:"acquired"`
	// Expires is when the lease lapses unless renewed.
	Expires time.Time `json:"expires"`
}

// NewLease is a lease for op taken at now, lasting ttl.
func NewLease(id, owner string, op Operation, now time.Time, ttl time.Duration) Lease {
	return Lease{ID: id, Owner: owner, Operation: op, Acquired: now.UTC(), Expires: now.Add(ttl).UTC()}
}

// Renewed is the lease extended to now+ttl.
func (l Lease) Renewed(now time.Time, ttl time.Duration) Lease {
	l.Expires = now.Add(ttl).UTC()
	return l
}

// Expired is whether the lease has lapsed at now.
func (l Lease) Expired(now time.Time) bool { return !now.Before(l.Expires) }

// RenewEvery is how often a holder of a lease lasting ttl renews it.
func RenewEvery(ttl time.Duration) time.Duration { return ttl / LeaseRenewals }

// Encode is the lease as the backend stores it.
func (l Lease) Encode() []byte {
	b, _ := json.Marshal(l) // a struct of strings and times always marshals
	return b
}

// DecodeLease reads a lease the backend stores; key names it in the error.
func DecodeLease(key string, b []byte) (Lease, error) {
	var l Lease
	if err := json.Unmarshal(b, &l); err != nil {
		return l, fmt.Errorf("the room's lease %s is not a lease (%w): remove it once no organizer runs on the room", key, err)
	}
	if l.ID == "" || l.Expires.IsZero() {
		return l, fmt.Errorf("the room's lease %s has no id or expiry: remove it once no organizer runs on the room", key)
	}
	return l, nil
}

// LeaseStep is what a run that wants the room does on finding lease held.
type LeaseStep int

const (
	// LeaseStepWait: another holds it; wait for it, or stop.
	LeaseStepWait LeaseStep = iota
	// LeaseStepTakeOver: it lapsed; remove it and take the room.
	LeaseStepTakeOver
)

// NextLeaseStep is what to do on finding held at now.
func NextLeaseStep(held Lease, now time.Time) LeaseStep {
	if held.Expired(now) {
		return LeaseStepTakeOver
	}
	return LeaseStepWait
}

// ErrRoomBusy is the error of a run that found the room held.
var ErrRoomBusy = errors.New("the room is busy")

// BusyError names the lease's holder.
type BusyError struct {
	Key    string
	Holder Lease
	// Waited is how long this run waited before giving up.
	Waited time.Duration
}

func (e *BusyError) Error() string {
	waited := "; pass -lease-wait 10m to wait for it"
	if e.Waited > 0 {
		waited = fmt.Sprintf("; waited %s", e.Waited.Round(time.Second))
	}
	return fmt.Sprintf("%s: %s has run %s on it since %s (lease %s, until %s unless renewed)%s",
		ErrRoomBusy, e.Holder.Owner, e.Holder.Operation, e.Holder.Acquired.Format(time.RFC3339),
		e.Key, e.Holder.Expires.Format(time.RFC3339), waited)
}

func (e *BusyError) Unwrap() error { return ErrRoomBusy }

// ErrLeaseLost is the error of a holder that found its lease gone or taken.
var ErrLeaseLost = errors.New("the room's lease was lost")

// CheckStillHeld is nil when found, read back from the backend, is still
// mine; otherwise it says who has it now.
func CheckStillHeld(mine Lease, found *Lease) error {
	switch {
	case found == nil:
		return fmt.Errorf("%w: removed by someone else", ErrLeaseLost)
	case found.ID != mine.ID:
		return fmt.Errorf("%w: %s took it for %s", ErrLeaseLost, found.Owner, found.Operation)
	}
	return nil
}
