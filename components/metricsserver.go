package components

import (
	"fmt"

	helmv4 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// MetricsServer is the metrics-server chart on a cluster this program does
// not build (on EKS, ClusterAddons installs it): the Resource Metrics API the
// HorizontalPodAutoscalers read CPU utilization from.
type MetricsServer struct {
	pulumi.ResourceState
}

// NewMetricsServer installs the pinned chart into kube-system, as the release <name>-metrics-server.
func NewMetricsServer(ctx *pulumi.Context, name string, args *MetricsServerArgs, opts ...pulumi.ResourceOption) (*MetricsServer, error) {
	if args == nil {
		args = &MetricsServerArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("metrics-server %q: %w", name, err)
	}
	if args.KubernetesProvider == nil {
		return nil, fmt.Errorf("metrics-server %q: KubernetesProvider is required", name)
	}
	m := &MetricsServer{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:MetricsServer", name, m, opts...); err != nil {
		return nil, err
	}
	if _, err := metricsServerChart(ctx, name, args.Version, args.KubeletInsecureTLS,
		pulumi.Parent(m), pulumi.Provider(args.KubernetesProvider)); err != nil {
		return nil, err
	}
	return m, ctx.RegisterResourceOutputs(m, pulumi.Map{})
}

// metricsServerChart installs the pinned metrics-server chart into
// kube-system as <prefix>-metrics-server.
func metricsServerChart(ctx *pulumi.Context, prefix, version string, kubeletInsecureTLS bool, opts ...pulumi.ResourceOption) (*helmv4.Chart, error) {
	values := pulumi.Map{
		// Replicas and a PDB: the HPA stops scaling while metrics are missing.
		"replicas":            pulumi.Int(spec.MetricsServerReplicas),
		"podDisruptionBudget": pulumi.Map{"enabled": pulumi.Bool(true), "maxUnavailable": pulumi.Int(1)},
	}
	if kubeletInsecureTLS {
		// The chart appends args to its defaultArgs (values.yaml of chart 3.13.1).
		values["args"] = pulumi.ToStringArray([]string{"--kubelet-insecure-tls"})
	}
	return chart(ctx, prefix, "kube-system", "metrics-server", version, "https://kubernetes-sigs.github.io/metrics-server/", values, opts...)
}
