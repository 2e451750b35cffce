//go:build integration

package organizer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/eks-workshop/eks-workshop/components"
	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/kubetest"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// participantClient acts as a participant as EKS maps their access entry:
// their principal's session as the user, in the entry's Kubernetes group
// (config.TeamAccessEntry) and system:authenticated.
func participantClient(t *testing.T, cluster *kubetest.Cluster, namespace string) kubernetes.Interface {
	t.Helper()
	c := rest.CopyConfig(cluster.Config)
	c.Impersonate = rest.ImpersonationConfig{
		UserName: "arn:aws:sts::111122223333:assumed-role/" + namespace + "/workshop",
		Groups:   []string{config.TeamGroup(namespace), "system:authenticated"},
	}
	client, err := kubernetes.NewForConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// guardRequest is one request a participant might make, against namespace ns.
type guardRequest struct {
	name string
	do   func(ctx context.Context, c kubernetes.Interface, ns string, opts metav1.CreateOptions) error
	// says is in the refusal; empty: the participant may.
	says string
}

// TestAParticipantCannotUndoTheRoomsIsolation runs a participant's stack
// through the real engine on a real API server (what up creates: the
// NamespaceGuard among it), then makes requests as the participant: the
// forbidden ones are refused, the allowed ones admitted. Negative control:
// the room's admin makes the same requests and is refused only where the
// quota or Pod Security binds everyone, which an unguarded namespace admits.
func TestAParticipantCannotUndoTheRoomsIsolation(t *testing.T) {
	cluster := startRoomCluster(t)
	o := existingRoom(t, cluster, 1, 1)
	roomUp(t, o)
	const ns = "p01"
	ctx := context.Background()
	admin := cluster.Clientset
	// The room's own route in the participant's namespace, as the organizer
	// makes it on the shared ALB.
	if _, err := admin.NetworkingV1().Ingresses(ns).Create(ctx, ingress("room-route", map[string]string{spec.IngressGroupAnnotation: "eks-demo-group"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "unguarded"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	participant := participantClient(t, cluster, ns)
	dry := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	for _, r := range guardRequests() {
		// Negative control first, as a dry run, so the participant's request
		// then meets the same namespace: the admin is refused only by what
		// binds everyone, which an unguarded namespace admits.
		err := r.do(ctx, admin, ns, dry)
		if bindsEveryone(r.says) {
			if err == nil {
				t.Errorf("admin, %s: admitted in the guarded namespace", r.name)
			}
			err = r.do(ctx, admin, "unguarded", dry)
		}
		if err != nil {
			t.Errorf("admin, %s: refused: %v", r.name, err)
		}
		err = r.do(ctx, participant, ns, metav1.CreateOptions{})
		switch {
		case r.says == "" && err != nil:
			t.Errorf("participant, %s: refused: %v", r.name, err)
		case r.says != "" && (err == nil || !strings.Contains(err.Error(), r.says)):
			t.Errorf("participant, %s: %v, want a refusal saying %q", r.name, err, r.says)
		}
	}
}

// bindsEveryone: refusals by the quota, the LimitRange and Pod Security,
// which bind the admin too.
func bindsEveryone(says string) bool {
	return strings.Contains(says, "quota") || strings.Contains(says, "maximum") || strings.Contains(says, "hostNetwork")
}

func guardRequests() []guardRequest {
	const group = "eks-demo-group"
	createIngress := func(name string, annotations map[string]string) func(context.Context, kubernetes.Interface, string, metav1.CreateOptions) error {
		return func(ctx context.Context, c kubernetes.Interface, ns string, opts metav1.CreateOptions) error {
			_, err := c.NetworkingV1().Ingresses(ns).Create(ctx, ingress(name, annotations), opts)
			return err
		}
	}
	createService := func(name string, typ corev1.ServiceType) func(context.Context, kubernetes.Interface, string, metav1.CreateOptions) error {
		return func(ctx context.Context, c kubernetes.Interface, ns string, opts metav1.CreateOptions) error {
			_, err := c.CoreV1().Services(ns).Create(ctx, &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: name},
				Spec:       corev1.ServiceSpec{Type: typ, Selector: map[string]string{"app": name}, Ports: []corev1.ServicePort{{Port: 80}}},
			}, opts)
			return err
		}
	}
	createPod := func(name, cpu string, containers int, hostNetwork bool) func(context.Context, kubernetes.Interface, string, metav1.CreateOptions) error {
		return func(ctx context.Context, c kubernetes.Interface, ns string, opts metav1.CreateOptions) error {
			_, err := c.CoreV1().Pods(ns).Create(ctx, restrictedPod(name, cpu, containers, hostNetwork), opts)
			return err
		}
	}
	return []guardRequest{
		// Allowed: their own things, outside the room's group.
		{name: "own Service", do: createService("own", corev1.ServiceTypeClusterIP)},
		{name: "own internal Ingress", do: createIngress("own", nil)},
		{name: "own pod within the quota", do: createPod("own", "100m", 1, false)},
		{name: "update the own Ingress", do: func(ctx context.Context, c kubernetes.Interface, ns string, opts metav1.CreateOptions) error {
			ing, err := c.NetworkingV1().Ingresses(ns).Get(ctx, "own", metav1.GetOptions{})
			if err != nil {
				return err
			}
			ing.Annotations = map[string]string{"alb.ingress.kubernetes.io/healthcheck-path": "/healthz"}
			_, err = c.NetworkingV1().Ingresses(ns).Update(ctx, ing, metav1.UpdateOptions{DryRun: opts.DryRun})
			return err
		}},
		// Forbidden.
		{name: "join the room's IngressGroup", do: createIngress("takeover", map[string]string{spec.IngressGroupAnnotation: group}), says: "may not join an IngressGroup"},
		{name: "an internet-facing Ingress", do: createIngress("public", map[string]string{spec.IngressSchemeAnnotation: spec.SchemeInternetFacing}), says: "internet-facing"},
		{name: "a LoadBalancer Service", do: createService("public", corev1.ServiceTypeLoadBalancer), says: "exceeded quota"},
		{name: "a container beyond the largest app's limit", do: createPod("big", "600m", 1, false), says: "maximum cpu usage per Container is 500m"},
		// 3000m of requests in all: the apps at their minimum and the own pod hold 400m.
		{name: "a pod beyond the quota", do: createPod("greedy", "500m", 6, false), says: "exceeded quota"},
		{name: "a pod on the host network", do: createPod("host", "100m", 1, true), says: "hostNetwork"},
		{name: "rewrite the room's route", do: func(ctx context.Context, c kubernetes.Interface, ns string, opts metav1.CreateOptions) error {
			ing, err := c.NetworkingV1().Ingresses(ns).Get(ctx, "room-route", metav1.GetOptions{})
			if err != nil {
				return err
			}
			ing.Spec.Rules[0].HTTP.Paths[0].Path = "/contents"
			_, err = c.NetworkingV1().Ingresses(ns).Update(ctx, ing, metav1.UpdateOptions{DryRun: opts.DryRun})
			return err
		}, says: "organizer owns the Ingresses"},
		{name: "delete the room's route", do: func(ctx context.Context, c kubernetes.Interface, ns string, opts metav1.CreateOptions) error {
			return c.NetworkingV1().Ingresses(ns).Delete(ctx, "room-route", metav1.DeleteOptions{DryRun: opts.DryRun})
		}, says: "organizer owns the Ingresses"},
		{name: "delete the deny-all policy", do: func(ctx context.Context, c kubernetes.Interface, ns string, opts metav1.CreateOptions) error {
			return c.NetworkingV1().NetworkPolicies(ns).Delete(ctx, "deny-all", metav1.DeleteOptions{DryRun: opts.DryRun})
		}, says: "NetworkPolicies are the room's"},
		{name: "allow all egress", do: func(ctx context.Context, c kubernetes.Interface, ns string, opts metav1.CreateOptions) error {
			_, err := c.NetworkingV1().NetworkPolicies(ns).Create(ctx, &networkingv1.NetworkPolicy{
				ObjectMeta: metav1.ObjectMeta{Name: "allow-all"},
				Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
					Egress: []networkingv1.NetworkPolicyEgressRule{{}}},
			}, opts)
			return err
		}, says: "NetworkPolicies are the room's"},
		{name: "delete the quota", do: func(ctx context.Context, c kubernetes.Interface, ns string, opts metav1.CreateOptions) error {
			return c.CoreV1().ResourceQuotas(ns).Delete(ctx, components.GuardQuotaName, metav1.DeleteOptions{DryRun: opts.DryRun})
		}, says: "forbidden"},
		{name: "delete the policy's binding", do: func(ctx context.Context, c kubernetes.Interface, ns string, opts metav1.CreateOptions) error {
			return c.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Delete(ctx, components.GuardPolicyName(ns), metav1.DeleteOptions{DryRun: opts.DryRun})
		}, says: "forbidden"},
	}
}

func ingress(name string, annotations map[string]string) *networkingv1.Ingress {
	prefix := networkingv1.PathTypePrefix
	return &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: annotations},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
			Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &prefix, Backend: networkingv1.IngressBackend{
				Service: &networkingv1.IngressServiceBackend{Name: "demo-nginx", Port: networkingv1.ServiceBackendPort{Number: 80}},
			}}},
		}}}}},
	}
}

// restrictedPod passes Pod Security `restricted` unless on the host
// network; it asks for cpu as its request and its limit.
func restrictedPod(name, cpu string, containers int, hostNetwork bool) *corev1.Pod {
	no, yes := false, true
	q := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("32Mi")}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{
			HostNetwork: hostNetwork,
			SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: ptrTo(int64(10001)),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			Containers: make([]corev1.Container, containers),
		},
	}
	for i := range pod.Spec.Containers {
		pod.Spec.Containers[i] = corev1.Container{
			Name: fmt.Sprintf("app%d", i), Image: roomNginxImage,
			Resources: corev1.ResourceRequirements{Requests: q, Limits: q},
			SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: &no,
				Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
		}
	}
	return pod
}

func ptrTo[T any](v T) *T { return &v }
