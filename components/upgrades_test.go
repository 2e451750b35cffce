package components

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// The support type reaches the control plane pulumi-eks creates, through
// a transform on the remote component (the mock applies it to the
// stand-in, as the engine does to the component's children); vpc-cni and
// kube-proxy are pinned in pulumi-eks's own arguments.
func TestEKSClusterPinsItsUpgrades(t *testing.T) {
	m, _ := runCluster(t, clusterArgs(func(a *EKSClusterArgs) {
		a.SupportType = spec.SupportStandard
		a.VpcCniVersion, a.KubeProxyVersion = "v1.20.1-eksbuild.3", "v1.33.10-eksbuild.13"
	}))
	cluster := m.Get(t, eksClusterType, "eks-demo-cluster")
	if cluster.Input("vpcCniOptions.addonVersion") != "v1.20.1-eksbuild.3" || cluster.Input("kubeProxyAddonOptions.version") != "v1.33.10-eksbuild.13" {
		t.Errorf("vpc-cni %v, kube-proxy %v", cluster.Input("vpcCniOptions.addonVersion"), cluster.Input("kubeProxyAddonOptions.version"))
	}
	if got := m.Get(t, awsEKSClusterType, "eks-demo-cluster-eksCluster").Input("upgradePolicy.supportType"); got != "STANDARD" {
		t.Errorf("control plane's support type %v, want STANDARD", got)
	}
	// Negative control: unset, nothing is pinned and EKS keeps its default.
	m, _ = runCluster(t, clusterArgs(nil))
	cluster = m.Get(t, eksClusterType, "eks-demo-cluster")
	if cluster.Input("vpcCniOptions.addonVersion") != nil || cluster.Input("kubeProxyAddonOptions") != nil {
		t.Errorf("unpinned: vpc-cni %v, kube-proxy %v", cluster.Input("vpcCniOptions.addonVersion"), cluster.Input("kubeProxyAddonOptions"))
	}
	if got := m.Get(t, awsEKSClusterType, "eks-demo-cluster-eksCluster").Input("upgradePolicy"); got != nil {
		t.Errorf("no support type set, got %v", got)
	}
}

// The transform changes the control plane and nothing else pulumi-eks creates.
func TestSupportTypeTransformTouchesOnlyTheControlPlane(t *testing.T) {
	transforms := supportTypeTransforms(spec.SupportExtended)
	if len(transforms) != 1 || supportTypeTransforms("") != nil {
		t.Fatalf("%d transforms for EXTENDED, %v for none", len(transforms), supportTypeTransforms(""))
	}
	props := pulumi.Map{"name": pulumi.String("eks-demo")}
	out := transforms[0](context.Background(), &pulumi.ResourceTransformArgs{Type: awsEKSClusterType, Props: props})
	if out == nil || out.Props["name"] != props["name"] || len(props) != 1 {
		t.Fatalf("control plane: %+v (input %v)", out, props)
	}
	policy, _ := out.Props["upgradePolicy"].(pulumi.Map)
	if policy["supportType"] != pulumi.String("EXTENDED") {
		t.Errorf("upgradePolicy %v", out.Props["upgradePolicy"])
	}
	if out := transforms[0](context.Background(), &pulumi.ResourceTransformArgs{Type: "aws:eks/addon:Addon", Props: props}); out != nil {
		t.Errorf("an add-on transformed: %+v", out)
	}
}

// Scale-in: every emptyDir of the app pod is named safe to evict, and
// only those.
func TestAppPodsAreEvictableWithTheirEmptyDirs(t *testing.T) {
	m, _ := runApp(t, func(a *AppArgs) { a.WritablePaths = []string{"/tmp", "/var/cache/nginx"} })
	pod := flaskDeployment(t, m).Spec.Template
	var emptyDirs []string
	for _, v := range pod.Spec.Volumes {
		if v.EmptyDir != nil {
			emptyDirs = append(emptyDirs, v.Name)
		}
	}
	named := strings.Split(pod.Annotations[spec.SafeToEvictLocalVolumesAnnotation], ",")
	if len(emptyDirs) != 2 || !slices.Equal(named, emptyDirs) {
		t.Errorf("annotation names %v, the pod's emptyDirs are %v", named, emptyDirs)
	}
}

// The load balancer controller's chart renders a PodDisruptionBudget that
// lets one of its replicas go at a time.
func TestLoadBalancerControllerHasADisruptionBudget(t *testing.T) {
	m := runAddons(t, false)
	lbc := m.Get(t, chartType, "eks-demo-aws-load-balancer-controller")
	maxUnavailable, _ := lbc.Input("values." + spec.LoadBalancerControllerPDBValue + ".maxUnavailable").(float64)
	replicas, _ := lbc.Input("values.replicaCount").(float64)
	if maxUnavailable != 1 || replicas <= maxUnavailable {
		t.Errorf("podDisruptionBudget.maxUnavailable %v with %v replicas: want 1 of more than 1", lbc.Input("values."+spec.LoadBalancerControllerPDBValue), replicas)
	}
}
