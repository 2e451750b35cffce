package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components"
)

// Run is the program `pulumi up` runs: LoadConfig, then Program.
func Run(ctx *pulumi.Context) error {
	cfg, err := LoadConfig(ctx)
	if err != nil {
		return err
	}
	return Program(cfg)(ctx)
}

// Program deploys the environment cfg describes. It validates cfg first, so
// Automation API callers who build a Config in Go get the same errors as
// `pulumi up`, before anything is registered.
func Program(cfg Config) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		if err := cfg.Validate(); err != nil {
			return err
		}
		outputs, err := deploy(ctx, cfg)
		if err != nil {
			return err
		}
		for key, value := range outputs {
			ctx.Export(key, value)
		}
		return nil
	}
}

func (c Config) networkArgs() components.NetworkArgs {
	return components.NetworkArgs{
		VpcCidr:               c.VpcCidr,
		AvailabilityZones:     c.AvailabilityZones,
		AvailabilityZoneCount: c.AvailabilityZoneCount,
		NatGateway:            c.NatGateway,
		ClusterName:           c.ClusterName,
	}
}

func (c Config) clusterArgs() components.EKSClusterArgs {
	return components.EKSClusterArgs{
		ClusterName:            c.ClusterName,
		KubernetesVersion:      c.KubernetesVersion,
		EnabledClusterLogTypes: c.EnabledClusterLogTypes,
		LogRetentionDays:       c.LogRetentionDays,
		EndpointPublicAccess:   pulumi.BoolRef(c.EndpointPublicAccess),
		EndpointPrivateAccess:  c.EndpointPrivateAccess,
		PublicAccessCidrs:      c.PublicAccessCidrs,
		SecretsEncryption:      c.SecretsEncryption,
		AccessEntries:          c.AccessEntries,
	}
}

func (c Config) nodeGroupArgs() components.ManagedNodeGroupArgs {
	return components.ManagedNodeGroupArgs{
		NodeGroupName:     c.NodeGroupName,
		InstanceTypes:     c.InstanceTypes,
		DesiredSize:       pulumi.IntRef(c.DesiredSize),
		MinSize:           pulumi.IntRef(c.MinSize),
		MaxSize:           pulumi.IntRef(c.MaxSize),
		DiskSize:          c.DiskSize,
		Labels:            c.NodeLabels,
		Taints:            c.NodeTaints,
		RequireImdsv2:     c.RequireImdsv2,
		AddonPolicies:     c.NodeRoleAddonPolicies,
		ClusterAutoscaler: c.ClusterAutoscaler,
	}
}

// deploy registers the environment and returns its stack outputs.
func deploy(ctx *pulumi.Context, cfg Config) (pulumi.Map, error) {
	// An explicit provider: the region comes from Config, so Automation API
	// callers need no aws:region stack setting, and every resource carries
	// the same default tags.
	defaultTags := pulumi.StringMap{
		"project":    pulumi.String(ProjectName),
		"stack":      pulumi.String(ctx.Stack()),
		"managed-by": pulumi.String("pulumi"),
	}
	for k, v := range cfg.Tags {
		defaultTags[k] = pulumi.String(v)
	}
	awsProvider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
		Region:      pulumi.String(cfg.Region),
		DefaultTags: aws.ProviderDefaultTagsArgs{Tags: defaultTags},
	})
	if err != nil {
		return nil, err
	}
	onAWS := pulumi.Providers(awsProvider)
	protect := pulumi.Protect(cfg.Protect)

	networkArgs := cfg.networkArgs()
	network, err := components.NewNetwork(ctx, cfg.ClusterName, &networkArgs, onAWS, protect)
	if err != nil {
		return nil, err
	}

	clusterArgs := cfg.clusterArgs()
	clusterArgs.VpcID = network.VpcID
	clusterArgs.PublicSubnetIDs = network.PublicSubnetIDs
	clusterArgs.PrivateSubnetIDs = network.PrivateSubnetIDs
	cluster, err := components.NewEKSCluster(ctx, cfg.ClusterName, &clusterArgs, onAWS, protect)
	if err != nil {
		return nil, err
	}

	nodeArgs := cfg.nodeGroupArgs()
	nodeArgs.Cluster = cluster
	nodeArgs.SubnetIDs = network.PrivateSubnetIDs // eksctl's privateNetworking: true
	nodes, err := components.NewManagedNodeGroup(ctx, fmt.Sprintf("%s-%s", cfg.ClusterName, cfg.NodeGroupName), &nodeArgs, onAWS)
	if err != nil {
		return nil, err
	}

	images, err := deployImages(ctx, cfg, onAWS)
	if err != nil {
		return nil, err
	}

	return pulumi.Map{
		"flaskImage":               images["demo-flask-backend"].ImageRef,
		"nginxImage":               images["demo-nginx"].ImageRef,
		"flaskRepositoryUrl":       images["demo-flask-backend"].RepositoryUrl,
		"nginxRepositoryUrl":       images["demo-nginx"].RepositoryUrl,
		"region":                   pulumi.String(cfg.Region),
		"vpcId":                    network.VpcID,
		"publicSubnetIds":          network.PublicSubnetIDs,
		"privateSubnetIds":         network.PrivateSubnetIDs,
		"clusterName":              cluster.ClusterName,
		"clusterEndpoint":          cluster.Endpoint,
		"kubeconfig":               cluster.KubeconfigJson,
		"clusterAdminPrincipalArn": cluster.AdminPrincipalArn,
		"oidcProviderArn":          cluster.OidcProviderArn,
		"nodeGroupName":            nodes.NodeGroupName,
	}, nil
}
