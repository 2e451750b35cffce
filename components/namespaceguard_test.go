package components

import (
	"slices"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

func guardArgs() spec.NamespaceGuardArgs {
	q := spec.ComputeQuantities{CPU: "500m", Memory: "256Mi"}
	return spec.NamespaceGuardArgs{Namespace: "alice", Group: "alice-developers", Pods: 20,
		Requests: spec.ComputeQuantities{CPU: "3000m", Memory: "1600Mi"}, MemoryLimit: "3200Mi",
		DefaultRequest: spec.ComputeQuantities{CPU: "50m", Memory: "32Mi"}, DefaultLimit: q, MaxLimit: q}
}

func TestNamespaceGuardRegistersItsFourObjectsUnderItself(t *testing.T) {
	m := runGuard(t, guardArgs())
	guard := m.Get(t, "eks-workshop:index:NamespaceGuard", "alice")
	quota := m.Get(t, "kubernetes:core/v1:ResourceQuota", "alice-quota")
	limits := m.Get(t, "kubernetes:core/v1:LimitRange", "alice-limits")
	policy := m.Get(t, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", "alice-policy")
	binding := m.Get(t, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", "alice-binding")
	for _, r := range []mocktest.Resource{quota, limits, policy, binding} {
		if r.Parent != guard.URN {
			t.Errorf("%s: parent %s", r.URN, r.Parent)
		}
	}
	hard, _ := quota.Input("spec.hard").(map[string]any)
	if hard["pods"] != "20" || hard["requests.cpu"] != "3000m" || hard["requests.memory"] != "1600Mi" || hard["limits.memory"] != "3200Mi" || hard["services.loadbalancers"] != "0" {
		t.Errorf("quota %v", hard)
	}
	if quota.Input("metadata.namespace") != "alice" || quota.Input("metadata.name") != GuardQuotaName {
		t.Errorf("quota %v", quota.Plain())
	}
	items, _ := limits.Input("spec.limits").([]any)
	item, _ := items[0].(map[string]any)
	if dr, _ := item["defaultRequest"].(map[string]any); dr["cpu"] != "50m" || dr["memory"] != "32Mi" || item["type"] != "Container" {
		t.Errorf("limit range %v", item)
	}
	if policy.Input("metadata.name") != "room-guard-alice" || policy.Input("spec.failurePolicy") != "Fail" ||
		!strings.Contains(policy.Input("spec.matchConditions").([]any)[0].(map[string]any)["expression"].(string), `"alice-developers"`) {
		t.Errorf("policy %v", policy.Plain())
	}
	if validations, _ := policy.Input("spec.validations").([]any); len(validations) != len(spec.GuardRules()) {
		t.Errorf("validations %v", validations)
	}
	if binding.Input("spec.policyName") != "room-guard-alice" || binding.Input("spec.validationActions").([]any)[0] != "Deny" {
		t.Errorf("binding %v", binding.Plain())
	}
}

func TestNamespaceGuardWithoutCPULimitsSetsNone(t *testing.T) {
	a := guardArgs()
	a.DefaultLimit.CPU, a.MaxLimit.CPU = "", ""
	m := runGuard(t, a)
	item := m.Get(t, "kubernetes:core/v1:LimitRange", "alice-limits").Input("spec.limits").([]any)[0].(map[string]any)
	for _, key := range []string{"default", "max"} {
		if q, _ := item[key].(map[string]any); q["cpu"] != nil || q["memory"] != "256Mi" {
			t.Errorf("%s: %v, want memory only", key, q)
		}
	}
	if q, _ := item["defaultRequest"].(map[string]any); q["cpu"] != "50m" {
		t.Errorf("defaultRequest: %v", q)
	}
}

func TestNamespaceGuardRefusesBadArgsBeforeRegistering(t *testing.T) {
	m := mocktest.New()
	err := m.Run("test", nil, func(ctx *pulumi.Context) error {
		a := guardArgs()
		a.Pods = 0
		_, err := NewNamespaceGuard(ctx, "alice", &NamespaceGuardArgs{NamespaceGuardArgs: a})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "pods") || len(m.Resources()) > 1 {
		t.Errorf("%v; registered %d", err, len(m.Resources()))
	}
}

func runGuard(t *testing.T, a spec.NamespaceGuardArgs) *mocktest.Monitor {
	t.Helper()
	m := mocktest.New()
	m.MustRun(t, "test", nil, func(ctx *pulumi.Context) error {
		k8s, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		_, err = NewNamespaceGuard(ctx, "alice", &NamespaceGuardArgs{NamespaceGuardArgs: a, Provider: k8s})
		return err
	})
	return m
}

// The objects decode strictly into the API's own types, and the policy
// says what it intercepts: every write of the guarded resources in the
// namespace, for the group only.
func TestNamespaceGuardObjectsDecodeStrictlyIntoKubernetesTypes(t *testing.T) {
	m := runGuard(t, guardArgs())
	var quota corev1.ResourceQuota
	var limits corev1.LimitRange
	var policy admissionv1.ValidatingAdmissionPolicy
	var binding admissionv1.ValidatingAdmissionPolicyBinding
	for name, into := range map[string]any{"alice-quota": &quota, "alice-limits": &limits, "alice-policy": &policy, "alice-binding": &binding} {
		var typ string
		for _, r := range m.Resources() {
			if r.Name == name {
				typ = r.Type
			}
		}
		if err := m.Get(t, typ, name).DecodeStrict(into); err != nil {
			t.Error(err)
		}
	}
	rule := policy.Spec.MatchConstraints.ResourceRules[0]
	if rule.APIGroups[0] != "networking.k8s.io" || !slices.Equal(rule.Resources, spec.GuardedResources) ||
		!slices.Equal(rule.Operations, []admissionv1.OperationType{admissionv1.Create, admissionv1.Update, admissionv1.Delete}) {
		t.Errorf("rules %+v", rule)
	}
	if sel := policy.Spec.MatchConstraints.NamespaceSelector.MatchLabels; sel["kubernetes.io/metadata.name"] != "alice" {
		t.Errorf("namespace selector %v", sel)
	}
	if sel := binding.Spec.MatchResources.NamespaceSelector.MatchLabels; sel["kubernetes.io/metadata.name"] != "alice" {
		t.Errorf("binding's namespace selector %v", sel)
	}
	if got := limits.Spec.Limits[0].Max[corev1.ResourceCPU]; got.String() != "500m" {
		t.Errorf("max CPU %s", got.String())
	}
	if got := quota.Spec.Hard[corev1.ResourceServicesLoadBalancers]; !got.IsZero() {
		t.Errorf("load balancers %s", got.String())
	}
}
