package config

import (
	"maps"
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
		{"1.36", nil, ""}, // negative control: in standard support, far from its end, silent
		{"1.35", []string{"1.35 leaves EKS standard support on 2027-03-27 (in 113 days)", "supportType is EXTENDED", "$0.60 per cluster-hour"}, ""},
		{"1.34", []string{"1.34 left EKS standard support on 2026-12-02", "until 2027-12-02", "$0.60 per cluster-hour"}, ""},
		{"1.33", []string{"1.33 left EKS standard support on 2026-07-29", "until 2027-07-29"}, ""},
		{"1.32", []string{"until 2027-03-23"}, ""},
		{"1.31", nil, `kubernetesVersion = "1.31": EKS extended support for 1.31 ended on 2026-11-26`},
		{"1.30", nil, "ended on 2026-07-23"},
	} {
		p, err := planOn(t, issueDay, map[string]string{ProjectName + ":kubernetesVersion": c.version, ProjectName + ":supportType": "EXTENDED"})
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
	if p.Cluster.KubernetesVersion != "1.33" || p.Addons.Versions.ClusterAutoscalerImage != "v1.33.6" || p.Cluster.KubeProxyVersion != "v1.33.10-eksbuild.13" {
		t.Errorf("version %s, autoscaler %s, kube-proxy %s; want 1.33 with the calendar's v1.33.6 and v1.33.10-eksbuild.13",
			p.Cluster.KubernetesVersion, p.Addons.Versions.ClusterAutoscalerImage, p.Cluster.KubeProxyVersion)
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

// With STANDARD (the default), a version past standard support is
// upgraded by EKS rather than billed: the warning says so, not the price.
func TestStandardSupportTypeWarnsOfTheUpgrade(t *testing.T) {
	p, err := planOn(t, issueDay, map[string]string{ProjectName + ":kubernetesVersion": "1.34"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Cluster.SupportType != spec.SupportStandard || len(p.Warnings) != 1 ||
		!strings.Contains(p.Warnings[0], "EKS upgrades the cluster to 1.35 by itself") || strings.Contains(p.Warnings[0], "$0.60") {
		t.Errorf("support type %q, warnings %q", p.Cluster.SupportType, p.Warnings)
	}
}

// The upgrade settings are pinned: none may be left empty, each empty
// one is named, and a bad support type is refused with what is allowed.
func TestUpgradePinsRequired(t *testing.T) {
	_, err := planOn(t, issueDay, map[string]string{ProjectName + ":supportType": "", ProjectName + ":addonVersions": `{"vpcCni":""}`})
	for _, want := range []string{`eks-workshop:supportType = ""`, `eks-workshop:addonVersions.vpcCni = ""`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v, want %q", err, want)
		}
	}
	if _, err := planOn(t, issueDay, map[string]string{ProjectName + ":supportType": "Extended"}); err == nil || !strings.Contains(err.Error(), "want STANDARD") {
		t.Errorf("a misspelt support type: %v", err)
	}
	if _, err := planOn(t, issueDay, map[string]string{ProjectName + ":addonVersions": `{"kubeProxy":"v1.35.3-eksbuild.13"}`}); err == nil ||
		!strings.Contains(err.Error(), "kube-proxy's minor version must equal kubernetesVersion's") {
		t.Errorf("kube-proxy of another minor: %v", err)
	}
}

// The mocks' account offers what the default configuration pins, for the
// version asked; preflight asks about exactly those add-ons.
func TestDefaultEKSAddonBuilds(t *testing.T) {
	got := DefaultEKSAddonBuilds("1.35")
	want := map[string]string{"vpc-cni": "v1.20.1-eksbuild.3", "kube-proxy": "v1.35.3-eksbuild.13",
		"amazon-cloudwatch-observability": "v4.10.1-eksbuild.1", "aws-ebs-csi-driver": "v1.56.0-eksbuild.1", "eks-pod-identity-agent": "v1.3.10-eksbuild.2"}
	if !maps.Equal(got, want) {
		t.Errorf("%v, want %v", got, want)
	}
	noAgent := Plan{}
	if pins := noAgent.EKSAddonPins(); len(pins) != 4 {
		t.Errorf("without Pod Identity: %v, want no agent", pins)
	}
}
