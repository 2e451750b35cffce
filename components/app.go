package components

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"path"
	"regexp"
	"strconv"
	"strings"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// AppResources are the container's compute resources, as Kubernetes quantities.
type AppResources struct {
	// CPURequest is reserved by the scheduler and is the base of the HPA's
	// CPU utilization. Optional; default "100m".
	CPURequest string
	// MemoryRequest is reserved by the scheduler. Optional; default "128Mi".
	MemoryRequest string
	// CPULimit caps CPU, at least CPURequest. Optional; default none: a CPU
	// limit throttles the app even on an idle node.
	CPULimit string
	// MemoryLimit is where the container is OOM-killed, at least MemoryRequest. Optional; default "256Mi".
	MemoryLimit string
	// EphemeralStorageRequest is the node disk the scheduler reserves for the
	// container's logs and writable paths (emptyDirs). Optional; default
	// DefaultEphemeralStorageRequest.
	EphemeralStorageRequest string
	// EphemeralStorageLimit, at least EphemeralStorageRequest, is where the
	// kubelet evicts the pod, so a runaway log or temp file cannot fill the
	// node's disk. Optional; default DefaultEphemeralStorageLimit.
	EphemeralStorageLimit string
}

// Autoscaling configures a HorizontalPodAutoscaler on CPU utilization.
type Autoscaling struct {
	// MinReplicas, 1 or more. Optional; default 1.
	MinReplicas int
	// MaxReplicas, at least MinReplicas. Optional; default 10.
	MaxReplicas int
	// TargetCPUUtilization is the average CPU use, in percent of CPURequest,
	// the HPA scales to keep, 1 to 100. Optional; default 50.
	TargetCPUUtilization int
}

// AppIngress exposes the app through an AWS Load Balancer Controller ALB.
type AppIngress struct {
	// Path is the URL path prefix routed to the app (workshop flask: "/contents"). Optional; default "/".
	Path string
	// GroupName lets Ingresses share one ALB (workshop: "eks-demo-group"). Optional; default: an ALB of its own.
	GroupName string
	// GroupOrder orders this Ingress's rules in the group, -1000 to 1000 (workshop flask: 1). Optional; default 0.
	GroupOrder int
	// HealthCheckPath is the ALB's target health check. It must not call an
	// external API, or an upstream outage takes every target out. Optional;
	// default ReadinessPath.
	HealthCheckPath string
}

// AppNetworkPolicy says what traffic the app needs on top of the namespace's
// deny-all policy.
type AppNetworkPolicy struct {
	// IngressFromCIDRs may reach the container port, e.g. the VPC CIDR so an
	// ALB reaches ip targets. Optional.
	IngressFromCIDRs []string
	// IngressFromNamespaces: pods in these namespaces may reach the container port. Optional.
	IngressFromNamespaces []string
	// EgressHTTPSCIDRs may be reached on TCP 443, e.g. ["0.0.0.0/0"] for
	// flask's upstream. Optional; default: DNS only.
	EgressHTTPSCIDRs []string
}

// AppArgs configures an App. The plain fields shape the Kubernetes objects,
// so they must be known before anything is registered.
type AppArgs struct {
	// Name is the RFC 1035 label used as the name of the Deployment, Service,
	// HPA and PDB, and as the `app` label. Required.
	Name string
	// Namespace holds every object; the stack creates it. Required.
	Namespace string
	// Image is the image reference to run, ideally a digest. Required.
	Image pulumi.StringInput
	// ImagePinnedByDigest says Image is a reference by digest
	// (name@sha256:...), which the plan knows before the digest itself: the
	// Deployment then tells kube-score that pull policy Always does not
	// apply. Optional; default false.
	ImagePinnedByDigest bool
	// ContainerPort is what the app listens on, 1-65535. Required.
	ContainerPort int
	// ServicePort is the Service's port, 1-65535. Optional; default ContainerPort.
	ServicePort int
	// Env is the container's environment, rendered sorted by name. Optional.
	Env map[string]string
	// Resources are the container's requests and limits. Optional; see AppResources for defaults.
	Resources AppResources
	// LivenessPath is the HTTP liveness probe. Optional; default "/healthz".
	LivenessPath string
	// ReadinessPath is the HTTP readiness probe, another path than
	// LivenessPath. Optional; default "/readyz".
	ReadinessPath string
	// Replicas is the fixed replica count, 1 or more; ignored when
	// Autoscaling is set. Optional; default 2.
	Replicas int
	// Autoscaling adds an HPA that owns the replica count. Optional; default none.
	Autoscaling *Autoscaling
	// Ingress adds an ALB Ingress. Optional; default none (cluster-internal only).
	Ingress *AppIngress
	// NetworkPolicy allows the app's traffic. Optional; default: DNS egress only.
	NetworkPolicy AppNetworkPolicy
	// RunAsUser is the UID (and GID) the pod runs as, 1 or more. Optional; default 10001 (flask's; nginx's is 10101).
	RunAsUser int64
	// WritablePaths get an emptyDir each, as the root filesystem is read-only. Optional; default ["/tmp"].
	WritablePaths []string
	// Provider is the Kubernetes provider every object is created with. Required.
	Provider pulumi.ProviderResource
	// DependsOn are resources every object waits for and outlives, such as
	// the namespace, or the load balancer controller that must delete the
	// Ingress's ALB. Optional.
	DependsOn []pulumi.Resource
	// Labels are added to every object and pod. Optional.
	Labels map[string]string
}

// App is a stateless HTTP workload: a Deployment hardened to Pod Security
// `restricted`, a ClusterIP Service, a PodDisruptionBudget, NetworkPolicies,
// and optionally an HPA and an ALB Ingress.
type App struct {
	pulumi.ResourceState

	ServiceName pulumi.StringOutput `pulumi:"serviceName"`
	// ClusterDNS is <service>.<namespace>.svc.cluster.local:<servicePort>.
	ClusterDNS pulumi.StringOutput `pulumi:"clusterDns"`
	// IngressHostname is the ALB's DNS name; empty without an Ingress.
	IngressHostname pulumi.StringOutput `pulumi:"ingressHostname"`
	DeploymentName  pulumi.StringOutput `pulumi:"deploymentName"`
}

const (
	appSelectorLabel = "app"
	// revisionHistoryLimit keeps a few ReplicaSets to roll back to, not the default ten.
	revisionHistoryLimit = 5
)

// Probe timing, chosen so that a slow dependency never restarts a healthy
// pod. The probes need answers in milliseconds (apps/flask answers /healthz
// within 100 ms at p99 while its upstream hangs: apps/flask/tests/test_flask_outage.py);
// the 2 s timeouts leave room for a CPU-throttled container. Liveness
// restarts only after about 30 s without an answer (3 failures 10 s apart),
// the time gunicorn gives a silent worker before it replaces it itself.
// Readiness takes a pod out of the Service after 3 failures 5 s apart and
// back after one success.
var (
	livenessProbeTiming  = probeTiming{initialDelay: 10, period: 10, timeout: 2, failures: 3}
	readinessProbeTiming = probeTiming{period: 5, timeout: 2, failures: 3}
)

type probeTiming struct{ initialDelay, period, timeout, failures int }

func (p probeTiming) probe(action corev1.HTTPGetActionArgs) corev1.ProbeArgs {
	return corev1.ProbeArgs{
		HttpGet:             action,
		InitialDelaySeconds: pulumi.Int(p.initialDelay),
		PeriodSeconds:       pulumi.Int(p.period),
		TimeoutSeconds:      pulumi.Int(p.timeout),
		FailureThreshold:    pulumi.Int(p.failures),
	}
}

var (
	albGroupName   = regexp.MustCompile(`^[a-z0-9]([-.a-z0-9]{0,61}[a-z0-9])?$`)
	reservedLabels = []string{appSelectorLabel, "app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"}
)

// withDefaults returns a copy of the args with defaults applied; the
// caller's pointers and slices are not modified.
func (a AppArgs) withDefaults() AppArgs {
	if a.ServicePort == 0 {
		a.ServicePort = a.ContainerPort
	}
	if a.Resources.CPURequest == "" {
		a.Resources.CPURequest = DefaultCPURequest
	}
	if a.Resources.MemoryRequest == "" {
		a.Resources.MemoryRequest = DefaultMemoryRequest
	}
	if a.Resources.MemoryLimit == "" {
		a.Resources.MemoryLimit = DefaultMemoryLimit
	}
	if a.Resources.EphemeralStorageRequest == "" {
		a.Resources.EphemeralStorageRequest = DefaultEphemeralStorageRequest
	}
	if a.Resources.EphemeralStorageLimit == "" {
		a.Resources.EphemeralStorageLimit = DefaultEphemeralStorageLimit
	}
	if a.LivenessPath == "" {
		a.LivenessPath = DefaultLivenessPath
	}
	if a.ReadinessPath == "" {
		a.ReadinessPath = DefaultReadinessPath
	}
	if a.Replicas == 0 {
		a.Replicas = DefaultReplicas
	}
	if a.Autoscaling != nil {
		as := *a.Autoscaling
		if as.MinReplicas == 0 {
			as.MinReplicas = DefaultMinReplicas
		}
		if as.MaxReplicas == 0 {
			as.MaxReplicas = DefaultMaxReplicas
		}
		if as.TargetCPUUtilization == 0 {
			as.TargetCPUUtilization = DefaultTargetCPUUtilization
		}
		a.Autoscaling = &as
	}
	if a.Ingress != nil {
		ing := *a.Ingress
		if ing.Path == "" {
			ing.Path = DefaultIngressPath
		}
		if ing.HealthCheckPath == "" {
			ing.HealthCheckPath = a.ReadinessPath
		}
		a.Ingress = &ing
	}
	if a.RunAsUser == 0 {
		a.RunAsUser = DefaultRunAsUser
	}
	if len(a.WritablePaths) == 0 {
		a.WritablePaths = []string{DefaultWritablePath}
	}
	return a
}

// Validate reports every problem with the (defaulted) args' values; the
// resources they refer to (Image, Provider, DependsOn) exist only at
// registration and are checked by NewApp.
func (a AppArgs) Validate() error {
	a = a.withDefaults()
	var errs fieldErrors
	if len(validation.IsDNS1035Label(a.Name)) > 0 { // Service names must start with a letter
		errs.add("name", a.Name, "want an RFC 1035 label: up to 63 lowercase letters, digits and '-', starting with a letter")
	}
	if !ValidKubernetesName(a.Namespace) {
		errs.add("namespace", a.Namespace, "want an RFC 1123 label: up to 63 lowercase letters, digits and '-'")
	}
	for _, port := range []struct {
		field string
		value int
	}{{"containerPort", a.ContainerPort}, {"servicePort", a.ServicePort}} {
		if port.value < 1 || port.value > 65535 {
			errs.add(port.field, port.value, "want a TCP port, 1-65535")
		}
	}
	for _, k := range sortedKeys(a.Env) {
		if len(validation.IsEnvVarName(k)) > 0 {
			errs.add("env", k, "want a variable name of letters, digits, '_', '-' and '.', not starting with a digit")
		}
	}
	a.Resources.validate(&errs)
	for _, probe := range []struct{ field, path string }{{"livenessPath", a.LivenessPath}, {"readinessPath", a.ReadinessPath}} {
		if !strings.HasPrefix(probe.path, "/") {
			errs.add(probe.field, probe.path, "want an absolute URL path such as /healthz")
		}
	}
	if a.ReadinessPath == a.LivenessPath {
		// A pod that is merely not ready (a slow dependency, a full queue)
		// would fail its liveness probe too and be restarted, making it worse.
		errs.add("readinessPath", a.ReadinessPath, "want a path other than livenessPath: one endpoint cannot tell \"restart me\" from \"send me no traffic\"")
	}
	if a.Autoscaling == nil && a.Replicas < 1 {
		errs.add("replicas", a.Replicas, "want 1 or more")
	}
	if as := a.Autoscaling; as != nil {
		if as.MinReplicas < 1 {
			errs.add("autoscaling.minReplicas", as.MinReplicas, "want 1 or more")
		}
		if as.MaxReplicas < max(as.MinReplicas, 1) {
			errs.add("autoscaling.maxReplicas", as.MaxReplicas, "want at least minReplicas (%d)", as.MinReplicas)
		}
		if as.TargetCPUUtilization < 1 || as.TargetCPUUtilization > 100 {
			errs.add("autoscaling.targetCpuUtilization", as.TargetCPUUtilization, "want a percentage of the CPU request, 1-100")
		}
	}
	if ing := a.Ingress; ing != nil {
		if !strings.HasPrefix(ing.Path, "/") {
			errs.add("ingress.path", ing.Path, "want an absolute URL path prefix such as /contents")
		}
		if !strings.HasPrefix(ing.HealthCheckPath, "/") {
			errs.add("ingress.healthCheckPath", ing.HealthCheckPath, "want an absolute URL path such as /readyz")
		}
		if ing.GroupName != "" && !albGroupName.MatchString(ing.GroupName) {
			errs.add("ingress.groupName", ing.GroupName, "want up to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit")
		}
		if ing.GroupOrder < -1000 || ing.GroupOrder > 1000 {
			errs.add("ingress.groupOrder", ing.GroupOrder, "want -1000 to 1000, as the AWS Load Balancer Controller allows")
		}
		if ing.GroupOrder != 0 && ing.GroupName == "" {
			errs.add("ingress.groupOrder", ing.GroupOrder, "only orders rules within a group: set groupName too")
		}
	}
	np := a.NetworkPolicy
	for _, list := range []struct {
		field string
		cidrs []string
	}{{"networkPolicy.ingressFromCidrs", np.IngressFromCIDRs}, {"networkPolicy.egressHttpsCidrs", np.EgressHTTPSCIDRs}} {
		for _, c := range list.cidrs {
			if p, err := netip.ParsePrefix(c); err != nil || p.Masked() != p {
				errs.add(list.field, c, "want a CIDR with no host bits set, such as 10.0.0.0/16")
			}
		}
	}
	for _, ns := range np.IngressFromNamespaces {
		if !ValidKubernetesName(ns) {
			errs.add("networkPolicy.ingressFromNamespaces", ns, "want a namespace name (an RFC 1123 label)")
		}
	}
	if a.RunAsUser < 1 || a.RunAsUser > math.MaxInt32 {
		errs.add("runAsUser", a.RunAsUser, "want a non-root UID, 1-%d", math.MaxInt32)
	}
	seen := map[string]bool{}
	for _, p := range a.WritablePaths {
		if !path.IsAbs(p) || path.Clean(p) != p || p == "/" || seen[p] {
			errs.add("writablePaths", p, "want distinct, clean absolute directories other than /")
		}
		seen[p] = true
	}
	for _, k := range sortedKeys(a.Labels) {
		switch {
		case len(validation.IsQualifiedName(k)) > 0:
			errs.add("labels", k, "want a label key: an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' and '.'")
		case len(validation.IsValidLabelValue(a.Labels[k])) > 0:
			errs.add("labels", a.Labels[k], "the value of %s: want up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit", k)
		}
	}
	for _, k := range reservedLabels {
		if _, ok := a.Labels[k]; ok {
			errs.add("labels", k, "set by the App itself, from name")
		}
	}
	return errs.err()
}

// validateWiring checks the resources the app is registered with.
func (a AppArgs) validateWiring() error {
	var errs fieldErrors
	if a.Image == nil {
		errs.add("image", nil, "required: the image reference to run")
	}
	if a.Provider == nil {
		errs.add("provider", nil, "required: the Kubernetes provider every object is created with")
	}
	for i, r := range a.DependsOn {
		if r == nil {
			errs.add("dependsOn", i, "entry is nil; want a resource")
		}
	}
	return errs.err()
}

func (r AppResources) validate(errs *fieldErrors) {
	for _, pair := range []struct {
		resource, request, limit string
		// limitOptional: an empty limit means none (CPU only).
		limitOptional bool
	}{
		{"cpu", r.CPURequest, r.CPULimit, true},
		{"memory", r.MemoryRequest, r.MemoryLimit, false},
		{"ephemeralStorage", r.EphemeralStorageRequest, r.EphemeralStorageLimit, false},
	} {
		requestField := "resources." + pair.resource + "Request"
		request, requestOK := positiveQuantity(errs, requestField, pair.request)
		if pair.limitOptional && pair.limit == "" {
			continue
		}
		limitField := "resources." + pair.resource + "Limit"
		if limit, ok := positiveQuantity(errs, limitField, pair.limit); ok && requestOK && limit.Cmp(request) < 0 {
			errs.add(limitField, pair.limit, "want at least %s (%s)", pair.resource+"Request", pair.request)
		}
	}
}

func positiveQuantity(errs *fieldErrors, field, s string) (resource.Quantity, bool) {
	q, err := resource.ParseQuantity(s)
	if err != nil || q.Sign() <= 0 {
		errs.add(field, s, "want a positive Kubernetes quantity such as 250m or 256Mi")
		return q, false
	}
	return q, true
}

// NewApp registers the app's Kubernetes objects with args.Provider.
func NewApp(ctx *pulumi.Context, name string, args *AppArgs, opts ...pulumi.ResourceOption) (*App, error) {
	if args == nil {
		args = &AppArgs{}
	}
	if err := errors.Join(args.Validate(), args.validateWiring()); err != nil {
		return nil, fmt.Errorf("app %q: %w", name, err)
	}
	a := args.withDefaults()

	app := &App{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:App", name, app, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(app), pulumi.Provider(a.Provider), pulumi.DependsOn(a.DependsOn)}

	labels := pulumi.StringMap{}
	for k, v := range a.Labels {
		labels[k] = pulumi.String(v)
	}
	labels[appSelectorLabel] = pulumi.String(a.Name)
	labels["app.kubernetes.io/name"] = pulumi.String(a.Name)
	labels["app.kubernetes.io/part-of"] = pulumi.String("eks-workshop")
	labels["app.kubernetes.io/managed-by"] = pulumi.String("pulumi")
	// Selectors are immutable, so they use only the stable `app` label.
	selector := pulumi.StringMap{appSelectorLabel: pulumi.String(a.Name)}
	metadata := func(objectName string) metav1.ObjectMetaArgs {
		return metav1.ObjectMetaArgs{Name: pulumi.String(objectName), Namespace: pulumi.String(a.Namespace), Labels: labels}
	}

	deploymentSpec := appsv1.DeploymentSpecArgs{
		Selector:             metav1.LabelSelectorArgs{MatchLabels: selector},
		RevisionHistoryLimit: pulumi.Int(revisionHistoryLimit),
		// Start a new pod before stopping an old one: capacity never drops during a rollout.
		Strategy: appsv1.DeploymentStrategyArgs{
			Type:          pulumi.String("RollingUpdate"),
			RollingUpdate: appsv1.RollingUpdateDeploymentArgs{MaxSurge: pulumi.Int(1), MaxUnavailable: pulumi.Int(0)},
		},
		Template: corev1.PodTemplateSpecArgs{
			Metadata: metav1.ObjectMetaArgs{Labels: labels},
			Spec:     a.podSpec(selector),
		},
	}
	// With an HPA, spec.replicas is left out so that the HPA alone owns it:
	// were it set, every `pulumi up` would reset the HPA's scaling decision.
	if a.Autoscaling == nil {
		deploymentSpec.Replicas = pulumi.Int(a.Replicas)
	}
	deploymentMeta := metadata(a.Name)
	if a.ImagePinnedByDigest {
		deploymentMeta.Annotations = pulumi.StringMap{kubeScoreIgnore: pulumi.String(pullPolicyAlwaysCheck)}
	}
	deployment, err := appsv1.NewDeployment(ctx, name+"-deployment", &appsv1.DeploymentArgs{
		Metadata: deploymentMeta,
		Spec:     deploymentSpec,
	}, child...)
	if err != nil {
		return nil, err
	}

	service, err := corev1.NewService(ctx, name+"-service", &corev1.ServiceArgs{
		Metadata: metadata(a.Name),
		Spec: corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: selector,
			Ports: corev1.ServicePortArray{corev1.ServicePortArgs{
				Name:       pulumi.String("http"),
				Protocol:   pulumi.String("TCP"),
				Port:       pulumi.Int(a.ServicePort),
				TargetPort: pulumi.Int(a.ContainerPort),
			}},
		},
	}, child...)
	if err != nil {
		return nil, err
	}

	if as := a.Autoscaling; as != nil {
		if _, err := autoscalingv2.NewHorizontalPodAutoscaler(ctx, name+"-hpa", &autoscalingv2.HorizontalPodAutoscalerArgs{
			Metadata: metadata(a.Name),
			Spec: autoscalingv2.HorizontalPodAutoscalerSpecArgs{
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReferenceArgs{
					ApiVersion: pulumi.String("apps/v1"),
					Kind:       pulumi.String("Deployment"),
					Name:       deployment.Metadata.Name().Elem(),
				},
				MinReplicas: pulumi.Int(as.MinReplicas),
				MaxReplicas: pulumi.Int(as.MaxReplicas),
				Metrics: autoscalingv2.MetricSpecArray{autoscalingv2.MetricSpecArgs{
					Type: pulumi.String("Resource"),
					Resource: autoscalingv2.ResourceMetricSourceArgs{
						Name:   pulumi.String("cpu"),
						Target: autoscalingv2.MetricTargetArgs{Type: pulumi.String("Utilization"), AverageUtilization: pulumi.Int(as.TargetCPUUtilization)},
					},
				}},
			},
		}, child...); err != nil {
			return nil, err
		}
	}

	// maxUnavailable 1 rather than minAvailable 1: with a single replica
	// (minReplicas 1, or an HPA scaled down) minAvailable 1 would forbid every
	// eviction and block node drains forever. AlwaysAllow lets drains evict
	// pods that are not Ready, such as crash-looping ones.
	if _, err := policyv1.NewPodDisruptionBudget(ctx, name+"-pdb", &policyv1.PodDisruptionBudgetArgs{
		Metadata: metadata(a.Name),
		Spec: policyv1.PodDisruptionBudgetSpecArgs{
			Selector:                   metav1.LabelSelectorArgs{MatchLabels: selector},
			MaxUnavailable:             pulumi.Int(1),
			UnhealthyPodEvictionPolicy: pulumi.String("AlwaysAllow"),
		},
	}, child...); err != nil {
		return nil, err
	}

	if err := a.networkPolicies(ctx, name, metadata, selector, child); err != nil {
		return nil, err
	}

	hostname := pulumi.String("").ToStringOutput()
	if ing := a.Ingress; ing != nil {
		annotations := pulumi.StringMap{
			"alb.ingress.kubernetes.io/scheme":           pulumi.String("internet-facing"),
			"alb.ingress.kubernetes.io/target-type":      pulumi.String("ip"),
			"alb.ingress.kubernetes.io/healthcheck-path": pulumi.String(ing.HealthCheckPath),
		}
		if ing.GroupName != "" {
			annotations["alb.ingress.kubernetes.io/group.name"] = pulumi.String(ing.GroupName)
			annotations["alb.ingress.kubernetes.io/group.order"] = pulumi.String(strconv.Itoa(ing.GroupOrder))
		}
		meta := metadata(a.Name + "-ingress")
		meta.Annotations = annotations
		ingress, err := networkingv1.NewIngress(ctx, name+"-ingress", &networkingv1.IngressArgs{
			Metadata: meta,
			Spec: networkingv1.IngressSpecArgs{
				IngressClassName: pulumi.String("alb"),
				Rules: networkingv1.IngressRuleArray{networkingv1.IngressRuleArgs{
					Http: networkingv1.HTTPIngressRuleValueArgs{Paths: networkingv1.HTTPIngressPathArray{networkingv1.HTTPIngressPathArgs{
						Path:     pulumi.String(ing.Path),
						PathType: pulumi.String("Prefix"),
						Backend: networkingv1.IngressBackendArgs{Service: networkingv1.IngressServiceBackendArgs{
							Name: service.Metadata.Name().Elem(),
							Port: networkingv1.ServiceBackendPortArgs{Name: pulumi.String("http")},
						}},
					}}},
				}},
			},
		}, child...)
		if err != nil {
			return nil, err
		}
		hostname = ingress.Status.ApplyT(func(s *networkingv1.IngressStatus) string {
			if s == nil || s.LoadBalancer == nil || len(s.LoadBalancer.Ingress) == 0 || s.LoadBalancer.Ingress[0].Hostname == nil {
				return ""
			}
			return *s.LoadBalancer.Ingress[0].Hostname
		}).(pulumi.StringOutput)
	}

	app.ServiceName = service.Metadata.Name().Elem()
	app.ClusterDNS = pulumi.Sprintf("%s.%s.svc.cluster.local:%d", app.ServiceName, service.Metadata.Namespace().Elem(), a.ServicePort)
	app.IngressHostname = hostname
	app.DeploymentName = deployment.Metadata.Name().Elem()
	return app, ctx.RegisterResourceOutputs(app, pulumi.Map{
		"serviceName":     app.ServiceName,
		"clusterDns":      app.ClusterDNS,
		"ingressHostname": app.IngressHostname,
		"deploymentName":  app.DeploymentName,
	})
}

// kubeScoreIgnore lists kube-score checks that do not apply to an object.
const kubeScoreIgnore = "kube-score/ignore"

// pullPolicyAlwaysCheck is kube-score's check that wants imagePullPolicy
// Always, so that a moved tag is pulled again. A digest cannot move, and
// Always would only make every pod start depend on the registry being
// reachable, so an image pinned by digest keeps the default (IfNotPresent).
const pullPolicyAlwaysCheck = "container-image-pull-policy"

// podSpec is the pod template's spec, meeting Pod Security `restricted`.
func (a AppArgs) podSpec(selector pulumi.StringMap) corev1.PodSpecArgs {
	var env corev1.EnvVarArray
	for _, k := range sortedKeys(a.Env) {
		env = append(env, corev1.EnvVarArgs{Name: pulumi.String(k), Value: pulumi.String(a.Env[k])})
	}
	var volumes corev1.VolumeArray
	var mounts corev1.VolumeMountArray
	for i, p := range a.WritablePaths {
		volume := fmt.Sprintf("writable-%d", i)
		volumes = append(volumes, corev1.VolumeArgs{Name: pulumi.String(volume), EmptyDir: corev1.EmptyDirVolumeSourceArgs{}})
		mounts = append(mounts, corev1.VolumeMountArgs{Name: pulumi.String(volume), MountPath: pulumi.String(p)})
	}
	requests := pulumi.StringMap{
		"cpu":               pulumi.String(a.Resources.CPURequest),
		"memory":            pulumi.String(a.Resources.MemoryRequest),
		"ephemeral-storage": pulumi.String(a.Resources.EphemeralStorageRequest),
	}
	limits := pulumi.StringMap{
		"memory":            pulumi.String(a.Resources.MemoryLimit),
		"ephemeral-storage": pulumi.String(a.Resources.EphemeralStorageLimit),
	}
	if a.Resources.CPULimit != "" {
		limits["cpu"] = pulumi.String(a.Resources.CPULimit)
	}
	httpGet := func(p string) corev1.HTTPGetActionArgs {
		return corev1.HTTPGetActionArgs{Path: pulumi.String(p), Port: pulumi.Int(a.ContainerPort)}
	}
	spread := func(topologyKey string) corev1.TopologySpreadConstraintArgs {
		return corev1.TopologySpreadConstraintArgs{
			TopologyKey: pulumi.String(topologyKey),
			MaxSkew:     pulumi.Int(1),
			// A preference, not a rule: a lost zone or a one-node cluster must
			// not leave pods Pending.
			WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
			LabelSelector:     metav1.LabelSelectorArgs{MatchLabels: selector},
			// Spread each ReplicaSet on its own, so a rollout's new pods spread too.
			MatchLabelKeys: pulumi.StringArray{pulumi.String("pod-template-hash")},
		}
	}
	uid := pulumi.Int(int(a.RunAsUser))
	return corev1.PodSpecArgs{
		// The app never calls the Kubernetes API.
		AutomountServiceAccountToken: pulumi.Bool(false),
		SecurityContext: corev1.PodSecurityContextArgs{
			RunAsNonRoot:   pulumi.Bool(true),
			RunAsUser:      uid,
			RunAsGroup:     uid,
			FsGroup:        uid,
			SeccompProfile: corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
		},
		TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{
			spread("topology.kubernetes.io/zone"),
			spread("kubernetes.io/hostname"),
		},
		Volumes: volumes,
		Containers: corev1.ContainerArray{corev1.ContainerArgs{
			Name:  pulumi.String(a.Name),
			Image: a.Image.ToStringOutput(),
			Ports: corev1.ContainerPortArray{corev1.ContainerPortArgs{
				Name: pulumi.String("http"), ContainerPort: pulumi.Int(a.ContainerPort), Protocol: pulumi.String("TCP"),
			}},
			Env:            env,
			Resources:      corev1.ResourceRequirementsArgs{Requests: requests, Limits: limits},
			LivenessProbe:  livenessProbeTiming.probe(httpGet(a.LivenessPath)),
			ReadinessProbe: readinessProbeTiming.probe(httpGet(a.ReadinessPath)),
			SecurityContext: corev1.SecurityContextArgs{
				AllowPrivilegeEscalation: pulumi.Bool(false),
				Capabilities:             corev1.CapabilitiesArgs{Drop: pulumi.StringArray{pulumi.String("ALL")}},
				ReadOnlyRootFilesystem:   pulumi.Bool(true),
				RunAsNonRoot:             pulumi.Bool(true),
			},
			VolumeMounts: mounts,
		}},
	}
}

// networkPolicies allows the app's own traffic; the namespace's deny-all
// policy, created elsewhere, blocks the rest.
func (a AppArgs) networkPolicies(ctx *pulumi.Context, name string, metadata func(string) metav1.ObjectMetaArgs,
	selector pulumi.StringMap, child []pulumi.ResourceOption) error {
	np := a.NetworkPolicy
	podSelector := metav1.LabelSelectorArgs{MatchLabels: selector}
	port := func(protocol string, number int) networkingv1.NetworkPolicyPortArgs {
		return networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String(protocol), Port: pulumi.Int(number)}
	}
	ipBlocks := func(cidrs []string) networkingv1.NetworkPolicyPeerArray {
		var peers networkingv1.NetworkPolicyPeerArray
		for _, c := range cidrs {
			peers = append(peers, networkingv1.NetworkPolicyPeerArgs{IpBlock: networkingv1.IPBlockArgs{Cidr: pulumi.String(c)}})
		}
		return peers
	}
	namespace := func(ns string) metav1.LabelSelectorArgs {
		return metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String(ns)}}
	}

	// Only with peers: an ingress rule without `from` admits every source.
	from := ipBlocks(np.IngressFromCIDRs)
	for _, ns := range np.IngressFromNamespaces {
		from = append(from, networkingv1.NetworkPolicyPeerArgs{NamespaceSelector: namespace(ns)})
	}
	if len(from) > 0 {
		if _, err := networkingv1.NewNetworkPolicy(ctx, name+"-allow-ingress", &networkingv1.NetworkPolicyArgs{
			Metadata: metadata(a.Name + "-allow-ingress"),
			Spec: networkingv1.NetworkPolicySpecArgs{
				PodSelector: podSelector,
				PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
				Ingress: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
					From:  from,
					Ports: networkingv1.NetworkPolicyPortArray{port("TCP", a.ContainerPort)},
				}},
			},
		}, child...); err != nil {
			return err
		}
	}

	egress := networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
		To: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
			NamespaceSelector: namespace("kube-system"),
			PodSelector:       metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"k8s-app": pulumi.String("kube-dns")}},
		}},
		// DNS falls back to TCP for large answers.
		Ports: networkingv1.NetworkPolicyPortArray{port("UDP", 53), port("TCP", 53)},
	}}
	if len(np.EgressHTTPSCIDRs) > 0 {
		egress = append(egress, networkingv1.NetworkPolicyEgressRuleArgs{
			To:    ipBlocks(np.EgressHTTPSCIDRs),
			Ports: networkingv1.NetworkPolicyPortArray{port("TCP", 443)},
		})
	}
	_, err := networkingv1.NewNetworkPolicy(ctx, name+"-allow-egress", &networkingv1.NetworkPolicyArgs{
		Metadata: metadata(a.Name + "-allow-egress"),
		Spec: networkingv1.NetworkPolicySpecArgs{
			PodSelector: podSelector,
			PolicyTypes: pulumi.StringArray{pulumi.String("Egress")},
			Egress:      egress,
		},
	}, child...)
	return err
}
