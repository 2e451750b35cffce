package components

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

const (
	nodeGroupType  = "eks:index:ManagedNodeGroup"
	roleType       = "aws:iam/role:Role"
	attachmentType = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	policyType     = "aws:iam/policy:Policy"

	launchTemplateType = "aws:ec2/launchTemplate:LaunchTemplate"
)

var allAddonPolicies = AddonPolicies{ImageBuilder: true, CloudWatch: true, Ebs: true, AutoScaler: true, AwsLoadBalancerController: true}

func runNodeGroup(t *testing.T, mutate func(*ManagedNodeGroupArgs)) (*mocktest.Monitor, string) {
	t.Helper()
	m := mocktest.New()
	m.MustRun(t, "test", nil, func(ctx *pulumi.Context) error {
		cluster, err := newTestCluster(ctx)
		if err != nil {
			return err
		}
		args := ManagedNodeGroupArgs{
			ManagedNodeGroupArgs: spec.ManagedNodeGroupArgs{NodeGroupName: "node-group"},
			Cluster:              cluster,
			SubnetIDs:            pulumi.ToStringArray([]string{"subnet-priv-a", "subnet-priv-b"}),
		}
		if mutate != nil {
			mutate(&args)
		}
		g, err := NewManagedNodeGroup(ctx, "eks-demo-node-group", &args)
		if err != nil {
			return err
		}
		m.Capture("nodeGroupName", g.NodeGroupName)
		return nil
	})
	return m, m.Captured()["nodeGroupName"].(string)
}

// attachedPolicies returns the managed policy ARNs attached to the node role
// and the documents of the customer-managed ones.
func attachedPolicies(m *mocktest.Monitor) (managed []string, custom []PolicyDocument) {
	for _, a := range m.ByType(attachmentType) {
		arn := a.Input("policyArn").(string)
		if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
			managed = append(managed, strings.TrimPrefix(arn, "arn:aws:iam::aws:policy/"))
			continue
		}
		for _, p := range m.ByType(policyType) {
			if strings.HasSuffix(arn, "/"+p.Name) {
				var doc PolicyDocument
				_ = json.Unmarshal([]byte(p.Input("policy").(string)), &doc)
				custom = append(custom, doc)
			}
		}
	}
	slices.Sort(managed)
	return managed, custom
}

func TestManagedNodeGroupWorkshopDefaults(t *testing.T) {
	m, name := runNodeGroup(t, func(a *ManagedNodeGroupArgs) { a.AddonPolicies = allAddonPolicies })
	group := m.Get(t, nodeGroupType, "eks-demo-node-group-nodes")
	for path, want := range map[string]any{
		"nodeGroupName":             "node-group",
		"operatingSystem":           "AL2023",
		"scalingConfig.desiredSize": 3.0,
		"scalingConfig.minSize":     3.0,
		"scalingConfig.maxSize":     3.0,
		"ignoreScalingChanges":      false,
	} {
		if got := group.Input(path); got != want {
			t.Errorf("node group %s = %v, want %v", path, got, want)
		}
	}
	if got := group.Input("instanceTypes"); !reflect.DeepEqual(got, []any{"m5.large"}) {
		t.Errorf("instanceTypes = %v, want [m5.large]", got)
	}
	for _, field := range []string{"enableIMDSv2", "diskSize"} {
		if got := group.Input(field); got != nil {
			t.Errorf("%s = %v, want unset: the launch template's (EKS and pulumi-eks refuse both)", field, got)
		}
	}
	template := m.Get(t, launchTemplateType, "eks-demo-node-group-launch-template")
	checkRootVolume(t, template, 20)
	if got := template.Input("metadataOptions"); got != nil {
		t.Errorf("metadataOptions = %v, want unset (the AMI's default)", got)
	}
	if got := group.Input("subnetIds"); !reflect.DeepEqual(got, []any{"subnet-priv-a", "subnet-priv-b"}) {
		t.Errorf("subnetIds = %v, want the private subnets", got)
	}
	cluster := m.Get(t, "eks:index:Cluster", "eks-demo-cluster")
	if group.Input("cluster") != cluster.URN {
		t.Errorf("node group cluster = %v, want %s", group.Input("cluster"), cluster.URN)
	}
	role := m.Get(t, roleType, "eks-demo-node-group-role")
	if group.Input("nodeRole") != role.URN {
		t.Errorf("node group role = %v, want the component's role", group.Input("nodeRole"))
	}
	if !strings.Contains(role.Input("assumeRolePolicy").(string), `"ec2.amazonaws.com"`) {
		t.Errorf("node role trust = %v, want ec2.amazonaws.com", role.Input("assumeRolePolicy"))
	}
	if name != "node-group" {
		t.Errorf("NodeGroupName output = %q", name)
	}

	managed, custom := attachedPolicies(m)
	// imageBuilder adds no push rights (eksctl's PowerUser): pull only.
	wantManaged := []string{"AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy",
		"AmazonEKS_CNI_Policy", "CloudWatchAgentServerPolicy", "service-role/AmazonEBSCSIDriverPolicy"}
	if !reflect.DeepEqual(managed, wantManaged) {
		t.Errorf("managed policies = %v, want %v", managed, wantManaged)
	}
	actions := map[string]bool{}
	for _, doc := range custom {
		for _, s := range doc.Statement {
			for _, a := range s.Action {
				actions[a] = true
			}
		}
	}
	for _, a := range []string{"autoscaling:SetDesiredCapacity", "eks:DescribeNodegroup", "elasticloadbalancing:CreateLoadBalancer"} {
		if !actions[a] {
			t.Errorf("custom node policies lack %s", a)
		}
	}
}

func TestManagedNodeGroupWithoutAddonPoliciesHasOnlyTheBaseThree(t *testing.T) {
	m, _ := runNodeGroup(t, nil)
	managed, custom := attachedPolicies(m)
	if !reflect.DeepEqual(managed, []string{"AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"}) || len(custom) != 0 {
		t.Errorf("policies = %v + %d custom, want only the three node policies", managed, len(custom))
	}
}

func TestManagedNodeGroupAutoscalerAndHardening(t *testing.T) {
	m, _ := runNodeGroup(t, func(a *ManagedNodeGroupArgs) {
		a.ClusterAutoscaler = true
		a.RequireImdsv2 = true
		a.DesiredSize, a.MinSize, a.MaxSize = pulumi.IntRef(3), pulumi.IntRef(2), pulumi.IntRef(6)
		a.Labels = map[string]string{"workload": "web"}
		a.Taints = []Taint{{Key: "dedicated", Value: "web", Effect: "NoSchedule"}}
	})
	group := m.Get(t, nodeGroupType, "eks-demo-node-group-nodes")
	tags, _ := group.Input("tags").(map[string]any)
	if tags["k8s.io/cluster-autoscaler/enabled"] != "true" || tags["k8s.io/cluster-autoscaler/eks-demo"] != "owned" {
		t.Errorf("tags = %v, want the Cluster Autoscaler discovery tags", tags)
	}
	if group.Input("ignoreScalingChanges") != true {
		t.Errorf("ignoreScalingChanges = %v", group.Input("ignoreScalingChanges"))
	}
	template := m.Get(t, launchTemplateType, "eks-demo-node-group-launch-template")
	want := map[string]any{"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 2.0}
	if got := template.Input("metadataOptions"); !reflect.DeepEqual(got, want) {
		t.Errorf("metadataOptions = %v, want IMDSv2 only, hop limit 2: %v", got, want)
	}
	if group.Input("scalingConfig.minSize") != 2.0 || group.Input("scalingConfig.maxSize") != 6.0 {
		t.Errorf("scaling = %v", group.Input("scalingConfig"))
	}
	if !reflect.DeepEqual(group.Input("taints"), []any{map[string]any{"key": "dedicated", "value": "web", "effect": "NO_SCHEDULE"}}) {
		t.Errorf("taints = %v", group.Input("taints"))
	}
	if !reflect.DeepEqual(group.Input("labels"), map[string]any{"workload": "web"}) {
		t.Errorf("labels = %v", group.Input("labels"))
	}
}
