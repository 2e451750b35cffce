package spec

import (
	"strings"
	"testing"
	"time"
)

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The calendar as the EKS user guide states it: versions in order, each in
// standard support for 14 months after release, then extended for 12.
func TestKubernetesCalendarFollowsTheEKSPolicy(t *testing.T) {
	for i, r := range KubernetesCalendar {
		released, std, ext := day(t, r.Released), day(t, r.EndOfStandardSupport), day(t, r.EndOfExtendedSupport)
		if !std.Equal(released.AddDate(0, 14, 0)) || !ext.Equal(std.AddDate(0, 12, 0)) {
			t.Errorf("%s: released %s, standard to %s, extended to %s; want 14 and 12 months", r.Version, r.Released, r.EndOfStandardSupport, r.EndOfExtendedSupport)
		}
		if !strings.HasPrefix(r.ClusterAutoscalerImage, "v"+r.Version+".") {
			t.Errorf("%s: autoscaler image %q of another minor", r.Version, r.ClusterAutoscalerImage)
		}
		if i > 0 && KubernetesCalendar[i-1].Released >= r.Released {
			t.Errorf("%s listed out of order", r.Version)
		}
	}
}

// The dates the issue names (1.33 and 1.34 left standard support on
// 2026-07-29 and 2026-12-02), each support period's last day included.
func TestSupportPhases(t *testing.T) {
	for _, c := range []struct {
		version, day string
		want         SupportPhase
	}{
		{"1.33", "2026-07-29", StandardSupport},
		{"1.33", "2026-07-30", ExtendedSupport},
		{"1.34", "2026-12-02", StandardSupport},
		{"1.34", "2026-12-03", ExtendedSupport},
		{"1.35", "2026-12-04", StandardSupport},
		{"1.31", "2026-11-26", ExtendedSupport},
		{"1.31", "2026-11-27", PastSupport},
	} {
		r, ok := KubernetesReleaseOf(c.version)
		if !ok {
			t.Fatalf("%s not in the calendar", c.version)
		}
		if got := r.Phase(day(t, c.day)); got != c.want {
			t.Errorf("%s on %s: phase %d, want %d", c.version, c.day, got, c.want)
		}
	}
	if _, ok := KubernetesReleaseOf("1.29"); ok {
		t.Error("1.29 is in the calendar")
	}
}

func TestExtendedSupportWarningNamesTheEndAndThePrice(t *testing.T) {
	r, _ := KubernetesReleaseOf("1.33")
	w := r.ExtendedSupportWarning()
	for _, want := range []string{"kubernetesVersion 1.33", "2026-07-29", "2027-07-29", "$0.60 per cluster-hour instead of $0.10", "$438", "$73"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning lacks %q: %s", want, w)
		}
	}
}
