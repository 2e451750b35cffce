package components

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// The components' arguments as data (their defaults, validation and the AWS
// names they derive) are package spec's, which neither registers anything
// nor imports Pulumi, so that what only plans or validates (stacks/config,
// the organizer, their tests) stays light. Each Args here adds what only
// registration has: inputs, providers and resources to depend on. The
// aliases keep spec's other types usable under their names here.
type (
	NatGatewayMode   = spec.NatGatewayMode
	AccessPolicy     = spec.AccessPolicy
	AccessEntry      = spec.AccessEntry
	AddonPolicies    = spec.AddonPolicies
	Taint            = spec.Taint
	AddonVersions    = spec.AddonVersions
	ImageBuild       = spec.ImageBuild
	AppResources     = spec.AppResources
	Autoscaling      = spec.Autoscaling
	AppIngress       = spec.AppIngress
	AppNetworkPolicy = spec.AppNetworkPolicy
	FieldError       = spec.FieldError
	PhysicalName     = spec.PhysicalName
	PolicyDocument   = spec.PolicyDocument
	PolicyStatement  = spec.PolicyStatement
)

// NetworkArgs configures a Network: the validated arguments, and the tags it
// adds to every resource.
type NetworkArgs struct {
	spec.NetworkArgs
	// Tags are added to every resource. Optional.
	Tags pulumi.StringMapInput
}

// EKSClusterArgs configures an EKSCluster: the validated arguments, and the
// network it joins.
type EKSClusterArgs struct {
	spec.EKSClusterArgs
	// VpcID is the cluster's VPC. Required.
	VpcID pulumi.IDInput
	// PublicSubnetIDs host internet-facing load balancers. Required.
	PublicSubnetIDs pulumi.StringArrayInput
	// PrivateSubnetIDs host nodes and internal load balancers. Required.
	PrivateSubnetIDs pulumi.StringArrayInput
	// Tags are added to every AWS resource. Optional.
	Tags pulumi.StringMapInput
}

// ManagedNodeGroupArgs configures a ManagedNodeGroup: the validated arguments,
// and the cluster and subnets the nodes join.
type ManagedNodeGroupArgs struct {
	spec.ManagedNodeGroupArgs
	// Cluster is the cluster the nodes join. Required.
	Cluster *EKSCluster
	// SubnetIDs are where nodes run; pass private subnets (eksctl's privateNetworking). Required.
	SubnetIDs pulumi.StringArrayInput
	// SubnetEgress gives SubnetIDs their route out (Network.PrivateEgress):
	// nodes that boot before it cannot pull images or register, so the node
	// group waits for it. Optional.
	SubnetEgress []pulumi.Resource
	// Tags are added to every AWS resource. Optional.
	Tags pulumi.StringMapInput
}

// ClusterAddonsArgs configures ClusterAddons: the validated arguments, and the
// cluster that receives them.
type ClusterAddonsArgs struct {
	spec.ClusterAddonsArgs
	// Cluster receives the add-ons. Required.
	Cluster *EKSCluster
	// VpcID is the cluster's VPC, for the load balancer controller. Required.
	VpcID pulumi.IDInput
	// KubernetesProvider deploys the Helm charts. Required.
	KubernetesProvider pulumi.ProviderResource
	// Nodes must exist before controllers can run, and must outlive them:
	// ManagedNodeGroup.Nodes, not the component (see there). Optional.
	Nodes pulumi.Resource
	// Tags are added to every AWS resource. Optional.
	Tags pulumi.StringMapInput
}

// ECRImageArgs configures an ECRImage: the validated arguments, and its
// encryption key and tags.
type ECRImageArgs struct {
	spec.ECRImageArgs
	// KmsKeyArn encrypts images with this KMS key. Optional; default AES256.
	KmsKeyArn pulumi.StringInput
	// Tags are added to the repository. Optional.
	Tags pulumi.StringMapInput
}

// MetricsServerArgs configures a MetricsServer: the validated arguments, and
// the provider it installs with.
type MetricsServerArgs struct {
	spec.MetricsServerArgs
	// KubernetesProvider installs the chart. Required.
	KubernetesProvider pulumi.ProviderResource
}

// AppArgs configures an App: the validated arguments, and the image,
// provider and dependencies it is registered with.
type AppArgs struct {
	spec.AppArgs
	// Image is the image reference to run, ideally a digest. Required.
	Image pulumi.StringInput
	// Provider is the Kubernetes provider every object is created with. Required.
	Provider pulumi.ProviderResource
	// DependsOn are resources every object waits for and outlives, such as
	// the namespace, or the load balancer controller that must delete the
	// Ingress's ALB. Optional.
	DependsOn []pulumi.Resource
}

// mergeTags adds extra tags to base, extra winning. Either may be nil.
func mergeTags(base, extra pulumi.StringMapInput) pulumi.StringMapOutput {
	if base == nil {
		base = pulumi.StringMap{}
	}
	if extra == nil {
		extra = pulumi.StringMap{}
	}
	return pulumi.All(base, extra).ApplyT(func(maps []any) map[string]string {
		out := map[string]string{}
		for _, m := range maps {
			for k, v := range m.(map[string]string) {
				out[k] = v
			}
		}
		return out
	}).(pulumi.StringMapOutput)
}
