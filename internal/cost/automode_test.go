package cost

import (
	"strings"
	"testing"
)

// autoModeIngress is one of the auto stack's Ingresses: its class, the
// scheme annotation, no group.name.
func autoModeIngress(name, class string) Resource {
	return Resource{Type: typeIngress, Name: name, Inputs: map[string]any{
		"metadata": map[string]any{"namespace": "development", "annotations": map[string]any{"alb.ingress.kubernetes.io/scheme": "internet-facing"}},
		"spec":     map[string]any{"ingressClassName": class},
	}}
}

func autoModeClass(controller string) []Resource {
	return []Resource{
		{Type: typeIngressClassParams, Name: "p", Inputs: map[string]any{
			"metadata": map[string]any{"name": "alb"}, "spec": map[string]any{"group": map[string]any{"name": "eks-demo-group"}}}},
		{Type: typeIngressClass, Name: "c", Inputs: map[string]any{
			"metadata": map[string]any{"name": "alb"},
			"spec":     map[string]any{"controller": controller, "parameters": map[string]any{"name": "alb"}}}},
	}
}

func albLines(e *Estimate) []string {
	var out []string
	for _, l := range e.Lines {
		if l.Type == typeIngress {
			out = append(out, l.Name)
		}
	}
	return out
}

// The Auto Mode Ingresses without a group.name share the ALB their
// IngressClassParams' group names; the same Ingresses under another
// controller's class get one each.
func TestAutoModeIngressesShareTheirClassGroup(t *testing.T) {
	tab := table(t)
	ingresses := []Resource{autoModeIngress("flask", "alb"), autoModeIngress("nginx", "alb")}
	e := EstimateResources("auto", "ap-northeast-2", append(autoModeClass("eks.amazonaws.com/alb"), ingresses...), tab, DefaultUsage())
	if got := albLines(e); len(got) != 1 || !strings.HasPrefix(got[0], "ALB eks-demo-group (flask, nginx)") {
		t.Errorf("auto mode ALBs %v, want one for eks-demo-group", got)
	}
	// Negative control: the controller's class reads the annotation, which they lack.
	e = EstimateResources("lbc", "ap-northeast-2", append(autoModeClass("ingress.k8s.aws/alb"), ingresses...), tab, DefaultUsage())
	if got := albLines(e); len(got) != 2 {
		t.Errorf("controller ALBs %v, want one per Ingress", got)
	}
	// A class without a group gives each Ingress its own ALB.
	classes := autoModeClass("eks.amazonaws.com/alb")
	classes[0].Inputs["spec"] = map[string]any{}
	e = EstimateResources("auto", "ap-northeast-2", append(classes, ingresses...), tab, DefaultUsage())
	if got := albLines(e); len(got) != 2 {
		t.Errorf("ungrouped auto mode ALBs %v, want one per Ingress", got)
	}
}

// An Auto Mode cluster lists its instances and their management fee as
// not priced, with the fee's source; a cluster without Auto Mode does not.
func TestAutoModeInstancesAreNotPriced(t *testing.T) {
	tab := table(t)
	auto := cluster("1.35")
	auto.Inputs["autoMode"] = map[string]any{"enabled": true}
	e := EstimateResources("auto", "ap-northeast-2", []Resource{auto}, tab, DefaultUsage())
	if len(e.Lines) != 1 || len(e.NotPriced) != 1 {
		t.Fatalf("lines %v, not priced %v: want the cluster priced and its instances not", e.Lines, e.NotPriced)
	}
	for _, says := range []string{"EKS Auto Mode's instances", "management fee", "https://aws.amazon.com/eks/pricing/"} {
		if !strings.Contains(e.NotPriced[0].Why, says) {
			t.Errorf("not priced %q, want it to say %q", e.NotPriced[0].Why, says)
		}
	}
	if e := EstimateResources("dev", "ap-northeast-2", []Resource{cluster("1.35")}, tab, DefaultUsage()); len(e.NotPriced) != 0 {
		t.Errorf("a node group cluster lists %v as not priced", e.NotPriced)
	}
}
