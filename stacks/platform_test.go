package stacks

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// kubernetesObjects are the typed k8s.io/api objects for each type token
// the stacks register.
var kubernetesObjects = map[string]func() any{
	"kubernetes:apps/v1:Deployment":                       func() any { return &appsv1.Deployment{} },
	"kubernetes:core/v1:Service":                          func() any { return &corev1.Service{} },
	"kubernetes:core/v1:Namespace":                        func() any { return &corev1.Namespace{} },
	"kubernetes:autoscaling/v2:HorizontalPodAutoscaler":   func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"kubernetes:policy/v1:PodDisruptionBudget":            func() any { return &policyv1.PodDisruptionBudget{} },
	"kubernetes:networking.k8s.io/v1:Ingress":             func() any { return &networkingv1.Ingress{} },
	"kubernetes:networking.k8s.io/v1:NetworkPolicy":       func() any { return &networkingv1.NetworkPolicy{} },
	"kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": func() any { return &rbacv1.RoleBinding{} },
}

// decodeAll decodes every Kubernetes object of a run strictly into its
// k8s.io/api type, returning them by "Kind/namespace/name".
func decodeAll(t *testing.T, run stackRun) map[string]any {
	t.Helper()
	objects := map[string]any{}
	for _, r := range run.Resources() {
		if !strings.HasPrefix(r.Type, "kubernetes:") || r.Type == "pulumi:providers:kubernetes" || strings.HasPrefix(r.Type, "kubernetes:helm.sh/") {
			continue
		}
		newObject, ok := kubernetesObjects[r.Type]
		if !ok {
			t.Errorf("no k8s.io/api type registered for %s", r.Type)
			continue
		}
		obj := newObject()
		if err := r.DecodeStrict(obj); err != nil {
			t.Errorf("strict decode: %v", err)
			continue
		}
		meta := reflect.ValueOf(obj).Elem().FieldByName("ObjectMeta").Interface().(metav1.ObjectMeta)
		kind := r.Type[strings.LastIndex(r.Type, ":")+1:]
		objects[kind+"/"+meta.Namespace+"/"+meta.Name] = obj
	}
	return objects
}

func get[T any](t *testing.T, objects map[string]any, key string) *T {
	t.Helper()
	obj, ok := objects[key]
	if !ok {
		var keys []string
		for k := range objects {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		t.Fatalf("no %s; have %v", key, keys)
	}
	return obj.(*T)
}

// Every Kubernetes object uses the explicitly built provider, never an
// ambient kubeconfig.
func checkExplicitProvider(t *testing.T, run stackRun) {
	t.Helper()
	provider := run.Get(t, "pulumi:providers:kubernetes", "k8s")
	for _, r := range run.Resources() {
		if strings.HasPrefix(r.Type, "kubernetes:") && r.Custom && !strings.HasPrefix(r.Provider, provider.URN+"::") {
			t.Errorf("%s %s uses provider %q, not the stack's", r.Type, r.Name, r.Provider)
		}
	}
}

func TestDevStackRunsTheWorkloadsOnEKS(t *testing.T) {
	t.Parallel()
	run := runStack(t, "dev", map[string]string{"eks-workshop:teamPrincipalArn": "arn:aws:iam::123456789012:role/Developers"})
	objects := decodeAll(t, run)
	checkExplicitProvider(t, run)

	provider := run.Get(t, "pulumi:providers:kubernetes", "k8s")
	if kubeconfig, _ := provider.Input("kubeconfig").(string); !strings.Contains(kubeconfig, "eks-demo") {
		t.Errorf("kubernetes provider is not built from the cluster's kubeconfig: %q", kubeconfig)
	}
	if !provider.IsSecret("kubeconfig") {
		t.Errorf("the kubeconfig reaches the provider in plain text")
	}
	if run.Get(t, "eks:index:Cluster", "eks-demo-cluster").Input("vpcCniOptions.enableNetworkPolicy") != true {
		t.Errorf("VPC CNI network policy enforcement is off: NetworkPolicies would do nothing")
	}

	t.Run("namespace under Pod Security restricted, deny-all by default", func(t *testing.T) {
		ns := get[corev1.Namespace](t, objects, "Namespace//development")
		if ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
			t.Errorf("namespace labels = %v", ns.Labels)
		}
		// The ALB's targets are pod IPs: the controller's readiness gate
		// keeps a rollout from stopping an old pod before the ALB reports
		// the new one healthy.
		if ns.Labels[spec.ReadinessGateInjectLabel] != spec.ReadinessGateInjectValue {
			t.Errorf("namespace labels = %v, want the load balancer controller's readiness gate", ns.Labels)
		}
		deny := get[networkingv1.NetworkPolicy](t, objects, "NetworkPolicy/development/deny-all")
		if len(deny.Spec.PodSelector.MatchLabels) != 0 || len(deny.Spec.Ingress) != 0 || len(deny.Spec.Egress) != 0 ||
			!reflect.DeepEqual(deny.Spec.PolicyTypes, []networkingv1.PolicyType{"Ingress", "Egress"}) {
			t.Errorf("deny-all = %+v", deny.Spec)
		}
	})

	t.Run("team reaches only its namespace", func(t *testing.T) {
		entries := run.Get(t, "eks:index:Cluster", "eks-demo-cluster").Input("accessEntries").(map[string]any)
		team := entries["role-Developers"].(map[string]any)
		policy := team["accessPolicies"].(map[string]any)["Edit"].(map[string]any)
		scope := policy["accessScope"].(map[string]any)
		if !strings.HasSuffix(policy["policyArn"].(string), "/AmazonEKSEditPolicy") || scope["type"] != "namespace" ||
			!reflect.DeepEqual(scope["namespaces"], []any{"development"}) || !reflect.DeepEqual(team["kubernetesGroups"], []any{"development-developers"}) {
			t.Errorf("team access entry = %v", team)
		}
		binding := get[rbacv1.RoleBinding](t, objects, "RoleBinding/development/developers-edit")
		if binding.RoleRef.Name != "edit" || binding.Subjects[0].Kind != "Group" || binding.Subjects[0].Name != "development-developers" {
			t.Errorf("role binding = %+v", binding)
		}
	})

	for _, w := range config.DefaultConfig().Workloads() {
		t.Run(w.Name, func(t *testing.T) {
			d := get[appsv1.Deployment](t, objects, "Deployment/development/"+w.Name)
			image := d.Spec.Template.Spec.Containers[0].Image
			if !strings.Contains(image, ".dkr.ecr.ap-northeast-2.amazonaws.com/"+w.Repository+"@sha256:") {
				t.Errorf("image = %s, want the ECR digest", image)
			}
			if d.Spec.Strategy.RollingUpdate.MaxSurge.IntValue() != 1 || d.Spec.Strategy.RollingUpdate.MaxUnavailable.IntValue() != 0 {
				t.Errorf("rolling update = %+v", d.Spec.Strategy.RollingUpdate)
			}
			svc := get[corev1.Service](t, objects, "Service/development/"+w.Name)
			if svc.Spec.Ports[0].Port != int32(w.ServicePort) || svc.Spec.Ports[0].TargetPort.IntValue() != w.ContainerPort {
				t.Errorf("service ports = %+v", svc.Spec.Ports)
			}
			hpa := get[autoscalingv2.HorizontalPodAutoscaler](t, objects, "HorizontalPodAutoscaler/development/"+w.Name)
			if *hpa.Spec.MinReplicas != 1 || hpa.Spec.MaxReplicas != 10 || *hpa.Spec.Metrics[0].Resource.Target.AverageUtilization != 50 {
				t.Errorf("hpa = %+v", hpa.Spec)
			}
			get[policyv1.PodDisruptionBudget](t, objects, "PodDisruptionBudget/development/"+w.Name)
			ing := get[networkingv1.Ingress](t, objects, "Ingress/development/"+w.Name+"-ingress")
			if *ing.Spec.IngressClassName != "alb" || ing.Annotations["alb.ingress.kubernetes.io/group.name"] != "eks-demo-group" ||
				ing.Spec.Rules[0].HTTP.Paths[0].Path != w.IngressPath {
				t.Errorf("ingress = %+v %+v", ing.Annotations, ing.Spec)
			}
			allow := get[networkingv1.NetworkPolicy](t, objects, "NetworkPolicy/development/"+w.Name+"-allow-ingress")
			var admitted []string
			for _, peer := range allow.Spec.Ingress[0].From {
				admitted = append(admitted, peer.IPBlock.CIDR)
			}
			// The public subnets, where the ALB runs; not the VPC, where every pod's IP is.
			if want := []string{"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"}; !slices.Equal(admitted, want) {
				t.Errorf("%s admits %v, want the public subnets %v", w.Name, admitted, want)
			}
		})
	}

	flaskIngress := get[networkingv1.Ingress](t, objects, "Ingress/development/demo-flask-backend-ingress")
	nginxIngress := get[networkingv1.Ingress](t, objects, "Ingress/development/demo-nginx-ingress")
	if flaskIngress.Annotations["alb.ingress.kubernetes.io/group.order"] != "1" ||
		nginxIngress.Annotations["alb.ingress.kubernetes.io/group.order"] <= "1" {
		t.Errorf("group orders flask %s, nginx %s: nginx's catch-all / must come after /contents",
			flaskIngress.Annotations["alb.ingress.kubernetes.io/group.order"], nginxIngress.Annotations["alb.ingress.kubernetes.io/group.order"])
	}
	if hc := flaskIngress.Annotations["alb.ingress.kubernetes.io/healthcheck-path"]; strings.HasPrefix(hc, "/contents") {
		t.Errorf("ALB health checks %s, which calls Hacker News on every check", hc)
	}
	egress := get[networkingv1.NetworkPolicy](t, objects, "NetworkPolicy/development/demo-flask-backend-allow-egress")
	https := false
	for _, rule := range egress.Spec.Egress {
		for _, p := range rule.Ports {
			https = https || p.Port.IntValue() == 443
		}
	}
	if !https {
		t.Errorf("flask cannot reach its upstream on 443: %+v", egress.Spec.Egress)
	}

	t.Run("add-ons pinned, with the workshop's node-role permissions", func(t *testing.T) {
		charts := map[string]string{}
		for _, c := range run.ByType("kubernetes:helm.sh/v4:Chart") {
			charts[c.Input("chart").(string)] = c.Input("version").(string)
		}
		want := config.DefaultConfig().AddonVersions
		if !reflect.DeepEqual(charts, map[string]string{
			"metrics-server":               want.MetricsServer,
			"aws-load-balancer-controller": want.LoadBalancerController, "cluster-autoscaler": want.ClusterAutoscaler,
		}) {
			t.Errorf("charts = %v", charts)
		}
		addons := map[string]string{}
		for _, a := range run.ByType("aws:eks/addon:Addon") {
			addons[a.Input("addonName").(string)] = a.Input("addonVersion").(string)
		}
		if !reflect.DeepEqual(addons, map[string]string{"amazon-cloudwatch-observability": want.CloudWatchObservability, "aws-ebs-csi-driver": want.EbsCsiDriver}) {
			t.Errorf("EKS add-ons = %v", addons)
		}
		if n := len(run.ByType("aws:eks/podIdentityAssociation:PodIdentityAssociation")); n != 0 {
			t.Errorf("dev uses %d Pod Identity associations; the workshop uses the node role", n)
		}
	})

	t.Run("order: controllers after the nodes, Ingresses before the load balancer controller", func(t *testing.T) {
		lbc := run.Get(t, "kubernetes:helm.sh/v4:Chart", "eks-demo-aws-load-balancer-controller")
		for _, ing := range run.ByType("kubernetes:networking.k8s.io/v1:Ingress") {
			if !slices.Contains(ing.Dependencies, lbc.URN) {
				t.Errorf("%s does not depend on the controller, so destroy could remove the controller first and orphan its ALB", ing.Name)
			}
		}
		checkControllersWaitFor(t, run, "", run.Get(t, "eks:index:ManagedNodeGroup", "eks-demo-node-group-nodes"))
	})

	if url, _ := run.Outputs["albUrl"].(string); !strings.HasPrefix(url, "http://k8s-eksdemogroup-") {
		t.Errorf("albUrl = %q", url)
	}
	if url := run.Outputs["flaskClusterUrl"]; url != "http://demo-flask-backend.development.svc.cluster.local:8080" {
		t.Errorf("flaskClusterUrl = %v", url)
	}
}

func TestProdStackGivesControllersPodIdentity(t *testing.T) {
	t.Parallel()
	run := runStack(t, "prod", nil)
	got := map[string]bool{}
	for _, a := range run.ByType("aws:eks/podIdentityAssociation:PodIdentityAssociation") {
		got[a.Input("namespace").(string)+"/"+a.Input("serviceAccount").(string)] = true
	}
	for _, sa := range []string{"kube-system/aws-load-balancer-controller", "kube-system/cluster-autoscaler",
		"kube-system/ebs-csi-controller-sa", "amazon-cloudwatch/cloudwatch-agent"} {
		if !got[sa] {
			t.Errorf("no Pod Identity association for %s (have %v)", sa, got)
		}
	}
	// The agent is a DaemonSet add-on: it goes on beside the nodes, not
	// after them, and the controllers wait for both.
	agent := run.Get(t, "aws:eks/addon:Addon", "eks-prod-pod-identity-agent")
	nodes := run.Get(t, "eks:index:ManagedNodeGroup", "eks-prod-node-group-nodes")
	if slices.Contains(agent.Dependencies, nodes.URN) {
		t.Errorf("the Pod Identity agent waits for the nodes")
	}
	checkControllersWaitFor(t, run, agent.Name, nodes, agent)
	decodeAll(t, run)
	checkExplicitProvider(t, run)
}

func TestLocalStackRegistersNothingFromAWS(t *testing.T) {
	t.Parallel()
	run := runStack(t, "local", nil)
	for _, r := range run.Resources() {
		if strings.HasPrefix(r.Type, "aws:") || strings.HasPrefix(r.Type, "eks:") || r.Type == "pulumi:providers:aws" {
			t.Errorf("local stack registered %s %s", r.Type, r.Name)
		}
	}
	objects := decodeAll(t, run)
	checkExplicitProvider(t, run)
	for _, w := range config.DefaultConfig().Workloads() {
		d := get[appsv1.Deployment](t, objects, "Deployment/development/"+w.Name)
		if image := d.Spec.Template.Spec.Containers[0].Image; !strings.HasPrefix(image, "localhost:5001/"+w.Name+"@sha256:") {
			t.Errorf("%s image = %s, want the digest pushed to localhost:5001 (Pulumi.local.yaml)", w.Name, image)
		}
		if _, ok := objects["Ingress/development/"+w.Name+"-ingress"]; ok {
			t.Errorf("%s has an ALB Ingress on the local target", w.Name)
		}
	}
	// No load balancer controller here to inject a readiness gate (negative control).
	if ns := get[corev1.Namespace](t, objects, "Namespace//development"); ns.Labels[spec.ReadinessGateInjectLabel] != "" {
		t.Errorf("local namespace labels = %v: no controller serves the readiness gate", ns.Labels)
	}
	if pf := run.Outputs["nginxPortForward"]; pf != "kubectl -n development port-forward svc/demo-nginx 8080:80" {
		t.Errorf("nginxPortForward = %v", pf)
	}
	if pf := run.Outputs["flaskPortForward"]; pf != "kubectl -n development port-forward svc/demo-flask-backend 8081:8080" {
		t.Errorf("flaskPortForward = %v", pf)
	}
	// What to open while each port-forward runs.
	if url := run.Outputs["nginxLocalUrl"]; url != "http://localhost:8080/" {
		t.Errorf("nginxLocalUrl = %v", url)
	}
	if url := run.Outputs["flaskLocalUrl"]; url != "http://localhost:8081/contents/aws" {
		t.Errorf("flaskLocalUrl = %v", url)
	}

	unpushed := runStack(t, "local", map[string]string{"eks-workshop:pushImages": "false", "eks-workshop:kubeconfig": "dev-cluster/dev-cluster-eks-a-cluster.kubeconfig", "eks-workshop:kubeContext": "dev-cluster-admin@dev-cluster"})
	for _, img := range unpushed.ByType("docker:index/image:Image") {
		if img.Input("skipPush") != true {
			t.Errorf("%s is pushed with pushImages false", img.Name)
		}
	}
	provider := unpushed.Get(t, "pulumi:providers:kubernetes", "k8s")
	if provider.Input("kubeconfig") != "dev-cluster/dev-cluster-eks-a-cluster.kubeconfig" || provider.Input("context") != "dev-cluster-admin@dev-cluster" {
		t.Errorf("provider = %v", provider.Plain())
	}
	// The port-forward goes to the same cluster as the provider, not to the default kubeconfig.
	if pf, want := unpushed.Outputs["nginxPortForward"], "kubectl --kubeconfig dev-cluster/dev-cluster-eks-a-cluster.kubeconfig --context dev-cluster-admin@dev-cluster -n development port-forward svc/demo-nginx 8080:80"; pf != want {
		t.Errorf("nginxPortForward = %v, want %v", pf, want)
	}
}

// A kubeconfig under ~ is expanded, since $(pulumi stack output ...) leaves a
// tilde to kubectl, which does not expand it.
func TestPortForwardExpandsHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	run := runStack(t, "local", map[string]string{"eks-workshop:kubeconfig": "~/.kube/eks-a"})
	want := "kubectl --kubeconfig " + filepath.Join(home, ".kube/eks-a") + " -n development port-forward svc/demo-flask-backend 8081:8080"
	if pf := run.Outputs["flaskPortForward"]; pf != want {
		t.Errorf("flaskPortForward = %v, want %v", pf, want)
	}
}

// A kubeconfig given as its contents cannot be handed to kubectl: the output
// says what to run instead, and run as README runs it (or pasted into a
// shell) it only prints that, word for word.
func TestPortForwardWithKubeconfigContents(t *testing.T) {
	t.Parallel()
	contents := "apiVersion: v1\nkind: Config\nclusters: []\n"
	for _, kubeconfig := range []string{contents, `{"apiVersion":"v1","kind":"Config"}`} {
		run := runStack(t, "local", map[string]string{"eks-workshop:kubeconfig": kubeconfig})
		pf, _ := run.Outputs["nginxPortForward"].(string)
		// One quoted word: the shell hands echo the message as it stands.
		quoted, ok := strings.CutPrefix(pf, "echo '")
		message, closed := strings.CutSuffix(quoted, "'")
		if !ok || !closed || !strings.HasSuffix(message, "run: kubectl --kubeconfig local.kubeconfig -n development port-forward svc/demo-nginx 8080:80") ||
			!strings.Contains(pf, "pulumi config get kubeconfig -s local") {
			t.Errorf("nginxPortForward with the contents = %q, want an echo of how to write them to local.kubeconfig and the kubectl command for it", pf)
			continue
		}
		for _, how := range []struct{ name, script string }{{"pasted", pf}, {`as eval "$(pulumi stack output ...)"`, `eval "$(cat pf)"`}} {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "pf"), []byte(pf), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("sh", "-c", how.script)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != message {
				t.Errorf("%s: %q printed %q (%v), want the message", how.name, pf, out, err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("%s: the message wrote files: %v", how.name, entries)
			}
		}
	}
}

// renderModeRefuses are the provider arguments pulumi-kubernetes refuses
// beside renderYamlToDirectory: `"kubeconfig" arg is not compatible with
// "renderYamlToDirectory" arg`, for any non-empty value (CheckConfig in
// provider/pkg/provider/provider.go of pulumi/pulumi-kubernetes at
// v4.0.0-20260115033456-f47bc2d6f199, the provider tools/install.sh builds;
// https://github.com/pulumi/pulumi-kubernetes/blob/f47bc2d6f199/provider/pkg/provider/provider.go,
// read 2026-12-04). The Go SDK (v4.30.0 NewProvider) fills an unset kubeconfig from
// $KUBECONFIG, which the provider then refuses too (pulumi-kubernetes issue 2535).
var renderModeRefuses = []string{"cluster", "context", "kubeconfig"}

// GitOps rendering gives the provider no cluster, on either target, even
// with kubeconfig, kubeContext and $KUBECONFIG all set; the lifecycle test
// (TestLifecycleRenderYAML) renders with the real provider.
func TestRenderYamlToDirectoryForGitOps(t *testing.T) {
	t.Setenv("KUBECONFIG", "/tmp/ambient.kubeconfig")
	for _, stack := range []string{"local", "dev"} {
		run := runStack(t, stack, map[string]string{
			"eks-workshop:renderYamlToDirectory": "rendered/development",
			"eks-workshop:kubeconfig":            "dev-cluster/dev-cluster-eks-a-cluster.kubeconfig",
			"eks-workshop:kubeContext":           "dev-cluster-admin@dev-cluster",
		})
		provider := run.Get(t, "pulumi:providers:kubernetes", "k8s")
		if dir := provider.Input("renderYamlToDirectory"); dir != "rendered/development" {
			t.Errorf("%s: renderYamlToDirectory = %v", stack, dir)
		}
		for _, key := range renderModeRefuses {
			if v := provider.Input(key); v != nil && v != "" {
				t.Errorf("%s: the rendering provider has %s = %v, which the provider refuses beside renderYamlToDirectory", stack, key, v)
			}
		}
		checkExplicitProvider(t, run)
	}
}
