package components

import (
	"context"

	"github.com/pulumi/pulumi-eks/sdk/v3/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// awsEKSClusterType is the AWS resource pulumi-eks's Cluster creates the
// control plane as.
const awsEKSClusterType = "aws:eks/cluster:Cluster"

// supportTypeTransforms set upgradePolicy.supportType on the control
// plane pulumi-eks creates: pulumi-eks v3.9.1's ClusterArgs has no
// upgradePolicy, but pulumi-aws v6.83.4's aws:eks/cluster:Cluster does. A
// transform on the remote component reaches its children (the engine runs
// it for each). None without a support type (EKS's default, EXTENDED).
func supportTypeTransforms(t spec.SupportType) []pulumi.ResourceTransform {
	if t == "" {
		return nil
	}
	return []pulumi.ResourceTransform{func(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
		if args.Type != awsEKSClusterType {
			return nil
		}
		props := pulumi.Map{}
		for k, v := range args.Props {
			props[k] = v
		}
		props["upgradePolicy"] = pulumi.Map{"supportType": pulumi.String(string(t))}
		return &pulumi.ResourceTransformResult{Props: props, Opts: args.Opts}
	}}
}

// kubeProxyOptions pins pulumi-eks's kube-proxy add-on, nil leaving it
// pulumi-eks's (the newest build, resolved on every run).
func kubeProxyOptions(version string) *eks.KubeProxyAddonOptionsArgs {
	if version == "" {
		return nil
	}
	return &eks.KubeProxyAddonOptionsArgs{Version: pulumi.String(version)}
}

// nonEmptyString is nil for "", so an unset pin stays out of the inputs.
func nonEmptyString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
