package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// deployGuard bounds a room participant's namespace (components.NamespaceGuard)
// when the plan has a guard, and returns what the apps wait for: the
// namespace, and the guard, so that the LimitRange and the quota are in
// place before the first pod.
func deployGuard(ctx *pulumi.Context, c Config, p config.Plan, provider pulumi.ProviderResource, namespace pulumi.Resource) ([]pulumi.Resource, error) {
	if p.Guard == nil {
		return []pulumi.Resource{namespace}, nil
	}
	args := components.NamespaceGuardArgs{NamespaceGuardArgs: *p.Guard, Provider: provider, DependsOn: []pulumi.Resource{namespace}}
	guard, err := components.NewNamespaceGuard(ctx, c.Namespace, &args)
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{namespace, guard}, nil
}
