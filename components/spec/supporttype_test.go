package spec

import (
	"strings"
	"testing"
)

// The default follows the calendar: its newest version, in standard
// support on the day the calendar was read.
func TestNewestReleaseIsInStandardSupportWhenRead(t *testing.T) {
	r := KubernetesNewestRelease()
	if r.Version != "1.36" {
		t.Errorf("newest %s, want 1.36", r.Version)
	}
	if r.Phase(day(t, KubernetesCalendarDate)) != StandardSupport {
		t.Errorf("%s is not in standard support on %s", r.Version, KubernetesCalendarDate)
	}
	for _, other := range KubernetesCalendar[:len(KubernetesCalendar)-1] {
		if other.Released >= r.Released {
			t.Errorf("%s released after the newest %s", other.Version, r.Version)
		}
	}
}

func TestKubeProxyBuildsFollowTheirMinor(t *testing.T) {
	for _, r := range KubernetesCalendar {
		if !strings.HasPrefix(r.KubeProxyAddon, "v"+r.Version+".") || !eksAddonVersion.MatchString(r.KubeProxyAddon) {
			t.Errorf("%s: kube-proxy %q", r.Version, r.KubeProxyAddon)
		}
	}
}

func TestSupportWarnings(t *testing.T) {
	r135, _ := KubernetesReleaseOf("1.35")
	r136, _ := KubernetesReleaseOf("1.36")
	for _, c := range []struct {
		name string
		r    KubernetesRelease
		t    SupportType
		day  string
		want []string // empty: no warning
	}{
		{"far from the end", r135, SupportExtended, "2026-06-01", nil},
		{"119 days left, extended", r135, SupportExtended, "2026-11-28", []string{"leaves EKS standard support on 2027-03-27 (in 119 days)", "supportType is EXTENDED", "$0.60 per cluster-hour instead of $0.10", "upgrade kubernetesVersion to 1.36"}},
		{"last day, standard", r135, SupportStandard, "2027-03-27", []string{"(in 0 days)", "supportType is STANDARD", "upgrades the cluster to 1.36"}},
		{"extended phase, extended", r135, SupportExtended, "2027-03-28", []string{"extended support until 2028-03-27", "$0.60"}},
		{"extended phase, empty is EKS's EXTENDED", r135, "", "2027-03-28", []string{"extended support until 2028-03-27"}},
		{"extended phase, standard", r135, SupportStandard, "2027-03-28", []string{"supportType is STANDARD", "EKS upgrades the cluster to 1.36 by itself"}},
		{"newest, near its end", r136, SupportStandard, "2027-07-01", []string{"upgrades the cluster to a newer version"}},
		{"past support", r135, SupportExtended, "2028-03-28", nil},
	} {
		w := c.r.SupportWarning(c.t, day(t, c.day))
		if len(c.want) == 0 && w != "" {
			t.Errorf("%s: warns %q", c.name, w)
		}
		for _, want := range c.want {
			if !strings.Contains(w, want) {
				t.Errorf("%s: warning lacks %q: %q", c.name, want, w)
			}
		}
	}
}

// 2026-11-27 is 120 days before 2027-03-27: the window's first day.
func TestSupportWarningWindowBoundary(t *testing.T) {
	r, _ := KubernetesReleaseOf("1.35")
	if w := r.SupportWarning(SupportExtended, day(t, "2026-11-26")); w != "" {
		t.Errorf("121 days before: %q", w)
	}
	if w := r.SupportWarning(SupportExtended, day(t, "2026-11-27")); !strings.Contains(w, "in 120 days") {
		t.Errorf("120 days before: %q", w)
	}
}

func TestBillsExtended(t *testing.T) {
	r, _ := KubernetesReleaseOf("1.35")
	for _, c := range []struct {
		t    SupportType
		day  string
		want bool
	}{
		{SupportExtended, "2027-03-27", false},
		{SupportExtended, "2027-03-28", true},
		{"", "2027-03-28", true},
		{SupportStandard, "2027-03-28", false},
	} {
		if got := r.BillsExtended(c.t, day(t, c.day)); got != c.want {
			t.Errorf("%q on %s: %v", c.t, c.day, got)
		}
	}
}

func TestUpgradeSettingsValidated(t *testing.T) {
	ok := EKSClusterArgs{ClusterName: "c", KubernetesVersion: "1.35", SupportType: SupportStandard,
		VpcCniVersion: "v1.20.1-eksbuild.3", KubeProxyVersion: "v1.35.3-eksbuild.13"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid args refused: %v", err)
	}
	for field, bad := range map[string]func(*EKSClusterArgs){
		"supportType":             func(a *EKSClusterArgs) { a.SupportType = "standard" },
		"addonVersions.vpcCni":    func(a *EKSClusterArgs) { a.VpcCniVersion = "1.20.1" },
		"addonVersions.kubeProxy": func(a *EKSClusterArgs) { a.KubeProxyVersion = "v1.34.6-eksbuild.13" },
	} {
		a := ok
		bad(&a)
		errs := FieldErrors(a.Validate())
		if len(errs) != 1 || errs[0].Field != field {
			t.Errorf("%s: %v", field, errs)
		}
	}
	bare := ok
	bare.SupportType, bare.VpcCniVersion, bare.KubeProxyVersion = "", "", ""
	if err := bare.Validate(); err != nil {
		t.Errorf("unset is allowed: %v", err)
	}
	malformed := ok
	malformed.KubeProxyVersion = "v1.35"
	if errs := FieldErrors(malformed.Validate()); len(errs) != 1 || !strings.Contains(errs[0].Allowed, "such as") {
		t.Errorf("malformed kube-proxy reported once: %v", errs)
	}
}
