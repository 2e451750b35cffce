package components

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-eks/sdk/v3/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// EKSCluster is the EKS control plane with its logging, secrets encryption and access entries.
type EKSCluster struct {
	pulumi.ResourceState

	ClusterName             pulumi.StringOutput `pulumi:"clusterName"`
	Endpoint                pulumi.StringOutput `pulumi:"endpoint"`
	KubeconfigJson          pulumi.StringOutput `pulumi:"kubeconfigJson"`
	OidcProviderArn         pulumi.StringOutput `pulumi:"oidcProviderArn"`
	OidcProviderUrl         pulumi.StringOutput `pulumi:"oidcProviderUrl"`
	ClusterSecurityGroupID  pulumi.StringOutput `pulumi:"clusterSecurityGroupId"`
	NodeSecurityGroupID     pulumi.StringOutput `pulumi:"nodeSecurityGroupId"`
	AdminPrincipalArn       pulumi.StringOutput `pulumi:"adminPrincipalArn"`
	LogGroupName            pulumi.StringOutput `pulumi:"logGroupName"`
	SecretsEncryptionKeyArn pulumi.StringOutput `pulumi:"secretsEncryptionKeyArn"`

	// Cluster is the pulumi-eks cluster, for node groups and add-ons.
	Cluster *eks.Cluster `pulumi:"-"`
	// NodeLogGroups are the log groups agents on the nodes write to
	// (ContainerInsightsLogGroups; none without it): node groups and the
	// add-on that runs the agents depend on them, so they go last.
	NodeLogGroups []pulumi.Resource `pulumi:"-"`
}

// accessPolicyArn is the ARN of an EKS access policy in the given partition.
func accessPolicyArn(partition string, p AccessPolicy) string {
	return fmt.Sprintf("arn:%s:eks::aws:cluster-access-policy/AmazonEKS%sPolicy", partition, p)
}

// kubeconfigOptions is pulumi-eks's providerCredentialOpts for id, nil
// for the ambient credentials.
func kubeconfigOptions(id spec.KubeconfigIdentity) eks.KubeconfigOptionsPtrInput {
	if id == (spec.KubeconfigIdentity{}) {
		return nil
	}
	opts := eks.KubeconfigOptionsArgs{}
	if id.ProfileName != "" {
		opts.ProfileName = pulumi.String(id.ProfileName)
	}
	if id.RoleArn != "" {
		opts.RoleArn = pulumi.String(id.RoleArn)
	}
	return opts
}

// NewEKSCluster registers the log group, the optional KMS key and the cluster.
func NewEKSCluster(ctx *pulumi.Context, name string, args *EKSClusterArgs, opts ...pulumi.ResourceOption) (*EKSCluster, error) {
	if args == nil {
		args = &EKSClusterArgs{}
	}
	if err := errors.Join(args.Validate(), spec.PhysicalNameError("name", name, args.PhysicalNames(name))); err != nil {
		return nil, fmt.Errorf("eks cluster %q: %w", name, err)
	}
	if args.VpcID == nil || args.PublicSubnetIDs == nil || args.PrivateSubnetIDs == nil {
		return nil, fmt.Errorf("eks cluster %q: VpcID, PublicSubnetIDs and PrivateSubnetIDs are required", name)
	}
	a := *args
	a.EKSClusterArgs = args.WithDefaults() // the wiring as given, the rest defaulted

	c := &EKSCluster{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:EKSCluster", name, c, opts...); err != nil {
		return nil, err
	}
	parts := eksClusterParts{ctx: ctx, name: name, args: a, parent: pulumi.Parent(c), tags: mergeTags(a.Tags, nil)}
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parts.parent)
	logGroupName, clusterDeps, err := parts.logGroup()
	if err != nil {
		return nil, err
	}
	nodeLogGroups, err := parts.containerInsightsLogGroups()
	if err != nil {
		return nil, err
	}
	keyArn, encryptionKeyArn, err := parts.secretsKey()
	if err != nil {
		return nil, err
	}
	cluster, err := eks.NewCluster(ctx, name+"-cluster", parts.clusterArgs(partition, encryptionKeyArn), parts.parent, pulumi.DependsOn(clusterDeps),
		pulumi.Transforms(supportTypeTransforms(a.SupportType)))
	if err != nil {
		return nil, err
	}

	c.AdminPrincipalArn = parts.adminPrincipal()
	c.Cluster = cluster
	c.NodeLogGroups = nodeLogGroups
	c.ClusterName = cluster.EksCluster.Name()
	c.Endpoint = cluster.EksCluster.Endpoint()
	c.KubeconfigJson = kubeconfigJSON(cluster, a.KubeconfigIdentity.ProfileName)
	c.OidcProviderArn = cluster.OidcProviderArn
	c.OidcProviderUrl = cluster.OidcProviderUrl
	c.ClusterSecurityGroupID = cluster.ClusterSecurityGroupId
	c.NodeSecurityGroupID = cluster.NodeSecurityGroupId
	c.LogGroupName = logGroupName
	c.SecretsEncryptionKeyArn = keyArn
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"clusterName":             c.ClusterName,
		"endpoint":                c.Endpoint,
		"kubeconfigJson":          c.KubeconfigJson,
		"oidcProviderArn":         c.OidcProviderArn,
		"oidcProviderUrl":         c.OidcProviderUrl,
		"clusterSecurityGroupId":  c.ClusterSecurityGroupID,
		"nodeSecurityGroupId":     c.NodeSecurityGroupID,
		"adminPrincipalArn":       c.AdminPrincipalArn,
		"logGroupName":            c.LogGroupName,
		"secretsEncryptionKeyArn": c.SecretsEncryptionKeyArn,
	})
}

// eksClusterParts registers an EKSCluster's children: each parented to it,
// named after it and tagged with its tags.
type eksClusterParts struct {
	ctx    *pulumi.Context
	name   string // the EKSCluster's resource name, the prefix of its children's
	args   EKSClusterArgs
	parent pulumi.ResourceOrInvokeOption
	tags   pulumi.StringMapOutput
}

// logGroup registers the control plane's log group, if any log type is
// enabled, and returns its name ("" without one) and what the cluster must
// wait for. EKS creates /aws/eks/<name>/cluster itself with no expiry;
// creating it first is the only way to set retention and to delete it with
// the stack.
func (p eksClusterParts) logGroup() (pulumi.StringOutput, []pulumi.Resource, error) {
	if len(p.args.LogTypes()) == 0 {
		return pulumi.String("").ToStringOutput(), nil, nil
	}
	logGroup, err := cloudwatch.NewLogGroup(p.ctx, p.name+"-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.Sprintf("/aws/eks/%s/cluster", p.args.ClusterName),
		RetentionInDays: pulumi.Int(p.args.LogRetentionDays),
		Tags:            p.tags,
	}, p.parent)
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	return logGroup.Name, []pulumi.Resource{logGroup}, nil
}

// containerInsightsLogGroups creates the log groups Container Insights
// writes to, with the stack's retention, if asked: created before the
// add-on (whose agents would otherwise create them with no retention) and
// deleted after the nodes it runs on. Their resource names are those
// ClusterAddons, which made them before, gave them, and an alias keeps
// its state's groups (the cluster and the add-ons share their name).
func (p eksClusterParts) containerInsightsLogGroups() ([]pulumi.Resource, error) {
	if !p.args.ContainerInsightsLogGroups {
		return nil, nil
	}
	var groups []pulumi.Resource
	for _, kind := range spec.ContainerInsightsLogKinds {
		name := p.name + "-containerinsights-" + kind
		g, err := cloudwatch.NewLogGroup(p.ctx, name, &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(spec.ContainerInsightsLogGroup(p.args.ClusterName, kind)),
			RetentionInDays: pulumi.Int(p.args.LogRetentionDays),
			Tags:            p.tags,
		}, p.parent, pulumi.Aliases([]pulumi.Alias{{URN: pulumi.URN(underClusterAddons(p.ctx.Stack(), p.ctx.Project(), name))}}))
		if err != nil {
			return nil, err
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// underClusterAddons is the URN a log group named name had as a child of
// a ClusterAddons at the stack's root, where it was made before.
func underClusterAddons(stack, project, name string) string {
	return fmt.Sprintf("urn:pulumi:%s::%s::eks-workshop:index:ClusterAddons$aws:cloudwatch/logGroup:LogGroup::%s", stack, project, name)
}

// secretsKey registers the KMS key that envelope-encrypts Kubernetes
// secrets, and its alias, with SecretsEncryption. It returns the key's ARN
// as an output ("" without a key) and as the cluster's encryption input
// (nil without one).
func (p eksClusterParts) secretsKey() (pulumi.StringOutput, pulumi.StringPtrInput, error) {
	if !p.args.SecretsEncryption {
		return pulumi.String("").ToStringOutput(), nil, nil
	}
	key, err := kms.NewKey(p.ctx, p.name+"-secrets", &kms.KeyArgs{
		Description:          pulumi.Sprintf("Envelope encryption of Kubernetes secrets in EKS cluster %s", p.args.ClusterName),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(p.args.SecretsKeyDeletionWindowDays),
		Tags:                 p.tags,
	}, p.parent)
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	if _, err := kms.NewAlias(p.ctx, p.name+"-secrets", &kms.AliasArgs{
		Name:        pulumi.Sprintf("alias/eks/%s-secrets", p.args.ClusterName),
		TargetKeyId: key.KeyId,
	}, p.parent); err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	return key.Arn, key.Arn, nil
}

// clusterArgs are pulumi-eks's arguments for the control plane, with no
// default node group and API access entries only.
func (p eksClusterParts) clusterArgs(partition aws.GetPartitionResultOutput, encryptionKeyArn pulumi.StringPtrInput) *eks.ClusterArgs {
	a := p.args
	authMode := eks.AuthenticationModeApi
	return &eks.ClusterArgs{
		Name:                   pulumi.String(a.ClusterName),
		Version:                pulumi.String(a.KubernetesVersion),
		VpcId:                  a.VpcID.ToIDOutput().ToStringOutput(),
		PublicSubnetIds:        a.PublicSubnetIDs,
		PrivateSubnetIds:       a.PrivateSubnetIDs,
		SkipDefaultNodeGroup:   pulumi.BoolRef(true),
		CreateOidcProvider:     pulumi.Bool(true),
		EnabledClusterLogTypes: pulumi.ToStringArray(a.LogTypes()),
		AuthenticationMode:     &authMode,
		AccessEntries:          accessEntries(a.AccessEntries, partition),
		EndpointPublicAccess:   pulumi.Bool(*a.EndpointPublicAccess),
		EndpointPrivateAccess:  pulumi.Bool(a.EndpointPrivateAccess),
		PublicAccessCidrs:      pulumi.ToStringArray(a.PublicAccessCidrs),
		EncryptionConfigKeyArn: encryptionKeyArn,
		VpcCniOptions:          vpcCniOptions(a.EKSClusterArgs),
		KubeProxyAddonOptions:  kubeProxyOptions(a.KubeProxyVersion),
		AutoMode:               autoModeOptions(a.EKSClusterArgs),
		ProviderCredentialOpts: kubeconfigOptions(a.KubeconfigIdentity),
		Tags:                   p.tags,
	}
}

// vpcCniOptions configure the VPC CNI add-on pulumi-eks installs, nil in
// Auto Mode, where it installs none (v3.9.1 nodejs/eks/cluster/cluster.ts:
// vpcCniAddonEnabled is !autoMode.enabled) and the options would be ignored.
func vpcCniOptions(a spec.EKSClusterArgs) *eks.VpcCniOptionsArgs {
	if a.AutoMode {
		return nil
	}
	return &eks.VpcCniOptionsArgs{
		EnableNetworkPolicy: pulumi.Bool(a.EnableNetworkPolicy),
		AddonVersion:        pulumi.StringPtrFromPtr(nonEmptyString(a.VpcCniVersion)),
	}
}

// autoModeOptions turn EKS Auto Mode on, nil without it. pulumi-eks then
// creates the node role (AmazonEKSWorkerNodeMinimalPolicy and
// AmazonEC2ContainerRegistryPullOnly), gives the cluster role Auto Mode's
// policies, sets bootstrapSelfManagedAddons false and skips the default
// security groups, the VPC CNI and kube-proxy add-ons. The node pools are
// named here rather than left to its default so that the plan says them.
func autoModeOptions(a spec.EKSClusterArgs) *eks.AutoModeOptionsArgs {
	if !a.AutoMode {
		return nil
	}
	return &eks.AutoModeOptionsArgs{
		Enabled:        true,
		CreateNodeRole: pulumi.BoolRef(true),
		ComputeConfig:  eks.ClusterComputeConfigArgs{NodePools: pulumi.ToStringArray(spec.AutoModeNodePools)},
	}
}

// accessEntries are pulumi-eks's access entries, each with its one access
// policy, scoped to the cluster or to the entry's namespaces.
func accessEntries(list []spec.AccessEntry, partition aws.GetPartitionResultOutput) map[string]eks.AccessEntryArgs {
	entries := map[string]eks.AccessEntryArgs{}
	for _, e := range list {
		scope := awseks.AccessPolicyAssociationAccessScopeArgs{Type: pulumi.String("cluster")}
		if len(e.Namespaces) > 0 {
			scope = awseks.AccessPolicyAssociationAccessScopeArgs{
				Type: pulumi.String("namespace"), Namespaces: pulumi.ToStringArray(e.Namespaces),
			}
		}
		entries[spec.AccessEntryKey(e.PrincipalArn)] = eks.AccessEntryArgs{
			PrincipalArn:     pulumi.String(e.PrincipalArn),
			KubernetesGroups: pulumi.ToStringArray(e.KubernetesGroups),
			AccessPolicies: map[string]eks.AccessPolicyAssociationInput{
				string(e.Policy): eks.AccessPolicyAssociationArgs{
					PolicyArn:   partition.Partition().ApplyT(func(p string) string { return accessPolicyArn(p, e.Policy) }).(pulumi.StringOutput),
					AccessScope: scope,
				},
			},
		}
	}
	return entries
}

// adminPrincipal is who EKS made the cluster's admin. pulumi-eks always
// creates the cluster with bootstrapClusterCreatorAdminPermissions, so EKS
// itself grants the identity running `pulumi up` (for an assumed role, the
// role) AmazonEKSClusterAdminPolicy; an explicit entry for it would be a
// duplicate that EKS rejects. Expose who that is, so reviews can see it.
func (p eksClusterParts) adminPrincipal() pulumi.StringOutput {
	caller := aws.GetCallerIdentityOutput(p.ctx, aws.GetCallerIdentityOutputArgs{}, p.parent)
	return iam.GetSessionContextOutput(p.ctx, iam.GetSessionContextOutputArgs{Arn: caller.Arn()}, p.parent).IssuerArn()
}

// kubeconfigJSON is the cluster's kubeconfig, naming profile if one is set, as a secret.
func kubeconfigJSON(cluster *eks.Cluster, profile string) pulumi.StringOutput {
	kubeconfig := cluster.KubeconfigJson
	if profile != "" {
		kubeconfig = kubeconfig.ApplyT(func(k string) (string, error) { return spec.KubeconfigWithProfile(k, profile) }).(pulumi.StringOutput)
	}
	return pulumi.ToSecret(kubeconfig).(pulumi.StringOutput)
}
