package room

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var leaseStart = time.Date(2026, 12, 7, 9, 0, 0, 0, time.FixedZone("KST", 9*3600))

func TestLeaseLastsItsTTLAndRenews(t *testing.T) {
	l := NewLease("id1", "ann@host (pid 7)", OpUp, leaseStart, 5*time.Minute)
	if l.Acquired != leaseStart.UTC() || l.Acquired.Location() != time.UTC || l.Expires != leaseStart.Add(5*time.Minute).UTC() {
		t.Fatalf("lease %+v", l)
	}
	if l.ID != "id1" || l.Owner != "ann@host (pid 7)" || l.Operation != OpUp {
		t.Errorf("lease %+v lost its holder", l)
	}
	if l.Expired(leaseStart.Add(5*time.Minute - time.Nanosecond)) {
		t.Error("expired before its TTL")
	}
	if !l.Expired(leaseStart.Add(5 * time.Minute)) {
		t.Error("not expired at its TTL")
	}
	r := l.Renewed(leaseStart.Add(4*time.Minute), 5*time.Minute)
	if r.Expires != leaseStart.Add(9*time.Minute).UTC() || r.Acquired != l.Acquired || r.ID != l.ID || r.Expires.Location() != time.UTC {
		t.Errorf("renewed %+v", r)
	}
	if got := RenewEvery(6 * time.Minute); got != 2*time.Minute {
		t.Errorf("RenewEvery(6m) = %s, want 2m: three renewals within the TTL", got)
	}
	if got := LeaseKey("eks-workshop"); got != "eks-workshop-organizer/leases/eks-workshop.json" {
		t.Errorf("LeaseKey = %s", got)
	}
}

func TestLeaseEncodesAndDecodes(t *testing.T) {
	l := NewLease("id1", "ann", OpReap, leaseStart, time.Minute)
	got, err := DecodeLease("k", l.Encode())
	if err != nil || got != l {
		t.Fatalf("round trip: %+v, %v; want %+v", got, err, l)
	}
	for name, body := range map[string]string{
		"not JSON":  "{",
		"no id":     `{"owner":"ann","expires":"2026-12-07T09:00:00Z"}`,
		"no expiry": `{"id":"x","owner":"ann"}`,
	} {
		_, err := DecodeLease("leases/r.json", []byte(body))
		if err == nil || !strings.Contains(err.Error(), "leases/r.json") || !strings.Contains(err.Error(), "remove it once no organizer runs") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestNextLeaseStepTakesOverOnlyALapsedLease(t *testing.T) {
	held := NewLease("id1", "ann", OpUp, leaseStart, time.Minute)
	if got := NextLeaseStep(held, leaseStart.Add(59*time.Second)); got != LeaseStepWait {
		t.Errorf("live lease: %v, want wait", got)
	}
	if got := NextLeaseStep(held, leaseStart.Add(time.Minute)); got != LeaseStepTakeOver {
		t.Errorf("lapsed lease: %v, want take over", got)
	}
}

func TestBusyErrorNamesTheHolder(t *testing.T) {
	e := &BusyError{Key: "leases/r.json", Holder: NewLease("id1", "ann@ci (pid 42)", OpDestroy, leaseStart, 5*time.Minute)}
	msg := e.Error()
	for _, want := range []string{"the room is busy", "ann@ci (pid 42)", "run destroy", "since 2026-12-07T00:00:00Z", "leases/r.json", "until 2026-12-07T00:05:00Z", "-lease-wait"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if !errors.Is(e, ErrRoomBusy) {
		t.Error("not ErrRoomBusy")
	}
	e.Waited = 90*time.Second + 400*time.Millisecond
	if msg := e.Error(); !strings.HasSuffix(msg, "; waited 1m30s") || strings.Contains(msg, "-lease-wait") {
		t.Errorf("after waiting: %q", msg)
	}
}

func TestCheckStillHeld(t *testing.T) {
	mine := NewLease("id1", "ann", OpUp, leaseStart, time.Minute)
	if err := CheckStillHeld(mine, &mine); err != nil {
		t.Errorf("own lease: %v", err)
	}
	renewedByMe := mine.Renewed(leaseStart.Add(time.Second), time.Minute)
	if err := CheckStillHeld(mine, &renewedByMe); err != nil {
		t.Errorf("own renewed lease: %v", err)
	}
	if err := CheckStillHeld(mine, nil); !errors.Is(err, ErrLeaseLost) || !strings.Contains(err.Error(), "removed") {
		t.Errorf("removed: %v", err)
	}
	other := NewLease("id2", "bob", OpReap, leaseStart, time.Minute)
	if err := CheckStillHeld(mine, &other); !errors.Is(err, ErrLeaseLost) || !strings.Contains(err.Error(), "bob took it for reap") {
		t.Errorf("taken: %v", err)
	}
}
