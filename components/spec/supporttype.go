package spec

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// SupportType is an EKS cluster's upgrade policy (upgradePolicy.supportType
// of aws:eks/cluster:Cluster): what EKS does when the cluster's Kubernetes
// version leaves standard support.
//
// Source: Amazon EKS User Guide, "Manage EKS extended support"
// (https://docs.aws.amazon.com/eks/latest/userguide/extended-support-control.html,
// stored copy read 2026-12-07): STANDARD makes the cluster "eligible for
// automatic upgrade at the end of standard support" with no extended
// support charges; EXTENDED keeps the version, billed at the extended rate,
// until extended support ends. A cluster created without the setting is
// EXTENDED ("Extended support is enabled by default").
type SupportType string

const (
	SupportStandard SupportType = "STANDARD"
	SupportExtended SupportType = "EXTENDED"
)

// SupportTypes are the values EKS accepts.
var SupportTypes = []SupportType{SupportStandard, SupportExtended}

// SupportEndWarningDays is how long before a version leaves standard
// support a plan starts to say so: about one Kubernetes release cycle
// (four months), the time an upgrade takes to plan and test.
const SupportEndWarningDays = 120

// KubernetesNewestRelease is the calendar's newest version. EKS releases a
// version into standard support, so it is the newest one in standard
// support for as long as the calendar is kept current; the default
// Kubernetes version is derived from it.
func KubernetesNewestRelease() KubernetesRelease {
	return KubernetesCalendar[len(KubernetesCalendar)-1]
}

// next is the calendar's version after r ("" for the newest).
func (r KubernetesRelease) next() string {
	for i, c := range KubernetesCalendar[:len(KubernetesCalendar)-1] {
		if c.Version == r.Version {
			return KubernetesCalendar[i+1].Version
		}
	}
	return ""
}

// daysOfStandardSupportLeft is the number of days from day to the end of
// r's standard support (0 on its last day, negative after it).
func (r KubernetesRelease) daysOfStandardSupportLeft(day time.Time) int {
	end, err := time.Parse(time.DateOnly, r.EndOfStandardSupport)
	if err != nil {
		return 0
	}
	return int(end.Sub(day.Truncate(24*time.Hour)).Hours() / 24)
}

// SupportWarning is what a plan for a cluster on r with support type t
// says on day, "" when there is nothing to say: in extended support, what
// it costs (EXTENDED) or that EKS upgrades it (STANDARD); within
// SupportEndWarningDays of the end of standard support, what happens then.
func (r KubernetesRelease) SupportWarning(t SupportType, day time.Time) string {
	switch r.Phase(day) {
	case ExtendedSupport:
		if t == SupportStandard {
			return fmt.Sprintf("kubernetesVersion %s left EKS standard support on %s and supportType is STANDARD: "+
				"EKS upgrades the cluster to %s by itself (%s)", r.Version, r.EndOfStandardSupport, r.nextOrNewer(), KubernetesCalendarURL)
		}
		return r.ExtendedSupportWarning()
	case StandardSupport:
		left := r.daysOfStandardSupportLeft(day)
		if left > SupportEndWarningDays {
			return ""
		}
		if t == SupportStandard {
			return fmt.Sprintf("kubernetesVersion %s leaves EKS standard support on %s (in %d days) and supportType is STANDARD: "+
				"EKS then upgrades the cluster to %s by itself; upgrade it before, on your schedule", r.Version, r.EndOfStandardSupport, left, r.nextOrNewer())
		}
		return fmt.Sprintf("kubernetesVersion %s leaves EKS standard support on %s (in %d days) and supportType is EXTENDED: "+
			"from the day after, the control plane bills $%.2f per cluster-hour instead of $%.2f (about $%.0f instead of $%.0f a month) "+
			"until it is upgraded; upgrade kubernetesVersion to %s before then", r.Version, r.EndOfStandardSupport, left,
			EKSClusterHourExtendedUSD, EKSClusterHourStandardUSD,
			EKSClusterHourExtendedUSD*HoursPerMonth, EKSClusterHourStandardUSD*HoursPerMonth, r.nextOrNewer())
	}
	return ""
}

// nextOrNewer names the version after r, or "a newer version" when the
// calendar does not have it yet.
func (r KubernetesRelease) nextOrNewer() string {
	if n := r.next(); n != "" {
		return n
	}
	return "a newer version"
}

// BillsExtended reports whether a cluster on r with support type t bills
// the extended rate on day: in extended support with EXTENDED (or the
// setting left empty, EKS's default). With STANDARD, EKS upgrades the
// cluster instead.
func (r KubernetesRelease) BillsExtended(t SupportType, day time.Time) bool {
	return r.Phase(day) == ExtendedSupport && t != SupportStandard
}

// validateUpgrades checks what decides how the cluster changes version:
// its support type and the pinned builds of the add-ons pulumi-eks
// installs with it.
func (a EKSClusterArgs) validateUpgrades(errs *fieldErrors) {
	if a.SupportType != "" && !slices.Contains(SupportTypes, a.SupportType) {
		errs.add("supportType", string(a.SupportType), "want STANDARD (EKS upgrades the cluster at the end of standard support) or EXTENDED (it stays, at the extended rate)")
	}
	for _, pin := range []struct{ field, version string }{{"addonVersions.vpcCni", a.VpcCniVersion}, {"addonVersions.kubeProxy", a.KubeProxyVersion}} {
		if pin.version != "" && !eksAddonVersion.MatchString(pin.version) {
			errs.add(pin.field, pin.version, "want an EKS add-on version such as v1.45.0-eksbuild.1")
		}
	}
	if eksAddonVersion.MatchString(a.KubeProxyVersion) && kubernetesVersion.MatchString(a.KubernetesVersion) &&
		!strings.HasPrefix(a.KubeProxyVersion, "v"+a.KubernetesVersion+".") {
		errs.add("addonVersions.kubeProxy", a.KubeProxyVersion, "want v%s.x-eksbuild.N: kube-proxy's minor version must equal kubernetesVersion's", a.KubernetesVersion)
	}
}
