package spec

import (
	"math"
	"net/netip"
	"path"
	"regexp"
	"strings"

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
	// ClassName is the Ingress's IngressClass. Optional; default IngressClassALB.
	ClassName string
	// GroupFromClass: the IngressClass's parameters put every Ingress of
	// the class in one group (EKS Auto Mode, which refuses the group.name
	// annotation); GroupName must be empty then. Optional; default false.
	GroupFromClass bool
	// HealthCheckPath is the ALB's target health check. It must not call an
	// external API, or an upstream outage takes every target out. Optional;
	// default ReadinessPath.
	HealthCheckPath string
	// CertificateArn is an ACM certificate, in the cluster's region, that
	// the ALB serves on HTTPS 443, redirecting HTTP 80 there
	// (ListenerAnnotations). Optional; default none: HTTP only.
	CertificateArn string
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

// AppArgs configures an App, less what registration gives it (the image,
// the provider, dependencies: components.AppArgs adds them). These fields
// shape the Kubernetes objects, so they are known before anything is registered.
type AppArgs struct {
	// Name is the RFC 1035 label used as the name of the Deployment, Service,
	// HPA and PDB, and as the `app` label. Required.
	Name string
	// Namespace holds every object; the stack creates it. Required.
	Namespace string
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
	// PreStopSleepSeconds keeps a pod that is being deleted serving for this
	// long before it gets SIGTERM (the `sleep` lifecycle action): its
	// removal from the Service's endpoints and from an ALB's targets takes
	// seconds, during which new requests still arrive. 1 to 300.
	// Optional; default DefaultPreStopSleepSeconds.
	PreStopSleepSeconds int
	// ShutdownSeconds is how long the app may take, after SIGTERM, to finish
	// the requests it has (gunicorn's graceful_timeout, say). The pod's
	// terminationGracePeriodSeconds is PreStopSleepSeconds plus this, as the
	// kubelet counts the preStop hook in the grace period. 1 to 300.
	// Optional; default DefaultShutdownSeconds.
	ShutdownSeconds int
	// Labels are added to every object and pod. Optional.
	Labels map[string]string
}

// AppSelectorLabel selects an App's pods; it is not one of AppArgs.Labels.
const AppSelectorLabel = "app"

// maxTerminationStepSeconds bounds the preStop pause and the shutdown: a
// rollout or a node drain waits for both on every pod.
const maxTerminationStepSeconds = 300

var (
	albGroupName   = regexp.MustCompile(`^[a-z0-9]([-.a-z0-9]{0,61}[a-z0-9])?$`)
	reservedLabels = []string{AppSelectorLabel, "app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"}
)

// WithDefaults returns a copy of the args with defaults applied; the
// caller's pointers and slices are not modified.
func (a AppArgs) WithDefaults() AppArgs {
	if a.ServicePort == 0 {
		a.ServicePort = a.ContainerPort
	}
	a.Resources = a.Resources.withDefaults()
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
		as := a.Autoscaling.withDefaults()
		a.Autoscaling = &as
	}
	if a.Ingress != nil {
		ing := a.Ingress.withDefaults(a.ReadinessPath)
		a.Ingress = &ing
	}
	if a.RunAsUser == 0 {
		a.RunAsUser = DefaultRunAsUser
	}
	if len(a.WritablePaths) == 0 {
		a.WritablePaths = []string{DefaultWritablePath}
	}
	if a.PreStopSleepSeconds == 0 {
		a.PreStopSleepSeconds = DefaultPreStopSleepSeconds
	}
	if a.ShutdownSeconds == 0 {
		a.ShutdownSeconds = DefaultShutdownSeconds
	}
	return a
}

func (r AppResources) withDefaults() AppResources {
	if r.CPURequest == "" {
		r.CPURequest = DefaultCPURequest
	}
	if r.MemoryRequest == "" {
		r.MemoryRequest = DefaultMemoryRequest
	}
	if r.MemoryLimit == "" {
		r.MemoryLimit = DefaultMemoryLimit
	}
	if r.EphemeralStorageRequest == "" {
		r.EphemeralStorageRequest = DefaultEphemeralStorageRequest
	}
	if r.EphemeralStorageLimit == "" {
		r.EphemeralStorageLimit = DefaultEphemeralStorageLimit
	}
	return r
}

func (as Autoscaling) withDefaults() Autoscaling {
	if as.MinReplicas == 0 {
		as.MinReplicas = DefaultMinReplicas
	}
	if as.MaxReplicas == 0 {
		as.MaxReplicas = DefaultMaxReplicas
	}
	if as.TargetCPUUtilization == 0 {
		as.TargetCPUUtilization = DefaultTargetCPUUtilization
	}
	return as
}

// withDefaults takes the App's (defaulted) readiness path as the default health check.
func (ing AppIngress) withDefaults(readinessPath string) AppIngress {
	if ing.Path == "" {
		ing.Path = DefaultIngressPath
	}
	if ing.HealthCheckPath == "" {
		ing.HealthCheckPath = readinessPath
	}
	if ing.ClassName == "" {
		ing.ClassName = IngressClassALB
	}
	return ing
}

// Grouped reports whether the Ingress shares its ALB with a group: its own
// group.name annotation, or its IngressClass's.
func (ing AppIngress) Grouped() bool { return ing.GroupName != "" || ing.GroupFromClass }

// TerminationGracePeriodSeconds is the pod's grace period: the preStop
// pause, then the app's own shutdown after SIGTERM.
func (a AppArgs) TerminationGracePeriodSeconds() int {
	a = a.WithDefaults()
	return a.PreStopSleepSeconds + a.ShutdownSeconds
}

// Validate reports every problem with the (defaulted) args' values; the
// resources they refer to (Image, Provider, DependsOn) exist only at
// registration and are checked by NewApp.
func (a AppArgs) Validate() error {
	a = a.WithDefaults()
	var errs fieldErrors
	a.validateNames(&errs)
	a.validateContainer(&errs)
	a.validateReplicas(&errs)
	if a.Ingress != nil {
		a.Ingress.validate(&errs)
	}
	a.NetworkPolicy.validate(&errs)
	a.validatePod(&errs)
	a.validateLabels(&errs)
	return errs.err()
}

// validateNames checks the objects' name and namespace.
func (a AppArgs) validateNames(errs *fieldErrors) {
	if len(validation.IsDNS1035Label(a.Name)) > 0 { // Service names must start with a letter
		errs.add("name", a.Name, "want an RFC 1035 label: up to 63 lowercase letters, digits and '-', starting with a letter")
	}
	if !ValidKubernetesName(a.Namespace) {
		errs.add("namespace", a.Namespace, "want an RFC 1123 label: up to 63 lowercase letters, digits and '-'")
	}
}

// validateContainer checks the ports, environment, resources and probes.
func (a AppArgs) validateContainer(errs *fieldErrors) {
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
	a.Resources.validate(errs)
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
}

// validateReplicas checks the fixed replica count, or the autoscaling bounds.
func (a AppArgs) validateReplicas(errs *fieldErrors) {
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
}

func (ing AppIngress) validate(errs *fieldErrors) {
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
	if ing.CertificateArn != "" && CertificateRegion(ing.CertificateArn) == "" {
		errs.add("ingress.certificateArn", ing.CertificateArn, "want an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<uuid>")
	}
	if ing.GroupOrder != 0 && !ing.Grouped() {
		errs.add("ingress.groupOrder", ing.GroupOrder, "only orders rules within a group: set groupName too")
	}
	if ing.GroupFromClass && ing.GroupName != "" {
		errs.add("ingress.groupName", ing.GroupName, "the IngressClass's parameters name the group (groupFromClass); EKS Auto Mode does not support the group.name annotation")
	}
	if !ValidKubernetesName(ing.ClassName) {
		errs.add("ingress.className", ing.ClassName, "want an IngressClass name (lowercase RFC 1123 label)")
	}
}

func (np AppNetworkPolicy) validate(errs *fieldErrors) {
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
}

// validatePod checks the pod's user, writable paths and termination timing.
func (a AppArgs) validatePod(errs *fieldErrors) {
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
	for _, d := range []struct {
		field string
		value int
	}{{"preStopSleepSeconds", a.PreStopSleepSeconds}, {"shutdownSeconds", a.ShutdownSeconds}} {
		if d.value < 1 || d.value > maxTerminationStepSeconds {
			errs.add(d.field, d.value, "want 1 to %d seconds", maxTerminationStepSeconds)
		}
	}
}

// validateLabels checks the user's labels, none of which may be one the App sets itself.
func (a AppArgs) validateLabels(errs *fieldErrors) {
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
