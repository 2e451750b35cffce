package spec

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func cluster(mutate func(*EKSClusterArgs)) EKSClusterArgs {
	a := EKSClusterArgs{ClusterName: "eks-demo", KubernetesVersion: "1.33"}
	mutate(&a)
	return a
}

const admin = "arn:aws:iam::123456789012:role/Admin"

func TestEKSClusterRules(t *testing.T) {
	type c = ruleCase[EKSClusterArgs]
	entry := func(e AccessEntry) func(*EKSClusterArgs) {
		return func(a *EKSClusterArgs) { a.AccessEntries = []AccessEntry{e} }
	}
	checkRules(t, EKSClusterArgs.Validate, []c{
		{"the workshop's", cluster(func(*EKSClusterArgs) {}), nil, ""},
		{"no name", cluster(func(a *EKSClusterArgs) { a.ClusterName = "" }), []string{"clusterName"}, "1-100 letters"},
		{"a name of 100", cluster(func(a *EKSClusterArgs) { a.ClusterName = strings.Repeat("c", 100) }), nil, ""},
		{"a name of 101", cluster(func(a *EKSClusterArgs) { a.ClusterName = strings.Repeat("c", 101) }), []string{"clusterName"}, ""},
		{"a v prefix", cluster(func(a *EKSClusterArgs) { a.KubernetesVersion = "v1.33" }), []string{"kubernetesVersion"}, `want "1.<minor>"`},
		{"below the calendar", cluster(func(a *EKSClusterArgs) { a.KubernetesVersion = "1.29" }), []string{"kubernetesVersion"}, "EKS calendar (1.30 to 1.36"},
		{"the oldest", cluster(func(a *EKSClusterArgs) { a.KubernetesVersion = "1.30" }), nil, ""},
		{"the newest", cluster(func(a *EKSClusterArgs) { a.KubernetesVersion = "1.36" }), nil, ""},
		{"past the calendar", cluster(func(a *EKSClusterArgs) { a.KubernetesVersion = "1.37" }), []string{"kubernetesVersion"}, "EKS calendar"},
		{"every log type", cluster(func(a *EKSClusterArgs) { a.EnabledClusterLogTypes = []string{"*"} }), nil, ""},
		{"a log type EKS lacks", cluster(func(a *EKSClusterArgs) { a.EnabledClusterLogTypes = []string{"api", "kubelet"} }), []string{"enabledClusterLogTypes"}, `"kubelet"`},
		{"a retention CloudWatch lacks", cluster(func(a *EKSClusterArgs) { a.LogRetentionDays = 100 }), []string{"logRetentionDays"}, "CloudWatch Logs accepts"},
		{"a year's retention", cluster(func(a *EKSClusterArgs) { a.LogRetentionDays = 365 }), nil, ""},
		{"no endpoint", cluster(func(a *EKSClusterArgs) { a.EndpointPublicAccess = ptr(false) }), []string{"endpointPrivateAccess"}, "nothing can reach the API"},
		{"a private endpoint", cluster(func(a *EKSClusterArgs) { a.EndpointPublicAccess = ptr(false); a.EndpointPrivateAccess = true }), nil, ""},
		{"public CIDRs without a public endpoint", cluster(func(a *EKSClusterArgs) {
			a.EndpointPublicAccess, a.EndpointPrivateAccess, a.PublicAccessCidrs = ptr(false), true, []string{"54.180.0.0/24"}
		}), []string{"publicAccessCidrs"}, "only applies with endpointPublicAccess true"},
		{"public and private", cluster(func(a *EKSClusterArgs) {
			a.EndpointPrivateAccess = true
			a.PublicAccessCidrs = []string{"54.180.0.0/24"}
		}), nil, ""},
		{"a host, not a network", cluster(func(a *EKSClusterArgs) { a.PublicAccessCidrs = []string{"54.180.0.1/24"} }), []string{"publicAccessCidrs"}, "IPv4 network CIDR"},
		{"an IPv6 CIDR", cluster(func(a *EKSClusterArgs) { a.PublicAccessCidrs = []string{"::/0"} }), []string{"publicAccessCidrs"}, ""},
		{"an access entry", cluster(entry(AccessEntry{PrincipalArn: admin, Policy: AccessPolicyView, Namespaces: []string{"dev"}, KubernetesGroups: []string{"devs"}})), nil, ""},
		{"an STS session", cluster(entry(AccessEntry{PrincipalArn: "arn:aws:sts::123456789012:assumed-role/Admin/me", Policy: AccessPolicyView})),
			[]string{"accessEntries[0].principalArn"}, "IAM role or user ARN"},
		{"a role ARN ending in /", cluster(entry(AccessEntry{PrincipalArn: admin + "/", Policy: AccessPolicyView})), []string{"accessEntries[0].principalArn"}, ""},
		{"a policy EKS lacks", cluster(entry(AccessEntry{PrincipalArn: admin, Policy: "Owner"})), []string{"accessEntries[0].policy"}, `"Owner"`},
		{"a namespace Kubernetes rejects", cluster(entry(AccessEntry{PrincipalArn: admin, Policy: AccessPolicyEdit, Namespaces: []string{"Dev"}})),
			[]string{"accessEntries[0].namespaces"}, ""},
		{"an empty group", cluster(entry(AccessEntry{PrincipalArn: admin, Policy: AccessPolicyEdit, KubernetesGroups: []string{""}})),
			[]string{"accessEntries[0].kubernetesGroups"}, ""},
		{"a system group", cluster(entry(AccessEntry{PrincipalArn: admin, Policy: AccessPolicyEdit, KubernetesGroups: []string{"system:masters"}})),
			[]string{"accessEntries[0].kubernetesGroups"}, "starting with system:"},
		{"a principal twice", cluster(func(a *EKSClusterArgs) {
			a.AccessEntries = []AccessEntry{{PrincipalArn: admin, Policy: AccessPolicyView}, {PrincipalArn: admin, Policy: AccessPolicyEdit}}
		}), []string{"accessEntries[1].principalArn"}, "listed twice"},
		{"two accounts' role of one name", cluster(func(a *EKSClusterArgs) {
			a.AccessEntries = []AccessEntry{{PrincipalArn: "arn:aws:iam::111122223333:role/x", Policy: AccessPolicyView}, {PrincipalArn: "arn:aws:iam::444455556666:role/x", Policy: AccessPolicyEdit}}
		}), []string{"accessEntries[1].principalArn"}, `resource name "role-x" is also that of arn:aws:iam::111122223333:role/x`},
		{"two roles of one account", cluster(func(a *EKSClusterArgs) {
			a.AccessEntries = []AccessEntry{{PrincipalArn: "arn:aws:iam::111122223333:role/x", Policy: AccessPolicyView}, {PrincipalArn: "arn:aws:iam::111122223333:role/y", Policy: AccessPolicyEdit}}
		}), nil, ""},
	})
}

func TestEKSClusterDefaultsAndLogTypes(t *testing.T) {
	d := EKSClusterArgs{}.WithDefaults()
	if d.LogRetentionDays != DefaultLogRetentionDays || *d.EndpointPublicAccess != DefaultEndpointPublicAccess || !slices.Equal(d.PublicAccessCidrs, []string{DefaultPublicAccessCidr}) {
		t.Errorf("defaults = %+v", d)
	}
	private := EKSClusterArgs{EndpointPublicAccess: ptr(false), LogRetentionDays: 7}.WithDefaults()
	if len(private.PublicAccessCidrs) != 0 || private.LogRetentionDays != 7 {
		t.Errorf("a private endpoint got public CIDRs or lost its retention: %+v", private)
	}
	if got := (EKSClusterArgs{EnabledClusterLogTypes: []string{"*"}}).LogTypes(); !slices.Equal(got, ClusterLogTypes) {
		t.Errorf("* = %v", got)
	}
	if got := (EKSClusterArgs{EnabledClusterLogTypes: []string{"scheduler", "api"}}).LogTypes(); !slices.Equal(got, []string{"api", "scheduler"}) {
		t.Errorf("scheduler, api = %v, want EKS's order", got)
	}
	if got := (EKSClusterArgs{}).LogTypes(); len(got) != 0 {
		t.Errorf("none = %v", got)
	}
}

func nodes(mutate func(*ManagedNodeGroupArgs)) ManagedNodeGroupArgs {
	a := ManagedNodeGroupArgs{NodeGroupName: "node-group"}
	mutate(&a)
	return a
}

func sizes(min, desired, max int) func(*ManagedNodeGroupArgs) {
	return func(a *ManagedNodeGroupArgs) { a.MinSize, a.DesiredSize, a.MaxSize = ptr(min), ptr(desired), ptr(max) }
}

func TestManagedNodeGroupRules(t *testing.T) {
	type c = ruleCase[ManagedNodeGroupArgs]
	taints := func(n int) []Taint {
		out := make([]Taint, n)
		for i := range out {
			out[i] = Taint{Key: "k", Effect: "NoSchedule"}
		}
		return out
	}
	checkRules(t, ManagedNodeGroupArgs.Validate, []c{
		{"the workshop's", nodes(func(*ManagedNodeGroupArgs) {}), nil, ""},
		{"no name", nodes(func(a *ManagedNodeGroupArgs) { a.NodeGroupName = "" }), []string{"nodeGroupName"}, "1-63"},
		{"a name of 63", nodes(func(a *ManagedNodeGroupArgs) { a.NodeGroupName = strings.Repeat("n", 63) }), nil, ""},
		{"a name of 64", nodes(func(a *ManagedNodeGroupArgs) { a.NodeGroupName = strings.Repeat("n", 64) }), []string{"nodeGroupName"}, ""},
		{"not an instance type", nodes(func(a *ManagedNodeGroupArgs) { a.InstanceTypes = []string{"large", "m5.large"} }), []string{"instanceTypes"}, `"large"`},
		{"two Graviton types", nodes(func(a *ManagedNodeGroupArgs) { a.InstanceTypes = []string{"m7g.large", "c6gn.xlarge"} }), nil, ""},
		{"amd64 and arm64", nodes(func(a *ManagedNodeGroupArgs) { a.InstanceTypes = []string{"m5.large", "a1.large"} }), []string{"instanceTypes"}, "mixes amd64"},
		{"scaled to zero", nodes(sizes(0, 0, 1)), nil, ""},
		{"a negative minimum", nodes(sizes(-1, 0, 1)), []string{"minSize"}, "0 or more"},
		{"a maximum of 0", nodes(sizes(0, 0, 0)), []string{"maxSize"}, "want 1 to 450"},
		{"the EKS quota", nodes(sizes(1, 450, 450)), nil, ""},
		{"over the quota", nodes(sizes(1, 451, 451)), []string{"maxSize"}, "want 1 to 450"},
		{"desired below the minimum", nodes(sizes(2, 1, 3)), []string{"desiredSize"}, "here 2..3"},
		{"desired at both bounds", nodes(sizes(3, 3, 3)), nil, ""},
		{"desired over the maximum", nodes(sizes(1, 4, 3)), []string{"desiredSize"}, "minSize <= desiredSize <= maxSize"},
		{"a 19 GiB disk", nodes(func(a *ManagedNodeGroupArgs) { a.DiskSize = 19 }), []string{"diskSize"}, "20 to 16384"},
		{"the largest gp3", nodes(func(a *ManagedNodeGroupArgs) { a.DiskSize = 16384 }), nil, ""},
		{"over gp3's largest", nodes(func(a *ManagedNodeGroupArgs) { a.DiskSize = 16385 }), []string{"diskSize"}, ""},
		{"a label", nodes(func(a *ManagedNodeGroupArgs) { a.Labels = map[string]string{"example.com/team": "web"} }), nil, ""},
		{"a bad label value", nodes(func(a *ManagedNodeGroupArgs) { a.Labels = map[string]string{"team": "web!"} }), []string{"nodeLabels"}, `"team=web!"`},
		{"50 taints", nodes(func(a *ManagedNodeGroupArgs) { a.Taints = taints(50) }), nil, ""},
		{"51 taints", nodes(func(a *ManagedNodeGroupArgs) { a.Taints = taints(51) }), []string{"nodeTaints"}, "EKS allows 50 taints"},
		{"a bad taint key", nodes(func(a *ManagedNodeGroupArgs) { a.Taints = []Taint{{Key: "-x", Effect: "NoExecute"}} }), []string{"nodeTaints"}, "taint key and value"},
		{"a taint effect Kubernetes lacks", nodes(func(a *ManagedNodeGroupArgs) { a.Taints = []Taint{{Key: "x", Effect: "Never"}} }), []string{"nodeTaints"}, `"Never"`},
	})
}

func TestManagedNodeGroupDefaultsAndPolicies(t *testing.T) {
	d := ManagedNodeGroupArgs{}.WithDefaults()
	if !slices.Equal(d.InstanceTypes, []string{DefaultInstanceType}) || *d.DesiredSize != DefaultDesiredSize || *d.MinSize != DefaultDesiredSize ||
		*d.MaxSize != DefaultDesiredSize || d.DiskSize != DefaultDiskSize {
		t.Errorf("defaults = %+v", d)
	}
	if s := (ManagedNodeGroupArgs{DesiredSize: ptr(5)}).WithDefaults(); *s.MinSize != 5 || *s.MaxSize != 5 {
		t.Errorf("min and max do not follow desired 5: %d, %d", *s.MinSize, *s.MaxSize)
	}
	for types, want := range map[string]string{"m5.large": "amd64", "a1.large": "arm64", "m7g.large": "arm64", "c6gn.xlarge": "arm64", "g5.xlarge": "amd64"} {
		if got := InstanceArchitecture([]string{types}); got != want {
			t.Errorf("%s: %s, want %s", types, got, want)
		}
	}
	if keys := (ManagedNodeGroupArgs{}).CustomPolicyKeys(); len(keys) != 0 {
		t.Errorf("no add-on policies: %v", keys)
	}
	all := ManagedNodeGroupArgs{AddonPolicies: AddonPolicies{AutoScaler: true, AwsLoadBalancerController: true}}
	if keys := all.CustomPolicyKeys(); !slices.Equal(keys, []string{"autoscaler", "load-balancer-controller"}) {
		t.Errorf("custom policies = %v", keys)
	}
}

func addons(mutate func(*ClusterAddonsArgs)) ClusterAddonsArgs {
	a := ClusterAddonsArgs{Region: "ap-northeast-2", ClusterAutoscaler: true, PodIdentity: true, Versions: AddonVersions{
		MetricsServer: "3.13.1", LoadBalancerController: "1.17.1", ClusterAutoscaler: "9.51.0", ClusterAutoscalerImage: "v1.33.0",
		CloudWatchObservability: "v4.10.1-eksbuild.1", EbsCsiDriver: "v1.56.0-eksbuild.1", PodIdentityAgent: "v1.3.10-eksbuild.2",
	}}
	mutate(&a)
	return a
}

func TestClusterAddonsRules(t *testing.T) {
	type c = ruleCase[ClusterAddonsArgs]
	checkRules(t, ClusterAddonsArgs.Validate, []c{
		{"pinned", addons(func(*ClusterAddonsArgs) {}), nil, ""},
		{"a chart version", addons(func(a *ClusterAddonsArgs) { a.Versions.LoadBalancerController = "latest" }), []string{"addonVersions.awsLoadBalancerController"}, "such as 1.2.3"},
		{"an EKS add-on version of a chart's form", addons(func(a *ClusterAddonsArgs) { a.Versions.EbsCsiDriver = "1.56.0" }), []string{"addonVersions.ebsCsiDriver"}, "v1.45.0-eksbuild.1"},
		{"no autoscaler, its versions unread", addons(func(a *ClusterAddonsArgs) {
			a.ClusterAutoscaler, a.Versions.ClusterAutoscaler, a.Versions.ClusterAutoscalerImage = false, "", ""
		}), nil, ""},
		{"no Pod Identity, the agent unread", addons(func(a *ClusterAddonsArgs) { a.PodIdentity, a.Versions.PodIdentityAgent = false, "" }), nil, ""},
		{"the agent unpinned", addons(func(a *ClusterAddonsArgs) { a.Versions.PodIdentityAgent = "" }), []string{"addonVersions.podIdentityAgent"}, "every add-on is pinned"},
		{"a region name", addons(func(a *ClusterAddonsArgs) { a.Region = "Seoul" }), []string{"region"}, "AWS region"},
		{"a GovCloud region", addons(func(a *ClusterAddonsArgs) { a.Region = "us-gov-west-1" }), nil, ""},
	})
	for autoscaler, want := range map[bool]int{false: 3, true: 4} {
		if ids := (ClusterAddonsArgs{ClusterAutoscaler: autoscaler}).PodIdentities(); len(ids) != want {
			t.Errorf("autoscaler %v: %d Pod Identities, want one per controller with AWS permissions (%d)", autoscaler, len(ids), want)
		}
	}
	// Without Pod Identity no role is named: only Container Insights' four log groups.
	if names := (ClusterAddonsArgs{}).PhysicalNames("eks-demo"); len(names) != 4 || !strings.Contains(fmt.Sprint(names), "/aws/containerinsights/eks-demo/application") || strings.Contains(fmt.Sprint(names), "role") {
		t.Errorf("without Pod Identity, names %v", names)
	}
}

func TestMetricsServerRules(t *testing.T) {
	checkRules(t, MetricsServerArgs.Validate, []ruleCase[MetricsServerArgs]{
		{"pinned", MetricsServerArgs{Version: "3.13.1"}, nil, ""},
		{"unpinned", MetricsServerArgs{}, []string{"version"}, "pinned to a version"},
	})
}

// An entry's resources are named by the principal's resource part, path
// and punctuation made dashes: two accounts' role x share role-x.
func TestAccessEntryKey(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::111122223333:role/x":                "role-x",
		"arn:aws:iam::444455556666:role/x":                "role-x",
		"arn:aws:iam::111122223333:role/path/a.b+c=d,e@f": "role-path-a-b-c-d-e-f",
		"arn:aws-cn:iam::111122223333:user/Admin":         "user-Admin",
	} {
		if got := AccessEntryKey(arn); got != want {
			t.Errorf("%s: %q, want %q", arn, got, want)
		}
	}
}
