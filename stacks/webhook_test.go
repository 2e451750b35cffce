package stacks

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/critical"
	"github.com/eks-workshop/eks-workshop/internal/mocktest/recorded"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// created is a kind of object a registration makes the API server admit
// (a resource such as "services", in a namespace; "" when unknown).
type created struct{ resource, namespace string }

// creates lists what a recorded registration creates that an admission
// webhook can see. Helm charts and EKS add-ons are not rendered under the
// mocks, so each is taken to create Services and pods (metrics-server, the
// Cluster Autoscaler and amazon-cloudwatch-observability all create
// Services); the load balancer controller's own objects are exempt from
// its webhooks (their objectSelector).
func creates(r recorded.Resource) []created {
	namespace, _ := r.Input("metadata.namespace").(string)
	switch r.Type {
	case "kubernetes:core/v1:Service":
		return []created{{"services", namespace}}
	case "kubernetes:apps/v1:Deployment":
		return []created{{"pods", namespace}}
	case "kubernetes:networking.k8s.io/v1:Ingress":
		return []created{{"ingresses", namespace}}
	case critical.TypeHelmChart:
		if r.Input("chart") == spec.LoadBalancerControllerChartName {
			return nil
		}
		namespace, _ := r.Input("namespace").(string)
		return []created{{"services", namespace}, {"pods", namespace}}
	case critical.TypeEKSAddon:
		return []created{{"services", ""}, {"pods", ""}}
	}
	return nil
}

// namespaceLabels are the labels of the namespaces the stack creates.
func namespaceLabels(resources []recorded.Resource) map[string]map[string]any {
	labels := map[string]map[string]any{}
	for _, r := range resources {
		if r.Type == "kubernetes:core/v1:Namespace" {
			l, _ := r.Input("metadata.labels").(map[string]any)
			labels[r.Input("metadata.name").(string)] = l
		}
	}
	return labels
}

// waitsFor returns the registrations that cannot start before the one at
// urn is created, whatever the latencies: the deploy simulated with that
// one taking a second and everything else none.
func waitsFor(t *testing.T, resources []recorded.Resource, urn string) map[string]bool {
	t.Helper()
	const marker = "marker:the load balancer controller"
	marked := slices.Clone(resources)
	for i := range marked {
		if marked[i].URN == urn {
			marked[i].Type = marker
		}
	}
	sched, err := critical.Simulate(marked, critical.Table{ByType: map[string]critical.Latency{marker: {Seconds: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	after := map[string]bool{}
	for u, st := range sched.Steps {
		after[u] = st.Start >= 1
	}
	return after
}

// webhookRaces lists each registration that creates an object one of the
// controller's webhooks, as chart values render them, is called for, but
// may start before the controller's chart is created (its pods Ready):
// the webhook call would fail (failurePolicy Fail: the create fails) or be
// skipped (Ignore: the object is admitted unchanged).
func webhookRaces(t *testing.T, resources []recorded.Resource, lbc recorded.Resource, values map[string]any) []string {
	t.Helper()
	after := waitsFor(t, resources, lbc.URN)
	labels := namespaceLabels(resources)
	var races []string
	for _, w := range spec.LoadBalancerControllerWebhooks {
		rendered, policy := w.Rendered(values)
		if !rendered {
			continue
		}
		key, value, _ := strings.Cut(w.NamespaceLabel, "=")
		for _, r := range resources {
			for _, c := range creates(r) {
				if c.resource != w.Resource || (key != "" && labels[c.namespace][key] != value) || after[r.URN] {
					continue
				}
				races = append(races, fmt.Sprintf("%s (%s) %s %s", w.Name, policy, r.Type, r.Name))
			}
		}
	}
	return races
}

// No step of a first `pulumi up` creates an object one of the load
// balancer controller's webhooks is called for before the controller
// serves them. The program turns the Service webhook off, so charts and
// add-ons that create Services need not wait for the controller; the
// readiness-gate and Ingress webhooks stay, and the workloads' Deployments
// and Ingresses wait for it. Negative control: with the chart's default
// (enableServiceMutatorWebhook true, failurePolicy Fail) the same plan has
// metrics-server, the Cluster Autoscaler and the CloudWatch add-on create
// Services in the window.
func TestNoCreateRacesTheLoadBalancerControllersWebhooks(t *testing.T) {
	if v := config.DefaultConfig().AddonVersions.LoadBalancerController; v != spec.LoadBalancerControllerChartVersion {
		t.Fatalf("the controller's chart is %s, its webhooks were read at %s: read them again (components/spec/upstream.go)", v, spec.LoadBalancerControllerChartVersion)
	}
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			run := runStack(t, stack, nil)
			var lbc recorded.Resource
			for _, c := range run.ByType(critical.TypeHelmChart) {
				if c.Input("chart") == spec.LoadBalancerControllerChartName {
					lbc = c
				}
			}
			values, _ := lbc.Input("values").(map[string]any)
			if values == nil {
				t.Fatal("no load balancer controller chart with values")
			}
			if races := webhookRaces(t, run.Resources(), lbc, values); len(races) > 0 {
				t.Errorf("created before the controller serves its webhooks:\n  %s", strings.Join(races, "\n  "))
			}

			// Control: the webhooks that stay do see the workloads. With no
			// registration waiting for the controller, both Deployments
			// (their pods, in the namespace with the readiness-gate label)
			// and both Ingresses are reported.
			unordered := slices.Clone(run.Resources())
			for i := range unordered {
				unordered[i].Dependencies = slices.DeleteFunc(slices.Clone(unordered[i].Dependencies), func(u string) bool { return u == lbc.URN })
			}
			races := webhookRaces(t, unordered, lbc, values)
			if len(races) != 4 || strings.Count(strings.Join(races, "\n"), "mpod.elbv2.k8s.aws (Ignore) kubernetes:apps/v1:Deployment") != 2 {
				t.Errorf("control: with nothing waiting for the controller, want both Deployments and both Ingresses reported, got:\n  %s", strings.Join(races, "\n  "))
			}

			defaults := maps.Clone(values)
			delete(defaults, spec.ServiceMutatorWebhookValue)
			serviceRaces := strings.Join(webhookRaces(t, run.Resources(), lbc, defaults), "\n")
			t.Logf("with the chart's default Service webhook:\n%s", serviceRaces)
			for _, want := range []string{"metrics-server", "cluster-autoscaler", "amazon-cloudwatch-observability"} {
				if !strings.Contains(serviceRaces, "mservice.elbv2.k8s.aws (Fail) ") || !strings.Contains(serviceRaces, want) {
					t.Errorf("control: with the Service webhook on, %s's Services are not reported in the window:\n%s", want, serviceRaces)
				}
			}
		})
	}
}
