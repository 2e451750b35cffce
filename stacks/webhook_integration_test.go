//go:build integration

package stacks

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/critical"
	"github.com/eks-workshop/eks-workshop/internal/kubetest"
)

// lbcMutatingWebhooks is the chart's MutatingWebhookConfiguration for the
// Services and pods webhooks (spec.LoadBalancerControllerWebhooks) as the
// chart renders it under values.
func lbcMutatingWebhooks(values map[string]any) *admissionv1.MutatingWebhookConfiguration {
	config := &admissionv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "aws-load-balancer-webhook"}}
	none := admissionv1.SideEffectClassNone
	for _, w := range spec.LoadBalancerControllerWebhooks {
		rendered, policy := w.Rendered(values)
		if !rendered || !w.Mutating {
			continue
		}
		failurePolicy := admissionv1.FailurePolicyType(policy)
		path := w.Path
		hook := admissionv1.MutatingWebhook{
			Name:                    w.Name,
			AdmissionReviewVersions: []string{"v1beta1"},
			SideEffects:             &none,
			FailurePolicy:           &failurePolicy,
			ClientConfig: admissionv1.WebhookClientConfig{Service: &admissionv1.ServiceReference{
				Name: spec.LoadBalancerControllerWebhookService, Namespace: "kube-system", Path: &path,
			}},
			Rules: []admissionv1.RuleWithOperations{{
				Rule: admissionv1.Rule{APIGroups: []string{w.Group}, APIVersions: []string{w.Version}, Resources: []string{w.Resource}},
			}},
		}
		for _, op := range w.Operations {
			hook.Rules[0].Operations = append(hook.Rules[0].Operations, admissionv1.OperationType(op))
		}
		if w.ExcludesChartObjects {
			hook.ObjectSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: "app.kubernetes.io/name", Operator: metav1.LabelSelectorOpNotIn, Values: []string{spec.LoadBalancerControllerChartName},
			}}}
		}
		if key, value, ok := strings.Cut(w.NamespaceLabel, "="); ok {
			hook.NamespaceSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: key, Operator: metav1.LabelSelectorOpIn, Values: []string{value},
			}}}
		}
		config.Webhooks = append(config.Webhooks, hook)
	}
	return config
}

// The mechanism of the race on a real kube-apiserver 1.33 that, like EKS's,
// calls webhooks at their Service's endpoints: with the chart's Service
// webhook (failurePolicy Fail) registered and the controller's pod not yet
// Ready, every Service create fails with EKS's error, a 500 that
// pulumi-kubernetes does not retry. Controls: with failurePolicy Ignore,
// and with the webhooks the program's own chart values render, the same
// create goes through.
func TestServiceWebhookWithoutReadyEndpointsFailsServiceCreates(t *testing.T) {
	cluster := kubetest.Start(t, kubetest.Options{EndpointRouting: true})
	clientset := cluster.Clientset
	ctx := context.Background()
	startWebhookServiceWithoutReadyPods(t, ctx, clientset)

	programValues := map[string]any{}
	for _, c := range runStack(t, "dev", nil).ByType(critical.TypeHelmChart) {
		if c.Input("chart") == spec.LoadBalancerControllerChartName {
			programValues, _ = c.Input("values").(map[string]any)
		}
	}
	if len(programValues) == 0 {
		t.Fatal("dev has no load balancer controller chart values")
	}

	for i, tc := range []struct {
		name   string
		values map[string]any
		fails  bool
	}{
		{"the chart's defaults", map[string]any{}, true},
		{"failurePolicy Ignore", map[string]any{"serviceMutatorWebhookConfig": map[string]any{"failurePolicy": "Ignore"}}, false},
		{"the chart's defaults again", map[string]any{}, true},
		{"the program's values", programValues, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			webhooks := lbcMutatingWebhooks(tc.values)
			webhooks.Name = fmt.Sprintf("aws-load-balancer-webhook-%d", i)
			if _, err := clientset.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(ctx, webhooks, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_ = clientset.AdmissionregistrationV1().MutatingWebhookConfigurations().Delete(ctx, webhooks.Name, metav1.DeleteOptions{})
			})
			// The API server loads webhook configurations from a watch:
			// wait until the create does what this configuration makes it do.
			err := eventually(t, func() error { return createService(ctx, clientset) }, func(err error) bool { return (err != nil) == tc.fails })
			if !tc.fails {
				return
			}
			t.Logf("Service create: %v", err)
			for _, want := range []string{`failed calling webhook "mservice.elbv2.k8s.aws"`,
				fmt.Sprintf("no endpoints available for service %q", spec.LoadBalancerControllerWebhookService)} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if status := apierrors.ReasonForError(err); status != metav1.StatusReasonInternalError || spec.PulumiKubernetesRetriesCreate(err) {
				t.Errorf("error reason %s (retried by pulumi-kubernetes: %v), want InternalError, not retried", status, spec.PulumiKubernetesRetriesCreate(err))
			}
		})
	}
}

// startWebhookServiceWithoutReadyPods creates the chart's webhook Service
// and the endpoints the endpoints controller writes for it while the
// controller's pod is not Ready (its address under notReadyAddresses).
func startWebhookServiceWithoutReadyPods(t *testing.T, ctx context.Context, clientset kubernetes.Interface) {
	t.Helper()
	meta := metav1.ObjectMeta{
		Name: spec.LoadBalancerControllerWebhookService, Namespace: "kube-system",
		Labels: map[string]string{"app.kubernetes.io/name": spec.LoadBalancerControllerChartName},
	}
	if _, err := clientset.CoreV1().Services("kube-system").Create(ctx, &corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{
		Ports: []corev1.ServicePort{{Name: "webhook-server", Port: 443, TargetPort: intstr.FromInt32(9443)}},
	}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := clientset.CoreV1().Endpoints("kube-system").Create(ctx, &corev1.Endpoints{ObjectMeta: meta, Subsets: []corev1.EndpointSubset{{
		NotReadyAddresses: []corev1.EndpointAddress{{IP: "10.244.0.10"}},
		Ports:             []corev1.EndpointPort{{Name: "webhook-server", Port: 9443}},
	}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// createService creates a Service such as metrics-server's chart does.
func createService(ctx context.Context, clientset kubernetes.Interface) error {
	_, err := clientset.CoreV1().Services("kube-system").Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "metrics-server-", Labels: map[string]string{"app.kubernetes.io/name": "metrics-server"}},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "https", Port: 443, TargetPort: intstr.FromInt32(10250)}}},
	}, metav1.CreateOptions{})
	return err
}

// eventually calls try until done accepts its error, for up to 30 s, and
// returns that error.
func eventually(t *testing.T, try func() error, done func(error) bool) error {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := try()
		if done(err) {
			return err
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s, the create still answers %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
