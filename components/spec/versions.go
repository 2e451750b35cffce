package spec

import (
	"fmt"
	"time"
)

// KubernetesRelease is one Kubernetes minor version on EKS: when EKS
// released it, when its standard and extended support end, and the Cluster
// Autoscaler image for it (the autoscaler's minor must be the cluster's).
type KubernetesRelease struct {
	Version                string
	Released               string // YYYY-MM-DD
	EndOfStandardSupport   string // the last day of standard support
	EndOfExtendedSupport   string // the last day of extended support
	ClusterAutoscalerImage string
	// KubeProxyAddon is the newest kube-proxy EKS add-on build for this
	// minor (its minor must be the cluster's), pinned so that pulumi-eks does
	// not resolve it with mostRecent on every run.
	KubeProxyAddon string
}

// The EKS version calendar, as the AWS EKS user guide publishes it
// (KubernetesCalendarURL). The stored copy read on KubernetesCalendarDate
// states the policy (14 months of standard support after release, then 12
// of extended) but its table was not legible there; the dates are the ones
// AWS publishes as mirrored by endoflife.date/amazon-eks and the AWS
// samples' EKS review guide (last verified 2026-04-24), and
// TestKubernetesCalendarFollowsTheEKSPolicy checks each against the policy.
// For 1.30 to 1.34 they also agree with the user guide's source
// (awsdocs/amazon-eks-user-guide latest/ug/versioning/kubernetes-versions.adoc
// at 013856044148d6eeed4723027a45aa2180536bcb). internal/cost prices the
// control plane by this calendar too: it is the only one.
// 1.36: the EKS user guide's "Review release notes for Kubernetes versions
// on standard support" (kubernetes-versions-standard.html, stored copy read
// 2026-12-07) says "Kubernetes 1.36 is now available in Amazon EKS" but no
// stored AWS page gives its dates. Its release (2026-06-02) and end of
// standard support (2027-08-02) are a third-party write-up's
// (devopsdreams.blogspot.com/2026/08/kubernetes-136-on-amazon-eks-upgrade.html,
// "reached Amazon EKS on June 2, 2026 and remains in standard support through
// August 2, 2027"), which agree with the 14-month policy; its end of extended
// support (2028-08-02) is derived from the policy and stated by no source.
// Check them against the user guide's calendar when it is legible.
// The newest release here is 1.36; a later version is refused until it is
// added here with its dates. The autoscaler images are the newest patch of
// each minor: cluster-autoscaler-1.36.1, -1.35.2, -1.34.5 and -1.33.6
// (kubernetes/autoscaler releases of 2026-07-23, read in a stored copy of
// their release notes 2026-12-07) and 1.32.7 (as issue 24 states; no stored
// source read). The kube-proxy builds are the EKS user guide's table
// "kube-proxy versions" (managing-kube-proxy, stored ja_jp copy read
// 2026-12-07: 1.31 to 1.36), 1.30's from an earlier copy of the same table
// (docs.amazonaws.cn zh_cn).
const (
	KubernetesCalendarURL  = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html"
	KubernetesCalendarDate = "2026-12-07"
)

// KubernetesCalendar lists every version EKS still runs or ran recently, oldest first.
var KubernetesCalendar = []KubernetesRelease{
	// 1.30 and 1.31 are past extended support: kept to name their end in the error.
	{"1.30", "2024-05-23", "2025-07-23", "2026-07-23", "v1.30.0", "v1.30.14-eksbuild.28"},
	{"1.31", "2024-09-26", "2025-11-26", "2026-11-26", "v1.31.0", "v1.31.14-eksbuild.20"},
	{"1.32", "2025-01-23", "2026-03-23", "2027-03-23", "v1.32.7", "v1.32.13-eksbuild.16"},
	{"1.33", "2025-05-29", "2026-07-29", "2027-07-29", "v1.33.6", "v1.33.10-eksbuild.13"},
	{"1.34", "2025-10-02", "2026-12-02", "2027-12-02", "v1.34.5", "v1.34.6-eksbuild.13"},
	{"1.35", "2026-01-27", "2027-03-27", "2028-03-27", "v1.35.2", "v1.35.3-eksbuild.13"},
	{"1.36", "2026-06-02", "2027-08-02", "2028-08-02", "v1.36.1", "v1.36.0-eksbuild.14"},
}

// EKS control-plane prices per cluster-hour, in US dollars
// (https://aws.amazon.com/eks/pricing/; the extended rate as AWS's notice
// of 2024 states it, "charged at $0.60 per cluster hour"), the same in
// every commercial region. The price table (issue 17) reuses these.
const (
	EKSClusterHourStandardUSD = 0.10
	EKSClusterHourExtendedUSD = 0.60
	// HoursPerMonth is AWS's billing month (730 hours).
	HoursPerMonth = 730
)

// SupportPhase is where a version stands on a given day.
type SupportPhase int

const (
	StandardSupport SupportPhase = iota
	ExtendedSupport
	PastSupport
)

// KubernetesReleaseOf returns the calendar's entry for version ("1.35").
func KubernetesReleaseOf(version string) (KubernetesRelease, bool) {
	for _, r := range KubernetesCalendar {
		if r.Version == version {
			return r, true
		}
	}
	return KubernetesRelease{}, false
}

// Phase is where r stands on day (a support period's last day is still in it).
func (r KubernetesRelease) Phase(day time.Time) SupportPhase {
	d := day.Format(time.DateOnly)
	switch {
	case d <= r.EndOfStandardSupport:
		return StandardSupport
	case d <= r.EndOfExtendedSupport:
		return ExtendedSupport
	}
	return PastSupport
}

// ExtendedSupportWarning is what a plan on an extended-support version says.
func (r KubernetesRelease) ExtendedSupportWarning() string {
	return fmt.Sprintf("kubernetesVersion %s left EKS standard support on %s and is in extended support until %s: "+
		"the control plane bills $%.2f per cluster-hour instead of $%.2f (about $%.0f instead of $%.0f a month; %s); "+
		"after %s EKS upgrades it by itself", r.Version, r.EndOfStandardSupport, r.EndOfExtendedSupport,
		EKSClusterHourExtendedUSD, EKSClusterHourStandardUSD,
		EKSClusterHourExtendedUSD*HoursPerMonth, EKSClusterHourStandardUSD*HoursPerMonth, KubernetesCalendarURL, r.EndOfExtendedSupport)
}
