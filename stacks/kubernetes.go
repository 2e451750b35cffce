package stacks

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// kubernetesProvider returns the provider every Kubernetes object is created
// with. With renderYamlToDirectory set it writes the manifests there instead
// of applying them (for GitOps), and is given no cluster at all: the
// provider refuses kubeconfig, context and cluster beside
// renderYamlToDirectory (its CheckConfig, see renderModeRefuses in the
// tests), and the explicit empty kubeconfig keeps the SDK from filling one
// in from $KUBECONFIG (pulumi-kubernetes issue 2535).
func kubernetesProvider(ctx *pulumi.Context, c Config, kubeconfig pulumi.StringInput, opts ...pulumi.ResourceOption) (*kubernetes.Provider, error) {
	if c.RenderYamlToDirectory != "" {
		return kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{
			RenderYamlToDirectory: pulumi.String(c.RenderYamlToDirectory),
			Kubeconfig:            pulumi.String(""),
		}, opts...)
	}
	args := &kubernetes.ProviderArgs{Kubeconfig: kubeconfig}
	if c.KubeContext != "" {
		args.Context = pulumi.String(c.KubeContext)
	}
	return kubernetes.NewProvider(ctx, "k8s", args, opts...)
}

// deployNamespace creates the environment's namespace under Pod Security
// `restricted` (with, on EKS, the load balancer controller's readiness
// gate: config.NamespaceLabels), denies all traffic by default (the seed's
// deny-all; each App allows what it needs), and lets the team group edit it.
func deployNamespace(ctx *pulumi.Context, c Config, provider pulumi.ProviderResource) (*corev1.Namespace, error) {
	onCluster := pulumi.Provider(provider)
	ns, err := corev1.NewNamespace(ctx, c.Namespace, &corev1.NamespaceArgs{
		Metadata: metav1.ObjectMetaArgs{
			Name:   pulumi.String(c.Namespace),
			Labels: pulumi.ToStringMap(c.NamespaceLabels()),
		},
	}, onCluster)
	if err != nil {
		return nil, err
	}
	inNamespace := []pulumi.ResourceOption{onCluster, pulumi.DependsOn([]pulumi.Resource{ns})}
	if _, err := networkingv1.NewNetworkPolicy(ctx, c.Namespace+"-deny-all", &networkingv1.NetworkPolicyArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("deny-all"), Namespace: pulumi.String(c.Namespace)},
		Spec: networkingv1.NetworkPolicySpecArgs{
			PodSelector: metav1.LabelSelectorArgs{},
			PolicyTypes: pulumi.ToStringArray([]string{"Ingress", "Egress"}),
		},
	}, inNamespace...); err != nil {
		return nil, err
	}
	if _, err := rbacv1.NewRoleBinding(ctx, c.Namespace+"-developers", &rbacv1.RoleBindingArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("developers-edit"), Namespace: pulumi.String(c.Namespace)},
		RoleRef: rbacv1.RoleRefArgs{
			ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("ClusterRole"), Name: pulumi.String("edit"),
		},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{
			ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("Group"), Name: pulumi.String(config.TeamGroup(c.Namespace)),
		}},
	}, inNamespace...); err != nil {
		return nil, err
	}
	return ns, nil
}

// deployApps deploys every Workload into the namespace and returns them by
// name; each App depends on dependsOn (the namespace, the load balancer controller).
func deployApps(ctx *pulumi.Context, c Config, p config.Plan, provider pulumi.ProviderResource,
	images map[string]pulumi.StringOutput, dependsOn ...pulumi.Resource) (map[string]*components.App, error) {
	apps := map[string]*components.App{}
	for _, w := range c.Workloads() {
		args := components.AppArgs{AppArgs: p.Apps[w.Name], Image: images[w.Name], Provider: provider, DependsOn: dependsOn}
		app, err := components.NewApp(ctx, w.Name, &args)
		if err != nil {
			return nil, err
		}
		apps[w.Name] = app
	}
	return apps, nil
}
