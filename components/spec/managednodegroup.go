package spec

import (
	"regexp"
)

// AddonPolicies are eksctl's `iam.withAddonPolicies`: extra permissions on the
// node role that every pod on the node can use. Convenient for a workshop;
// production grants them per controller instead (EKS Pod Identity).
type AddonPolicies struct {
	// ImageBuilder, in eksctl, attaches AmazonEC2ContainerRegistryPowerUser,
	// which lets every pod push to every repository in the account. Here it
	// adds nothing: the nodes keep NodeBasePolicies' pull-only ECR access
	// (images are pushed by `pulumi up`, not from the cluster). The key is
	// kept so that an eksctl config reads the same; the plan warns.
	ImageBuilder bool `json:"imageBuilder"`
	// CloudWatch attaches CloudWatchAgentServerPolicy (Container Insights).
	CloudWatch bool `json:"cloudWatch"`
	// Ebs attaches AmazonEBSCSIDriverPolicy.
	Ebs bool `json:"ebs"`
	// AutoScaler grants what the Cluster Autoscaler needs, on this
	// cluster's node groups only (ScopedAutoScalerPolicy).
	AutoScaler bool `json:"autoScaler"`
	// AwsLoadBalancerController grants what the AWS Load Balancer Controller
	// needs, on this cluster's load balancers only (ScopedLoadBalancerControllerPolicy).
	AwsLoadBalancerController bool `json:"awsLoadBalancerController"`
}

// Taint is a Kubernetes taint on every node of the group.
type Taint struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"` // NoSchedule, PreferNoSchedule or NoExecute
}

// TaintEffects maps Kubernetes' spelling to the EKS API's.
var TaintEffects = map[string]string{
	"NoSchedule":       "NO_SCHEDULE",
	"PreferNoSchedule": "PREFER_NO_SCHEDULE",
	"NoExecute":        "NO_EXECUTE",
}

// ManagedNodeGroupArgs configures a ManagedNodeGroup, less what
// registration gives it (the cluster, the subnets and their egress, tags:
// components.ManagedNodeGroupArgs adds them).
type ManagedNodeGroupArgs struct {
	// NodeGroupName is the EKS node group name. Required (workshop: "node-group").
	NodeGroupName string
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
}

var (
	nodeGroupNamePattern = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$`)
	instanceTypePattern  = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9-]+$`)
	// Graviton families carry a "g" after the generation digit (m7g, c6gn, t4g); a1 is the first Graviton.
	armInstanceFamily = regexp.MustCompile(`^([a-z]+\d+g[a-z]*|a1)\.`)
)

func (a ManagedNodeGroupArgs) WithDefaults() ManagedNodeGroupArgs {
	if len(a.InstanceTypes) == 0 {
		a.InstanceTypes = []string{DefaultInstanceType}
	}
	if a.DesiredSize == nil {
		a.DesiredSize = ptr(DefaultDesiredSize)
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
	a = a.WithDefaults()
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
		if _, ok := TaintEffects[t.Effect]; !ok {
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

// AWSManagedPolicy is an AWS managed policy by its path and name.
type AWSManagedPolicy struct{ Key, Path string }

var (
	NodeBasePolicies = []AWSManagedPolicy{
		{"worker", "AmazonEKSWorkerNodePolicy"},
		{"cni", "AmazonEKS_CNI_Policy"},
		{"ecr-read", "AmazonEC2ContainerRegistryReadOnly"},
	}
	CloudWatchPolicy = AWSManagedPolicy{"cloudwatch", "CloudWatchAgentServerPolicy"}
	EBSPolicy        = AWSManagedPolicy{"ebs", "service-role/AmazonEBSCSIDriverPolicy"}
)

// CustomPolicies are the add-on policies with no AWS managed equivalent, by
// resource name suffix, each scoped to the cluster named: a node role's
// permissions reach every pod on its nodes, and another stack's cluster
// may share the account.
func (a ManagedNodeGroupArgs) CustomPolicies(clusterName string) map[string]PolicyDocument {
	custom := map[string]PolicyDocument{}
	if a.AddonPolicies.AutoScaler {
		custom["autoscaler"] = ScopedAutoScalerPolicy(clusterName)
	}
	if a.AddonPolicies.AwsLoadBalancerController {
		custom["load-balancer-controller"] = ScopedLoadBalancerControllerPolicy(clusterName)
	}
	return custom
}

// CustomPolicyKeys are CustomPolicies' keys, sorted: they do not depend on the cluster's name.
func (a ManagedNodeGroupArgs) CustomPolicyKeys() []string { return sortedKeys(a.CustomPolicies("")) }
