package spec

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

const (
	testAccount    = "123456789012"
	testClusterArn = "arn:aws:eks:ap-northeast-2:123456789012:cluster/eks-demo"
)

// Pod Identity trusts the pods of one cluster in one account, not any
// cluster associated with the role (the confused deputy).
func TestPodIdentityTrustPolicy(t *testing.T) {
	m := checkTrustPrincipal(t, PodIdentityTrustPolicy(testAccount, testClusterArn), "pods.eks.amazonaws.com", "sts:AssumeRole", "sts:TagSession")
	want := map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": testAccount},
		"ArnEquals":    map[string]any{"aws:SourceArn": testClusterArn},
	}
	if got := genericStatements(t, m)[0]["Condition"]; !reflect.DeepEqual(got, want) {
		t.Errorf("Condition = %v, want %v", got, want)
	}
}

func TestAccountOfArn(t *testing.T) {
	for arn, want := range map[string]string{
		testClusterArn: testAccount,
		"arn:aws-cn:eks:cn-north-1:210987654321:cluster/a:b": "210987654321",
		"arn:aws:iam::123456789012:role/x":                   testAccount,
		"arn:aws:eks:ap-northeast-2:123456789012":            "", // no resource part
		"urn:aws:eks:ap-northeast-2:123456789012:cluster/x":  "",
		"": "",
	} {
		if got := AccountOfArn(arn); got != want {
			t.Errorf("AccountOfArn(%q) = %q, want %q", arn, got, want)
		}
	}
}

// Every condition upstream's policy puts on the elbv2.k8s.aws/cluster tag
// asks, scoped, for this cluster's value; nothing else changes.
func TestScopedLoadBalancerControllerPolicy(t *testing.T) {
	upstream, scoped := LoadBalancerControllerPolicy(), ScopedLoadBalancerControllerPolicy("eks-demo")
	if len(upstream.Statement) != len(scoped.Statement) {
		t.Fatalf("%d statements, upstream has %d", len(scoped.Statement), len(upstream.Statement))
	}
	tagChecks := 0
	for i, up := range upstream.Statement {
		st := scoped.Statement[i]
		if st.Sid != up.Sid || !slices.Equal(st.Action, up.Action) || !slices.Equal(st.Resource, up.Resource) {
			t.Errorf("statement %s changed beyond its condition: %+v", up.Sid, st)
		}
		for operator, keys := range up.Condition {
			for key, value := range keys {
				if strings.Contains(key, "elbv2.k8s.aws/cluster") && operator == "Null" && value == "false" {
					tagChecks++
					if st.Condition["StringEquals"][key] != "eks-demo" || st.Condition["Null"][key] != nil {
						t.Errorf("%s: %s present only, want StringEquals eks-demo: %v", up.Sid, key, st.Condition)
					}
					continue
				}
				if !reflect.DeepEqual(st.Condition[operator][key], value) {
					t.Errorf("%s: %s %s = %v, upstream %v", up.Sid, operator, key, st.Condition[operator][key], value)
				}
			}
		}
		if up.Condition == nil && st.Condition != nil {
			t.Errorf("%s: condition %v added", up.Sid, st.Condition)
		}
	}
	// Upstream asks for the tag to be present in 7 statements: 3 on the
	// request (creating), 4 on the resource (changing what exists).
	if tagChecks != 7 {
		t.Errorf("%d tag conditions scoped, want 7", tagChecks)
	}
	// A Null left with no keys is dropped, one with keys kept.
	for _, st := range scoped.Statement {
		if null, ok := st.Condition["Null"]; ok && len(null) == 0 {
			t.Errorf("%s: empty Null condition", st.Sid)
		}
		if st.Sid == "RetagOwnedSecurityGroup" && st.Condition["Null"][requestTagELBCluster] != "true" {
			t.Errorf("%s lost its check that the request does not retag: %v", st.Sid, st.Condition)
		}
	}
	// Scoping copies: the upstream document is untouched.
	if !reflect.DeepEqual(upstream, LoadBalancerControllerPolicy()) {
		t.Error("scoping changed upstream's policy")
	}
	if got := scopeTagCondition(nil, "eks-demo"); got != nil {
		t.Errorf("no condition scoped to %v", got)
	}
}

// The node role's add-on policies are the cluster's own: the autoscaler
// resizes its groups only, the controller changes its load balancers only,
// and no statement lets a node push to ECR.
func TestNodeRoleAddonPoliciesAreScopedToTheCluster(t *testing.T) {
	args := ManagedNodeGroupArgs{AddonPolicies: AddonPolicies{ImageBuilder: true, AutoScaler: true, AwsLoadBalancerController: true, CloudWatch: true, Ebs: true}}
	custom := args.CustomPolicies("eks-demo")
	if !reflect.DeepEqual(custom["autoscaler"], ScopedAutoScalerPolicy("eks-demo")) {
		t.Errorf("autoscaler = %+v, want ScopedAutoScalerPolicy", custom["autoscaler"])
	}
	if !reflect.DeepEqual(custom["load-balancer-controller"], ScopedLoadBalancerControllerPolicy("eks-demo")) {
		t.Errorf("load balancer controller = %+v, want ScopedLoadBalancerControllerPolicy", custom["load-balancer-controller"])
	}
	if got := args.CustomPolicyKeys(); !slices.Equal(got, []string{"autoscaler", "load-balancer-controller"}) {
		t.Errorf("keys = %v", got)
	}
	if got := (ManagedNodeGroupArgs{}).CustomPolicies("eks-demo"); len(got) != 0 {
		t.Errorf("no add-on policies gave %v", got)
	}
	for _, doc := range custom {
		for _, st := range doc.Statement {
			for _, a := range st.Action {
				if strings.HasPrefix(a, "ecr:") {
					t.Errorf("%s grants %s", st.Sid, a)
				}
			}
		}
	}
	for _, p := range NodeBasePolicies {
		if strings.Contains(p.Path, "PowerUser") || strings.Contains(p.Path, "FullAccess") {
			t.Errorf("node base policy %s can push", p.Path)
		}
	}
	// The autoscaler changes only the groups tagged as this cluster's.
	for _, st := range custom["autoscaler"].Statement {
		if slices.Contains(st.Action, "autoscaling:SetDesiredCapacity") &&
			st.Condition["StringEquals"]["aws:ResourceTag/k8s.io/cluster-autoscaler/eks-demo"] != "owned" {
			t.Errorf("%s resizes any group: %v", st.Sid, st.Condition)
		}
	}
}

// Each controller's Pod Identity policy is scoped to the cluster it is given.
func TestPodIdentityPoliciesAreScopedToTheCluster(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range (ClusterAddonsArgs{ClusterAutoscaler: true}).PodIdentities() {
		if p.Policy == nil {
			continue
		}
		seen[p.Key] = true
		if doc := p.Policy("eks-prod").JSON(); !strings.Contains(doc, "eks-prod") {
			t.Errorf("%s's policy does not name the cluster: %s", p.Key, doc)
		}
	}
	if !seen["load-balancer-controller"] || !seen["cluster-autoscaler"] {
		t.Errorf("scoped policies for %v, want the controller's and the autoscaler's", seen)
	}
}
