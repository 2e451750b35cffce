package spec

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"
)

// ComputeQuantities are CPU and memory as Kubernetes quantities ("250m", "128Mi").
type ComputeQuantities struct {
	CPU, Memory string
}

// NamespaceGuardArgs keep the people of a namespace's group inside their
// share of a shared cluster, with objects their Edit rights cannot change:
// a ResourceQuota and a LimitRange (Edit reads them and writes neither) and
// a ValidatingAdmissionPolicy with its binding (cluster-scoped). The
// organizer builds them for each participant (organizer/room's ParticipantConfig).
type NamespaceGuardArgs struct {
	// Namespace is guarded. Required.
	Namespace string
	// Group is the Kubernetes group the policy holds to its rules (the
	// access entry's, config.TeamGroup); others, the organizer among them,
	// are not. Required.
	Group string
	// Pods, Requests and MemoryLimit bound the namespace's pods: what its
	// environment runs with every HPA at its maximum. Pods at least 1.
	Pods        int
	Requests    ComputeQuantities
	MemoryLimit string
	// DefaultRequest and DefaultLimit are given to a container that names
	// none; MaxLimit bounds any one container. CPU limits are optional (an
	// empty DefaultLimit.CPU and MaxLimit.CPU set none), memory limits not.
	DefaultRequest, DefaultLimit, MaxLimit ComputeQuantities
}

// The rules the guard's policy enforces, by the annotations of the AWS Load
// Balancer Controller they concern (v2 annotations: IngressGroup and scheme,
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/v2.13/guide/ingress/annotations/,
// read 2026-12-07). A Service of type LoadBalancer is refused by the quota
// (services.loadbalancers: 0), which binds everyone in the namespace.
const (
	IngressGroupAnnotation  = "alb.ingress.kubernetes.io/group.name"
	IngressSchemeAnnotation = "alb.ingress.kubernetes.io/scheme"
	// The controller's default scheme is internal: an Ingress of a
	// participant's own makes an ALB only the VPC reaches.
	SchemeInternetFacing = "internet-facing"
)

// GuardRule is one validation of the guard's policy: a CEL expression over
// the admission request and the message a refused request gets.
type GuardRule struct {
	Expression, Message string
}

// GuardRules are the policy's validations; the binding applies them to the
// group's requests in the namespace (GuardMatchCondition).
func GuardRules() []GuardRule {
	// An Ingress request that names the annotation: on CREATE the object
	// has no old version, on DELETE no new one.
	names := func(obj, skipped, annotation string) string {
		return fmt.Sprintf("request.kind.kind != 'Ingress' || request.operation == %q || !has(%s.metadata.annotations) || !(%q in %s.metadata.annotations)",
			skipped, obj, annotation, obj)
	}
	return []GuardRule{
		{
			Expression: names("oldObject", "CREATE", IngressGroupAnnotation),
			Message:    "the room's organizer owns the Ingresses of its shared ALB (" + IngressGroupAnnotation + "): they are changed by its reset, not by hand",
		},
		{
			Expression: names("object", "DELETE", IngressGroupAnnotation),
			Message:    "an Ingress may not join an IngressGroup (" + IngressGroupAnnotation + "): the group's ALB and its routes are the room's",
		},
		{
			Expression: fmt.Sprintf("%s || object.metadata.annotations[%q] != %q", names("object", "DELETE", IngressSchemeAnnotation), IngressSchemeAnnotation, SchemeInternetFacing),
			Message:    "an Ingress may not make an internet-facing load balancer (" + IngressSchemeAnnotation + ": " + SchemeInternetFacing + "); leave the scheme out for an internal one",
		},
		{
			Expression: "request.kind.kind != 'NetworkPolicy'",
			Message:    "the namespace's NetworkPolicies are the room's (they keep pods from the nodes' instance metadata): ask the organizer",
		},
	}
}

// GuardMatchCondition selects the requests the rules apply to: those of
// group's members.
func GuardMatchCondition(group string) string {
	return fmt.Sprintf("request.userInfo.groups.exists(g, g == %q)", group)
}

// GuardedResources are what the policy intercepts: every write of
// Ingresses and NetworkPolicies (networking.k8s.io/v1).
var GuardedResources = []string{"ingresses", "networkpolicies"}

// Validate reports every problem with the args.
func (a NamespaceGuardArgs) Validate() error {
	var errs fieldErrors
	if !ValidKubernetesName(a.Namespace) {
		errs.add("namespace", a.Namespace, "want a Kubernetes namespace name")
	}
	if a.Group == "" {
		errs.add("group", a.Group, "required: the group whose requests the policy checks")
	}
	if a.Pods < 1 {
		errs.add("pods", a.Pods, "want at least 1")
	}
	quantities := []struct {
		field, value string
		optional     bool
	}{
		{"requests.cpu", a.Requests.CPU, false}, {"requests.memory", a.Requests.Memory, false},
		{"memoryLimit", a.MemoryLimit, false},
		{"defaultRequest.cpu", a.DefaultRequest.CPU, false}, {"defaultRequest.memory", a.DefaultRequest.Memory, false},
		{"defaultLimit.cpu", a.DefaultLimit.CPU, true}, {"defaultLimit.memory", a.DefaultLimit.Memory, false},
		{"maxLimit.cpu", a.MaxLimit.CPU, true}, {"maxLimit.memory", a.MaxLimit.Memory, false},
	}
	for _, q := range quantities {
		if q.optional && q.value == "" {
			continue
		}
		if _, err := resource.ParseQuantity(q.value); err != nil {
			errs.add(q.field, q.value, "want a Kubernetes quantity such as 250m or 128Mi")
		}
	}
	if (a.DefaultLimit.CPU == "") != (a.MaxLimit.CPU == "") {
		errs.add("maxLimit.cpu", a.MaxLimit.CPU, "want it set exactly when defaultLimit.cpu is: a maximum with no default refuses every container without a CPU limit")
	}
	return errs.err()
}
