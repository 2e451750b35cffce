package spec

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// ComputeMode is how a cluster gets its nodes.
type ComputeMode string

// The compute modes: the workshop's managed node group (with the add-ons
// this program installs for it), or EKS Auto Mode, where EKS runs the
// nodes, the load balancers, the volumes and the network policy agent.
const (
	ComputeModeManagedNodeGroup ComputeMode = "managedNodeGroup"
	ComputeModeAuto             ComputeMode = "auto"
	// DefaultComputeMode is the workshop's.
	DefaultComputeMode = ComputeModeManagedNodeGroup
)

// ComputeModes are the modes a stack can choose.
var ComputeModes = []ComputeMode{ComputeModeManagedNodeGroup, ComputeModeAuto}

// Upstream facts of EKS Auto Mode, read 2026-12-07 in the EKS user guide
// (awsdocs/amazon-eks-user-guide, latest/ug/automode/) and pulumi-eks v3.9.1
// (sdk/go/eks AutoModeOptions, ClusterComputeConfig).
const (
	// AutoModeIngressController is the IngressClass controller of Auto
	// Mode's load balancing, and AutoModeParamsGroup/Version its
	// IngressClassParams' API (auto-configure-alb.adoc, "Step 2" and
	// "Step 3").
	AutoModeIngressController  = "eks.amazonaws.com/alb"
	AutoModeParamsGroup        = "eks.amazonaws.com"
	AutoModeParamsVersion      = "v1"
	AutoModeIngressClassParams = "IngressClassParams"
	// AutoModeEBSProvisioner is the StorageClass provisioner of Auto Mode's
	// block storage; EKS creates no StorageClass (create-storage-class.adoc).
	AutoModeEBSProvisioner = "ebs.csi.eks.amazonaws.com"
	// AutoModeNetworkPolicyConfigMap (in kube-system) with
	// AutoModeNetworkPolicyKey "true" turns on Auto Mode's network policy
	// controller (auto-net-pol.adoc, "Step 1").
	AutoModeNetworkPolicyConfigMap = "amazon-vpc-cni"
	AutoModeNetworkPolicyKey       = "enable-network-policy-controller"
	// AutoModeArchitecture is the general-purpose pool's only architecture
	// (set-builtin-node-pools.adoc: "Uses only amd64 architecture").
	AutoModeArchitecture = "amd64"
	// AutoModeMinGeneration is the oldest instance generation the built-in
	// pools launch ("Require generation 5 or newer EC2 instances").
	AutoModeMinGeneration = 5
	// AutoModeIMDSHopLimit is the hop limit of Auto Mode's nodes
	// (automode-learn-instances.adoc): pods cannot reach the node role.
	AutoModeIMDSHopLimit = 1
	// AutoModeSource is where the facts above are documented.
	AutoModeSource = "https://docs.aws.amazon.com/eks/latest/userguide/automode.html"
)

// AutoModeNodePools are the built-in node pools a stack turns on.
var AutoModeNodePools = []string{"general-purpose", "system"}

// AutoModeInstanceCategories are the built-in pools' instance families
// ("Use the C, M, and R EC2 instance families").
var AutoModeInstanceCategories = []string{"c", "m", "r"}

// instanceGeneration splits "m5a.large" into its category "m", generation
// 5 and attributes "a".
var instanceGeneration = regexp.MustCompile(`^([a-z]+)(\d+)([a-z-]*)\.[a-z0-9-]+$`)

// AutoModePoolProblem says why the general-purpose pool never launches
// instanceType, or "" if it may.
func AutoModePoolProblem(instanceType string) string {
	m := instanceGeneration.FindStringSubmatch(instanceType)
	if m == nil || !slices.Contains(AutoModeInstanceCategories, m[1]) {
		return "not of the C, M or R families the built-in node pools launch"
	}
	if gen, _ := strconv.Atoi(m[2]); gen < AutoModeMinGeneration {
		return fmt.Sprintf("generation %s; the built-in node pools launch generation %d or newer", m[2], AutoModeMinGeneration)
	}
	if arch := InstanceArchitecture([]string{instanceType}); arch != AutoModeArchitecture {
		return fmt.Sprintf("%s; the general-purpose pool launches %s only", arch, AutoModeArchitecture)
	}
	return ""
}

// AutoModeArgs configures AutoModeAddons: what an Auto Mode cluster needs
// that EKS does not create (components.AutoModeAddonsArgs adds the cluster
// and the Kubernetes provider).
type AutoModeArgs struct {
	// IngressClassName names the IngressClass and its IngressClassParams. Optional; default IngressClassALB.
	IngressClassName string
	// IngressGroupName is the ALB group every Ingress of the class joins
	// (IngressClassParams spec.group.name; Auto Mode refuses the
	// group.name annotation). Required.
	IngressGroupName string
	// StorageClassName is the default, encrypted gp3 StorageClass. Optional; default DefaultAutoModeStorageClass.
	StorageClassName string
	// NetworkPolicy turns on Auto Mode's network policy controller. Optional; default false.
	NetworkPolicy bool
	// MetricsServerVersion pins the metrics-server chart (Auto Mode has none). Required.
	MetricsServerVersion string
}

// DefaultAutoModeStorageClass is the StorageClass AutoModeAddons creates.
const DefaultAutoModeStorageClass = "auto-ebs-gp3"

// WithDefaults returns a copy of the args with defaults applied.
func (a AutoModeArgs) WithDefaults() AutoModeArgs {
	if a.IngressClassName == "" {
		a.IngressClassName = IngressClassALB
	}
	if a.StorageClassName == "" {
		a.StorageClassName = DefaultAutoModeStorageClass
	}
	return a
}

// Validate reports every problem with the (defaulted) args.
func (a AutoModeArgs) Validate() error {
	a = a.WithDefaults()
	var errs fieldErrors
	if !ValidKubernetesName(a.IngressClassName) {
		errs.add("ingressClassName", a.IngressClassName, "want a Kubernetes name (lowercase RFC 1123 label)")
	}
	if !albGroupName.MatchString(a.IngressGroupName) {
		errs.add("ingressGroupName", a.IngressGroupName, "want up to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit")
	}
	if !ValidKubernetesName(a.StorageClassName) {
		errs.add("storageClassName", a.StorageClassName, "want a Kubernetes name (lowercase RFC 1123 label)")
	}
	if !semanticVersion.MatchString(a.MetricsServerVersion) {
		errs.add("addonVersions.metricsServer", a.MetricsServerVersion, "want a version such as 1.2.3 or v1.2.3")
	}
	return errs.err()
}

// Enabled lists the add-on policies that are on, by their config names.
func (p AddonPolicies) Enabled() []string {
	var on []string
	for _, policy := range []struct {
		name string
		on   bool
	}{
		{"imageBuilder", p.ImageBuilder}, {"cloudWatch", p.CloudWatch}, {"ebs", p.Ebs},
		{"autoScaler", p.AutoScaler}, {"awsLoadBalancerController", p.AwsLoadBalancerController},
	} {
		if policy.on {
			on = append(on, policy.name)
		}
	}
	return on
}
