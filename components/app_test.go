package components

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	k8scorev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

const (
	appType           = "eks-workshop:index:App"
	k8sProviderType   = "pulumi:providers:kubernetes"
	deploymentType    = "kubernetes:apps/v1:Deployment"
	serviceType       = "kubernetes:core/v1:Service"
	hpaType           = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	pdbType           = "kubernetes:policy/v1:PodDisruptionBudget"
	ingressType       = "kubernetes:networking.k8s.io/v1:Ingress"
	networkPolicyType = "kubernetes:networking.k8s.io/v1:NetworkPolicy"

	flaskName  = "demo-flask-backend"
	flaskImage = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/demo-flask-backend@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// flaskAppArgs deploys the workshop's backend as the stacks do: autoscaled,
// behind the shared ALB, reachable from the VPC, calling HN over HTTPS.
func flaskAppArgs() AppArgs {
	return AppArgs{Image: pulumi.String(flaskImage), AppArgs: spec.AppArgs{
		Name:          flaskName,
		Namespace:     "workshop",
		ContainerPort: 8080,
		Env:           map[string]string{"UPSTREAM_TIMEOUT_SECONDS": "3", "LOG_LEVEL": "INFO", "GUNICORN_WORKERS": "2"},
		Autoscaling:   &Autoscaling{},
		Ingress:       &AppIngress{Path: "/contents", GroupName: "eks-demo-group", GroupOrder: 1},
		NetworkPolicy: AppNetworkPolicy{
			IngressFromCIDRs:      []string{"10.0.0.0/16"},
			IngressFromNamespaces: []string{"port-forward"},
			EgressHTTPSCIDRs:      []string{"0.0.0.0/0"},
		},
	}}
}

// runApp runs NewApp with a Kubernetes provider created in the program and
// returns the monitor and the App's resolved outputs.
func runApp(t *testing.T, mutate func(*AppArgs)) (*mocktest.Monitor, map[string]any) {
	t.Helper()
	m := mocktest.New()
	m.MustRun(t, "test", nil, func(ctx *pulumi.Context) error {
		provider, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		args := flaskAppArgs()
		args.Provider = provider
		if mutate != nil {
			mutate(&args)
		}
		app, err := NewApp(ctx, args.Name, &args)
		if err != nil {
			return err
		}
		m.Capture("serviceName", app.ServiceName)
		m.Capture("clusterDns", app.ClusterDNS)
		m.Capture("ingressHostname", app.IngressHostname)
		m.Capture("deploymentName", app.DeploymentName)
		return nil
	})
	return m, m.Captured()
}

// decode strictly decodes the registration of typ named name into a T.
func decode[T any](t *testing.T, m *mocktest.Monitor, typ, name string) T {
	t.Helper()
	var obj T
	if err := m.Get(t, typ, name).DecodeStrict(&obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

func flaskDeployment(t *testing.T, m *mocktest.Monitor) appsv1.Deployment {
	t.Helper()
	return decode[appsv1.Deployment](t, m, deploymentType, flaskName+"-deployment")
}

func TestAppObjectsDecodeStrictlyIntoKubernetesTypes(t *testing.T) {
	m, _ := runApp(t, nil)
	want := map[string]func() any{
		deploymentType:    func() any { return &appsv1.Deployment{} },
		serviceType:       func() any { return &corev1.Service{} },
		hpaType:           func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
		pdbType:           func() any { return &policyv1.PodDisruptionBudget{} },
		ingressType:       func() any { return &networkingv1.Ingress{} },
		networkPolicyType: func() any { return &networkingv1.NetworkPolicy{} },
	}
	counts := map[string]int{}
	for _, r := range m.Resources() {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		newObj, ok := want[r.Type]
		if !ok {
			t.Errorf("unexpected Kubernetes object %s %s", r.Type, r.Name)
			continue
		}
		if err := r.DecodeStrict(newObj()); err != nil {
			t.Errorf("not a valid object: %v", err)
		}
		counts[r.Type]++
	}
	wantCounts := map[string]int{deploymentType: 1, serviceType: 1, hpaType: 1, pdbType: 1, ingressType: 1, networkPolicyType: 2}
	if !reflect.DeepEqual(counts, wantCounts) {
		t.Errorf("objects = %v, want %v", counts, wantCounts)
	}
}

func TestAppDeploymentHasFixedNameStableSelectorAndZeroDowntimeRollouts(t *testing.T) {
	m, _ := runApp(t, nil)
	d := flaskDeployment(t, m)

	if d.Name != flaskName || d.Namespace != "workshop" {
		t.Errorf("deployment %s/%s, want workshop/%s (fixed, not auto-named)", d.Namespace, d.Name, flaskName)
	}
	wantLabels := map[string]string{
		"app":                          flaskName,
		"app.kubernetes.io/name":       flaskName,
		"app.kubernetes.io/part-of":    "eks-workshop",
		"app.kubernetes.io/managed-by": "pulumi",
	}
	for _, got := range []map[string]string{d.Labels, d.Spec.Template.Labels} {
		if !reflect.DeepEqual(got, wantLabels) {
			t.Errorf("labels = %v, want %v", got, wantLabels)
		}
	}
	if sel := d.Spec.Selector; !reflect.DeepEqual(sel.MatchLabels, map[string]string{"app": flaskName}) || len(sel.MatchExpressions) > 0 {
		t.Errorf("selector = %+v, want only app=%s", sel, flaskName)
	}
	s := d.Spec.Strategy
	if s.Type != appsv1.RollingUpdateDeploymentStrategyType || s.RollingUpdate == nil ||
		*s.RollingUpdate.MaxSurge != intstr.FromInt32(1) || *s.RollingUpdate.MaxUnavailable != intstr.FromInt32(0) {
		t.Errorf("strategy = %+v, want RollingUpdate maxSurge 1 maxUnavailable 0", s)
	}
	if d.Spec.RevisionHistoryLimit == nil || *d.Spec.RevisionHistoryLimit < 1 || *d.Spec.RevisionHistoryLimit > 10 {
		t.Errorf("revisionHistoryLimit = %v, want a small bound", d.Spec.RevisionHistoryLimit)
	}
	if pod := d.Spec.Template.Spec; pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("the service account token is mounted; the app never calls the API")
	}
	if c := d.Spec.Template.Spec.Containers; len(c) != 1 || c[0].Image != flaskImage {
		t.Errorf("containers = %+v, want one running %s", c, flaskImage)
	}
}

// A terminating pod keeps serving for the preStop pause (the kubelet's
// sleep action: the images need no sleep binary), then has its shutdown
// time before SIGKILL: the grace period covers both. Without the pause
// (negative control: the kubelet's default, no lifecycle) SIGTERM would come
// while the ALB still routes to the pod.
func TestAppPausesBeforeShutdownWithinItsGracePeriod(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		mutate               func(*AppArgs)
		wantPause, wantGrace int64
	}{
		{"defaults", nil, spec.DefaultPreStopSleepSeconds, spec.DefaultPreStopSleepSeconds + spec.DefaultShutdownSeconds},
		{"configured", func(a *AppArgs) { a.PreStopSleepSeconds, a.ShutdownSeconds = 20, 25 }, 20, 45},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := runApp(t, tc.mutate)
			pod := flaskDeployment(t, m).Spec.Template.Spec
			c := pod.Containers[0]
			if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil || c.Lifecycle.PreStop.Exec != nil {
				t.Fatalf("lifecycle = %+v, want a preStop sleep action", c.Lifecycle)
			}
			pause := c.Lifecycle.PreStop.Sleep.Seconds
			if pause != tc.wantPause || pod.TerminationGracePeriodSeconds == nil || *pod.TerminationGracePeriodSeconds != tc.wantGrace {
				t.Errorf("preStop sleep %d s, grace %v s; want %d and %d", pause, pod.TerminationGracePeriodSeconds, tc.wantPause, tc.wantGrace)
			}
			if *pod.TerminationGracePeriodSeconds <= pause {
				t.Errorf("grace %d s does not cover the %d s pause: SIGKILL before the app shuts down", *pod.TerminationGracePeriodSeconds, pause)
			}
		})
	}
	oldest := spec.KubernetesCalendar[0].Version // the oldest version the calendar knows
	if minor, err := strconv.Atoi(strings.TrimPrefix(oldest, "1.")); err != nil || minor < spec.SleepActionMinKubernetesMinor {
		t.Errorf("kubernetesVersion may be %s, whose kubelets lack the sleep action by default (1.%d+)", oldest, spec.SleepActionMinKubernetesMinor)
	}
}

func TestAppProbesResourcesAndEnv(t *testing.T) {
	m, _ := runApp(t, nil)
	c := flaskDeployment(t, m).Spec.Template.Spec.Containers[0]

	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != 8080 || c.Ports[0].Name != "http" {
		t.Errorf("ports = %+v, want http 8080", c.Ports)
	}
	// Timing: a restart only after ~30 s without an answer, timeouts with
	// room for a throttled container (see livenessProbeTiming).
	for _, p := range []struct {
		kind                                   string
		probe                                  *corev1.Probe
		path                                   string
		initialDelay, every, timeout, failures int32
	}{{"liveness", c.LivenessProbe, "/healthz", 10, 10, 2, 3}, {"readiness", c.ReadinessProbe, "/readyz", 0, 5, 2, 3}} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("no HTTP %s probe", p.kind)
			continue
		}
		if p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port != intstr.FromInt32(8080) {
			t.Errorf("%s probe GET %s :%s, want %s :8080", p.kind, p.probe.HTTPGet.Path, p.probe.HTTPGet.Port.String(), p.path)
		}
		got := [4]int32{p.probe.InitialDelaySeconds, p.probe.PeriodSeconds, p.probe.TimeoutSeconds, p.probe.FailureThreshold}
		if want := [4]int32{p.initialDelay, p.every, p.timeout, p.failures}; got != want {
			t.Errorf("%s probe delay, period, timeout, failure threshold = %v, want %v", p.kind, got, want)
		}
	}

	r := c.Resources
	for _, q := range []struct {
		what string
		got  resource.Quantity
		want string
	}{
		{"cpu request", r.Requests[corev1.ResourceCPU], "100m"},
		{"memory request", r.Requests[corev1.ResourceMemory], "128Mi"},
		{"memory limit", r.Limits[corev1.ResourceMemory], "256Mi"},
		{"ephemeral-storage request", r.Requests[corev1.ResourceEphemeralStorage], "128Mi"},
		{"ephemeral-storage limit", r.Limits[corev1.ResourceEphemeralStorage], "512Mi"},
	} {
		if q.got.Cmp(resource.MustParse(q.want)) != 0 {
			t.Errorf("%s = %s, want %s", q.what, q.got.String(), q.want)
		}
	}
	if _, ok := r.Limits[corev1.ResourceCPU]; ok {
		t.Errorf("CPU limit set by default; it would throttle the app on an idle node")
	}

	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
	}
	if want := []string{"GUNICORN_WORKERS", "LOG_LEVEL", "UPSTREAM_TIMEOUT_SECONDS"}; !slices.Equal(names, want) {
		t.Errorf("env = %v, want sorted %v", names, want)
	}
}

// kube-score wants imagePullPolicy Always; for an image pinned by digest it
// is told why not, and otherwise it is not.
func TestAppExemptsOnlyDigestPinnedImagesFromPullPolicyAlways(t *testing.T) {
	m, _ := runApp(t, func(a *AppArgs) { a.ImagePinnedByDigest = true })
	if got := flaskDeployment(t, m).Annotations["kube-score/ignore"]; got != "container-image-pull-policy" {
		t.Errorf("digest-pinned image: kube-score/ignore = %q, want container-image-pull-policy", got)
	}
	m, _ = runApp(t, func(a *AppArgs) { a.Image = pulumi.String("registry.example/flask:1.0") })
	if got, ok := flaskDeployment(t, m).Annotations["kube-score/ignore"]; ok {
		t.Errorf("image by tag: kube-score/ignore = %q, want no exemption", got)
	}
}

func TestAppResourcesAndPathsAreConfigurable(t *testing.T) {
	m, _ := runApp(t, func(a *AppArgs) {
		a.Resources = AppResources{CPURequest: "250m", MemoryRequest: "64Mi", CPULimit: "500m", MemoryLimit: "64Mi",
			EphemeralStorageRequest: "1Gi", EphemeralStorageLimit: "2Gi"}
		a.LivenessPath, a.ReadinessPath = "/live", "/ready"
		a.Ingress.HealthCheckPath = ""
	})
	c := flaskDeployment(t, m).Spec.Template.Spec.Containers[0]
	if cpu := c.Resources.Limits[corev1.ResourceCPU]; cpu.Cmp(resource.MustParse("500m")) != 0 {
		t.Errorf("cpu limit = %s, want 500m (the workshop's HPA chapter)", cpu.String())
	}
	if req, limit := c.Resources.Requests[corev1.ResourceEphemeralStorage], c.Resources.Limits[corev1.ResourceEphemeralStorage]; req.String() != "1Gi" || limit.String() != "2Gi" {
		t.Errorf("ephemeral-storage request %s limit %s, want 1Gi and 2Gi", req.String(), limit.String())
	}
	if c.LivenessProbe.HTTPGet.Path != "/live" || c.ReadinessProbe.HTTPGet.Path != "/ready" {
		t.Errorf("probe paths %s, %s", c.LivenessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Path)
	}
	ing := decode[networkingv1.Ingress](t, m, ingressType, flaskName+"-ingress")
	if got := ing.Annotations["alb.ingress.kubernetes.io/healthcheck-path"]; got != "/ready" {
		t.Errorf("ALB health check defaults to %q, want the readiness path /ready", got)
	}
}

func TestAppSpreadsPodsAcrossZonesAndNodes(t *testing.T) {
	m, _ := runApp(t, nil)
	constraints := flaskDeployment(t, m).Spec.Template.Spec.TopologySpreadConstraints
	byKey := map[string]corev1.TopologySpreadConstraint{}
	for _, c := range constraints {
		byKey[c.TopologyKey] = c
	}
	for _, key := range []string{"topology.kubernetes.io/zone", "kubernetes.io/hostname"} {
		c, ok := byKey[key]
		if !ok {
			t.Errorf("no topology spread on %s", key)
			continue
		}
		if c.MaxSkew != 1 || c.WhenUnsatisfiable != corev1.ScheduleAnyway {
			t.Errorf("%s: maxSkew %d %s, want 1 ScheduleAnyway", key, c.MaxSkew, c.WhenUnsatisfiable)
		}
		if c.LabelSelector == nil || !reflect.DeepEqual(c.LabelSelector.MatchLabels, map[string]string{"app": flaskName}) {
			t.Errorf("%s: selector %+v, want app=%s", key, c.LabelSelector, flaskName)
		}
	}
}

func TestAppLeavesReplicasToTheHPA(t *testing.T) {
	m, _ := runApp(t, func(a *AppArgs) { a.Replicas = 3 })
	if r := flaskDeployment(t, m).Spec.Replicas; r != nil {
		t.Errorf("replicas = %d with an HPA; every `pulumi up` would reset the HPA's choice", *r)
	}
	if raw := m.Get(t, deploymentType, flaskName+"-deployment").Input("spec.replicas"); raw != nil {
		t.Errorf("spec.replicas is sent (%v)", raw)
	}
}

func TestAppSetsReplicasWithoutAutoscaling(t *testing.T) {
	for _, tc := range []struct {
		replicas int
		want     int32
	}{{0, 2}, {3, 3}} {
		m, _ := runApp(t, func(a *AppArgs) { a.Autoscaling, a.Replicas = nil, tc.replicas })
		if r := flaskDeployment(t, m).Spec.Replicas; r == nil || *r != tc.want {
			t.Errorf("Replicas %d: spec.replicas = %v, want %d", tc.replicas, r, tc.want)
		}
		if n := len(m.ByType(hpaType)); n != 0 {
			t.Errorf("%d HPAs without autoscaling", n)
		}
	}
}

func TestAppHPAScalesTheDeploymentOnCPU(t *testing.T) {
	m, _ := runApp(t, nil)
	hpa := decode[autoscalingv2.HorizontalPodAutoscaler](t, m, hpaType, flaskName+"-hpa")
	if hpa.Name != flaskName || hpa.Namespace != "workshop" {
		t.Errorf("HPA %s/%s", hpa.Namespace, hpa.Name)
	}
	ref := hpa.Spec.ScaleTargetRef
	if ref != (autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: flaskName}) {
		t.Errorf("scaleTargetRef = %+v, want the Deployment", ref)
	}
	// The seed: kubectl autoscale --cpu-percent=50 --min=1 --max=10.
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas != 1 || hpa.Spec.MaxReplicas != 10 {
		t.Errorf("min %v max %d, want 1 and 10", hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}
	metrics := hpa.Spec.Metrics
	if len(metrics) != 1 || metrics[0].Type != autoscalingv2.ResourceMetricSourceType || metrics[0].Resource == nil ||
		metrics[0].Resource.Name != corev1.ResourceCPU || metrics[0].Resource.Target.Type != autoscalingv2.UtilizationMetricType ||
		metrics[0].Resource.Target.AverageUtilization == nil || *metrics[0].Resource.Target.AverageUtilization != 50 {
		t.Errorf("metrics = %+v, want CPU Utilization 50%%", metrics)
	}
}

func TestAppPDBNeverBlocksNodeDrains(t *testing.T) {
	m, _ := runApp(t, nil)
	pdb := decode[policyv1.PodDisruptionBudget](t, m, pdbType, flaskName+"-pdb")
	if pdb.Name != flaskName {
		t.Errorf("PDB name %s", pdb.Name)
	}
	// With minReplicas 1, minAvailable 1 would forbid every eviction.
	if pdb.Spec.MinAvailable != nil || pdb.Spec.MaxUnavailable == nil || *pdb.Spec.MaxUnavailable != intstr.FromInt32(1) {
		t.Errorf("PDB minAvailable %v maxUnavailable %v, want only maxUnavailable 1", pdb.Spec.MinAvailable, pdb.Spec.MaxUnavailable)
	}
	if pdb.Spec.Selector == nil || !reflect.DeepEqual(pdb.Spec.Selector.MatchLabels, map[string]string{"app": flaskName}) {
		t.Errorf("PDB selector %+v", pdb.Spec.Selector)
	}
}

func TestAppServiceIsClusterIPOnTheHTTPPort(t *testing.T) {
	m, _ := runApp(t, func(a *AppArgs) { a.ServicePort = 80 })
	svc := decode[corev1.Service](t, m, serviceType, flaskName+"-service")
	if svc.Name != flaskName || svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("service %s of type %s, want %s ClusterIP", svc.Name, svc.Spec.Type, flaskName)
	}
	want := []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromInt32(8080)}}
	if !reflect.DeepEqual(svc.Spec.Ports, want) {
		t.Errorf("ports = %+v, want %+v", svc.Spec.Ports, want)
	}
	if !reflect.DeepEqual(svc.Spec.Selector, map[string]string{"app": flaskName}) {
		t.Errorf("selector = %v", svc.Spec.Selector)
	}
}

func TestAppIngressJoinsTheWorkshopALBGroup(t *testing.T) {
	m, _ := runApp(t, nil)
	ing := decode[networkingv1.Ingress](t, m, ingressType, flaskName+"-ingress")
	if ing.Name != flaskName+"-ingress" || ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != "alb" {
		t.Errorf("ingress %s class %v, want %s-ingress class alb", ing.Name, ing.Spec.IngressClassName, flaskName)
	}
	want := map[string]string{
		"alb.ingress.kubernetes.io/scheme":      "internet-facing",
		"alb.ingress.kubernetes.io/target-type": "ip",
		"alb.ingress.kubernetes.io/group.name":  "eks-demo-group",
		"alb.ingress.kubernetes.io/group.order": "1",
		// Not the workshop's /contents/aws, which calls Hacker News on every check.
		"alb.ingress.kubernetes.io/healthcheck-path": "/readyz",
	}
	if !reflect.DeepEqual(ing.Annotations, want) {
		t.Errorf("annotations = %v, want %v", ing.Annotations, want)
	}
	rules := ing.Spec.Rules
	if len(rules) != 1 || rules[0].HTTP == nil || len(rules[0].HTTP.Paths) != 1 {
		t.Fatalf("rules = %+v, want one path", rules)
	}
	p := rules[0].HTTP.Paths[0]
	if p.Path != "/contents" || p.PathType == nil || *p.PathType != networkingv1.PathTypePrefix ||
		p.Backend.Service == nil || p.Backend.Service.Name != flaskName || p.Backend.Service.Port.Name != "http" {
		t.Errorf("path = %+v, want /contents Prefix -> %s:http", p, flaskName)
	}
}

func TestAppWithoutIngressGroupOrIngress(t *testing.T) {
	m, _ := runApp(t, func(a *AppArgs) { a.Ingress = &AppIngress{} })
	ing := decode[networkingv1.Ingress](t, m, ingressType, flaskName+"-ingress")
	if _, ok := ing.Annotations["alb.ingress.kubernetes.io/group.name"]; ok {
		t.Errorf("group annotations without a group: %v", ing.Annotations)
	}
	if got := ing.Spec.Rules[0].HTTP.Paths[0].Path; got != "/" {
		t.Errorf("default path %q, want /", got)
	}

	m, outputs := runApp(t, func(a *AppArgs) { a.Ingress = nil })
	if n := len(m.ByType(ingressType)); n != 0 {
		t.Errorf("%d Ingresses without Ingress args", n)
	}
	if outputs["ingressHostname"] != "" {
		t.Errorf("ingressHostname = %v, want empty", outputs["ingressHostname"])
	}
}

func TestAppNetworkPoliciesAllowOnlyWhatTheAppNeeds(t *testing.T) {
	m, _ := runApp(t, nil)
	appPods := map[string]string{"app": flaskName}

	in := decode[networkingv1.NetworkPolicy](t, m, networkPolicyType, flaskName+"-allow-ingress")
	if in.Name != flaskName+"-allow-ingress" || !reflect.DeepEqual(in.Spec.PodSelector.MatchLabels, appPods) ||
		!slices.Equal(in.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}) || len(in.Spec.Ingress) != 1 {
		t.Fatalf("allow-ingress = %+v", in)
	}
	rule := in.Spec.Ingress[0]
	if len(rule.Ports) != 1 || *rule.Ports[0].Protocol != corev1.ProtocolTCP || *rule.Ports[0].Port != intstr.FromInt32(8080) {
		t.Errorf("ingress ports = %+v, want TCP 8080 only", rule.Ports)
	}
	wantFrom := []networkingv1.NetworkPolicyPeer{
		{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/16"}},
		{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "port-forward"}}},
	}
	if !reflect.DeepEqual(rule.From, wantFrom) {
		t.Errorf("ingress from = %+v, want %+v", rule.From, wantFrom)
	}

	out := decode[networkingv1.NetworkPolicy](t, m, networkPolicyType, flaskName+"-allow-egress")
	if !reflect.DeepEqual(out.Spec.PodSelector.MatchLabels, appPods) ||
		!slices.Equal(out.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}) || len(out.Spec.Egress) != 2 {
		t.Fatalf("allow-egress = %+v", out)
	}
	dns := out.Spec.Egress[0]
	wantDNS := []networkingv1.NetworkPolicyPeer{{
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}},
		PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
	}}
	if !reflect.DeepEqual(dns.To, wantDNS) || portSet(dns.Ports) != "TCP/53,UDP/53" {
		t.Errorf("DNS egress to %+v ports %s, want kube-dns in kube-system on UDP and TCP 53", dns.To, portSet(dns.Ports))
	}
	https := out.Spec.Egress[1]
	if !reflect.DeepEqual(https.To, []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}}}) || portSet(https.Ports) != "TCP/443" {
		t.Errorf("HTTPS egress to %+v ports %s, want 0.0.0.0/0 on TCP 443", https.To, portSet(https.Ports))
	}
}

func TestAppNetworkPoliciesWithoutPeersAllowDNSOnly(t *testing.T) {
	m, _ := runApp(t, func(a *AppArgs) { a.NetworkPolicy = AppNetworkPolicy{} })
	// A rule without `from` would admit every source, so there is no allow-ingress policy.
	if n := len(m.ByType(networkPolicyType)); n != 1 {
		t.Fatalf("%d NetworkPolicies, want only allow-egress", n)
	}
	out := decode[networkingv1.NetworkPolicy](t, m, networkPolicyType, flaskName+"-allow-egress")
	if len(out.Spec.Egress) != 1 || portSet(out.Spec.Egress[0].Ports) != "TCP/53,UDP/53" {
		t.Errorf("egress = %+v, want DNS only", out.Spec.Egress)
	}
}

// portSet renders ports as sorted "PROTO/port" pairs.
func portSet(ports []networkingv1.NetworkPolicyPort) string {
	var out []string
	for _, p := range ports {
		out = append(out, fmt.Sprintf("%s/%s", *p.Protocol, p.Port.String()))
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func TestAppChildrenUseTheExplicitProviderAndParent(t *testing.T) {
	m, _ := runApp(t, nil)
	provider := m.Get(t, k8sProviderType, "k8s")
	component := m.Get(t, appType, flaskName)
	children := 0
	for _, r := range m.Resources() {
		if r.URN == component.URN || r.URN == provider.URN {
			continue
		}
		children++
		if r.Parent != component.URN {
			t.Errorf("%s %s is not parented by the App", r.Type, r.Name)
		}
		if !strings.HasPrefix(r.Name, flaskName+"-") {
			t.Errorf("%s %s is not prefixed with the component name", r.Type, r.Name)
		}
		if !strings.HasPrefix(r.Provider, provider.URN+"::") {
			t.Errorf("%s %s uses provider %q, want the explicit %s", r.Type, r.Name, r.Provider, provider.URN)
		}
	}
	if children != 7 {
		t.Errorf("%d children, want 7", children)
	}
}

func TestAppChildrenWaitForDependsOn(t *testing.T) {
	m := mocktest.New()
	m.MustRun(t, "test", nil, func(ctx *pulumi.Context) error {
		provider, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		ns, err := k8scorev1.NewNamespace(ctx, "workshop", &k8scorev1.NamespaceArgs{}, pulumi.Provider(provider))
		if err != nil {
			return err
		}
		args := flaskAppArgs()
		args.Provider, args.DependsOn = provider, []pulumi.Resource{ns}
		_, err = NewApp(ctx, flaskName, &args)
		return err
	})
	ns := m.Get(t, "kubernetes:core/v1:Namespace", "workshop")
	for _, r := range m.Resources() {
		if strings.HasPrefix(r.Type, "kubernetes:") && r.URN != ns.URN && !slices.Contains(r.Dependencies, ns.URN) {
			t.Errorf("%s %s does not wait for the namespace (dependencies %v)", r.Type, r.Name, r.Dependencies)
		}
	}
}

func TestAppOutputs(t *testing.T) {
	_, outputs := runApp(t, func(a *AppArgs) { a.ServicePort = 80 })
	want := map[string]any{
		"serviceName":    flaskName,
		"deploymentName": flaskName,
		"clusterDns":     "demo-flask-backend.workshop.svc.cluster.local:80",
	}
	for k, v := range want {
		if outputs[k] != v {
			t.Errorf("%s = %v, want %v", k, outputs[k], v)
		}
	}
	// The mock answers like the AWS Load Balancer Controller's status.
	hostname, _ := outputs["ingressHostname"].(string)
	if !regexp.MustCompile(`^k8s-eksdemogroup-[0-9a-f]{10}\.ap-northeast-2\.elb\.amazonaws\.com$`).MatchString(hostname) {
		t.Errorf("ingressHostname = %q, want the Ingress status's load balancer hostname", hostname)
	}
}

func TestAppPodSpecMeetsPodSecurityRestricted(t *testing.T) {
	for _, tc := range []struct {
		name string
		uid  int64
		want int64
	}{{"flask", 0, 10001}, {"nginx", 10101, 10101}} {
		m, _ := runApp(t, func(a *AppArgs) { a.RunAsUser = tc.uid })
		spec := flaskDeployment(t, m).Spec.Template.Spec
		checkRestricted(t, spec)

		sc := spec.SecurityContext
		for what, got := range map[string]*int64{"runAsUser": sc.RunAsUser, "runAsGroup": sc.RunAsGroup, "fsGroup": sc.FSGroup} {
			if got == nil || *got != tc.want {
				t.Errorf("%s: pod %s = %v, want %d", tc.name, what, got, tc.want)
			}
		}
		c := spec.Containers[0]
		if c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
			t.Errorf("%s: the root filesystem is writable", tc.name)
		}
		if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/tmp" || len(spec.Volumes) != 1 ||
			spec.Volumes[0].Name != c.VolumeMounts[0].Name || spec.Volumes[0].EmptyDir == nil {
			t.Errorf("%s: mounts %+v volumes %+v, want an emptyDir at /tmp", tc.name, c.VolumeMounts, spec.Volumes)
		}
	}
}

func TestAppMountsAnEmptyDirAtEveryWritablePath(t *testing.T) {
	m, _ := runApp(t, func(a *AppArgs) { a.WritablePaths = []string{"/tmp", "/var/cache/nginx"} })
	spec := flaskDeployment(t, m).Spec.Template.Spec
	emptyDirs := map[string]bool{}
	for _, v := range spec.Volumes {
		emptyDirs[v.Name] = v.EmptyDir != nil
	}
	var mounted []string
	for _, vm := range spec.Containers[0].VolumeMounts {
		if emptyDirs[vm.Name] {
			mounted = append(mounted, vm.MountPath)
		}
	}
	if !slices.Equal(mounted, []string{"/tmp", "/var/cache/nginx"}) {
		t.Errorf("emptyDirs mounted at %v", mounted)
	}
}

// checkRestricted fails the test for every way spec breaks the Pod Security
// `restricted` profile.
func checkRestricted(t testing.TB, spec corev1.PodSpec) {
	t.Helper()
	for _, v := range restrictedViolations(spec) {
		t.Errorf("Pod Security restricted: %s", v)
	}
}

// restrictedViolations lists how spec breaks the Pod Security Standards'
// `restricted` profile (which includes `baseline`), per
// https://kubernetes.io/docs/concepts/security/pod-security-standards/.
func restrictedViolations(spec corev1.PodSpec) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		bad("host namespaces: hostNetwork %t, hostPID %t, hostIPC %t", spec.HostNetwork, spec.HostPID, spec.HostIPC)
	}
	for _, v := range spec.Volumes {
		s := v.VolumeSource
		if s.ConfigMap == nil && s.CSI == nil && s.DownwardAPI == nil && s.EmptyDir == nil && s.Ephemeral == nil &&
			s.PersistentVolumeClaim == nil && s.Projected == nil && s.Secret == nil {
			bad("volume %s: type not allowed (hostPath and other node or network volumes are forbidden)", v.Name)
		}
	}
	pod := spec.SecurityContext
	if pod == nil {
		pod = &corev1.PodSecurityContext{}
	}
	if pod.RunAsUser != nil && *pod.RunAsUser == 0 {
		bad("pod runAsUser is 0 (root)")
	}
	podSeccomp := seccompAllowed(pod.SeccompProfile)
	if pod.SeccompProfile != nil && !podSeccomp {
		bad("pod seccompProfile %s: want RuntimeDefault or Localhost", pod.SeccompProfile.Type)
	}
	containers := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for _, e := range spec.EphemeralContainers {
		containers = append(containers, corev1.Container(e.EphemeralContainerCommon))
	}
	for _, c := range containers {
		sc := c.SecurityContext
		if sc == nil {
			sc = &corev1.SecurityContext{}
		}
		if sc.Privileged != nil && *sc.Privileged {
			bad("container %s is privileged", c.Name)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			bad("container %s: allowPrivilegeEscalation must be false", c.Name)
		}
		if nonRoot := sc.RunAsNonRoot; (nonRoot != nil && !*nonRoot) || (nonRoot == nil && (pod.RunAsNonRoot == nil || !*pod.RunAsNonRoot)) {
			bad("container %s: runAsNonRoot must be true (in the pod or the container)", c.Name)
		}
		if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
			bad("container %s: runAsUser is 0 (root)", c.Name)
		}
		if sc.SeccompProfile != nil && !seccompAllowed(sc.SeccompProfile) {
			bad("container %s: seccompProfile %s: want RuntimeDefault or Localhost", c.Name, sc.SeccompProfile.Type)
		} else if sc.SeccompProfile == nil && !podSeccomp {
			bad("container %s: no seccompProfile (RuntimeDefault or Localhost) in the pod or the container", c.Name)
		}
		caps := sc.Capabilities
		if caps == nil || !slices.Contains(caps.Drop, "ALL") {
			bad("container %s: capabilities must drop ALL", c.Name)
		}
		if caps != nil {
			for _, add := range caps.Add {
				if add != "NET_BIND_SERVICE" {
					bad("container %s: adds capability %s (only NET_BIND_SERVICE is allowed)", c.Name, add)
				}
			}
		}
		for _, p := range c.Ports {
			if p.HostPort != 0 {
				bad("container %s: hostPort %d", c.Name, p.HostPort)
			}
		}
	}
	return out
}

func seccompAllowed(p *corev1.SeccompProfile) bool {
	return p != nil && (p.Type == corev1.SeccompProfileTypeRuntimeDefault || p.Type == corev1.SeccompProfileTypeLocalhost)
}

func TestCheckRestrictedCatchesViolations(t *testing.T) {
	compliant := func() corev1.PodSpec {
		yes, no, uid := true, false, int64(10001)
		return corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot: &yes, RunAsUser: &uid,
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []corev1.Container{{
				Name: "app",
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: &no,
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{"NET_BIND_SERVICE"}},
				},
			}},
			Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		}
	}
	if v := restrictedViolations(compliant()); len(v) != 0 {
		t.Fatalf("a compliant pod (NET_BIND_SERVICE added) is rejected: %v", v)
	}
	yes, root := true, int64(0)
	for _, tc := range []struct {
		name   string
		mutate func(*corev1.PodSpec)
		want   string
	}{
		{"runAsNonRoot unset", func(s *corev1.PodSpec) { s.SecurityContext.RunAsNonRoot = nil }, "runAsNonRoot must be true"},
		{"root UID", func(s *corev1.PodSpec) { s.Containers[0].SecurityContext.RunAsUser = &root }, "runAsUser is 0"},
		{"privilege escalation", func(s *corev1.PodSpec) { s.Containers[0].SecurityContext.AllowPrivilegeEscalation = nil }, "allowPrivilegeEscalation must be false"},
		{"capabilities kept", func(s *corev1.PodSpec) { s.Containers[0].SecurityContext.Capabilities.Drop = nil }, "must drop ALL"},
		{"NET_ADMIN added", func(s *corev1.PodSpec) {
			s.Containers[0].SecurityContext.Capabilities.Add = append(s.Containers[0].SecurityContext.Capabilities.Add, "NET_ADMIN")
		}, "adds capability NET_ADMIN"},
		{"seccomp unconfined", func(s *corev1.PodSpec) {
			s.SecurityContext.SeccompProfile.Type = corev1.SeccompProfileTypeUnconfined
		}, "seccompProfile Unconfined"},
		{"no seccomp", func(s *corev1.PodSpec) { s.SecurityContext.SeccompProfile = nil }, "no seccompProfile"},
		{"host network", func(s *corev1.PodSpec) { s.HostNetwork = true }, "hostNetwork true"},
		{"hostPath volume", func(s *corev1.PodSpec) {
			s.Volumes = append(s.Volumes, corev1.Volume{Name: "docker", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run"}}})
		}, "volume docker"},
		{"privileged init container", func(s *corev1.PodSpec) {
			init := *s.Containers[0].DeepCopy()
			init.Name, init.SecurityContext.Privileged = "init", &yes
			s.InitContainers = append(s.InitContainers, init)
		}, "container init is privileged"},
		{"hostPort", func(s *corev1.PodSpec) {
			s.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80}}
		}, "hostPort 80"},
	} {
		spec := compliant()
		tc.mutate(&spec)
		got := restrictedViolations(spec)
		if !slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, tc.want) }) {
			t.Errorf("%s: violations %q lack %q", tc.name, got, tc.want)
		}
	}
}

func TestAppRejectsBadArgsBeforeRegistering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*AppArgs)
		want   []string
	}{
		{"names", func(a *AppArgs) { a.Name, a.Namespace = "1-Flask", "" }, []string{`name = "1-Flask"`, "RFC 1035", `namespace = ""`}},
		{"image, provider and dependsOn", func(a *AppArgs) { a.Image, a.Provider, a.DependsOn = nil, nil, []pulumi.Resource{nil} },
			[]string{"image = <nil>: required", "provider = <nil>: required", "dependsOn = 0: entry is nil"}},
		{"ports", func(a *AppArgs) { a.ContainerPort, a.ServicePort = 0, 70000 }, []string{"containerPort = 0: want a TCP port, 1-65535", "servicePort = 70000"}},
		{"resources", func(a *AppArgs) {
			a.Resources = AppResources{CPURequest: "lots", MemoryRequest: "512Mi", MemoryLimit: "256Mi", CPULimit: "50m"}
		}, []string{`resources.cpuRequest = "lots": want a positive Kubernetes quantity`, `resources.memoryLimit = "256Mi": want at least memoryRequest (512Mi)`}},
		{"cpu limit below request", func(a *AppArgs) { a.Resources = AppResources{CPURequest: "250m", CPULimit: "100m"} }, []string{`resources.cpuLimit = "100m": want at least cpuRequest (250m)`}},
		{"ephemeral storage", func(a *AppArgs) {
			a.Resources = AppResources{EphemeralStorageRequest: "1Gi", EphemeralStorageLimit: "100Mi"}
		}, []string{`resources.ephemeralStorageLimit = "100Mi": want at least ephemeralStorageRequest (1Gi)`}},
		{"ephemeral storage not a quantity", func(a *AppArgs) { a.Resources = AppResources{EphemeralStorageRequest: "-1Gi"} },
			[]string{`resources.ephemeralStorageRequest = "-1Gi": want a positive Kubernetes quantity`}},
		{"one probe for liveness and readiness", func(a *AppArgs) { a.LivenessPath, a.ReadinessPath = "/healthz", "/healthz" },
			[]string{`readinessPath = "/healthz": want a path other than livenessPath`}},
		{"autoscaling", func(a *AppArgs) {
			a.Autoscaling = &Autoscaling{MinReplicas: 5, MaxReplicas: 3, TargetCPUUtilization: 150}
		},
			[]string{"autoscaling.maxReplicas = 3: want at least minReplicas (5)", "autoscaling.targetCpuUtilization = 150: want a percentage of the CPU request, 1-100"}},
		{"replicas", func(a *AppArgs) { a.Autoscaling, a.Replicas = nil, -1 }, []string{"replicas = -1: want 1 or more"}},
		{"ingress", func(a *AppArgs) {
			a.Ingress = &AppIngress{Path: "contents", GroupName: "EKS_demo", GroupOrder: 2000, HealthCheckPath: "contents/aws"}
		}, []string{`ingress.path = "contents"`, `ingress.groupName = "EKS_demo"`, "ingress.groupOrder = 2000: want -1000 to 1000", `ingress.healthCheckPath = "contents/aws"`}},
		{"group order without group", func(a *AppArgs) { a.Ingress = &AppIngress{GroupOrder: 1} }, []string{"ingress.groupOrder = 1: only orders rules within a group"}},
		{"termination", func(a *AppArgs) { a.PreStopSleepSeconds, a.ShutdownSeconds = -1, 301 },
			[]string{"preStopSleepSeconds = -1: want 1 to 300 seconds", "shutdownSeconds = 301: want 1 to 300 seconds"}},
		{"network policy", func(a *AppArgs) {
			a.NetworkPolicy = AppNetworkPolicy{IngressFromCIDRs: []string{"10.0.0.1/16"}, EgressHTTPSCIDRs: []string{"everywhere"}, IngressFromNamespaces: []string{"Kube_System"}}
		}, []string{`networkPolicy.ingressFromCidrs = "10.0.0.1/16": want a CIDR with no host bits set`, `networkPolicy.egressHttpsCidrs = "everywhere"`, `networkPolicy.ingressFromNamespaces = "Kube_System"`}},
		{"root and writable paths", func(a *AppArgs) { a.RunAsUser, a.WritablePaths = -1, []string{"tmp", "/tmp/../tmp", "/"} },
			[]string{"runAsUser = -1: want a non-root UID", `writablePaths = "tmp"`, `writablePaths = "/tmp/../tmp"`, `writablePaths = "/"`}},
		{"probes, env and labels", func(a *AppArgs) {
			a.LivenessPath, a.ReadinessPath = "healthz", "readyz"
			a.Env = map[string]string{"1BAD": "x", "A=B": "y"}
			a.Labels = map[string]string{"app": "other", "team": "platform team"}
		}, []string{`livenessPath = "healthz"`, `readinessPath = "readyz"`, `env = "1BAD"`, `env = "A=B"`, `labels = "app": set by the App itself`, `labels = "platform team"`}},
	} {
		m := mocktest.New()
		var args AppArgs
		err := m.Run("test", nil, func(ctx *pulumi.Context) error {
			provider, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
			if err != nil {
				return err
			}
			args = flaskAppArgs()
			args.Provider = provider
			tc.mutate(&args)
			_, err = NewApp(ctx, flaskName, &args)
			return err
		})
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), `app "demo-flask-backend": `) {
			t.Errorf("%s: error %q does not name the app", tc.name, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
		fields := spec.FieldErrors(errors.Join(args.Validate(), args.validateWiring()))
		if len(fields) == 0 {
			t.Errorf("%s: no spec.FieldErrors in %q", tc.name, err)
		}
		for _, fe := range fields {
			if fe.Field == "" || fe.Allowed == "" {
				t.Errorf("%s: %#v does not say which field or what is allowed", tc.name, fe)
			}
		}
		for _, r := range m.Resources() {
			if r.Type != k8sProviderType {
				t.Errorf("%s: registered %s %s before failing", tc.name, r.Type, r.Name)
			}
		}
	}
}

func TestAppArgsDefaultsDoNotModifyTheCaller(t *testing.T) {
	args := flaskAppArgs()
	args.Ingress = &AppIngress{}
	d := args.WithDefaults()
	if args.Autoscaling.MaxReplicas != 0 || args.Ingress.Path != "" || len(args.WritablePaths) != 0 {
		t.Errorf("WithDefaults changed the caller's args: %+v %+v", args.Autoscaling, args.Ingress)
	}
	if d.Autoscaling.MaxReplicas != 10 || d.Autoscaling.TargetCPUUtilization != 50 || d.Ingress.HealthCheckPath != "/readyz" || d.ServicePort != 8080 {
		t.Errorf("defaults = %+v %+v servicePort %d", d.Autoscaling, d.Ingress, d.ServicePort)
	}
}

// The Service skips the provider's await, which would only wait out its
// 10 s settling time (skipAwaitAnnotation); the Deployment keeps its await,
// which is what proves the pods behind the Service ready.
func TestAppServiceSkipsTheProvidersAwaitAndTheDeploymentKeepsIt(t *testing.T) {
	m, _ := runApp(t, nil)
	svc := decode[corev1.Service](t, m, serviceType, flaskName+"-service")
	if got := svc.Annotations[skipAwaitAnnotation]; got != "true" {
		t.Errorf("service annotation %s = %q, want \"true\"", skipAwaitAnnotation, got)
	}
	d := flaskDeployment(t, m)
	if _, ok := d.Annotations[skipAwaitAnnotation]; ok {
		t.Errorf("the deployment skips its await: %v", d.Annotations)
	}
	if !reflect.DeepEqual(svc.Spec.Selector, d.Spec.Selector.MatchLabels) {
		t.Errorf("the service selects %v, the deployment's pods are %v", svc.Spec.Selector, d.Spec.Selector.MatchLabels)
	}
}
