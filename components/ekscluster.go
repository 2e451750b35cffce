package components

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-eks/sdk/v3/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Kubernetes versions EKS supports (standard or extended support) that this
// code is tested against; raise MaxKubernetesVersion with the SDK pins.
const (
	MinKubernetesVersion = 30
	MaxKubernetesVersion = 35
)

// ClusterLogTypes are the control-plane log types EKS can send to CloudWatch.
var ClusterLogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

// ValidLogRetentionDays are the retention periods CloudWatch Logs accepts.
var ValidLogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// AccessPolicy names an EKS access policy.
type AccessPolicy string

// The access policies an access entry can grant.
const (
	AccessPolicyClusterAdmin AccessPolicy = "ClusterAdmin"
	AccessPolicyAdmin        AccessPolicy = "Admin"
	AccessPolicyEdit         AccessPolicy = "Edit"
	AccessPolicyView         AccessPolicy = "View"
)

var accessPolicies = []AccessPolicy{AccessPolicyClusterAdmin, AccessPolicyAdmin, AccessPolicyEdit, AccessPolicyView}

// AccessEntry grants one IAM principal access to the Kubernetes API.
type AccessEntry struct {
	// PrincipalArn is an IAM role or user ARN. Required.
	PrincipalArn string `json:"principalArn"`
	// Policy is ClusterAdmin, Admin, Edit or View. Required.
	Policy AccessPolicy `json:"policy"`
	// Namespaces, when set, scope the policy to these namespaces; otherwise it applies cluster-wide.
	Namespaces []string `json:"namespaces,omitempty"`
	// KubernetesGroups are extra Kubernetes groups for the principal, for RBAC bindings of your own. Optional.
	KubernetesGroups []string `json:"kubernetesGroups,omitempty"`
}

// EKSClusterArgs configures an EKSCluster.
type EKSClusterArgs struct {
	// ClusterName is the EKS cluster's name. Required (workshop: "eks-demo").
	ClusterName string
	// KubernetesVersion is "1.<minor>", within the supported range. Required (workshop: "1.33").
	KubernetesVersion string
	// VpcID is the cluster's VPC. Required.
	VpcID pulumi.IDInput
	// PublicSubnetIDs host internet-facing load balancers. Required.
	PublicSubnetIDs pulumi.StringArrayInput
	// PrivateSubnetIDs host nodes and internal load balancers. Required.
	PrivateSubnetIDs pulumi.StringArrayInput
	// EnabledClusterLogTypes lists control-plane log types; "*" means all five. Optional; default none.
	EnabledClusterLogTypes []string
	// LogRetentionDays is the control-plane log group's retention. Optional; default 90.
	LogRetentionDays int
	// EndpointPublicAccess opens the API endpoint to the internet. Optional; default true.
	EndpointPublicAccess *bool
	// EndpointPrivateAccess opens the API endpoint inside the VPC. Optional; default false.
	EndpointPrivateAccess bool
	// PublicAccessCidrs limits public endpoint access. Optional; default 0.0.0.0/0.
	PublicAccessCidrs []string
	// SecretsEncryption envelope-encrypts Kubernetes secrets with a KMS key the component creates (rotated yearly). Optional; default false.
	SecretsEncryption bool
	// AccessEntries grant IAM principals access. Optional; default: none beyond the
	// identity running `pulumi up`, which always gets cluster admin (see AdminPrincipalArn).
	AccessEntries []AccessEntry
	// EnableNetworkPolicy turns on the VPC CNI's NetworkPolicy enforcement. Optional; default false.
	EnableNetworkPolicy bool
	// Tags are added to every AWS resource. Optional.
	Tags pulumi.StringMapInput
}

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
}

var kubernetesVersion = regexp.MustCompile(`^1\.(\d+)$`)

// clusterNamePattern is what the EKS API accepts for a cluster name.
var clusterNamePattern = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)

func (a EKSClusterArgs) withDefaults() EKSClusterArgs {
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = DefaultLogRetentionDays
	}
	if a.EndpointPublicAccess == nil {
		a.EndpointPublicAccess = pulumi.BoolRef(DefaultEndpointPublicAccess)
	}
	if len(a.PublicAccessCidrs) == 0 && *a.EndpointPublicAccess {
		a.PublicAccessCidrs = []string{DefaultPublicAccessCidr}
	}
	return a
}

// LogTypes expands "*" to every log type and returns them sorted as EKS lists them.
func (a EKSClusterArgs) LogTypes() []string {
	if slices.Contains(a.EnabledClusterLogTypes, "*") {
		return slices.Clone(ClusterLogTypes)
	}
	var out []string
	for _, t := range ClusterLogTypes {
		if slices.Contains(a.EnabledClusterLogTypes, t) {
			out = append(out, t)
		}
	}
	return out
}

// Validate reports every problem with the (defaulted) args.
func (a EKSClusterArgs) Validate() error {
	a = a.withDefaults()
	var errs fieldErrors
	if !clusterNamePattern.MatchString(a.ClusterName) {
		errs.add("clusterName", a.ClusterName, "want 1-100 letters, digits, '-' or '_', starting with a letter or digit")
	}
	if m := kubernetesVersion.FindStringSubmatch(a.KubernetesVersion); m == nil {
		errs.add("kubernetesVersion", a.KubernetesVersion, "want \"1.<minor>\", e.g. \"1.33\"")
	} else if minor, _ := strconv.Atoi(m[1]); minor < MinKubernetesVersion || minor > MaxKubernetesVersion {
		errs.add("kubernetesVersion", a.KubernetesVersion, "EKS versions 1.%d to 1.%d are supported", MinKubernetesVersion, MaxKubernetesVersion)
	}
	for _, t := range a.EnabledClusterLogTypes {
		if t != "*" && !slices.Contains(ClusterLogTypes, t) {
			errs.add("enabledClusterLogTypes", t, "want \"*\" or any of %s", strings.Join(ClusterLogTypes, ", "))
		}
	}
	if !slices.Contains(ValidLogRetentionDays, a.LogRetentionDays) {
		errs.add("logRetentionDays", a.LogRetentionDays, "CloudWatch Logs accepts %v", ValidLogRetentionDays)
	}
	if !*a.EndpointPublicAccess && !a.EndpointPrivateAccess {
		errs.add("endpointPrivateAccess", a.EndpointPrivateAccess, "with endpointPublicAccess false, private access must be on, or nothing can reach the API")
	}
	if !*a.EndpointPublicAccess && len(a.PublicAccessCidrs) > 0 {
		errs.add("publicAccessCidrs", a.PublicAccessCidrs, "only applies with endpointPublicAccess true")
	}
	for _, c := range a.PublicAccessCidrs {
		if p, ok := parseIPv4Prefix(c); !ok || p.Masked() != p {
			errs.add("publicAccessCidrs", c, "want an IPv4 network CIDR such as 203.0.113.0/24")
		}
	}
	principals := map[string]bool{}
	for i, e := range a.AccessEntries {
		field := fmt.Sprintf("accessEntries[%d]", i)
		if !ValidIAMPrincipalArn(e.PrincipalArn) {
			errs.add(field+".principalArn", e.PrincipalArn, "want an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/Admin (for an SSO user, its role, not the sts session ARN)")
		}
		if principals[e.PrincipalArn] {
			errs.add(field+".principalArn", e.PrincipalArn, "listed twice; EKS allows one access entry per principal")
		}
		principals[e.PrincipalArn] = true
		if !slices.Contains(accessPolicies, e.Policy) {
			errs.add(field+".policy", string(e.Policy), "want one of ClusterAdmin, Admin, Edit, View")
		}
		for _, ns := range e.Namespaces {
			if !ValidKubernetesName(ns) {
				errs.add(field+".namespaces", ns, "want a Kubernetes namespace name (lowercase RFC 1123 label)")
			}
		}
		for _, g := range e.KubernetesGroups {
			if g == "" || strings.HasPrefix(g, "system:") {
				errs.add(field+".kubernetesGroups", g, "want a group name of your own; EKS rejects empty ones and those starting with system:")
			}
		}
	}
	return errs.err()
}

// accessPolicyArn is the ARN of an EKS access policy in the given partition.
func accessPolicyArn(partition string, p AccessPolicy) string {
	return fmt.Sprintf("arn:%s:eks::aws:cluster-access-policy/AmazonEKS%sPolicy", partition, p)
}

// accessEntryKey names an entry's resources after its principal, so
// reordering the list does not replace entries.
func accessEntryKey(principalArn string) string {
	resource := principalArn[strings.LastIndex(principalArn, ":")+1:]
	return strings.NewReplacer("/", "-", "+", "-", "=", "-", ",", "-", "@", "-", ".", "-").Replace(resource)
}

// NewEKSCluster registers the log group, the optional KMS key and the cluster.
func NewEKSCluster(ctx *pulumi.Context, name string, args *EKSClusterArgs, opts ...pulumi.ResourceOption) (*EKSCluster, error) {
	if args == nil {
		args = &EKSClusterArgs{}
	}
	if err := errors.Join(args.Validate(), PhysicalNameError("name", name, args.PhysicalNames(name))); err != nil {
		return nil, fmt.Errorf("eks cluster %q: %w", name, err)
	}
	if args.VpcID == nil || args.PublicSubnetIDs == nil || args.PrivateSubnetIDs == nil {
		return nil, fmt.Errorf("eks cluster %q: VpcID, PublicSubnetIDs and PrivateSubnetIDs are required", name)
	}
	a := args.withDefaults()

	c := &EKSCluster{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:EKSCluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	tags := mergeTags(a.Tags, nil)
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent)

	// EKS creates /aws/eks/<name>/cluster itself with no expiry; creating it
	// first is the only way to set retention and to delete it with the stack.
	logTypes := a.LogTypes()
	var clusterDeps []pulumi.Resource
	logGroupName := pulumi.String("").ToStringOutput()
	if len(logTypes) > 0 {
		logGroup, err := cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
			Name:            pulumi.Sprintf("/aws/eks/%s/cluster", a.ClusterName),
			RetentionInDays: pulumi.Int(a.LogRetentionDays),
			Tags:            tags,
		}, parent)
		if err != nil {
			return nil, err
		}
		clusterDeps = append(clusterDeps, logGroup)
		logGroupName = logGroup.Name
	}

	keyArn := pulumi.String("").ToStringOutput()
	var encryptionKeyArn pulumi.StringPtrInput
	if a.SecretsEncryption {
		key, err := kms.NewKey(ctx, name+"-secrets", &kms.KeyArgs{
			Description:          pulumi.Sprintf("Envelope encryption of Kubernetes secrets in EKS cluster %s", a.ClusterName),
			EnableKeyRotation:    pulumi.Bool(true),
			DeletionWindowInDays: pulumi.Int(secretsKeyDeletionWindowDays),
			Tags:                 tags,
		}, parent)
		if err != nil {
			return nil, err
		}
		if _, err := kms.NewAlias(ctx, name+"-secrets", &kms.AliasArgs{
			Name:        pulumi.Sprintf("alias/eks/%s-secrets", a.ClusterName),
			TargetKeyId: key.KeyId,
		}, parent); err != nil {
			return nil, err
		}
		keyArn = key.Arn
		encryptionKeyArn = key.Arn
	}

	entries := map[string]eks.AccessEntryArgs{}
	for _, e := range a.AccessEntries {
		scope := awseks.AccessPolicyAssociationAccessScopeArgs{Type: pulumi.String("cluster")}
		if len(e.Namespaces) > 0 {
			scope = awseks.AccessPolicyAssociationAccessScopeArgs{
				Type: pulumi.String("namespace"), Namespaces: pulumi.ToStringArray(e.Namespaces),
			}
		}
		entries[accessEntryKey(e.PrincipalArn)] = eks.AccessEntryArgs{
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

	authMode := eks.AuthenticationModeApi
	cluster, err := eks.NewCluster(ctx, name+"-cluster", &eks.ClusterArgs{
		Name:                   pulumi.String(a.ClusterName),
		Version:                pulumi.String(a.KubernetesVersion),
		VpcId:                  a.VpcID.ToIDOutput().ToStringOutput(),
		PublicSubnetIds:        a.PublicSubnetIDs,
		PrivateSubnetIds:       a.PrivateSubnetIDs,
		SkipDefaultNodeGroup:   pulumi.BoolRef(true),
		CreateOidcProvider:     pulumi.Bool(true),
		EnabledClusterLogTypes: pulumi.ToStringArray(logTypes),
		AuthenticationMode:     &authMode,
		AccessEntries:          entries,
		EndpointPublicAccess:   pulumi.Bool(*a.EndpointPublicAccess),
		EndpointPrivateAccess:  pulumi.Bool(a.EndpointPrivateAccess),
		PublicAccessCidrs:      pulumi.ToStringArray(a.PublicAccessCidrs),
		EncryptionConfigKeyArn: encryptionKeyArn,
		VpcCniOptions: &eks.VpcCniOptionsArgs{
			EnableNetworkPolicy: pulumi.Bool(a.EnableNetworkPolicy),
		},
		Tags: tags,
	}, parent, pulumi.DependsOn(clusterDeps))
	if err != nil {
		return nil, err
	}

	// pulumi-eks always creates the cluster with bootstrapClusterCreatorAdminPermissions,
	// so EKS itself grants the identity running `pulumi up` (for an assumed role,
	// the role) AmazonEKSClusterAdminPolicy; an explicit entry for it would be a
	// duplicate that EKS rejects. Expose who that is, so reviews can see it.
	caller := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, parent)
	admin := iam.GetSessionContextOutput(ctx, iam.GetSessionContextOutputArgs{Arn: caller.Arn()}, parent).IssuerArn()

	c.Cluster = cluster
	c.ClusterName = cluster.EksCluster.Name()
	c.Endpoint = cluster.EksCluster.Endpoint()
	c.KubeconfigJson = pulumi.ToSecret(cluster.KubeconfigJson).(pulumi.StringOutput)
	c.OidcProviderArn = cluster.OidcProviderArn
	c.OidcProviderUrl = cluster.OidcProviderUrl
	c.ClusterSecurityGroupID = cluster.ClusterSecurityGroupId
	c.NodeSecurityGroupID = cluster.NodeSecurityGroupId
	c.AdminPrincipalArn = admin
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
