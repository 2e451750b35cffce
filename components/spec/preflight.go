package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Preflight: what an AWS account can refuse in the middle of a `pulumi up`
// (an exhausted quota, an add-on build EKS does not offer, the wrong
// account), checked at preview from read-only lookups. This file holds the
// arithmetic and the messages; package stacks makes the lookups.

// ServiceQuota is one AWS Service Quotas quota.
type ServiceQuota struct {
	ServiceCode, Code, Name string
	// Default is the value a new account has.
	Default int
}

// ElasticIPQuota is the Elastic IP addresses a region allows an account:
// each NAT gateway holds one.
//
// Source: Service Quotas, quota L-0263D0A3 of service ec2, "EC2-VPC Elastic
// IPs", default 5 per Region (Amazon VPC User Guide, "Amazon VPC quotas",
// Elastic IP addresses; https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html),
// read 2026-12-07.
var ElasticIPQuota = ServiceQuota{ServiceCode: "ec2", Code: "L-0263D0A3", Name: "EC2-VPC Elastic IPs", Default: 5}

// OnDemandStandardVCPUQuota is the vCPUs of running on-demand instances of
// the standard families (A, C, D, H, I, M, R, T, Z) a region allows an
// account; a node group that cannot reach its maximum size for it stops
// scaling with InsufficientInstanceCapacity-like launch failures.
//
// Source: Service Quotas, quota L-1216C47A of service ec2, "Running
// On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", counted in
// vCPUs (Amazon EC2 User Guide, "On-Demand Instance quotas";
// https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html),
// read 2026-12-07. The default of a new account varies by account and is
// not used here.
var OnDemandStandardVCPUQuota = ServiceQuota{ServiceCode: "ec2", Code: "L-1216C47A", Name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"}

// standardFamilies are the first letters of the instance families
// OnDemandStandardVCPUQuota counts.
const standardFamilies = "acdhimrtz"

// CountsAsStandardOnDemand reports whether instances of instanceType
// ("m5.large") count against OnDemandStandardVCPUQuota.
func CountsAsStandardOnDemand(instanceType string) bool {
	return instanceType != "" && strings.ContainsRune(standardFamilies, rune(instanceType[0]))
}

// quotaRaiseHint is how to ask for more of q.
func quotaRaiseHint(q ServiceQuota, want int) string {
	return fmt.Sprintf("raise it to at least %d (Service Quotas console, or `aws service-quotas request-service-quota-increase --service-code %s --quota-code %s --desired-value %d`)",
		want, q.ServiceCode, q.Code, want)
}

// ElasticIPs is how many Elastic IP addresses a network of the args holds:
// one per NAT gateway.
func (a NetworkArgs) ElasticIPs() int {
	a = a.WithDefaults()
	switch a.NatGateway {
	case NatSingle:
		return 1
	case NatHighlyAvailable:
		if len(a.AvailabilityZones) > 0 {
			return len(a.AvailabilityZones)
		}
		return a.AvailabilityZoneCount
	}
	return 0
}

// ElasticIPCheck is the Elastic IP quota against what the stack adds.
type ElasticIPCheck struct {
	// Quota is the account's applied quota in the region.
	Quota int
	// InUse are the addresses allocated in the region, Own those of them
	// this stack already holds (its NAT gateways of an earlier update).
	InUse, Own int
	// Wanted is how many the stack's network holds (NetworkArgs.ElasticIPs);
	// NatGateway is its mode.
	Wanted     int
	NatGateway NatGatewayMode
}

// Problem is "" when the addresses fit the quota, else what to do.
func (c ElasticIPCheck) Problem() string {
	others := max(c.InUse-c.Own, 0)
	need := others + c.Wanted
	if need <= c.Quota {
		return ""
	}
	msg := fmt.Sprintf("natGateway %s needs %d Elastic IP addresses and %d are in use by others in the region, %d in all, "+
		"but the quota %q (%s, service %s) is %d: %s",
		c.NatGateway, c.Wanted, others, need, ElasticIPQuota.Name, ElasticIPQuota.Code, ElasticIPQuota.ServiceCode, c.Quota,
		quotaRaiseHint(ElasticIPQuota, need))
	if c.NatGateway == NatHighlyAvailable && others+1 <= c.Quota {
		msg += fmt.Sprintf(", or set natGateway: Single (one NAT gateway and address for all zones, %d in all; "+
			"`pulumi config set natGateway Single`)", others+1)
	}
	return msg
}

// VCPUCheck is the on-demand vCPU quota against the node group's maximum.
type VCPUCheck struct {
	// Quota is the account's applied OnDemandStandardVCPUQuota.
	Quota int
	// InstanceType is the node group's largest instance type, VCPUs its vCPUs.
	InstanceType string
	VCPUs        int
	// MaxSize is the node group's maximum size.
	MaxSize int
}

// Problem is "" when MaxSize instances fit the quota, else what to do. The
// quota is the account's in the region: instances of other stacks count
// against it too, and are not seen here.
func (c VCPUCheck) Problem() string {
	need := c.MaxSize * c.VCPUs
	if need <= c.Quota {
		return ""
	}
	fit := 0
	if c.VCPUs > 0 {
		fit = c.Quota / c.VCPUs
	}
	return fmt.Sprintf("maxSize %d of %s (%d vCPUs each) needs %d vCPUs, but the quota %q (%s, service %s) is %d: %s, or lower maxSize to %d",
		c.MaxSize, c.InstanceType, c.VCPUs, need, OnDemandStandardVCPUQuota.Name, OnDemandStandardVCPUQuota.Code,
		OnDemandStandardVCPUQuota.ServiceCode, c.Quota, quotaRaiseHint(OnDemandStandardVCPUQuota, need), fit)
}

// AddonBuildCheck is a pinned EKS add-on build against the builds EKS
// names for the cluster's Kubernetes version: its default and its newest
// (DescribeAddonVersions, as aws:eks/getAddonVersion answers with
// mostRecent false and true). Those two are all that lookup returns, so a
// build between them cannot be confirmed.
type AddonBuildCheck struct {
	// Key is the config key that pins it ("addonVersions.ebsCsiDriver"),
	// Addon the EKS add-on's name, Pinned the build.
	Key, Addon, Pinned string
	KubernetesVersion  string
	Default, Newest    string
}

// Problem is "" when EKS surely offers the pin or cannot be shown not to;
// else what to do. A pin newer than EKS's newest build is not offered.
func (c AddonBuildCheck) Problem() string {
	if c.Pinned == c.Default || c.Pinned == c.Newest || !newerAddonBuild(c.Pinned, c.Newest) {
		return ""
	}
	return fmt.Sprintf("%s = %s: EKS offers %s for Kubernetes %s up to %s (its default is %s), so CreateAddon would fail: "+
		"set %s to %s or %s", qualifiedKey(c.Key), c.Pinned, c.Addon, c.KubernetesVersion, c.Newest, c.Default, c.Key, c.Newest, c.Default)
}

// Warning is "" when EKS names the pin as its default or newest build;
// else that the lookup cannot confirm it, and how to.
func (c AddonBuildCheck) Warning() string {
	if c.Pinned == c.Default || c.Pinned == c.Newest || c.Problem() != "" {
		return ""
	}
	return fmt.Sprintf("%s = %s: EKS's default build of %s for Kubernetes %s is %s and its newest %s; whether it still offers %s "+
		"only `aws eks describe-addon-versions --addon-name %s --kubernetes-version %s` shows",
		qualifiedKey(c.Key), c.Pinned, c.Addon, c.KubernetesVersion, c.Default, c.Newest, c.Pinned, c.Addon, c.KubernetesVersion)
}

// qualifiedKey is key as the stack config names it.
func qualifiedKey(key string) string { return "eks-workshop:" + key }

// newerAddonBuild reports whether EKS add-on build a ("v1.2.3-eksbuild.4")
// is newer than b; builds that do not parse are not compared.
func newerAddonBuild(a, b string) bool {
	pa, okA := addonBuildParts(a)
	pb, okB := addonBuildParts(b)
	return okA && okB && slices.Compare(pa, pb) > 0
}

// addonBuildParts are the four numbers of an EKS add-on build.
func addonBuildParts(v string) ([]int, bool) {
	if !eksAddonVersion.MatchString(v) {
		return nil, false
	}
	fields := strings.FieldsFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	parts := make([]int, len(fields))
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, false
		}
		parts[i] = n
	}
	return parts, true
}

// AccountProblem is "" when account may run the stack under the aws:
// settings allowedAccountIds and forbiddenAccountIds, else why not.
func AccountProblem(account string, allowed, forbidden []string) string {
	switch {
	case len(allowed) > 0 && !slices.Contains(allowed, account):
		return fmt.Sprintf("aws:allowedAccountIds = %q, but the credentials are account %s's: use the profile or role of one of those accounts, "+
			"or add %s to aws:allowedAccountIds if this account is meant", allowed, account, account)
	case slices.Contains(forbidden, account):
		return fmt.Sprintf("aws:forbiddenAccountIds lists %s, the credentials' account: use another account's profile or role", account)
	}
	return ""
}

// PreflightError is every preflight problem of a stack, found before
// anything was created.
type PreflightError struct{ Problems []string }

func (e *PreflightError) Error() string {
	return "preflight: the AWS account would refuse this stack:\n  - " + strings.Join(e.Problems, "\n  - ")
}
