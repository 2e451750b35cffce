package components

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-eks/sdk/v3/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AddonPolicies are eksctl's `iam.withAddonPolicies`: extra permissions on the
// node role that every pod on the node can use. Convenient for a workshop;
// production grants them per controller instead (EKS Pod Identity).
type AddonPolicies struct {
	// ImageBuilder attaches AmazonEC2ContainerRegistryPowerUser.
	ImageBuilder bool `json:"imageBuilder"`
	// CloudWatch attaches CloudWatchAgentServerPolicy (Container Insights).
	CloudWatch bool `json:"cloudWatch"`
	// Ebs attaches AmazonEBSCSIDriverPolicy.
	Ebs bool `json:"ebs"`
	// AutoScaler grants what the Cluster Autoscaler needs.
	AutoScaler bool `json:"autoScaler"`
	// AwsLoadBalancerController grants what the AWS Load Balancer Controller needs.
	AwsLoadBalancerController bool `json:"awsLoadBalancerController"`
}

// Taint is a Kubernetes taint on every node of the group.
type Taint struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"` // NoSchedule, PreferNoSchedule or NoExecute
}

// taintEffects maps Kubernetes' spelling to the EKS API's.
var taintEffects = map[string]string{
	"NoSchedule":       "NO_SCHEDULE",
	"PreferNoSchedule": "PREFER_NO_SCHEDULE",
	"NoExecute":        "NO_EXECUTE",
}

// ManagedNodeGroupArgs configures a ManagedNodeGroup.
type ManagedNodeGroupArgs struct {
	// Cluster is the cluster the nodes join. Required.
	Cluster *EKSCluster
	// NodeGroupName is the EKS node group name. Required (workshop: "node-group").
	NodeGroupName string
	// SubnetIDs are where nodes run; pass private subnets (eksctl's privateNetworking). Required.
	SubnetIDs pulumi.StringArrayInput
	// SubnetEgress gives SubnetIDs their route out (Network.PrivateEgress):
	// nodes that boot before it cannot pull images or register, so the node
	// group waits for it. Optional.
	SubnetEgress []pulumi.Resource
	// InstanceTypes, all of one CPU architecture. Optional; default ["m5.large"].
	InstanceTypes []string
	// DesiredSize, MinSize, MaxSize bound the group: 0 <= min <= desired <= max, max >= 1.
	// Optional; defaults 3, desired, desired (eksctl's).
	DesiredSize, MinSize, MaxSize *int
	// DiskSize is each node's root volume in GiB, 20 to 16384. Optional; default 20.
	DiskSize int
	// Labels are Kubernetes labels on every node. Optional.
	Labels map[string]string
	// Taints are Kubernetes taints on every node. Optional.
	Taints []Taint
	// RequireImdsv2 makes nodes refuse IMDSv1 (hop limit 2 so pods on the host network still reach it). Optional; default false.
	RequireImdsv2 bool
	// AddonPolicies attach eksctl's add-on permissions to the node role. Optional; default none.
	AddonPolicies AddonPolicies
	// ClusterAutoscaler tags the group for Cluster Autoscaler auto-discovery and
	// stops Pulumi from resetting the desired size the autoscaler chose. Optional; default false.
	ClusterAutoscaler bool
	// Tags are added to every AWS resource. Optional.
	Tags pulumi.StringMapInput
}

// ManagedNodeGroup is an EKS managed node group on Amazon Linux 2023 with its node role.
type ManagedNodeGroup struct {
	pulumi.ResourceState

	NodeGroupName pulumi.StringOutput `pulumi:"nodeGroupName"`
	NodeRoleArn   pulumi.StringOutput `pulumi:"nodeRoleArn"`
	NodeRoleName  pulumi.StringOutput `pulumi:"nodeRoleName"`

	// Nodes is pulumi-eks's node group, which waits for its role. To wait for
	// the nodes, depend on it, not on this component: the Go SDK expands a
	// dependency on a local component to the children registered so far,
	// which races with their registration (pulumi/pulumi#7852).
	Nodes pulumi.Resource `pulumi:"-"`
}

var (
	nodeGroupNamePattern = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$`)
	instanceTypePattern  = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9-]+$`)
	// Graviton families carry a "g" after the generation digit (m7g, c6gn, t4g); a1 is the first Graviton.
	armInstanceFamily = regexp.MustCompile(`^([a-z]+\d+g[a-z]*|a1)\.`)
)

func (a ManagedNodeGroupArgs) withDefaults() ManagedNodeGroupArgs {
	if len(a.InstanceTypes) == 0 {
		a.InstanceTypes = []string{DefaultInstanceType}
	}
	if a.DesiredSize == nil {
		a.DesiredSize = pulumi.IntRef(DefaultDesiredSize)
	}
	if a.MinSize == nil {
		a.MinSize = a.DesiredSize
	}
	if a.MaxSize == nil {
		a.MaxSize = a.DesiredSize
	}
	if a.DiskSize == 0 {
		a.DiskSize = DefaultDiskSize
	}
	return a
}

// Validate reports every problem with the (defaulted) args.
func (a ManagedNodeGroupArgs) Validate() error {
	a = a.withDefaults()
	var errs fieldErrors
	if !nodeGroupNamePattern.MatchString(a.NodeGroupName) {
		errs.add("nodeGroupName", a.NodeGroupName, "want 1-63 letters, digits, '-' or '_', starting with a letter or digit")
	}
	arches := map[string]bool{}
	for _, t := range a.InstanceTypes {
		if !instanceTypePattern.MatchString(t) {
			errs.add("instanceTypes", t, "want an EC2 instance type such as m5.large")
			continue
		}
		arches[InstanceArchitecture([]string{t})] = true
	}
	if len(arches) > 1 {
		errs.add("instanceTypes", a.InstanceTypes, "mixes amd64 (x86_64) and arm64 types; one node group runs one AMI architecture")
	}
	minSize, desired, maxSize := *a.MinSize, *a.DesiredSize, *a.MaxSize
	if minSize < 0 {
		errs.add("minSize", minSize, "want 0 or more")
	}
	if maxSize < 1 || maxSize > MaxNodesPerGroup {
		errs.add("maxSize", maxSize, "want 1 to %d", MaxNodesPerGroup)
	}
	if desired < minSize || desired > maxSize {
		errs.add("desiredSize", desired, "want minSize <= desiredSize <= maxSize (here %d..%d)", minSize, maxSize)
	}
	if a.DiskSize < MinDiskSize || a.DiskSize > MaxDiskSize {
		errs.add("diskSize", a.DiskSize, "want %d to %d GiB (Amazon Linux 2023 needs %d)", MinDiskSize, MaxDiskSize, MinDiskSize)
	}
	for _, k := range sortedKeys(a.Labels) {
		if !validLabel(k, a.Labels[k]) {
			errs.add("nodeLabels", k+"="+a.Labels[k], "want a Kubernetes label: key [prefix/]name, value up to 63 alphanumerics, '-', '_', '.'")
		}
	}
	if len(a.Taints) > maxTaintsPerGroup {
		errs.add("nodeTaints", len(a.Taints), "EKS allows %d taints per node group", maxTaintsPerGroup)
	}
	for _, t := range a.Taints {
		if !validLabel(t.Key, t.Value) {
			errs.add("nodeTaints", t.Key+"="+t.Value, "want a Kubernetes taint key and value")
		}
		if _, ok := taintEffects[t.Effect]; !ok {
			errs.add("nodeTaints", t.Effect, "effect must be NoSchedule, PreferNoSchedule or NoExecute")
		}
	}
	return errs.err()
}

// InstanceArchitecture is the container platform architecture, "amd64" or
// "arm64", of instance types of one architecture (as Validate requires).
func InstanceArchitecture(instanceTypes []string) string {
	for _, t := range instanceTypes {
		if armInstanceFamily.MatchString(t) {
			return "arm64"
		}
	}
	return "amd64"
}

// awsManagedPolicy is an AWS managed policy by its path and name.
type awsManagedPolicy struct{ key, path string }

var (
	nodeBasePolicies = []awsManagedPolicy{
		{"worker", "AmazonEKSWorkerNodePolicy"},
		{"cni", "AmazonEKS_CNI_Policy"},
		{"ecr-read", "AmazonEC2ContainerRegistryReadOnly"},
	}
	imageBuilderPolicy = awsManagedPolicy{"image-builder", "AmazonEC2ContainerRegistryPowerUser"}
	cloudWatchPolicy   = awsManagedPolicy{"cloudwatch", "CloudWatchAgentServerPolicy"}
	ebsPolicy          = awsManagedPolicy{"ebs", "service-role/AmazonEBSCSIDriverPolicy"}
)

// customPolicies are the add-on policies with no AWS managed equivalent, by resource name suffix.
func (a ManagedNodeGroupArgs) customPolicies() map[string]PolicyDocument {
	custom := map[string]PolicyDocument{}
	if a.AddonPolicies.AutoScaler {
		custom["autoscaler"] = AutoScalerPolicy()
	}
	if a.AddonPolicies.AwsLoadBalancerController {
		custom["load-balancer-controller"] = LoadBalancerControllerPolicy()
	}
	return custom
}

func (a ManagedNodeGroupArgs) customPolicyKeys() []string { return sortedKeys(a.customPolicies()) }

// NewManagedNodeGroup registers the node role, its policies and the node group.
func NewManagedNodeGroup(ctx *pulumi.Context, name string, args *ManagedNodeGroupArgs, opts ...pulumi.ResourceOption) (*ManagedNodeGroup, error) {
	if args == nil {
		args = &ManagedNodeGroupArgs{}
	}
	if err := errors.Join(args.Validate(), PhysicalNameError("name", name, args.PhysicalNames(name))); err != nil {
		return nil, fmt.Errorf("managed node group %q: %w", name, err)
	}
	if args.Cluster == nil || args.SubnetIDs == nil {
		return nil, fmt.Errorf("managed node group %q: Cluster and SubnetIDs are required", name)
	}
	a := args.withDefaults()

	g := &ManagedNodeGroup{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:ManagedNodeGroup", name, g, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(g)
	tags := mergeTags(a.Tags, nil)
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent)

	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Description: pulumi.Sprintf("Nodes of EKS node group %s", a.NodeGroupName),
		AssumeRolePolicy: partition.DnsSuffix().ApplyT(func(dns string) string {
			return ServiceTrustPolicy("ec2." + dns).JSON()
		}).(pulumi.StringOutput),
		Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}

	managed := append([]awsManagedPolicy(nil), nodeBasePolicies...)
	if a.AddonPolicies.ImageBuilder {
		managed = append(managed, imageBuilderPolicy)
	}
	if a.AddonPolicies.CloudWatch {
		managed = append(managed, cloudWatchPolicy)
	}
	if a.AddonPolicies.Ebs {
		managed = append(managed, ebsPolicy)
	}
	attachments := []pulumi.Resource{}
	for _, p := range managed {
		attachment, err := attachManagedPolicy(ctx, name+"-"+p.key, role, partition, p.path, parent)
		if err != nil {
			return nil, err
		}
		attachments = append(attachments, attachment)
	}
	custom := a.customPolicies()
	for _, key := range a.customPolicyKeys() {
		attachment, err := attachPolicy(ctx, name+"-"+key, role, pulumi.String(custom[key].JSON()), tags, parent)
		if err != nil {
			return nil, err
		}
		attachments = append(attachments, attachment)
	}

	var taints awseks.NodeGroupTaintArray
	for _, t := range a.Taints {
		taints = append(taints, awseks.NodeGroupTaintArgs{
			Key: pulumi.String(t.Key), Value: pulumi.StringPtr(t.Value), Effect: pulumi.String(taintEffects[t.Effect]),
		})
	}
	groupTags := a.Tags
	if a.ClusterAutoscaler {
		groupTags = a.Cluster.ClusterName.ApplyT(func(cluster string) map[string]string {
			return map[string]string{
				"k8s.io/cluster-autoscaler/enabled":    "true",
				"k8s.io/cluster-autoscaler/" + cluster: "owned",
			}
		}).(pulumi.StringMapOutput)
		groupTags = mergeTags(a.Tags, groupTags)
	}
	os := eks.OperatingSystemAL2023 // 1.33 and later have no Amazon Linux 2 AMIs
	groupArgs := &eks.ManagedNodeGroupArgs{
		Cluster:              a.Cluster.Cluster,
		NodeGroupName:        pulumi.String(a.NodeGroupName),
		NodeRole:             role,
		SubnetIds:            a.SubnetIDs,
		InstanceTypes:        pulumi.ToStringArray(a.InstanceTypes),
		OperatingSystem:      &os,
		DiskSize:             pulumi.Int(a.DiskSize),
		IgnoreScalingChanges: pulumi.BoolRef(a.ClusterAutoscaler),
		ScalingConfig: awseks.NodeGroupScalingConfigArgs{
			DesiredSize: pulumi.Int(*a.DesiredSize),
			MinSize:     pulumi.Int(*a.MinSize),
			MaxSize:     pulumi.Int(*a.MaxSize),
		},
		Labels: pulumi.ToStringMap(a.Labels),
		Taints: taints,
		Tags:   groupTags,
	}
	if a.RequireImdsv2 {
		// Setting it at all (even false) makes pulumi-eks add a launch
		// template; without it the AMI's default applies.
		groupArgs.EnableIMDSv2 = pulumi.BoolRef(true)
	}
	group, err := eks.NewManagedNodeGroup(ctx, name+"-nodes", groupArgs, parent,
		pulumi.DependsOn(attachments), pulumi.DependsOn(a.SubnetEgress))
	if err != nil {
		return nil, err
	}

	g.Nodes = group
	g.NodeGroupName = group.NodeGroup.NodeGroupName()
	g.NodeRoleArn = role.Arn
	g.NodeRoleName = role.Name
	return g, ctx.RegisterResourceOutputs(g, pulumi.Map{
		"nodeGroupName": g.NodeGroupName,
		"nodeRoleArn":   g.NodeRoleArn,
		"nodeRoleName":  g.NodeRoleName,
	})
}

// attachPolicy creates a customer-managed policy from a document and attaches it to role.
func attachPolicy(ctx *pulumi.Context, name string, role *iam.Role, document pulumi.StringInput, tags pulumi.StringMapInput, parent pulumi.ResourceOption) (*iam.RolePolicyAttachment, error) {
	policy, err := iam.NewPolicy(ctx, name, &iam.PolicyArgs{
		Policy: document,
		Tags:   tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	return iam.NewRolePolicyAttachment(ctx, name, &iam.RolePolicyAttachmentArgs{
		Role: role.Name, PolicyArn: policy.Arn,
	}, parent)
}

// attachManagedPolicy attaches an AWS managed policy ("service-role/AmazonEBSCSIDriverPolicy") in the stack's partition.
func attachManagedPolicy(ctx *pulumi.Context, name string, role *iam.Role, partition aws.GetPartitionResultOutput, path string, parent pulumi.ResourceOption) (*iam.RolePolicyAttachment, error) {
	return iam.NewRolePolicyAttachment(ctx, name, &iam.RolePolicyAttachmentArgs{
		Role: role.Name,
		PolicyArn: partition.Partition().ApplyT(func(part string) string {
			return fmt.Sprintf("arn:%s:iam::aws:policy/%s", part, path)
		}).(pulumi.StringOutput),
	}, parent)
}
