package spec

import (
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
)

// Upstream facts the add-ons rely on, each with the version it was read at,
// where, and when. Tests hold the program to them: a fact that changes with
// a version bump must be read again and changed here.

// LoadBalancerControllerChartVersion is the aws-load-balancer-controller
// chart whose webhooks LoadBalancerControllerWebhooks describes.
//
// Source: https://github.com/aws/eks-charts/blob/9639b8b/stable/aws-load-balancer-controller/templates/webhook.yaml
// and values.yaml at the same commit ("aws-load-balancer-controller:
// v2.17.1 (#1292)", 2026-01-09, chart 1.17.1), read 2026-12-04. The
// values below (enableServiceMutatorWebhook true, its failurePolicy Fail,
// the pod webhook's Ignore) are unchanged through chart 3.5.0 (5239609,
// 2026-08-03); read the templates again before raising the pin.
const LoadBalancerControllerChartVersion = "1.17.1"

// ServiceMutatorWebhookValue is the chart value that registers the
// mservice.elbv2.k8s.aws webhook (default true). ClusterAddons sets it
// false: see components/clusteraddons.go.
const ServiceMutatorWebhookValue = "enableServiceMutatorWebhook"

// ChartWebhook is one admission webhook a chart registers, as its template
// renders it.
type ChartWebhook struct {
	// Name is the webhook's name; Path its URL path on the chart's webhook Service.
	Name, Path string
	// Mutating: in the MutatingWebhookConfiguration, else the Validating one.
	Mutating bool
	// Group, Version and Resource are what the webhook's one rule matches,
	// for Operations.
	Group, Version, Resource string
	Operations               []string
	// FailurePolicy is the default; FailurePolicyValue the chart value
	// that overrides it ("" if fixed).
	FailurePolicy      string
	FailurePolicyValue string
	// EnabledValue is the chart value that must be true for the webhook to
	// be rendered ("" if always rendered); its default is true.
	EnabledValue string
	// NamespaceLabel limits the webhook to namespaces with this label
	// ("key=value"; "" matches every namespace).
	NamespaceLabel string
	// ExcludesChartObjects: an objectSelector keeps the chart's own objects
	// (app.kubernetes.io/name=aws-load-balancer-controller) out.
	ExcludesChartObjects bool
}

// LoadBalancerControllerChartName is the chart's own app.kubernetes.io/name,
// which its webhooks' objectSelectors exclude.
const LoadBalancerControllerChartName = "aws-load-balancer-controller"

// LoadBalancerControllerWebhooks are the webhooks chart 1.17.1 registers
// for the objects a cluster's users create (Services, pods, Ingresses),
// each served by the controller's pods through its webhook Service: until
// they are Ready, a call fails. The chart's other webhooks match only
// its own custom resources (TargetGroupBindings, IngressClassParams) and
// pods labelled for features nothing here uses (QUIC, ALB target control).
var LoadBalancerControllerWebhooks = []ChartWebhook{
	{
		// Makes the controller the default for new `type: LoadBalancer`
		// Services (sets spec.loadBalancerClass service.k8s.aws/nlb), but is
		// called for every Service create in every namespace.
		Name: "mservice.elbv2.k8s.aws", Path: "/mutate-v1-service", Mutating: true,
		Version: "v1", Resource: "services", Operations: []string{"CREATE"},
		FailurePolicy: "Fail", FailurePolicyValue: "serviceMutatorWebhookConfig.failurePolicy",
		EnabledValue: ServiceMutatorWebhookValue, ExcludesChartObjects: true,
	},
	{
		// Injects the target-health readiness gate into pods of namespaces
		// labelled for it; with Ignore, a pod created while the controller
		// is down gets no gate.
		Name: "mpod.elbv2.k8s.aws", Path: "/mutate-v1-pod", Mutating: true,
		Version: "v1", Resource: "pods", Operations: []string{"CREATE"},
		FailurePolicy: "Ignore", FailurePolicyValue: "podMutatorWebhookConfig.failurePolicy",
		NamespaceLabel: ReadinessGateInjectLabel + "=" + ReadinessGateInjectValue, ExcludesChartObjects: true,
	},
	{
		Name: "vingress.elbv2.k8s.aws", Path: "/validate-networking-v1-ingress",
		Group: "networking.k8s.io", Version: "v1", Resource: "ingresses", Operations: []string{"CREATE", "UPDATE"},
		FailurePolicy: "Fail",
	},
}

// ReadinessGateInjectLabel on a namespace makes the controller inject a
// readiness gate into its pods: a pod behind an ip target counts as Ready
// only once the load balancer reports it healthy (the controller's
// "Pod readiness gate" guide; the mpod webhook's namespaceSelector above).
const (
	ReadinessGateInjectLabel = "elbv2.k8s.aws/pod-readiness-gate-inject"
	ReadinessGateInjectValue = "enabled"
)

// Rendered reports whether the chart renders the webhook under values (the
// chart's values as given, unset ones at their defaults) and with which
// failure policy.
func (w ChartWebhook) Rendered(values map[string]any) (rendered bool, failurePolicy string) {
	if w.EnabledValue != "" {
		if on, ok := chartValue(values, w.EnabledValue).(bool); ok && !on {
			return false, ""
		}
	}
	failurePolicy = w.FailurePolicy
	if w.FailurePolicyValue != "" {
		if p, ok := chartValue(values, w.FailurePolicyValue).(string); ok && p != "" {
			failurePolicy = p
		}
	}
	return true, failurePolicy
}

// chartValue looks a dotted path up in nested values; nil if unset.
func chartValue(values map[string]any, path string) any {
	var v any = values
	for _, key := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[key]
	}
	return v
}

// PulumiKubernetesRetriesCreate reports whether pulumi-kubernetes v4.30.0
// retries a create that failed with err: only when the API server answers
// NotFound (the namespace is not there yet) or the kind is unknown (its
// CRD is not there yet), five times with backoff; any other error,
// a failed webhook call among them (500 InternalError), fails the resource.
//
// Source: provider/pkg/await/await.go, func Creation,
// `retrier.Do(apierrors.IsNotFound, meta.IsNoMatchError)` with
// WithMaxRetries(5), at tag v4.30.0 (commit 55e3b2d, 2026-04-24) of
// https://github.com/pulumi/pulumi-kubernetes, read 2026-12-04.
func PulumiKubernetesRetriesCreate(err error) bool {
	return apierrors.IsNotFound(err) || meta.IsNoMatchError(err)
}

// ContainerInsightsLogGroups are the log groups the
// amazon-cloudwatch-observability add-on's agents write to for a cluster,
// creating them with no retention (kept forever, and left behind by
// `pulumi destroy`) unless they exist: Fluent Bit's application, dataplane
// and host logs, and the CloudWatch agent's performance log events.
//
// Sources, read 2026-12-04:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-setup-logs-FluentBit.html
// (application, host, dataplane) and
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-reference-performance-logs-EKS.html
// (performance).
func ContainerInsightsLogGroups(cluster string) []string {
	var groups []string
	for _, kind := range ContainerInsightsLogKinds {
		groups = append(groups, ContainerInsightsLogGroup(cluster, kind))
	}
	return groups
}

// ContainerInsightsLogKinds are the last parts of ContainerInsightsLogGroups.
var ContainerInsightsLogKinds = []string{"application", "dataplane", "host", "performance"}

// ContainerInsightsLogGroup is the log group of one of ContainerInsightsLogKinds.
func ContainerInsightsLogGroup(cluster, kind string) string {
	return "/aws/containerinsights/" + cluster + "/" + kind
}

// EKSUnsupportedZoneIDs are the Availability Zone IDs where EKS places no
// control plane: a cluster given a subnet there fails to create
// (UnsupportedAvailabilityZoneException). Zone IDs, not names: a name
// (us-east-1a) maps to a different ID in each account. IDs are unique
// across regions, so the list applies in any region.
//
// Source: Amazon EKS User Guide, "View Amazon EKS networking requirements
// for VPC and subnets", Subnet requirements for clusters,
// https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html
// (awsdocs/amazon-eks-user-guide latest/ug/networking/network-reqs.adoc at
// 4d52b4d, 2024-12-18), read 2026-12-04.
var EKSUnsupportedZoneIDs = []string{"use1-az3", "usw1-az2", "cac1-az3"}

// SleepActionMinKubernetesMinor is the first Kubernetes minor version whose
// kubelet runs the `sleep` lifecycle action by default (KEP-3960,
// PodLifecycleSleepAction: alpha 1.29, beta and on by default 1.30, GA 1.34).
// App's preStop pause uses it, so KubernetesCalendar must hold no older version.
//
// Source: https://www.kubernetes.dev/resources/keps/3960/ and
// https://kubernetes.io/blog/2025/05/14/kubernetes-v1-33-updates-to-container-lifecycle/
// ("Starting with Kubernetes v1.30, the original Sleep action for preStop
// and postStart hooks is enabled by default"), read 2026-12-04.
const SleepActionMinKubernetesMinor = 30
