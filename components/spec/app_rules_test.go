package spec

import (
	"math"
	"slices"
	"testing"
)

func app(mutate func(*AppArgs)) AppArgs {
	a := AppArgs{Name: "demo-flask-backend", Namespace: "development", ContainerPort: 8080,
		Autoscaling: &Autoscaling{}, Ingress: &AppIngress{Path: "/contents", GroupName: "eks-demo-group", GroupOrder: 1}}
	mutate(&a)
	return a
}

func TestAppRules(t *testing.T) {
	type c = ruleCase[AppArgs]
	checkRules(t, AppArgs.Validate, []c{
		{"the workshop's flask", app(func(*AppArgs) {}), nil, ""},
		{"a name starting with a digit", app(func(a *AppArgs) { a.Name = "1app" }), []string{"name"}, "RFC 1035"},
		{"a namespace in capitals", app(func(a *AppArgs) { a.Namespace = "Dev" }), []string{"namespace"}, "RFC 1123"},
		{"port 0 left to the service", app(func(a *AppArgs) { a.ContainerPort = 0 }), []string{"containerPort", "servicePort"}, "1-65535"},
		{"port 1", app(func(a *AppArgs) { a.ContainerPort = 1 }), nil, ""},
		{"port 65535", app(func(a *AppArgs) { a.ContainerPort, a.ServicePort = 65535, 80 }), nil, ""},
		{"port 65536", app(func(a *AppArgs) { a.ServicePort = 65536 }), []string{"servicePort"}, ""},
		{"an env name", app(func(a *AppArgs) { a.Env = map[string]string{"LOG_LEVEL": "INFO", "1X": "y"} }), []string{"env"}, `"1X"`},
		{"a CPU limit", app(func(a *AppArgs) { a.Resources.CPULimit = "100m" }), nil, ""},
		{"a CPU limit under the request", app(func(a *AppArgs) { a.Resources.CPULimit = "99m" }), []string{"resources.cpuLimit"}, "want at least cpuRequest (100m)"},
		{"a zero CPU request", app(func(a *AppArgs) { a.Resources.CPURequest = "0" }), []string{"resources.cpuRequest"}, "positive Kubernetes quantity"},
		{"a memory request of nonsense", app(func(a *AppArgs) { a.Resources.MemoryRequest = "lots" }), []string{"resources.memoryRequest"}, ""},
		{"a memory limit under the request", app(func(a *AppArgs) { a.Resources.MemoryLimit = "64Mi" }), []string{"resources.memoryLimit"}, "memoryRequest"},
		{"a negative storage limit", app(func(a *AppArgs) { a.Resources.EphemeralStorageLimit = "-1Gi" }), []string{"resources.ephemeralStorageLimit"}, ""},
		{"a relative liveness path", app(func(a *AppArgs) { a.LivenessPath = "healthz" }), []string{"livenessPath"}, "absolute URL path"},
		{"one path for both probes", app(func(a *AppArgs) { a.LivenessPath, a.ReadinessPath = "/up", "/up" }), []string{"readinessPath"}, "other than livenessPath"},
		{"fixed replicas", app(func(a *AppArgs) { a.Autoscaling, a.Replicas = nil, 1 }), nil, ""},
		{"no replicas", app(func(a *AppArgs) { a.Autoscaling, a.Replicas = nil, -1 }), []string{"replicas"}, "1 or more"},
		{"a negative minimum", app(func(a *AppArgs) { a.Autoscaling.MinReplicas = -1 }), []string{"autoscaling.minReplicas"}, ""},
		{"a negative maximum over a lower minimum", app(func(a *AppArgs) { a.Autoscaling.MinReplicas, a.Autoscaling.MaxReplicas = -5, -2 }),
			[]string{"autoscaling.minReplicas", "autoscaling.maxReplicas"}, ""},
		{"maximum equal to minimum", app(func(a *AppArgs) { a.Autoscaling.MinReplicas, a.Autoscaling.MaxReplicas = 3, 3 }), nil, ""},
		{"maximum under minimum", app(func(a *AppArgs) { a.Autoscaling.MinReplicas, a.Autoscaling.MaxReplicas = 3, 2 }), []string{"autoscaling.maxReplicas"}, "at least minReplicas (3)"},
		{"a target of 1%", app(func(a *AppArgs) { a.Autoscaling.TargetCPUUtilization = 1 }), nil, ""},
		{"a target of 100%", app(func(a *AppArgs) { a.Autoscaling.TargetCPUUtilization = 100 }), nil, ""},
		{"a target of 101%", app(func(a *AppArgs) { a.Autoscaling.TargetCPUUtilization = 101 }), []string{"autoscaling.targetCpuUtilization"}, "1-100"},
		{"a target of -1%", app(func(a *AppArgs) { a.Autoscaling.TargetCPUUtilization = -1 }), []string{"autoscaling.targetCpuUtilization"}, ""},
		{"a relative ingress path", app(func(a *AppArgs) { a.Ingress.Path = "contents" }), []string{"ingress.path"}, ""},
		{"a relative health check", app(func(a *AppArgs) { a.Ingress.HealthCheckPath = "readyz" }), []string{"ingress.healthCheckPath"}, ""},
		{"a group name with _", app(func(a *AppArgs) { a.Ingress.GroupName = "eks_demo" }), []string{"ingress.groupName"}, ""},
		{"order 1000", app(func(a *AppArgs) { a.Ingress.GroupOrder = 1000 }), nil, ""},
		{"order 1001", app(func(a *AppArgs) { a.Ingress.GroupOrder = 1001 }), []string{"ingress.groupOrder"}, "-1000 to 1000"},
		{"order -1000", app(func(a *AppArgs) { a.Ingress.GroupOrder = -1000 }), nil, ""},
		{"order -1001", app(func(a *AppArgs) { a.Ingress.GroupOrder = -1001 }), []string{"ingress.groupOrder"}, ""},
		{"an order with no group", app(func(a *AppArgs) { a.Ingress.GroupName = "" }), []string{"ingress.groupOrder"}, "set groupName too"},
		{"an ALB of its own", app(func(a *AppArgs) { a.Ingress.GroupName, a.Ingress.GroupOrder = "", 0 }), nil, ""},
		{"a policy CIDR with host bits", app(func(a *AppArgs) { a.NetworkPolicy.IngressFromCIDRs = []string{"10.0.0.0/16", "10.0.0.1/16"} }), []string{"networkPolicy.ingressFromCidrs"}, `"10.0.0.1/16"`},
		{"an egress CIDR of nonsense", app(func(a *AppArgs) { a.NetworkPolicy.EgressHTTPSCIDRs = []string{"anywhere"} }), []string{"networkPolicy.egressHttpsCidrs"}, ""},
		{"a policy namespace", app(func(a *AppArgs) { a.NetworkPolicy.IngressFromNamespaces = []string{"ok", "Not"} }), []string{"networkPolicy.ingressFromNamespaces"}, ""},
		{"a 1 s pause and shutdown", app(func(a *AppArgs) { a.PreStopSleepSeconds, a.ShutdownSeconds = 1, 1 }), nil, ""},
		{"the longest pause and shutdown", app(func(a *AppArgs) {
			a.PreStopSleepSeconds, a.ShutdownSeconds = maxTerminationStepSeconds, maxTerminationStepSeconds
		}), nil, ""},
		{"a pause past the longest", app(func(a *AppArgs) { a.PreStopSleepSeconds = maxTerminationStepSeconds + 1 }), []string{"preStopSleepSeconds"}, "want 1 to 300 seconds"},
		{"a shutdown of -1 s", app(func(a *AppArgs) { a.ShutdownSeconds = -1 }), []string{"shutdownSeconds"}, "want 1 to 300 seconds"},
		{"root", app(func(a *AppArgs) { a.RunAsUser = -1 }), []string{"runAsUser"}, "non-root UID"},
		{"UID 1", app(func(a *AppArgs) { a.RunAsUser = 1 }), nil, ""},
		{"the largest UID", app(func(a *AppArgs) { a.RunAsUser = math.MaxInt32 }), nil, ""},
		{"past the largest UID", app(func(a *AppArgs) { a.RunAsUser = math.MaxInt32 + 1 }), []string{"runAsUser"}, ""},
		{"writable paths", app(func(a *AppArgs) { a.WritablePaths = []string{"/tmp", "/var/cache"} }), nil, ""},
		{"bad writable paths", app(func(a *AppArgs) { a.WritablePaths = []string{"tmp", "/tmp/", "/", "/x", "/x"} }),
			[]string{"writablePaths", "writablePaths", "writablePaths", "writablePaths"}, ""},
		{"labels", app(func(a *AppArgs) { a.Labels = map[string]string{"team": "web", "example.com/tier": "backend"} }), nil, ""},
		{"a label key", app(func(a *AppArgs) { a.Labels = map[string]string{"bad key": "x"} }), []string{"labels"}, "want a label key"},
		{"a label value", app(func(a *AppArgs) { a.Labels = map[string]string{"team": "-web"} }), []string{"labels"}, "the value of team"},
		{"a label the App sets", app(func(a *AppArgs) { a.Labels = map[string]string{"app.kubernetes.io/name": "x"} }), []string{"labels"}, "set by the App itself"},
	})
}

func TestAppDefaults(t *testing.T) {
	d := AppArgs{ContainerPort: 8080, Autoscaling: &Autoscaling{}, Ingress: &AppIngress{}}.WithDefaults()
	r := d.Resources
	if d.ServicePort != 8080 || r.CPURequest != DefaultCPURequest || r.CPULimit != "" || r.MemoryRequest != DefaultMemoryRequest ||
		r.MemoryLimit != DefaultMemoryLimit || r.EphemeralStorageRequest != DefaultEphemeralStorageRequest || r.EphemeralStorageLimit != DefaultEphemeralStorageLimit ||
		d.LivenessPath != DefaultLivenessPath || d.ReadinessPath != DefaultReadinessPath || d.Replicas != DefaultReplicas ||
		d.RunAsUser != DefaultRunAsUser || !slices.Equal(d.WritablePaths, []string{DefaultWritablePath}) {
		t.Errorf("defaults = %+v", d)
	}
	if *d.Autoscaling != (Autoscaling{MinReplicas: DefaultMinReplicas, MaxReplicas: DefaultMaxReplicas, TargetCPUUtilization: DefaultTargetCPUUtilization}) {
		t.Errorf("autoscaling defaults = %+v", *d.Autoscaling)
	}
	if *d.Ingress != (AppIngress{Path: DefaultIngressPath, HealthCheckPath: DefaultReadinessPath, ClassName: IngressClassALB}) {
		t.Errorf("ingress defaults = %+v, want the health check on the readiness path", *d.Ingress)
	}
	set := AppArgs{ServicePort: 80, ReadinessPath: "/ready", Replicas: 4, RunAsUser: 7, Autoscaling: &Autoscaling{MinReplicas: 2, MaxReplicas: 3, TargetCPUUtilization: 70},
		Ingress: &AppIngress{Path: "/api", HealthCheckPath: "/hc"}}.WithDefaults()
	if set.ServicePort != 80 || set.ReadinessPath != "/ready" || set.Replicas != 4 || set.RunAsUser != 7 ||
		*set.Autoscaling != (Autoscaling{2, 3, 70}) || set.Ingress.Path != "/api" || set.Ingress.HealthCheckPath != "/hc" {
		t.Errorf("set values were replaced: %+v %+v %+v", set, *set.Autoscaling, *set.Ingress)
	}
	if hc := (AppArgs{ReadinessPath: "/ready", Ingress: &AppIngress{}}).WithDefaults().Ingress.HealthCheckPath; hc != "/ready" {
		t.Errorf("health check %s, want the readiness path /ready", hc)
	}
	if none := (AppArgs{}).WithDefaults(); none.Autoscaling != nil || none.Ingress != nil {
		t.Errorf("defaults added autoscaling or an ingress: %+v", none)
	}
}
