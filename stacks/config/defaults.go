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
	DefaultNodeGroupName       = "node-group"
	DefaultMaxSize             = 5 // the workshop's Cluster Autoscaler chapter
	DefaultAppsDir             = "apps"
	DefaultFlaskRepositoryName = "demo-flask-backend"
	DefaultNginxRepositoryName = "demo-nginx"
	DefaultImageRegistry       = "localhost:5000"
	DefaultNamespace           = "workshop"
	DefaultIngressGroupName    = "eks-demo-group"
	// DefaultSupportType lets EKS upgrade a forgotten workshop cluster
	// rather than bill it at the extended rate; prod sets EXTENDED.
	DefaultSupportType = spec.SupportStandard
)

// DefaultKubernetesVersion is the newest version in EKS standard support:
// the calendar's newest (spec.KubernetesNewestRelease).
var DefaultKubernetesVersion = spec.KubernetesNewestRelease().Version

// addonPinsCheckedFor is the Kubernetes version defaultAddonVersions were
// checked against; a test fails when DefaultKubernetesVersion moves on
// without them.
const addonPinsCheckedFor = "1.36"

// defaultAddonVersions are the add-ons for DefaultKubernetesVersion.
//
// For 1.36 (read 2026-12-07): the chart pins below were not read again for
// 1.36 (the Cluster Autoscaler image follows the calendar: v1.36.1); kube-proxy
// follows the calendar too (v1.36.0-eksbuild.14 for 1.36, the EKS user
// guide's table); vpcCni v1.20.1-eksbuild.3 is the newest EKS build a stored
// AWS page names (managing-vpc-cni, ja_jp copy, listed for 1.27 to 1.33),
// no stored source lists the builds EKS offers for 1.35 or 1.36. Which of
// the EKS add-on builds EKS offers for 1.36 no public source states: the
// stack's preflight asks EKS at every preview (aws:eks/getAddonVersion,
// docs/preflight.md) and stops on a build newer than EKS's newest.
//
// Each checked for Kubernetes 1.35 against its upstream source, read 2026-12-04.
// EKS's 1.35 release notes name no add-on requirement
// (awsdocs/amazon-eks-user-guide kubernetes-versions-standard.adoc at 0e7fca3).
//   - metricsServer 3.13.1 (app 0.8.1): works. README "Compatibility Matrix"
//     at kubernetes-sigs/metrics-server tag metrics-server-helm-chart-3.13.1:
//     0.8.x supports "1.31+", no upper bound (v0.8.1's e2e runs 1.31 to 1.33).
//     No newer chart is tagged there.
//   - awsLoadBalancerController 1.17.1 (app v2.17.1): works. Release notes
//     (aws/eks-charts PR 1292, 2026-01-09): "v2.17.1 (requires Kubernetes
//     1.22+)"; the chart sets no kubeVersion.
//   - clusterAutoscaler 9.54.0 (appVersion 1.35.0): works with the image set
//     here. kubernetes/autoscaler tag cluster-autoscaler-chart-9.54.0
//     (d4a3ca1, PR 8827) is the first chart with the RBAC Cluster Autoscaler
//     1.35 needs (resource.k8s.io resourceslices, deviceclasses,
//     resourceclaims), the same rules as 9.55.1, the first whose default
//     image is v1.35.0 (PR 9193). 9.54.0's own image.tag is still v1.34.2, so
//     ClusterAutoscalerImage is left empty and follows kubernetesVersion
//     through spec.KubernetesCalendar (v1.35.0 for 1.35).
//   - ebsCsiDriver v1.56.0-eksbuild.1: the driver works. README
//     "Compatibility" at kubernetes-sigs/aws-ebs-csi-driver tag v1.56.0
//     (2026-02-21): compatible with every version the Kubernetes project or
//     EKS supports; it builds on k8s.io/client-go v0.35.1.
//   - cloudwatchObservability v4.10.1-eksbuild.1: not determined. Neither the
//     chart (aws-observability/helm-charts tag
//     amazon-cloudwatch-observability-4.10.1, no kubeVersion) nor its
//     RELEASE_NOTES names a Kubernetes version; its integration tests default
//     to EKS 1.33 up to chart 6.4.0.
//   - podIdentityAgent v1.3.10-eksbuild.2: Pod Identity needs no platform
//     version after 1.28 (https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html#pod-id-cluster-versions);
//     the agent repository names no Kubernetes version (aws/containers-roadmap
//     issue 2410: the API is where to look).
//
// Which builds EKS offers for 1.35 (the -eksbuild.N of the three EKS
// add-ons) no public source states: only `aws eks describe-addon-versions
// --kubernetes-version 1.35 --addon-name <name>` does
// (https://docs.aws.amazon.com/eks/latest/userguide/addon-compat.html;
// README: "What a real deploy does that the tests cannot").
var defaultAddonVersions = spec.AddonVersions{
	MetricsServer:           "3.13.1", // app 0.8.1
	LoadBalancerController:  "1.17.1", // app v2.17.1
	ClusterAutoscaler:       "9.54.0", // app 1.35.0
	ClusterAutoscalerImage:  "",       // spec.KubernetesCalendar's for kubernetesVersion
	CloudWatchObservability: "v4.10.1-eksbuild.1",
	EbsCsiDriver:            "v1.56.0-eksbuild.1",
	PodIdentityAgent:        "v1.3.10-eksbuild.2",
	VpcCni:                  "v1.20.1-eksbuild.3",
	KubeProxy:               "", // spec.KubernetesCalendar's for kubernetesVersion
}
