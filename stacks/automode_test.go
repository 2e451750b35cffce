package stacks

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// What only a managed node group stack registers: the node group, its
// add-ons component, the controller and autoscaler charts, EKS add-ons.
var nodeGroupOnly = []string{"eks:index:ManagedNodeGroup", "eks-workshop:index:ClusterAddons", "aws:eks/addon:Addon"}

// What only an Auto Mode stack registers.
var autoModeOnly = []string{"eks-workshop:index:AutoModeAddons", "kubernetes:eks.amazonaws.com/v1:IngressClassParams",
	"kubernetes:storage.k8s.io/v1:StorageClass", "kubernetes:core/v1:ConfigMap"}

func charts(run stackRun) []string {
	var names []string
	for _, c := range run.ByType("kubernetes:helm.sh/v4:Chart") {
		names = append(names, c.Input("chart").(string))
	}
	slices.Sort(names)
	return names
}

// The auto stack: an Auto Mode cluster with the dev stack's workloads, none
// of the node group's add-ons, and what EKS does not create. The dev stack
// is the negative control.
func TestAutoStack(t *testing.T) {
	t.Parallel()
	run, dev := runStack(t, "auto", nil), runStack(t, "dev", nil)
	for _, typ := range nodeGroupOnly {
		if got := len(run.ByType(typ)); got != 0 {
			t.Errorf("auto registers %d %s", got, typ)
		}
		if len(dev.ByType(typ)) == 0 {
			t.Errorf("dev registers no %s", typ)
		}
	}
	for _, typ := range autoModeOnly {
		if len(run.ByType(typ)) != 1 || len(dev.ByType(typ)) != 0 {
			t.Errorf("%s: auto registers %d, dev %d; want 1 and 0", typ, len(run.ByType(typ)), len(dev.ByType(typ)))
		}
	}
	if got := charts(run); !slices.Equal(got, []string{"metrics-server"}) {
		t.Errorf("auto charts %v, want metrics-server alone", got)
	}
	if got := charts(dev); !slices.Contains(got, "aws-load-balancer-controller") || !slices.Contains(got, "cluster-autoscaler") {
		t.Errorf("dev charts %v", got)
	}

	cluster := run.Get(t, "eks:index:Cluster", "eks-demo-auto-cluster")
	if cluster.Input("autoMode.enabled") != true || cluster.Input("autoMode.createNodeRole") != true || cluster.Input("vpcCniOptions") != nil {
		t.Errorf("auto cluster autoMode %v, vpcCniOptions %v", cluster.Input("autoMode"), cluster.Input("vpcCniOptions"))
	}
	if got := cluster.Input("autoMode.computeConfig.nodePools"); !reflect.DeepEqual(got, []any{"general-purpose", "system"}) {
		t.Errorf("node pools %v", got)
	}
	devCluster := dev.Get(t, "eks:index:Cluster", "eks-demo-cluster")
	if devCluster.Input("autoMode") != nil || devCluster.Input("vpcCniOptions.enableNetworkPolicy") != true {
		t.Errorf("dev cluster autoMode %v, vpcCniOptions %v", devCluster.Input("autoMode"), devCluster.Input("vpcCniOptions"))
	}

	if run.Outputs[config.ComputeModeOutput] != "auto" || dev.Outputs[config.ComputeModeOutput] != "managedNodeGroup" {
		t.Errorf("computeMode outputs: auto %v, dev %v", run.Outputs[config.ComputeModeOutput], dev.Outputs[config.ComputeModeOutput])
	}
	if _, ok := run.Outputs["nodeGroupName"]; ok {
		t.Error("auto exports a nodeGroupName")
	}
}

// One internet-facing ALB for both apps, target type ip, grouped by the
// IngressClassParams and not by annotation; each Ingress waits for the class.
func TestAutoStackSharesOneALB(t *testing.T) {
	t.Parallel()
	run := runStack(t, "auto", nil)
	params := run.ByType("kubernetes:eks.amazonaws.com/v1:IngressClassParams")[0]
	for path, want := range map[string]any{
		"apiVersion": "eks.amazonaws.com/v1", "kind": "IngressClassParams", "metadata.name": "alb",
		"spec.scheme": "internet-facing", "spec.group.name": config.DefaultIngressGroupName,
	} {
		if got := params.Input(path); got != want {
			t.Errorf("IngressClassParams %s = %v, want %v", path, got, want)
		}
	}
	class := run.ByType("kubernetes:networking.k8s.io/v1:IngressClass")
	if len(class) != 1 {
		t.Fatalf("%d IngressClasses", len(class))
	}
	for path, want := range map[string]any{
		"metadata.name": "alb", "spec.controller": spec.AutoModeIngressController,
		"spec.parameters.apiGroup": "eks.amazonaws.com", "spec.parameters.kind": "IngressClassParams", "spec.parameters.name": "alb",
	} {
		if got := class[0].Input(path); got != want {
			t.Errorf("IngressClass %s = %v, want %v", path, got, want)
		}
	}
	ingresses := run.ByType("kubernetes:networking.k8s.io/v1:Ingress")
	if len(ingresses) != 2 {
		t.Fatalf("%d Ingresses", len(ingresses))
	}
	for _, ing := range ingresses {
		annotations, _ := ing.Input("metadata.annotations").(map[string]any)
		if ing.Input("spec.ingressClassName") != "alb" || annotations["alb.ingress.kubernetes.io/target-type"] != "ip" ||
			annotations["alb.ingress.kubernetes.io/scheme"] != "internet-facing" {
			t.Errorf("%s: class %v, annotations %v", ing.Name, ing.Input("spec.ingressClassName"), annotations)
		}
		if g, ok := annotations["alb.ingress.kubernetes.io/group.name"]; ok {
			t.Errorf("%s has a group.name annotation (%v), which Auto Mode does not support", ing.Name, g)
		}
		if !slices.Contains(ing.Dependencies, class[0].URN) {
			t.Errorf("%s does not wait for the IngressClass", ing.Name)
		}
	}
	// Negative control: dev's Ingresses are grouped by annotation.
	for _, ing := range runStack(t, "dev", nil).ByType("kubernetes:networking.k8s.io/v1:Ingress") {
		if annotations, _ := ing.Input("metadata.annotations").(map[string]any); annotations["alb.ingress.kubernetes.io/group.name"] != config.DefaultIngressGroupName {
			t.Errorf("dev %s: annotations %v", ing.Name, annotations)
		}
	}
}

// The default StorageClass is encrypted gp3 on Auto Mode's provisioner, and
// the ConfigMap turns network policies on; with networkPolicyEnforcement
// false there is no ConfigMap.
func TestAutoStackStorageAndNetworkPolicies(t *testing.T) {
	t.Parallel()
	run := runStack(t, "auto", nil)
	sc := run.ByType("kubernetes:storage.k8s.io/v1:StorageClass")[0]
	annotations, _ := sc.Input("metadata.annotations").(map[string]any)
	parameters, _ := sc.Input("parameters").(map[string]any)
	if sc.Input("provisioner") != spec.AutoModeEBSProvisioner || annotations["storageclass.kubernetes.io/is-default-class"] != "true" ||
		parameters["type"] != "gp3" || parameters["encrypted"] != "true" || sc.Input("volumeBindingMode") != "WaitForFirstConsumer" {
		t.Errorf("StorageClass %v", sc.Plain())
	}
	cm := run.ByType("kubernetes:core/v1:ConfigMap")[0]
	data, _ := cm.Input("data").(map[string]any)
	if cm.Input("metadata.name") != "amazon-vpc-cni" || cm.Input("metadata.namespace") != "kube-system" || data["enable-network-policy-controller"] != "true" {
		t.Errorf("ConfigMap %v", cm.Plain())
	}
	if got := len(run.ByType("kubernetes:networking.k8s.io/v1:NetworkPolicy")); got == 0 {
		t.Error("no NetworkPolicies")
	}
	off := runStack(t, "auto", map[string]string{config.ProjectName + ":networkPolicyEnforcement": "false"})
	if got := len(off.ByType("kubernetes:core/v1:ConfigMap")); got != 0 {
		t.Errorf("networkPolicyEnforcement false registers %d ConfigMaps", got)
	}
}

// runWithPrevious runs stack as a preview whose own last outputs were
// previous, as its StackReference to itself reads them, and returns the
// program's error and what it registered.
func runWithPrevious(t *testing.T, stack string, previous map[string]any) (error, *mocktest.Monitor) {
	t.Helper()
	m := mocktest.New()
	m.NewResourceFunc = func(args pulumi.MockResourceArgs) (string, resource.PropertyMap, bool, error) {
		if args.TypeToken != "pulumi:pulumi:StackReference" {
			return "", nil, false, nil
		}
		state := args.Inputs.Copy()
		state["outputs"] = resource.NewObjectProperty(resource.NewPropertyMapFromMap(previous))
		return args.Name, state, true, nil
	}
	m.Preview = true
	err := m.Run(stack, stackConfig(t, stack), func(ctx *pulumi.Context) error {
		c, err := LoadConfig(ctx)
		if err != nil {
			return err
		}
		_, err = deploy(ctx, c)
		return err
	})
	return err, m
}

// A stack whose cluster was created in one compute mode refuses the other
// at preview, before it registers any AWS resource, and says to create a
// new stack; the same mode, or a stack with no cluster yet, goes ahead.
func TestComputeModeSwitchIsRefusedAtPreview(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, stack string
		previous    map[string]any
		refused     bool
	}{
		{"node group to auto", "auto", map[string]any{"computeMode": "managedNodeGroup", "nodeGroupName": "eks-demo-auto-node-group"}, true},
		{"a stack from before computeMode to auto", "auto", map[string]any{"nodeGroupName": "eks-demo-auto-node-group"}, true},
		{"auto to node group", "dev", map[string]any{"computeMode": "auto"}, true},
		{"auto again", "auto", map[string]any{"computeMode": "auto"}, false},
		{"node group again", "dev", map[string]any{"computeMode": "managedNodeGroup", "nodeGroupName": "node-group"}, false},
		{"a new auto stack", "auto", map[string]any{}, false},
	} {
		err, m := runWithPrevious(t, tc.stack, tc.previous)
		if !tc.refused {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "create a new stack") || !strings.Contains(err.Error(), "computeMode") {
			t.Errorf("%s: %v, want a refusal that says to create a new stack", tc.name, err)
		}
		for _, r := range m.Resources() {
			if r.Type != "pulumi:pulumi:StackReference" {
				t.Errorf("%s: registered %s %s before refusing", tc.name, r.Type, r.Name)
			}
		}
	}
}
