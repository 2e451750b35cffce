package components

import (
	"fmt"

	admissionv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/admissionregistration/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// NamespaceGuardArgs configures a NamespaceGuard: the validated arguments,
// and what registration gives it.
type NamespaceGuardArgs struct {
	spec.NamespaceGuardArgs
	// Provider creates the objects. Required.
	Provider pulumi.ProviderResource
	// DependsOn are resources the objects wait for (the namespace). Optional.
	DependsOn []pulumi.Resource
}

// NamespaceGuard is a participant's namespace's bounds on a shared
// cluster: a ResourceQuota, a LimitRange, and a ValidatingAdmissionPolicy
// with its binding (see spec.NamespaceGuardArgs).
type NamespaceGuard struct {
	pulumi.ResourceState
	// PolicyName is the ValidatingAdmissionPolicy's (and its binding's) name.
	PolicyName pulumi.StringOutput `pulumi:"policyName"`
}

// GuardQuotaName and GuardLimitRangeName name the namespace's objects.
const (
	GuardQuotaName      = "room-quota"
	GuardLimitRangeName = "room-limits"
)

// GuardPolicyName is the cluster-wide name of the namespace's policy and binding.
func GuardPolicyName(namespace string) string { return "room-guard-" + namespace }

// NewNamespaceGuard registers the guard of args.Namespace.
func NewNamespaceGuard(ctx *pulumi.Context, name string, args *NamespaceGuardArgs, opts ...pulumi.ResourceOption) (*NamespaceGuard, error) {
	if args == nil {
		args = &NamespaceGuardArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("namespace guard %q: %w", name, err)
	}
	if args.Provider == nil {
		return nil, fmt.Errorf("namespace guard %q: Provider is required", name)
	}
	g := &NamespaceGuard{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:NamespaceGuard", name, g, opts...); err != nil {
		return nil, err
	}
	on := []pulumi.ResourceOption{pulumi.Parent(g), pulumi.Provider(args.Provider), pulumi.DependsOn(args.DependsOn)}
	a := args.NamespaceGuardArgs
	if _, err := corev1.NewResourceQuota(ctx, name+"-quota", guardQuota(a), on...); err != nil {
		return nil, err
	}
	if _, err := corev1.NewLimitRange(ctx, name+"-limits", guardLimitRange(a), on...); err != nil {
		return nil, err
	}
	policy, err := admissionv1.NewValidatingAdmissionPolicy(ctx, name+"-policy", guardPolicy(a), on...)
	if err != nil {
		return nil, err
	}
	bindingOpts := append(on, pulumi.DependsOn([]pulumi.Resource{policy}))
	if _, err := admissionv1.NewValidatingAdmissionPolicyBinding(ctx, name+"-binding", guardBinding(a), bindingOpts...); err != nil {
		return nil, err
	}
	g.PolicyName = pulumi.String(GuardPolicyName(a.Namespace)).ToStringOutput()
	return g, ctx.RegisterResourceOutputs(g, pulumi.Map{"policyName": g.PolicyName})
}

// guardQuota bounds the namespace to its environment at the HPAs' maximum,
// and refuses Services of type LoadBalancer (a load balancer of its own,
// internet-facing by default).
func guardQuota(a spec.NamespaceGuardArgs) *corev1.ResourceQuotaArgs {
	return &corev1.ResourceQuotaArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(GuardQuotaName), Namespace: pulumi.String(a.Namespace)},
		Spec: corev1.ResourceQuotaSpecArgs{Hard: pulumi.StringMap{
			"pods":                   pulumi.String(fmt.Sprint(a.Pods)),
			"requests.cpu":           pulumi.String(a.Requests.CPU),
			"requests.memory":        pulumi.String(a.Requests.Memory),
			"limits.memory":          pulumi.String(a.MemoryLimit),
			"services.loadbalancers": pulumi.String("0"),
		}},
	}
}

// guardLimitRange gives containers that name no resources the defaults (so
// the quota admits them) and bounds any one container.
func guardLimitRange(a spec.NamespaceGuardArgs) *corev1.LimitRangeArgs {
	quantities := func(q spec.ComputeQuantities) pulumi.StringMap {
		m := pulumi.StringMap{"memory": pulumi.String(q.Memory)}
		if q.CPU != "" {
			m["cpu"] = pulumi.String(q.CPU)
		}
		return m
	}
	return &corev1.LimitRangeArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(GuardLimitRangeName), Namespace: pulumi.String(a.Namespace)},
		Spec: corev1.LimitRangeSpecArgs{Limits: corev1.LimitRangeItemArray{corev1.LimitRangeItemArgs{
			Type:           pulumi.String("Container"),
			DefaultRequest: quantities(a.DefaultRequest),
			Default:        quantities(a.DefaultLimit),
			Max:            quantities(a.MaxLimit),
		}}},
	}
}

// guardNamespaceSelector selects the guarded namespace by the name label
// the API server sets on every namespace.
func guardNamespaceSelector(namespace string) metav1.LabelSelectorArgs {
	return metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String(namespace)}}
}

func guardPolicy(a spec.NamespaceGuardArgs) *admissionv1.ValidatingAdmissionPolicyArgs {
	var validations admissionv1.ValidationArray
	for _, r := range spec.GuardRules() {
		validations = append(validations, admissionv1.ValidationArgs{Expression: pulumi.String(r.Expression), Message: pulumi.String(r.Message)})
	}
	return &admissionv1.ValidatingAdmissionPolicyArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(GuardPolicyName(a.Namespace))},
		Spec: admissionv1.ValidatingAdmissionPolicySpecArgs{
			FailurePolicy: pulumi.String("Fail"),
			MatchConstraints: admissionv1.MatchResourcesArgs{
				NamespaceSelector: guardNamespaceSelector(a.Namespace),
				ResourceRules: admissionv1.NamedRuleWithOperationsArray{admissionv1.NamedRuleWithOperationsArgs{
					ApiGroups:   pulumi.ToStringArray([]string{"networking.k8s.io"}),
					ApiVersions: pulumi.ToStringArray([]string{"*"}),
					Operations:  pulumi.ToStringArray([]string{"CREATE", "UPDATE", "DELETE"}),
					Resources:   pulumi.ToStringArray(spec.GuardedResources),
				}},
			},
			MatchConditions: admissionv1.MatchConditionArray{admissionv1.MatchConditionArgs{
				Name: pulumi.String("participant"), Expression: pulumi.String(spec.GuardMatchCondition(a.Group)),
			}},
			Validations: validations,
		},
	}
}

func guardBinding(a spec.NamespaceGuardArgs) *admissionv1.ValidatingAdmissionPolicyBindingArgs {
	return &admissionv1.ValidatingAdmissionPolicyBindingArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(GuardPolicyName(a.Namespace))},
		Spec: admissionv1.ValidatingAdmissionPolicyBindingSpecArgs{
			PolicyName:        pulumi.String(GuardPolicyName(a.Namespace)),
			ValidationActions: pulumi.ToStringArray([]string{"Deny"}),
			MatchResources:    admissionv1.MatchResourcesArgs{NamespaceSelector: guardNamespaceSelector(a.Namespace)},
		},
	}
}
