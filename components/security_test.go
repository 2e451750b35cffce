package components

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

// checkRootVolume: the launch template's one block device is the AL2023
// root volume, of diskGiB, gp3 and encrypted, deleted with its node.
func checkRootVolume(t *testing.T, template mocktest.Resource, diskGiB float64) {
	t.Helper()
	want := []any{map[string]any{
		"deviceName": "/dev/xvda",
		"ebs": map[string]any{
			"volumeSize": diskGiB, "volumeType": "gp3", "encrypted": "true", "deleteOnTermination": "true",
		},
	}}
	if got := template.Input("blockDeviceMappings"); !reflect.DeepEqual(got, want) {
		t.Errorf("blockDeviceMappings = %v, want an encrypted root volume %v", got, want)
	}
}

// The node group launches from the component's launch template, at its
// latest version, so every node's root volume is encrypted.
func TestManagedNodeGroupRootVolumesAreEncrypted(t *testing.T) {
	m, _ := runNodeGroup(t, func(a *ManagedNodeGroupArgs) { a.DiskSize = 50; a.RequireImdsv2 = true })
	template := m.Get(t, launchTemplateType, "eks-demo-node-group-launch-template")
	checkRootVolume(t, template, 50)
	group := m.Get(t, nodeGroupType, "eks-demo-node-group-nodes")
	if got := group.Input("launchTemplate"); !reflect.DeepEqual(got, map[string]any{"id": template.ID, "version": "1"}) {
		t.Errorf("launchTemplate = %v, want the component's (%s) at its latest version", got, template.ID)
	}
	if template.Parent != m.Get(t, "eks-workshop:index:ManagedNodeGroup", "eks-demo-node-group").URN {
		t.Errorf("launch template parent = %s", template.Parent)
	}
}

// The node role's add-on policies act on this cluster only: the load
// balancer controller's tag conditions name it, the autoscaler resizes its
// groups only.
func TestManagedNodeGroupAddonPoliciesNameTheCluster(t *testing.T) {
	m, _ := runNodeGroup(t, func(a *ManagedNodeGroupArgs) { a.AddonPolicies = allAddonPolicies })
	_, custom := attachedPolicies(m)
	want := []PolicyDocument{spec.ScopedAutoScalerPolicy("eks-demo"), spec.ScopedLoadBalancerControllerPolicy("eks-demo")}
	slices.SortFunc(custom, func(a, b PolicyDocument) int { return strings.Compare(a.Statement[0].Sid, b.Statement[0].Sid) })
	slices.SortFunc(want, func(a, b PolicyDocument) int { return strings.Compare(a.Statement[0].Sid, b.Statement[0].Sid) })
	got, _ := json.Marshal(custom)
	wanted, _ := json.Marshal(want)
	if string(got) != string(wanted) {
		t.Errorf("custom node policies =\n%s\nwant\n%s", got, wanted)
	}
}

// deletedBefore is every resource `pulumi destroy` deletes before r: the
// engine deletes a resource only after those that depend on it and its
// children, transitively.
func deletedBefore(m *mocktest.Monitor, r mocktest.Resource) map[string]bool {
	before := map[string]bool{}
	queue := []string{r.URN}
	for len(queue) > 0 {
		urn := queue[0]
		queue = queue[1:]
		for _, other := range m.Resources() {
			if !before[other.URN] && (other.Parent == urn || slices.Contains(other.Dependencies, urn)) {
				before[other.URN] = true
				queue = append(queue, other.URN)
			}
		}
	}
	return before
}

// The Container Insights log groups go after every node and after the
// add-on: nothing is left to write to them (the agents' Fluent Bit would
// recreate a deleted group, with no retention). The control plane's log
// group goes after the cluster. Negative control: the cluster, which
// writes nothing to them, is not found before them.
func TestLogGroupsAreDeletedLast(t *testing.T) {
	m := runAddons(t, false)
	writers := []mocktest.Resource{
		m.Get(t, nodeGroupType, "eks-demo-node-group-nodes"),
		m.Get(t, addonType, "eks-demo-amazon-cloudwatch-observability"),
	}
	groups := 0
	for _, g := range m.ByType(logGroupType) {
		before := deletedBefore(m, g)
		if !strings.HasPrefix(g.Input("name").(string), "/aws/containerinsights/") {
			if !before[m.Get(t, eksClusterType, "eks-demo-cluster").URN] {
				t.Errorf("%s is deleted before the cluster that writes to it", g.Name)
			}
			continue
		}
		groups++
		for _, w := range writers {
			if !before[w.URN] {
				t.Errorf("%s is deleted before %s %s, which can still write to it", g.Input("name"), w.Type, w.Name)
			}
		}
		if before[m.Get(t, eksClusterType, "eks-demo-cluster").URN] {
			t.Errorf("the order is too coarse to tell: the cluster, which writes nothing there, must not go before %s", g.Input("name"))
		}
	}
	if groups != len(spec.ContainerInsightsLogKinds) {
		t.Errorf("%d Container Insights log groups, want %d", groups, len(spec.ContainerInsightsLogKinds))
	}
}

// The log groups ClusterAddons made before are the cluster's now, and an
// alias names their old URN, so a stack keeps its groups (CreateLogGroup
// would fail on their names). The old URN is what ClusterAddons registered
// them under (the recorded URN of a ClusterAddons child, negative control:
// an EKSCluster child's is not it).
func TestContainerInsightsLogGroupsKeepTheirState(t *testing.T) {
	m := runAddons(t, false)
	cluster := m.Get(t, "eks-workshop:index:EKSCluster", "eks-demo")
	addon := m.Get(t, addonType, "eks-demo-aws-ebs-csi-driver") // a ClusterAddons child
	for _, kind := range spec.ContainerInsightsLogKinds {
		g := m.Get(t, logGroupType, "eks-demo-containerinsights-"+kind)
		if g.Parent != cluster.URN {
			t.Errorf("%s's parent = %s, want the cluster", g.Name, g.Parent)
		}
		old := underClusterAddons("test", mocktest.Project, g.Name)
		if strings.Replace(addon.URN, "aws:eks/addon:Addon::"+addon.Name, "aws:cloudwatch/logGroup:LogGroup::"+g.Name, 1) != old || old == g.URN {
			t.Errorf("alias %s is not where ClusterAddons registered %s (its children are like %s)", old, g.Name, addon.URN)
		}
	}
}

// The secrets key waits the window the args set before KMS deletes it.
func TestSecretsKeyDeletionWindowIsASetting(t *testing.T) {
	for _, days := range []int{0, 7} {
		m, _ := runCluster(t, clusterArgs(func(a *EKSClusterArgs) { a.SecretsEncryption = true; a.SecretsKeyDeletionWindowDays = days }))
		want := float64(days)
		if days == 0 {
			want = float64(spec.DefaultSecretsKeyDeletionWindowDays)
		}
		if got := m.Get(t, kmsKeyType, "eks-demo-secrets").Input("deletionWindowInDays"); got != want {
			t.Errorf("window %d: deletionWindowInDays = %v, want %v", days, got, want)
		}
	}
}

// ClusterAddons refuses a cluster without the Container Insights log
// groups, which its agents would otherwise create with no retention.
func TestClusterAddonsNeedTheClustersLogGroups(t *testing.T) {
	m := mocktest.New()
	err := m.Run("test", nil, func(ctx *pulumi.Context) error {
		args := clusterArgs(nil) // ContainerInsightsLogGroups off
		cluster, err := NewEKSCluster(ctx, "eks-demo", &args)
		if err != nil {
			return err
		}
		k8s, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{Kubeconfig: cluster.KubeconfigJson})
		if err != nil {
			return err
		}
		_, err = NewClusterAddons(ctx, "eks-demo", &ClusterAddonsArgs{
			ClusterAddonsArgs: spec.ClusterAddonsArgs{Region: "ap-northeast-2", Versions: testAddonVersions},
			Cluster:           cluster, VpcID: pulumi.ID("vpc-1"), KubernetesProvider: k8s,
		})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "ContainerInsightsLogGroups") {
		t.Errorf("a cluster without the log groups: %v", err)
	}
}
