package spec

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
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

// AccessEntryKey names an entry's resources after its principal, so
// reordering the list does not replace entries. It keeps the principal's
// resource part only, so principals of two accounts with the same role name
// share a key: Validate (and organizer/room's plan) refuse such a pair.
func AccessEntryKey(principalArn string) string {
	resource := principalArn[strings.LastIndex(principalArn, ":")+1:]
	return strings.NewReplacer("/", "-", "+", "-", "=", "-", ",", "-", "@", "-", ".", "-").Replace(resource)
}

// EKSClusterArgs configures an EKSCluster, less its VPC, subnets and tags
// (components.EKSClusterArgs adds them).
type EKSClusterArgs struct {
	// ClusterName is the EKS cluster's name. Required (workshop: "eks-demo").
	ClusterName string
	// KubernetesVersion is "1.<minor>", a version in KubernetesCalendar. Required.
	KubernetesVersion string
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
	// SecretsKeyDeletionWindowDays is how long KMS keeps the secrets key
	// after `pulumi destroy` schedules its deletion, 7 to 30 days (KMS's
	// bounds); the key is billed until then. Optional; default
	// DefaultSecretsKeyDeletionWindowDays.
	SecretsKeyDeletionWindowDays int
	// ContainerInsightsLogGroups creates the log groups Container Insights'
	// agents on the nodes write to (ContainerInsightsLogGroups), with
	// LogRetentionDays, for ClusterAddons' amazon-cloudwatch-observability.
	// They belong to the cluster, not the add-on, so that node groups can
	// depend on them: `pulumi destroy` then deletes them after every node,
	// when nothing can recreate them without retention. Optional; default false.
	ContainerInsightsLogGroups bool
	// AccessEntries grant IAM principals access. Optional; default: none beyond the
	// identity running `pulumi up`, which always gets cluster admin (see AdminPrincipalArn).
	AccessEntries []AccessEntry
	// EnableNetworkPolicy turns on the VPC CNI's NetworkPolicy enforcement. Optional; default false.
	// An Auto Mode cluster has no VPC CNI add-on: AutoModeArgs.NetworkPolicy turns its policies on.
	EnableNetworkPolicy bool
	// AutoMode creates the cluster in EKS Auto Mode with its built-in node
	// pools (AutoModeNodePools) and a node role pulumi-eks creates. It is
	// chosen at creation: EKS cannot turn it off again. Optional; default false.
	AutoMode bool
	// KubeconfigIdentity is who the kubeconfig's `aws eks get-token` acts as
	// (pulumi-eks providerCredentialOpts): the AWS provider's profile and
	// role, so that Kubernetes sees the identity AWS does. Optional; default
	// the ambient credentials.
	KubeconfigIdentity KubeconfigIdentity
	// SupportType is the cluster's upgrade policy (SupportType). Optional;
	// default EKS's own, EXTENDED.
	SupportType SupportType
	// VpcCniVersion and KubeProxyVersion pin the vpc-cni and kube-proxy EKS
	// add-ons ("v1.20.1-eksbuild.3"; kube-proxy's minor is the cluster's).
	// Optional; default pulumi-eks's, the newest build on every run.
	VpcCniVersion    string
	KubeProxyVersion string
}

// KubeconfigIdentity is an AWS CLI profile and a role to assume, each optional.
type KubeconfigIdentity struct {
	ProfileName string
	RoleArn     string
}

var kubernetesVersion = regexp.MustCompile(`^1\.(\d+)$`)

// clusterNamePattern is what the EKS API accepts for a cluster name.
var clusterNamePattern = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)

func (a EKSClusterArgs) WithDefaults() EKSClusterArgs {
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = DefaultLogRetentionDays
	}
	if a.SecretsKeyDeletionWindowDays == 0 {
		a.SecretsKeyDeletionWindowDays = DefaultSecretsKeyDeletionWindowDays
	}
	if a.EndpointPublicAccess == nil {
		a.EndpointPublicAccess = ptr(DefaultEndpointPublicAccess)
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
	a = a.WithDefaults()
	var errs fieldErrors
	if !clusterNamePattern.MatchString(a.ClusterName) {
		errs.add("clusterName", a.ClusterName, "want 1-100 letters, digits, '-' or '_', starting with a letter or digit")
	}
	if !kubernetesVersion.MatchString(a.KubernetesVersion) {
		errs.add("kubernetesVersion", a.KubernetesVersion, "want \"1.<minor>\", e.g. \"1.35\"")
	} else if _, known := KubernetesReleaseOf(a.KubernetesVersion); !known {
		errs.add("kubernetesVersion", a.KubernetesVersion, "want a version in the EKS calendar (%s to %s, %s)",
			KubernetesCalendar[0].Version, KubernetesCalendar[len(KubernetesCalendar)-1].Version, KubernetesCalendarURL)
	}
	for _, t := range a.EnabledClusterLogTypes {
		if t != "*" && !slices.Contains(ClusterLogTypes, t) {
			errs.add("enabledClusterLogTypes", t, "want \"*\" or any of %s", strings.Join(ClusterLogTypes, ", "))
		}
	}
	if !slices.Contains(ValidLogRetentionDays, a.LogRetentionDays) {
		errs.add("logRetentionDays", a.LogRetentionDays, "CloudWatch Logs accepts %v", ValidLogRetentionDays)
	}
	if a.SecretsKeyDeletionWindowDays < MinKMSDeletionWindowDays || a.SecretsKeyDeletionWindowDays > MaxKMSDeletionWindowDays {
		errs.add("secretsKeyDeletionWindowDays", a.SecretsKeyDeletionWindowDays, "want %d to %d days, as KMS allows", MinKMSDeletionWindowDays, MaxKMSDeletionWindowDays)
	}
	if !*a.EndpointPublicAccess && !a.EndpointPrivateAccess {
		errs.add("endpointPrivateAccess", a.EndpointPrivateAccess, "with endpointPublicAccess false, private access must be on, or nothing can reach the API")
	}
	if !*a.EndpointPublicAccess && len(a.PublicAccessCidrs) > 0 {
		errs.add("publicAccessCidrs", a.PublicAccessCidrs, "only applies with endpointPublicAccess true")
	}
	for _, c := range a.PublicAccessCidrs {
		if problem := publicCIDRProblem(c); problem != "" {
			errs.add("publicAccessCidrs", c, "%s", problem)
		}
	}
	if a.AutoMode && a.EnableNetworkPolicy {
		errs.add("enableNetworkPolicy", a.EnableNetworkPolicy, "an Auto Mode cluster has no VPC CNI add-on to configure; AutoModeArgs.NetworkPolicy turns its network policies on")
	}
	principals := map[string]bool{}
	keys := map[string]string{}
	for i, e := range a.AccessEntries {
		field := fmt.Sprintf("accessEntries[%d]", i)
		if !ValidIAMPrincipalArn(e.PrincipalArn) {
			errs.add(field+".principalArn", e.PrincipalArn, "want an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/Admin (for an SSO user, its role, not the sts session ARN)")
		}
		key, seen := AccessEntryKey(e.PrincipalArn), principals[e.PrincipalArn]
		switch {
		case seen:
			errs.add(field+".principalArn", e.PrincipalArn, "listed twice; EKS allows one access entry per principal")
		case keys[key] != "":
			errs.add(field+".principalArn", e.PrincipalArn, "its resource name %q is also that of %s: the component names an entry by the principal's role or user name, so two accounts' %q cannot both have one; keep one", key, keys[key], key)
		default:
			keys[key] = e.PrincipalArn
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
	a.validateUpgrades(&errs)
	return errs.err()
}

// KubeconfigWithProfile adds `--profile profile` to every `aws eks
// get-token` of a kubeconfig (JSON), as pulumi-eks does only for the
// cluster's internal provider: its kubeconfigJson output leaves the profile
// out (v3.9.1 nodejs/eks/cluster/cluster.ts: core.kubeconfig is
// generateKubeconfig without the profile), so a provider built from it
// would act as the ambient identity.
func KubeconfigWithProfile(kubeconfig, profile string) (string, error) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(kubeconfig), &doc); err != nil {
		return "", fmt.Errorf("kubeconfig: %w", err)
	}
	users, _ := doc["users"].([]any)
	for _, u := range users {
		named, _ := u.(map[string]any)
		user, _ := named["user"].(map[string]any)
		exec, _ := user["exec"].(map[string]any)
		if args, ok := exec["args"].([]any); ok && exec["command"] == "aws" {
			exec["args"] = append(args, "--profile", profile)
		}
	}
	out, err := json.Marshal(doc)
	return string(out), err
}
