package room

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestExpiryRoundTripsThroughTheTagInUTC(t *testing.T) {
	seoul := time.FixedZone("KST", 9*60*60)
	at := time.Date(2026, 12, 5, 2, 0, 0, 0, seoul)
	value := FormatExpiry(at)
	if value != "2026-12-04T17:00:00Z" {
		t.Errorf("tag value %q, want UTC", value)
	}
	if got, err := ParseExpiry(value); err != nil || !got.Equal(at) {
		t.Errorf("parsed %v, %v", got, err)
	}
	if _, err := ParseExpiry("tomorrow"); err == nil || !strings.Contains(err.Error(), `eks-workshop:expires = "tomorrow"`) {
		t.Errorf("a bad tag: %v", err)
	}
}

func TestTimeLeft(t *testing.T) {
	expires := time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)
	s := StackExpiry{Name: "alice", Expires: expires}
	for now, want := range map[time.Time]string{
		expires.Add(-7*time.Hour - 59*time.Minute): "expires in 7h59m (2026-12-04T17:00:00Z)",
		expires.Add(-30 * time.Second):             "expires in 1m (2026-12-04T17:00:00Z)",
		expires:                                    "expired 0s ago (2026-12-04T17:00:00Z)",
		expires.Add(90 * time.Minute):              "expired 1h30m ago (2026-12-04T17:00:00Z)",
	} {
		if got := s.TimeLeft(now); got != want {
			t.Errorf("at %s: %q, want %q", now.Format(time.Kitchen), got, want)
		}
	}
	if got := (StackExpiry{Name: "dave"}).TimeLeft(expires); got != "no expiry" {
		t.Errorf("no tag: %q", got)
	}
}

// The expiry is the boundary: a stack is reaped from that instant on, and
// one without a tag never; the cluster waits for kept stacks that hold
// resources, not for empty ones.
func TestPlanReap(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	stacks := []StackExpiry{
		{Name: "alice", Expires: now, Resources: 9},
		{Name: "bob", Expires: now.Add(-time.Hour), Resources: 9},
		{Name: "carol", Expires: now.Add(time.Second), Resources: 9},
		{Name: "dave", Resources: 9},
		{Name: "erin", Resources: 0},
		{Name: ClusterStack, Expires: now.Add(-time.Hour), Resources: 90},
	}
	p := PlanReap(stacks, now)
	names := func(list []StackExpiry) []string {
		var out []string
		for _, s := range list {
			out = append(out, s.Name)
		}
		return out
	}
	if got := names(p.Expired); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Errorf("expired %v, want alice bob", got)
	}
	if got := names(p.Kept); !slices.Equal(got, []string{"carol", "dave", "erin"}) {
		t.Errorf("kept %v, want carol dave erin", got)
	}
	if !slices.Equal(p.Blocking, []string{"carol", "dave"}) {
		t.Errorf("the cluster waits for %v, want carol dave (erin holds nothing)", p.Blocking)
	}
	if p.Cluster == nil || p.Cluster.Name != ClusterStack || !p.Cluster.Expired(now) {
		t.Errorf("cluster %+v", p.Cluster)
	}
}

// A stack whose expiry cannot be read is kept and keeps the cluster; the
// others are reaped as usual.
func TestPlanReapKeepsAStackWithAnUnreadableTag(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	_, bad := ParseExpiry("tomorrow")
	p := PlanReap([]StackExpiry{
		{Name: "alice", Expires: now.Add(-time.Hour), Err: bad},
		{Name: "bob", Expires: now.Add(-time.Hour), Resources: 3},
		{Name: ClusterStack, Expires: now.Add(-time.Hour)},
	}, now)
	if len(p.Expired) != 1 || p.Expired[0].Name != "bob" || len(p.Kept) != 1 || p.Kept[0].Name != "alice" {
		t.Errorf("expired %v, kept %v: want bob, alice", p.Expired, p.Kept)
	}
	if !slices.Equal(p.Blocking, []string{"alice"}) {
		t.Errorf("blocking %v, want alice (her expiry is unknown, though she holds nothing)", p.Blocking)
	}
}

func TestRoomExpiryIsTheLatest(t *testing.T) {
	at := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	if got := RoomExpiry([]StackExpiry{{Expires: at}, {}, {Expires: at.Add(time.Hour)}, {Expires: at.Add(-time.Hour)}}); !got.Equal(at.Add(time.Hour)) {
		t.Errorf("room expiry %v, want the latest", got)
	}
	if got := RoomExpiry([]StackExpiry{{Name: "dave"}}); !got.IsZero() {
		t.Errorf("no tag: %v, want none", got)
	}
}
