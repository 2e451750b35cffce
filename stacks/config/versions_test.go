package config

import (
	"strings"
	"testing"
	"time"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// issueDay is the day issue 15 was fixed: the plan's checks are dated.
var issueDay = time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)

func planOn(t *testing.T, day time.Time, set map[string]string) (Plan, error) {
	t.Helper()
	raw := map[string]string{"aws:region": "ap-northeast-2", ProjectName + ":appsDir": "../../apps"}
	for k, v := range set {
		raw[k] = v
	}
	cfg, problems := parseConfig(lookup(raw))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	cfg.Today = day
	// The autoscaler's desiredSize warning (TestPlanWarnsThatTheAutoscalerOwnsTheDesiredSize)
	// is not these tests': without it, every warning left is the version's.
	cfg.ClusterAutoscaler = false
	return cfg.Plan()
}

// The default is in standard support on the day the program runs: this
// fails once DefaultKubernetesVersion leaves it, so the pin is raised then.
func TestDefaultKubernetesVersionIsInStandardSupportToday(t *testing.T) {
	r, ok := spec.KubernetesReleaseOf(DefaultKubernetesVersion)
	if !ok {
		t.Fatalf("default %s is not in the EKS calendar", DefaultKubernetesVersion)
	}
	if phase := r.Phase(time.Now().UTC()); phase != spec.StandardSupport {
		t.Errorf("default %s left standard support on %s: raise DefaultKubernetesVersion and the add-on pins with it", r.Version, r.EndOfStandardSupport)
	}
	p, err := planOn(t, time.Time{}, nil)
	if err != nil || len(p.Warnings) != 0 {
		t.Errorf("the default plans with %v, warnings %q; want neither", err, p.Warnings)
	}
}

func TestExtendedSupportIsWarnedAndPastSupportRefused(t *testing.T) {
	for _, c := range []struct {
		version string
		warn    []string // empty: no warning
		refuse  string   // "": accepted
	}{
		{"1.35", nil, ""}, // negative control: in standard support, silent
		{"1.34", []string{"1.34 left EKS standard support on 2026-12-02", "until 2027-12-02", "$0.60 per cluster-hour"}, ""},
		{"1.33", []string{"1.33 left EKS standard support on 2026-07-29", "until 2027-07-29"}, ""},
		{"1.32", []string{"until 2027-03-23"}, ""},
		{"1.31", nil, `kubernetesVersion = "1.31": EKS extended support for 1.31 ended on 2026-11-26`},
		{"1.30", nil, "ended on 2026-07-23"},
	} {
		p, err := planOn(t, issueDay, map[string]string{ProjectName + ":kubernetesVersion": c.version})
		switch {
		case c.refuse == "" && err != nil:
			t.Errorf("%s refused: %v", c.version, err)
		case c.refuse != "" && (err == nil || !strings.Contains(err.Error(), c.refuse) || !strings.Contains(err.Error(), "want one of 1.32 (extended support until 2027-03-23)")):
			t.Errorf("%s: %v, want it refused with %q and the versions still supported", c.version, err, c.refuse)
		}
		if len(c.warn) == 0 && len(p.Warnings) != 0 {
			t.Errorf("%s warns %q", c.version, p.Warnings)
		}
		for _, want := range c.warn {
			if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], want) {
				t.Errorf("%s: warnings %q, want one saying %q", c.version, p.Warnings, want)
			}
		}
	}
}

// The workshop's own 1.33 is one key away: the autoscaler image follows.
func TestWorkshopVersionIsOneKeyAway(t *testing.T) {
	p, err := planOn(t, issueDay, map[string]string{ProjectName + ":kubernetesVersion": "1.33"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Cluster.KubernetesVersion != "1.33" || p.Addons.Versions.ClusterAutoscalerImage != "v1.33.3" {
		t.Errorf("version %s, autoscaler %s; want 1.33 with the calendar's v1.33.3", p.Cluster.KubernetesVersion, p.Addons.Versions.ClusterAutoscalerImage)
	}
	// Control: an image pinned by hand stays, and must still match.
	if _, err := planOn(t, issueDay, map[string]string{ProjectName + ":kubernetesVersion": "1.33", ProjectName + ":addonVersions": `{"clusterAutoscalerImage":"v1.33.0"}`}); err != nil {
		t.Errorf("a pinned v1.33.0: %v", err)
	}
}

// The add-on pins were checked for one Kubernetes version (defaults.go):
// moving the default on fails here until they are checked again.
func TestAddonPinsWereCheckedForTheDefaultVersion(t *testing.T) {
	if addonPinsCheckedFor != DefaultKubernetesVersion {
		t.Errorf("defaultAddonVersions were checked for %s, the default is %s: check each pin again (defaults.go)", addonPinsCheckedFor, DefaultKubernetesVersion)
	}
}

// Chart 9.54.0's own image.tag is v1.34.2 (values.yaml at
// cluster-autoscaler-chart-9.54.0): the default plan must hand the chart
// the calendar's image for 1.35, never leave it to the chart.
func TestDefaultAutoscalerImageIsTheCalendars(t *testing.T) {
	p, err := planOn(t, issueDay, nil)
	if err != nil {
		t.Fatal(err)
	}
	release, ok := spec.KubernetesReleaseOf(DefaultKubernetesVersion)
	if !ok {
		t.Fatalf("no calendar entry for %s", DefaultKubernetesVersion)
	}
	v := p.Addons.Versions
	if v.ClusterAutoscaler != defaultAddonVersions.ClusterAutoscaler || v.ClusterAutoscalerImage != release.ClusterAutoscalerImage {
		t.Errorf("chart %s, image %q; want chart %s with the calendar's %s", v.ClusterAutoscaler, v.ClusterAutoscalerImage,
			defaultAddonVersions.ClusterAutoscaler, release.ClusterAutoscalerImage)
	}
}
