package config

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// autoSettings are the least an Auto Mode stack sets: the mode, and off
// for the two add-on switches whose defaults are on.
func autoSettings(more map[string]string) map[string]string {
	set := map[string]string{"computeMode": "auto", "clusterAutoscaler": "false", "podIdentity": "false"}
	maps.Copy(set, more)
	return set
}

// Every setting Auto Mode ignores or rejects is refused, each alone and all
// together; the same setting on a managed node group stack, and the
// settings Auto Mode does use, are the negative controls.
func TestAutoModeRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  map[string]string
		keys []string
		says string
	}{
		{"the least an auto stack sets", autoSettings(nil), nil, ""},
		{"a metrics-server pin, the group, network policies off", autoSettings(map[string]string{
			"addonVersions": `{"metricsServer":"3.12.2"}`, "ingressGroupName": "other-group", "networkPolicyEnforcement": "false"}), nil, ""},
		{"a mode EKS lacks", map[string]string{"computeMode": "fargate"}, []string{"computeMode"}, "want managedNodeGroup (the workshop's node group) or auto"},
		{"auto on the local target", map[string]string{"computeMode": "auto", "target": "local"}, []string{"computeMode"}, "only the eks target"},
		{"node group name", autoSettings(map[string]string{"nodeGroupName": "ng"}), []string{"nodeGroupName"}, "has no managed node group"},
		{"desired size", autoSettings(map[string]string{"desiredSize": "4"}), []string{"desiredSize"}, "has no managed node group"},
		{"min size", autoSettings(map[string]string{"minSize": "2"}), []string{"minSize"}, ""},
		{"max size", autoSettings(map[string]string{"maxSize": "6"}), []string{"maxSize"}, ""},
		{"disk size", autoSettings(map[string]string{"diskSize": "50"}), []string{"diskSize"}, ""},
		{"node labels", autoSettings(map[string]string{"nodeLabels": `{"team":"web"}`}), []string{"nodeLabels"}, ""},
		{"node taints", autoSettings(map[string]string{"nodeTaints": `[{"key":"k","effect":"NoSchedule"}]`}), []string{"nodeTaints"}, ""},
		{"a family outside the pools", autoSettings(map[string]string{"instanceTypes": `["t3.large"]`}), []string{"instanceTypes"}, "C, M or R families"},
		{"generation 4", autoSettings(map[string]string{"instanceTypes": `["m5.large","m4.large"]`}), []string{"instanceTypes"}, "generation 4"},
		{"Graviton", autoSettings(map[string]string{"instanceTypes": `["m6g.large"]`}), []string{"instanceTypes"}, "amd64 only"},
		{"a type inside the pools", autoSettings(map[string]string{"instanceTypes": `["c5.large"]`}), []string{"instanceTypes"}, "has no managed node group"},
		{"the Cluster Autoscaler", map[string]string{"computeMode": "auto", "podIdentity": "false"}, []string{"clusterAutoscaler"}, "scales the nodes itself"},
		{"Pod Identity", map[string]string{"computeMode": "auto", "clusterAutoscaler": "false"}, []string{"podIdentity"}, "runs the Pod Identity agent"},
		{"node-role add-on policies", autoSettings(map[string]string{"nodeRoleAddonPolicies": `{"ebs":true,"cloudWatch":true}`}),
			[]string{"nodeRoleAddonPolicies"}, `"cloudWatch, ebs"`},
		{"one node-role add-on policy", autoSettings(map[string]string{"nodeRoleAddonPolicies": `{"imageBuilder":true}`}),
			[]string{"nodeRoleAddonPolicies"}, `"imageBuilder"`},
		{"IMDSv1", autoSettings(map[string]string{"requireImdsv2": "false"}), []string{"requireImdsv2"}, "hop limit 1"},
		{"the controller's pin", autoSettings(map[string]string{"addonVersions": `{"awsLoadBalancerController":"1.17.2"}`}),
			[]string{"addonVersions.awsLoadBalancerController"}, "installs no such add-on"},
		{"the autoscaler's pins", autoSettings(map[string]string{"addonVersions": `{"clusterAutoscaler":"9.55.1","clusterAutoscalerImage":"v1.35.0"}`}),
			[]string{"addonVersions.clusterAutoscaler", "addonVersions.clusterAutoscalerImage"}, ""},
		{"the EKS add-ons' pins", autoSettings(map[string]string{"addonVersions": `{"cloudwatchObservability":"v4.10.2-eksbuild.1","ebsCsiDriver":"v1.56.1-eksbuild.1","podIdentityAgent":"v1.3.11-eksbuild.1"}`}),
			[]string{"addonVersions.cloudwatchObservability", "addonVersions.ebsCsiDriver", "addonVersions.podIdentityAgent"}, ""},
		{"everything at once, with another problem", map[string]string{"computeMode": "auto", "maxSize": "6", "instanceTypes": `["t3.large"]`,
			"requireImdsv2": "false", "namespace": "kube-system"},
			[]string{"maxSize", "instanceTypes", "clusterAutoscaler", "podIdentity", "requireImdsv2", "namespace"}, ""},
		{"the same settings on a node group", map[string]string{"nodeGroupName": "ng", "desiredSize": "4", "maxSize": "6", "diskSize": "50",
			"instanceTypes": `["t3.large"]`, "nodeRoleAddonPolicies": `{"ebs":true}`, "requireImdsv2": "false",
			"addonVersions": `{"awsLoadBalancerController":"1.17.2"}`}, nil, ""},
	} {
		keys, err := problemKeys(t, "auto", tc.set)
		if !slices.Equal(keys, tc.keys) {
			t.Errorf("%s: problems %v, want %v (%v)", tc.name, keys, tc.keys, err)
		}
		if tc.says != "" && (err == nil || !strings.Contains(err.Error(), tc.says)) {
			t.Errorf("%s: error %v, want it to say %q", tc.name, err, tc.says)
		}
	}
}

func autoPlan(t *testing.T, set map[string]string) (Config, Plan) {
	t.Helper()
	all := map[string]string{"aws:region": "ap-northeast-2", ProjectName + ":appsDir": "../../apps"}
	for k, v := range set {
		all[ProjectName+":"+k] = v
	}
	cfg, err := ParseStackConfig("auto", lookup(all))
	if err != nil {
		t.Fatal(err)
	}
	p, err := cfg.Plan()
	if err != nil {
		t.Fatal(err)
	}
	return cfg, p
}

// An Auto Mode plan has no node group and none of the node group's
// add-ons; its cluster is in Auto Mode with policies through the
// ConfigMap, and its Ingresses take the group from their class.
func TestAutoModePlan(t *testing.T) {
	cfg, p := autoPlan(t, autoSettings(nil))
	if p.AutoMode == nil || !p.Cluster.AutoMode || p.Cluster.EnableNetworkPolicy || !p.AutoMode.NetworkPolicy {
		t.Fatalf("auto mode %+v, cluster auto %v, VPC CNI policies %v", p.AutoMode, p.Cluster.AutoMode, p.Cluster.EnableNetworkPolicy)
	}
	if p.AutoMode.IngressGroupName != DefaultIngressGroupName || p.AutoMode.MetricsServerVersion != defaultAddonVersions.MetricsServer {
		t.Errorf("auto mode args %+v", p.AutoMode)
	}
	if p.Nodes.NodeGroupName != "" || p.Addons.Region != "" {
		t.Errorf("an auto plan with a node group %+v or add-ons %+v", p.Nodes, p.Addons)
	}
	for name, app := range p.Apps {
		if ing := app.Ingress; ing == nil || ing.GroupName != "" || !ing.GroupFromClass {
			t.Errorf("%s: ingress %+v, want the class's group and no group.name", name, ing)
		}
	}
	if _, gated := cfg.NamespaceLabels()[spec.ReadinessGateInjectLabel]; gated {
		t.Errorf("auto namespace labels %v have the controller's readiness gate", cfg.NamespaceLabels())
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %v (the autoscaler's is about a node group there is not)", p.Warnings)
	}

	// Negative control: the workshop's mode keeps all of it.
	cfg, p = autoPlan(t, nil)
	if p.AutoMode != nil || p.Cluster.AutoMode || !p.Cluster.EnableNetworkPolicy || p.Nodes.NodeGroupName == "" || p.Addons.Region == "" {
		t.Errorf("node group plan: auto %+v, cluster auto %v, nodes %q, add-ons region %q", p.AutoMode, p.Cluster.AutoMode, p.Nodes.NodeGroupName, p.Addons.Region)
	}
	for name, app := range p.Apps {
		if ing := app.Ingress; ing == nil || ing.GroupName != DefaultIngressGroupName || ing.GroupFromClass {
			t.Errorf("%s: ingress %+v, want the group.name annotation's group", name, ing)
		}
	}
	if _, gated := cfg.NamespaceLabels()[spec.ReadinessGateInjectLabel]; !gated {
		t.Errorf("node group namespace labels %v lack the readiness gate", cfg.NamespaceLabels())
	}
}

// The mode a stack's last update left, from its outputs.
func TestPreviousComputeMode(t *testing.T) {
	for _, tc := range []struct {
		outputs map[string]any
		want    spec.ComputeMode
	}{
		{nil, ""},
		{map[string]any{"namespace": "development"}, ""},
		{map[string]any{ComputeModeOutput: "auto"}, spec.ComputeModeAuto},
		{map[string]any{ComputeModeOutput: "auto", "nodeGroupName": "x"}, spec.ComputeModeAuto},
		{map[string]any{ComputeModeOutput: "", "nodeGroupName": "x"}, spec.ComputeModeManagedNodeGroup},
		// A stack updated before computeMode was an output had a node group.
		{map[string]any{"nodeGroupName": "eks-demo-node-group"}, spec.ComputeModeManagedNodeGroup},
	} {
		if got := PreviousComputeMode(tc.outputs); got != tc.want {
			t.Errorf("PreviousComputeMode(%v) = %q, want %q", tc.outputs, got, tc.want)
		}
	}
}

func TestCheckComputeModeSwitch(t *testing.T) {
	auto, mng := spec.ComputeModeAuto, spec.ComputeModeManagedNodeGroup
	for _, ok := range [][2]spec.ComputeMode{{"", auto}, {"", mng}, {auto, auto}, {mng, mng}} {
		if err := CheckComputeModeSwitch(ok[0], ok[1]); err != nil {
			t.Errorf("%q to %q: %v", ok[0], ok[1], err)
		}
	}
	for _, refused := range [][2]spec.ComputeMode{{auto, mng}, {mng, auto}} {
		err := CheckComputeModeSwitch(refused[0], refused[1])
		if err == nil {
			t.Errorf("%q to %q accepted", refused[0], refused[1])
			continue
		}
		for _, says := range []string{ProjectName + ":computeMode", `"` + string(refused[1]) + `"`, "created with computeMode " + string(refused[0]), "create a new stack"} {
			if !strings.Contains(err.Error(), says) {
				t.Errorf("%q to %q: %v, want it to say %q", refused[0], refused[1], err, says)
			}
		}
	}
}
