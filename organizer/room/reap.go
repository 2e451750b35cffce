package room

import (
	"fmt"
	"time"
)

// OpReap destroys the stacks past their expiry.
const OpReap Operation = "reap"

// CommandPlan prints the room's capacity and runs nothing.
const CommandPlan = "plan"

// What reap did to a stack besides destroying it.
const (
	StatusExpired Status = "expired" // past its expiry; -dry-run destroys nothing
	StatusKept    Status = "kept"    // not expired, or no expiry
	// StatusWouldDestroy is destroy's -dry-run: the stack exists, and
	// destroy without it would destroy it.
	StatusWouldDestroy Status = "would destroy"
)

// ExpiryTag is the stack tag that holds when a stack expires, in RFC 3339
// UTC. A tag lives in the state backend beside the stack's checkpoint (the
// file backend keeps it in <stack>.pulumi-tags), so every machine that
// reaches the backend reads it; a stack's config would stay in the
// Pulumi.<stack>.yaml of the machine that ran up.
const ExpiryTag = "eks-workshop:expires"

// FormatExpiry is the tag's value for t.
func FormatExpiry(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ParseExpiry reads the tag's value.
func ParseExpiry(value string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("stack tag %s = %q: want an RFC 3339 time such as 2026-12-04T17:00:00Z", ExpiryTag, value)
	}
	return t, nil
}

// StackExpiry is a stack in the backend and when it expires.
type StackExpiry struct {
	Name string
	// Expires is zero for a stack without the tag: reap never destroys it.
	Expires time.Time
	// Resources is how many resources its state holds.
	Resources int
	// Err is why its tag could not be read: reap reports it, keeps the
	// stack and reaps the rest.
	Err error
}

// Expired is whether the stack is past its expiry at now.
func (s StackExpiry) Expired(now time.Time) bool {
	return !s.Expires.IsZero() && !now.Before(s.Expires)
}

// TimeLeft says when the stack expires, relative to now: "expires in
// 7h59m (2026-12-04T17:00:00Z)", "expired 1h0m ago (...)", "no expiry".
func (s StackExpiry) TimeLeft(now time.Time) string {
	if s.Expires.IsZero() {
		return "no expiry"
	}
	left := s.Expires.Sub(now).Round(time.Minute)
	if s.Expired(now) {
		return fmt.Sprintf("expired %s ago (%s)", shortDuration(-left), FormatExpiry(s.Expires))
	}
	return fmt.Sprintf("expires in %s (%s)", shortDuration(left), FormatExpiry(s.Expires))
}

// shortDuration is 7h59m rather than 7h59m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if len(s) > 2 && s[len(s)-2:] == "0s" && d >= time.Minute {
		s = s[:len(s)-2]
	}
	return s
}

// ReapPlan is what reap does with the backend's stacks at a moment: the
// participant stacks past their expiry go; the cluster goes when it is past
// its own and no participant stack with resources stays behind.
type ReapPlan struct {
	// Expired and Kept are participant stacks, in the backend's order.
	Expired, Kept []StackExpiry
	// Cluster is the cluster stack; nil when the backend has none.
	Cluster *StackExpiry
	// Blocking are the kept participant stacks that still hold resources
	// or whose expiry cannot be read: the cluster outlives them.
	Blocking []string
}

// PlanReap sorts the backend's stacks at now.
func PlanReap(stacks []StackExpiry, now time.Time) ReapPlan {
	var p ReapPlan
	for _, s := range stacks {
		switch {
		case s.Name == ClusterStack:
			p.Cluster = &s
		case s.Err == nil && s.Expired(now):
			p.Expired = append(p.Expired, s)
		default:
			p.Kept = append(p.Kept, s)
			if s.Resources > 0 || s.Err != nil {
				p.Blocking = append(p.Blocking, s.Name)
			}
		}
	}
	return p
}

// RoomExpiry is when a room expires: the latest expiry among its stacks,
// zero when none has one. A participant added by an up without -ttl gets
// it, so the room's last stack does not outlive the rest and keep the
// cluster up.
func RoomExpiry(stacks []StackExpiry) time.Time {
	var latest time.Time
	for _, s := range stacks {
		if s.Expires.After(latest) {
			latest = s.Expires
		}
	}
	return latest
}
