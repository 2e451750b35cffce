package spec

import (
	"slices"
	"strings"
	"testing"
)

// The built-in pools launch C, M and R families of generation 5 or newer,
// and the general-purpose pool amd64 only: each rule is broken by one
// type and held by its nearest neighbour.
func TestAutoModePoolProblem(t *testing.T) {
	for _, tc := range []struct {
		instanceType, says string
	}{
		{"m5.large", ""},
		{"c5.xlarge", ""},
		{"r5.large", ""},
		{"m5a.large", ""},
		{"c6in.2xlarge", ""},
		{"m7i-flex.large", ""},
		{"r8i.large", ""},
		{"m4.large", "generation 4"},
		{"c4.large", "generation 4"},
		{"t3.large", "C, M or R families"},
		{"x2idn.16xlarge", "C, M or R families"},
		{"mac1.metal", "C, M or R families"},
		{"m6g.large", "arm64"},
		{"c7gn.large", "arm64"},
		{"large", "C, M or R families"},
	} {
		got := AutoModePoolProblem(tc.instanceType)
		if tc.says == "" && got != "" || tc.says != "" && !strings.Contains(got, tc.says) {
			t.Errorf("AutoModePoolProblem(%q) = %q, want %q", tc.instanceType, got, tc.says)
		}
	}
}

func autoMode(mutate func(*AutoModeArgs)) AutoModeArgs {
	a := AutoModeArgs{IngressGroupName: "eks-demo-group", MetricsServerVersion: "3.13.1", NetworkPolicy: true}
	mutate(&a)
	return a
}

func TestAutoModeRules(t *testing.T) {
	type c = ruleCase[AutoModeArgs]
	checkRules(t, AutoModeArgs.Validate, []c{
		{"the auto stack's", autoMode(func(*AutoModeArgs) {}), nil, ""},
		{"no group", autoMode(func(a *AutoModeArgs) { a.IngressGroupName = "" }), []string{"ingressGroupName"}, "up to 63"},
		{"a group in capitals", autoMode(func(a *AutoModeArgs) { a.IngressGroupName = "Demo" }), []string{"ingressGroupName"}, ""},
		{"a class name in capitals", autoMode(func(a *AutoModeArgs) { a.IngressClassName = "ALB" }), []string{"ingressClassName"}, "RFC 1123"},
		{"a class of its own", autoMode(func(a *AutoModeArgs) { a.IngressClassName = "auto-alb" }), nil, ""},
		{"a storage class in capitals", autoMode(func(a *AutoModeArgs) { a.StorageClassName = "GP3" }), []string{"storageClassName"}, ""},
		{"no metrics-server pin", autoMode(func(a *AutoModeArgs) { a.MetricsServerVersion = "" }), []string{"addonVersions.metricsServer"}, "1.2.3"},
		{"a v-prefixed pin", autoMode(func(a *AutoModeArgs) { a.MetricsServerVersion = "v3.13.1" }), nil, ""},
	})
}

func TestAutoModeDefaults(t *testing.T) {
	a := AutoModeArgs{}.WithDefaults()
	if a.IngressClassName != IngressClassALB || a.StorageClassName != DefaultAutoModeStorageClass {
		t.Errorf("defaults %+v, want class %q and storage class %q", a, IngressClassALB, DefaultAutoModeStorageClass)
	}
	kept := AutoModeArgs{IngressClassName: "x", StorageClassName: "y"}.WithDefaults()
	if kept.IngressClassName != "x" || kept.StorageClassName != "y" {
		t.Errorf("WithDefaults replaced set names: %+v", kept)
	}
}

func TestAddonPoliciesEnabled(t *testing.T) {
	if got := (AddonPolicies{}).Enabled(); len(got) != 0 {
		t.Errorf("none on: %v", got)
	}
	all := AddonPolicies{ImageBuilder: true, CloudWatch: true, Ebs: true, AutoScaler: true, AwsLoadBalancerController: true}
	want := []string{"imageBuilder", "cloudWatch", "ebs", "autoScaler", "awsLoadBalancerController"}
	if got := all.Enabled(); !slices.Equal(got, want) {
		t.Errorf("all on: %v, want %v", got, want)
	}
	if got := (AddonPolicies{Ebs: true}).Enabled(); !slices.Equal(got, []string{"ebs"}) {
		t.Errorf("ebs on: %v", got)
	}
}

func TestAutoModeClusterRules(t *testing.T) {
	type c = ruleCase[EKSClusterArgs]
	checkRules(t, EKSClusterArgs.Validate, []c{
		{"auto mode", cluster(func(a *EKSClusterArgs) { a.AutoMode = true }), nil, ""},
		{"the VPC CNI's policies", cluster(func(a *EKSClusterArgs) { a.EnableNetworkPolicy = true }), nil, ""},
		{"auto mode with the VPC CNI's policies", cluster(func(a *EKSClusterArgs) { a.AutoMode, a.EnableNetworkPolicy = true, true }),
			[]string{"enableNetworkPolicy"}, "no VPC CNI add-on"},
	})
}

func TestAutoModeNodeRoleName(t *testing.T) {
	names := func(auto bool) []string {
		var out []string
		for _, n := range (EKSClusterArgs{ClusterName: "eks-demo", AutoMode: auto}).PhysicalNames("eks-demo") {
			out = append(out, n.Name)
		}
		return out
	}
	const role = "eks-demo-cluster-nodeRole-role"
	if !slices.Contains(names(true), role) {
		t.Errorf("auto mode names %v lack %s", names(true), role)
	}
	if slices.Contains(names(false), role) {
		t.Errorf("node group names %v have %s", names(false), role)
	}
}

func TestAutoModeIngressRules(t *testing.T) {
	type c = ruleCase[AppArgs]
	classGroup := func(a *AppArgs) { a.Ingress.GroupName, a.Ingress.GroupFromClass = "", true }
	checkRules(t, AppArgs.Validate, []c{
		{"the class's group, ordered", app(classGroup), nil, ""},
		{"the class's group and an annotation's", app(func(a *AppArgs) { a.Ingress.GroupFromClass = true }),
			[]string{"ingress.groupName"}, "does not support the group.name annotation"},
		{"an order with no group", app(func(a *AppArgs) { a.Ingress.GroupName = "" }), []string{"ingress.groupOrder"}, "set groupName too"},
		{"a class name in capitals", app(func(a *AppArgs) { a.Ingress.ClassName = "ALB" }), []string{"ingress.className"}, "IngressClass name"},
		{"a class of its own", app(func(a *AppArgs) { classGroup(a); a.Ingress.ClassName = "auto-alb" }), nil, ""},
	})
	if got := app(func(*AppArgs) {}).WithDefaults().Ingress.ClassName; got != IngressClassALB {
		t.Errorf("default class %q, want %q", got, IngressClassALB)
	}
	for _, tc := range []struct {
		ing  AppIngress
		want bool
	}{{AppIngress{}, false}, {AppIngress{GroupName: "g"}, true}, {AppIngress{GroupFromClass: true}, true}} {
		if got := tc.ing.Grouped(); got != tc.want {
			t.Errorf("%+v.Grouped() = %v, want %v", tc.ing, got, tc.want)
		}
	}
}
