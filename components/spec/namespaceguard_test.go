package spec

import (
	"strings"
	"testing"
)

func guard(mutate func(*NamespaceGuardArgs)) NamespaceGuardArgs {
	a := NamespaceGuardArgs{
		Namespace: "alice", Group: "alice-developers", Pods: 1,
		Requests: ComputeQuantities{CPU: "1m", Memory: "1Mi"}, MemoryLimit: "1Mi",
		DefaultRequest: ComputeQuantities{CPU: "1m", Memory: "1Mi"},
		DefaultLimit:   ComputeQuantities{CPU: "1m", Memory: "1Mi"},
		MaxLimit:       ComputeQuantities{CPU: "1m", Memory: "1Mi"},
	}
	if mutate != nil {
		mutate(&a)
	}
	return a
}

func TestNamespaceGuardRules(t *testing.T) {
	checkRules(t, NamespaceGuardArgs.Validate, []ruleCase[NamespaceGuardArgs]{
		{name: "valid", args: guard(nil)},
		{name: "no CPU limits at all", args: guard(func(a *NamespaceGuardArgs) { a.DefaultLimit.CPU, a.MaxLimit.CPU = "", "" })},
		{name: "bad namespace", args: guard(func(a *NamespaceGuardArgs) { a.Namespace = "Alice" }), fields: []string{"namespace"}},
		{name: "no group", args: guard(func(a *NamespaceGuardArgs) { a.Group = "" }), fields: []string{"group"}},
		{name: "no pods", args: guard(func(a *NamespaceGuardArgs) { a.Pods = 0 }), fields: []string{"pods"}, says: "at least 1"},
		{name: "every quantity wrong", args: guard(func(a *NamespaceGuardArgs) {
			a.Requests = ComputeQuantities{"x", "x"}
			a.MemoryLimit = ""
			a.DefaultRequest = ComputeQuantities{"x", "x"}
			a.DefaultLimit = ComputeQuantities{"x", "x"}
			a.MaxLimit = ComputeQuantities{"x", "x"}
		}), fields: []string{"requests.cpu", "requests.memory", "memoryLimit", "defaultRequest.cpu", "defaultRequest.memory",
			"defaultLimit.cpu", "defaultLimit.memory", "maxLimit.cpu", "maxLimit.memory"}, says: "quantity"},
		{name: "a maximum CPU without a default", args: guard(func(a *NamespaceGuardArgs) { a.DefaultLimit.CPU = "" }), fields: []string{"maxLimit.cpu"}},
		{name: "a default CPU without a maximum", args: guard(func(a *NamespaceGuardArgs) { a.MaxLimit.CPU = "" }), fields: []string{"maxLimit.cpu"}},
	})
}

// The rules are CEL that only an API server runs (the integration tests
// in stacks); here, that each names what it guards and the match condition
// names the group exactly.
func TestGuardRulesNameWhatTheyGuard(t *testing.T) {
	rules := GuardRules()
	for i, want := range []string{IngressGroupAnnotation, IngressGroupAnnotation, SchemeInternetFacing, "NetworkPolicy"} {
		if !strings.Contains(rules[i].Expression, want) || rules[i].Message == "" {
			t.Errorf("rule %d: %+v, want it to name %q", i, rules[i], want)
		}
	}
	if got := GuardMatchCondition("a-developers"); got != `request.userInfo.groups.exists(g, g == "a-developers")` {
		t.Errorf("match condition %s", got)
	}
}
