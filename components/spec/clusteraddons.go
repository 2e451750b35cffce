package spec

import (
	"regexp"
)

// AddonVersions pins every add-on: Helm chart versions for the charts and
// EKS add-on versions ("v1.45.0-eksbuild.1") for the managed add-ons.
type AddonVersions struct {
	MetricsServer           string `json:"metricsServer"`
	LoadBalancerController  string `json:"awsLoadBalancerController"`
	ClusterAutoscaler       string `json:"clusterAutoscaler"`
	ClusterAutoscalerImage  string `json:"clusterAutoscalerImage"`
	CloudWatchObservability string `json:"cloudwatchObservability"`
	EbsCsiDriver            string `json:"ebsCsiDriver"`
	PodIdentityAgent        string `json:"podIdentityAgent"`
	// VpcCni and KubeProxy are the EKS add-ons pulumi-eks installs with the
	// cluster (EKSClusterArgs.VpcCniVersion and KubeProxyVersion).
	VpcCni    string `json:"vpcCni"`
	KubeProxy string `json:"kubeProxy"`
}

// ClusterAddonsArgs configures ClusterAddons, less what registration gives
// it (the cluster, its VPC, the Kubernetes provider, the nodes, tags:
// components.ClusterAddonsArgs adds them).
type ClusterAddonsArgs struct {
	// Region is the cluster's AWS region (the controllers are told it rather than asking IMDS). Required.
	Region string
	// Versions pins every add-on. Required (each field).
	Versions AddonVersions
	// ClusterAutoscaler installs the Cluster Autoscaler. Optional; default false.
	ClusterAutoscaler bool
	// PodIdentity gives each controller its own least-privilege IAM role through
	// EKS Pod Identity. Otherwise the controllers use the node role's add-on
	// policies, as in the workshop. Optional; default false.
	PodIdentity bool
}

// Where each controller runs, for its Pod Identity association.
const (
	LoadBalancerControllerServiceAccount = "aws-load-balancer-controller"
	ClusterAutoscalerServiceAccount      = "cluster-autoscaler"
	CloudWatchAgentServiceAccount        = "cloudwatch-agent"
	CloudWatchNamespace                  = "amazon-cloudwatch"
	EBSCSIControllerServiceAccount       = "ebs-csi-controller-sa"
	// The chart's webhook Service: "<chart name less -controller>-webhook-service".
	LoadBalancerControllerWebhookService = "aws-load-balancer-webhook-service"
	// IngressClassALB is the IngressClass the load balancer controller serves.
	IngressClassALB = "alb"
	// LoadBalancerControllerReplicas and MetricsServerReplicas run two of
	// each, so a node drain never stops Ingress reconciliation or the HPAs'
	// metrics.
	LoadBalancerControllerReplicas = 2
	MetricsServerReplicas          = 2
)

var (
	// eksAddonVersionKeys are the add-ons installed as EKS add-ons rather than Helm charts.
	eksAddonVersionKeys = map[string]bool{"cloudwatchObservability": true, "ebsCsiDriver": true, "podIdentityAgent": true}
	eksAddonVersion     = regexp.MustCompile(`^v\d+\.\d+\.\d+-eksbuild\.\d+$`)
	semanticVersion     = regexp.MustCompile(`^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$`)
)

// AddonNamespaces are the namespaces ClusterAddons creates or installs into,
// besides kube-system: no one else's workloads belong there.
func AddonNamespaces() []string { return []string{CloudWatchNamespace} }

// Validate reports every problem with the args.
func (a ClusterAddonsArgs) Validate() error {
	var errs fieldErrors
	versions := map[string]string{
		"metricsServer":             a.Versions.MetricsServer,
		"awsLoadBalancerController": a.Versions.LoadBalancerController,
		"cloudwatchObservability":   a.Versions.CloudWatchObservability,
		"ebsCsiDriver":              a.Versions.EbsCsiDriver,
	}
	if a.ClusterAutoscaler {
		versions["clusterAutoscaler"] = a.Versions.ClusterAutoscaler
		versions["clusterAutoscalerImage"] = a.Versions.ClusterAutoscalerImage
	}
	if a.PodIdentity {
		versions["podIdentityAgent"] = a.Versions.PodIdentityAgent
	}
	for _, key := range sortedKeys(versions) {
		switch v := versions[key]; {
		case v == "":
			errs.add("addonVersions."+key, "", "required: every add-on is pinned to a version")
		case eksAddonVersionKeys[key] && !eksAddonVersion.MatchString(v):
			errs.add("addonVersions."+key, v, "want an EKS add-on version such as v1.45.0-eksbuild.1")
		case !eksAddonVersionKeys[key] && !semanticVersion.MatchString(v):
			errs.add("addonVersions."+key, v, "want a version such as 1.2.3 or v1.2.3")
		}
	}
	if !regionPattern.MatchString(a.Region) {
		errs.add("region", a.Region, "want an AWS region such as ap-northeast-2")
	}
	return errs.err()
}

// PodIdentities are the controllers that get a role of their own with PodIdentity.
func (a ClusterAddonsArgs) PodIdentities() []PodIdentity {
	controllers := []PodIdentity{
		{Key: "load-balancer-controller", Namespace: "kube-system", ServiceAccount: LoadBalancerControllerServiceAccount, Policy: ScopedLoadBalancerControllerPolicy},
		{Key: "ebs-csi", Namespace: "kube-system", ServiceAccount: EBSCSIControllerServiceAccount, Managed: EBSPolicy.Path},
		{Key: "cloudwatch", Namespace: CloudWatchNamespace, ServiceAccount: CloudWatchAgentServiceAccount, Managed: CloudWatchPolicy.Path},
	}
	if a.ClusterAutoscaler {
		controllers = append(controllers, PodIdentity{Key: "cluster-autoscaler", Namespace: "kube-system", ServiceAccount: ClusterAutoscalerServiceAccount, Policy: ScopedAutoScalerPolicy})
	}
	return controllers
}

// PodIdentity is one controller's IAM role and Pod Identity association.
type PodIdentity struct {
	Key, Namespace, ServiceAccount string
	// One of: an AWS managed policy path, or a customer-managed policy
	// document for the cluster named (scoped to it).
	Managed string
	Policy  func(clusterName string) PolicyDocument
}
