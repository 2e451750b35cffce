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
	DefaultKubernetesVersion   = "1.33"
	DefaultNodeGroupName       = "node-group"
	DefaultMaxSize             = 5 // the workshop's Cluster Autoscaler chapter
	DefaultAppsDir             = "apps"
	DefaultFlaskRepositoryName = "demo-flask-backend"
	DefaultNginxRepositoryName = "demo-nginx"
	DefaultImageRegistry       = "localhost:5000"
	DefaultNamespace           = "workshop"
	DefaultIngressGroupName    = "eks-demo-group"
)

// defaultAddonVersions are versions verified to exist and to support
// Kubernetes 1.33; raise them together with kubernetesVersion (the
// autoscaler's minor version must equal the cluster's).
var defaultAddonVersions = spec.AddonVersions{
	MetricsServer:           "3.13.1", // app 0.8.1
	LoadBalancerController:  "1.17.1", // app v2.17.1
	ClusterAutoscaler:       "9.51.0",
	ClusterAutoscalerImage:  "v1.33.0",
	CloudWatchObservability: "v4.10.1-eksbuild.1",
	EbsCsiDriver:            "v1.56.0-eksbuild.1",
	PodIdentityAgent:        "v1.3.10-eksbuild.2",
}
