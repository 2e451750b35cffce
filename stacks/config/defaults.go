package config

import "github.com/eks-workshop/eks-workshop/components/spec"

// The workshop's settings where they differ from a component's own default,
// named once: DefaultConfig is built from these and the components'
// defaults, Pulumi.yaml is tested against DefaultConfig, and README's
// configuration table is generated from Pulumi.yaml.
const (
	// WorkshopStack is the environment that keeps the workshop's own names
	// (eks-demo, demo-flask-backend, demo-nginx); every other stack derives
	// its account-wide names from them and its stack name.
	WorkshopStack = "dev"

	DefaultClusterName         = "eks-demo"
	DefaultKubernetesVersion   = "1.35" // in EKS standard support until 2027-03-27 (spec.KubernetesCalendar)
	DefaultNodeGroupName       = "node-group"
	DefaultMaxSize             = 5 // the workshop's Cluster Autoscaler chapter
	DefaultAppsDir             = "apps"
	DefaultFlaskRepositoryName = "demo-flask-backend"
	DefaultNginxRepositoryName = "demo-nginx"
	DefaultImageRegistry       = "localhost:5000"
	DefaultNamespace           = "workshop"
	DefaultIngressGroupName    = "eks-demo-group"
)

// defaultAddonVersions are the add-ons for DefaultKubernetesVersion, each
// from its upstream source (read 2026-12-04):
//   - clusterAutoscaler: chart 9.54.0, the first whose default image is
//     Cluster Autoscaler 1.35.0 (kubernetes/autoscaler PR 9193, issue 10097);
//     the image itself is left empty: it follows kubernetesVersion through
//     spec.KubernetesCalendar, so another version is one config key away.
//   - metricsServer, certManager, awsLoadBalancerController and the EKS
//     add-ons keep the pins made for 1.33; none of them is tied to one
//     Kubernetes minor the way the autoscaler is. Before a real deploy,
//     `aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name <name>`
//     lists what EKS offers for the EKS add-ons (README: "What a real
//     deploy does that the tests cannot").
var defaultAddonVersions = spec.AddonVersions{
	MetricsServer:           "3.13.1", // app 0.8.1
	LoadBalancerController:  "1.17.1", // app v2.17.1
	ClusterAutoscaler:       "9.54.0", // app 1.35.0
	ClusterAutoscalerImage:  "",       // spec.KubernetesCalendar's for kubernetesVersion
	CloudWatchObservability: "v4.10.1-eksbuild.1",
	EbsCsiDriver:            "v1.56.0-eksbuild.1",
	PodIdentityAgent:        "v1.3.10-eksbuild.2",
}
