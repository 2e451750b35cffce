package components

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-eks/sdk/v3/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

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

// NewManagedNodeGroup registers the node role, its policies and the node group.
func NewManagedNodeGroup(ctx *pulumi.Context, name string, args *ManagedNodeGroupArgs, opts ...pulumi.ResourceOption) (*ManagedNodeGroup, error) {
	if args == nil {
		args = &ManagedNodeGroupArgs{}
	}
	if err := errors.Join(args.Validate(), spec.PhysicalNameError("name", name, args.PhysicalNames(name))); err != nil {
		return nil, fmt.Errorf("managed node group %q: %w", name, err)
	}
	if args.Cluster == nil || args.SubnetIDs == nil {
		return nil, fmt.Errorf("managed node group %q: Cluster and SubnetIDs are required", name)
	}
	a := *args
	a.ManagedNodeGroupArgs = args.WithDefaults() // the wiring as given, the rest defaulted

	g := &ManagedNodeGroup{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:ManagedNodeGroup", name, g, opts...); err != nil {
		return nil, err
	}
	parts := nodeGroupParts{ctx: ctx, name: name, args: a, parent: pulumi.Parent(g), tags: mergeTags(a.Tags, nil)}
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parts.parent)
	role, err := parts.nodeRole(partition)
	if err != nil {
		return nil, err
	}
	attachments, err := parts.rolePolicies(role, partition)
	if err != nil {
		return nil, err
	}
	template, err := parts.launchTemplate()
	if err != nil {
		return nil, err
	}
	// The node group outlives the log groups its nodes' agents write to:
	// `pulumi destroy` deletes them only once no node runs.
	group, err := eks.NewManagedNodeGroup(ctx, name+"-nodes", nodeGroupArgs(a, role, template), parts.parent,
		pulumi.DependsOn(attachments), pulumi.DependsOn(a.SubnetEgress), pulumi.DependsOn(a.Cluster.NodeLogGroups))
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

// nodeGroupParts registers a ManagedNodeGroup's children: each parented to
// it, named after it and tagged with its tags.
type nodeGroupParts struct {
	ctx    *pulumi.Context
	name   string // the ManagedNodeGroup's resource name, the prefix of its children's
	args   ManagedNodeGroupArgs
	parent pulumi.ResourceOrInvokeOption
	tags   pulumi.StringMapOutput
}

// nodeRole is the role the nodes' EC2 instances assume.
func (p nodeGroupParts) nodeRole(partition aws.GetPartitionResultOutput) (*iam.Role, error) {
	return iam.NewRole(p.ctx, p.name+"-role", &iam.RoleArgs{
		Description: pulumi.Sprintf("Nodes of EKS node group %s", p.args.NodeGroupName),
		AssumeRolePolicy: partition.DnsSuffix().ApplyT(func(dns string) string {
			return spec.ServiceTrustPolicy("ec2." + dns).JSON()
		}).(pulumi.StringOutput),
		Tags: p.tags,
	}, p.parent)
}

// rolePolicies attaches the AWS managed policies every node needs and those
// its add-on policies ask for, then the custom policies, and returns the
// attachments.
func (p nodeGroupParts) rolePolicies(role *iam.Role, partition aws.GetPartitionResultOutput) ([]pulumi.Resource, error) {
	attachments := []pulumi.Resource{}
	for _, policy := range managedNodePolicies(p.args.AddonPolicies) {
		attachment, err := attachManagedPolicy(p.ctx, p.name+"-"+policy.Key, role, partition, policy.Path, p.parent)
		if err != nil {
			return nil, err
		}
		attachments = append(attachments, attachment)
	}
	for _, key := range p.args.CustomPolicyKeys() {
		document := p.args.Cluster.ClusterName.ApplyT(func(cluster string) string {
			return p.args.CustomPolicies(cluster)[key].JSON()
		}).(pulumi.StringOutput)
		attachment, err := attachPolicy(p.ctx, p.name+"-"+key, role, document, p.tags, p.parent)
		if err != nil {
			return nil, err
		}
		attachments = append(attachments, attachment)
	}
	return attachments, nil
}

// managedNodePolicies are the nodes' base policies, then those the add-on policies turn on.
func managedNodePolicies(addons AddonPolicies) []spec.AWSManagedPolicy {
	managed := append([]spec.AWSManagedPolicy(nil), spec.NodeBasePolicies...)
	if addons.CloudWatch {
		managed = append(managed, spec.CloudWatchPolicy)
	}
	if addons.Ebs {
		managed = append(managed, spec.EBSPolicy)
	}
	return managed
}

// launchTemplate is the nodes' launch template: the root volume,
// encrypted (spec.NodeRootDeviceName says why it is this template's), and
// with RequireImdsv2 the metadata options pulumi-eks's enableIMDSv2 would
// set, which conflicts with a launch template of one's own.
func (p nodeGroupParts) launchTemplate() (*ec2.LaunchTemplate, error) {
	a := p.args
	args := &ec2.LaunchTemplateArgs{
		Description: pulumi.Sprintf("Nodes of EKS node group %s", a.NodeGroupName),
		BlockDeviceMappings: ec2.LaunchTemplateBlockDeviceMappingArray{ec2.LaunchTemplateBlockDeviceMappingArgs{
			DeviceName: pulumi.String(spec.NodeRootDeviceName),
			Ebs: ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
				VolumeSize:          pulumi.Int(a.DiskSize),
				VolumeType:          pulumi.String(spec.NodeRootVolumeType),
				Encrypted:           pulumi.String("true"),
				DeleteOnTermination: pulumi.String("true"),
			},
		}},
		Tags: p.tags,
	}
	if a.RequireImdsv2 {
		args.MetadataOptions = ec2.LaunchTemplateMetadataOptionsArgs{
			HttpEndpoint:            pulumi.String("enabled"),
			HttpTokens:              pulumi.String("required"),
			HttpPutResponseHopLimit: pulumi.Int(spec.NodeMetadataHopLimit),
		}
	}
	return ec2.NewLaunchTemplate(p.ctx, p.name+"-launch-template", args, p.parent)
}

// nodeGroupArgs are pulumi-eks's arguments for the node group on Amazon
// Linux 2023, from template: the disk size is the template's (EKS refuses
// both).
func nodeGroupArgs(a ManagedNodeGroupArgs, role *iam.Role, template *ec2.LaunchTemplate) *eks.ManagedNodeGroupArgs {
	var taints awseks.NodeGroupTaintArray
	for _, t := range a.Taints {
		taints = append(taints, awseks.NodeGroupTaintArgs{
			Key: pulumi.String(t.Key), Value: pulumi.StringPtr(t.Value), Effect: pulumi.String(spec.TaintEffects[t.Effect]),
		})
	}
	os := eks.OperatingSystemAL2023 // 1.33 and later have no Amazon Linux 2 AMIs
	return &eks.ManagedNodeGroupArgs{
		Cluster:         a.Cluster.Cluster,
		NodeGroupName:   pulumi.String(a.NodeGroupName),
		NodeRole:        role,
		SubnetIds:       a.SubnetIDs,
		InstanceTypes:   pulumi.ToStringArray(a.InstanceTypes),
		OperatingSystem: &os,
		LaunchTemplate: awseks.NodeGroupLaunchTemplateArgs{
			Id:      template.ID(),
			Version: template.LatestVersion.ApplyT(strconv.Itoa).(pulumi.StringOutput),
		},
		IgnoreScalingChanges: pulumi.BoolRef(a.ClusterAutoscaler),
		ScalingConfig: awseks.NodeGroupScalingConfigArgs{
			DesiredSize: pulumi.Int(*a.DesiredSize),
			MinSize:     pulumi.Int(*a.MinSize),
			MaxSize:     pulumi.Int(*a.MaxSize),
		},
		Labels: pulumi.ToStringMap(a.Labels),
		Taints: taints,
		Tags:   nodeGroupTags(a),
	}
}

// nodeGroupTags are the stack's tags and, with the Cluster Autoscaler, the
// tags by which it discovers the group.
func nodeGroupTags(a ManagedNodeGroupArgs) pulumi.StringMapInput {
	if !a.ClusterAutoscaler {
		return a.Tags
	}
	discovery := a.Cluster.ClusterName.ApplyT(func(cluster string) map[string]string {
		return map[string]string{
			"k8s.io/cluster-autoscaler/enabled":    "true",
			"k8s.io/cluster-autoscaler/" + cluster: "owned",
		}
	}).(pulumi.StringMapOutput)
	return mergeTags(a.Tags, discovery)
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
