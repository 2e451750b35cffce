package components

import (
	"errors"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	helmv4 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// ClusterAddons installs what the workshop adds to a new cluster:
// metrics-server (for the HPA), the AWS Load Balancer Controller with its
// IngressClass and webhook certificate, the Cluster Autoscaler, Container
// Insights (into the log groups the cluster made for it) and the EBS CSI
// driver.
type ClusterAddons struct {
	pulumi.ResourceState

	IngressClassName pulumi.StringOutput `pulumi:"ingressClassName"`

	// LoadBalancerController is the controller's chart. Ingresses depend on it
	// so that it outlives them: it deletes their ALBs when they are deleted.
	LoadBalancerController pulumi.Resource `pulumi:"-"`
}

// NewClusterAddons registers the add-ons and, with PodIdentity, their IAM roles.
func NewClusterAddons(ctx *pulumi.Context, name string, args *ClusterAddonsArgs, opts ...pulumi.ResourceOption) (*ClusterAddons, error) {
	if args == nil {
		args = &ClusterAddonsArgs{}
	}
	if err := errors.Join(args.Validate(), spec.PhysicalNameError("name", name, args.PhysicalNames(name))); err != nil {
		return nil, fmt.Errorf("cluster add-ons %q: %w", name, err)
	}
	if args.Cluster == nil || args.VpcID == nil || args.KubernetesProvider == nil {
		return nil, fmt.Errorf("cluster add-ons %q: Cluster, VpcID and KubernetesProvider are required", name)
	}
	if len(args.Cluster.NodeLogGroups) == 0 {
		// Container Insights' agents would create them, with no retention.
		return nil, fmt.Errorf("cluster add-ons %q: Cluster must make the Container Insights log groups (EKSClusterArgs.ContainerInsightsLogGroups)", name)
	}
	// ClusterAddonsArgs has no defaults: the log groups Container Insights
	// writes to, and their retention, are EKSClusterArgs.ContainerInsightsLogGroups'.
	a := *args

	c := &ClusterAddons{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:ClusterAddons", name, c, opts...); err != nil {
		return nil, err
	}
	parts := clusterAddonParts{ctx: ctx, name: name, args: a, parent: pulumi.Parent(c), tags: mergeTags(a.Tags, nil), clusterName: args.Cluster.ClusterName}
	ready, err := parts.controllerPrerequisites()
	if err != nil {
		return nil, err
	}
	onCluster := []pulumi.ResourceOption{parts.parent, pulumi.Provider(a.KubernetesProvider), pulumi.DependsOn(ready)}
	if _, err := metricsServerChart(ctx, name, a.Versions.MetricsServer, false, onCluster...); err != nil {
		return nil, err
	}
	lbc, err := parts.loadBalancerController(onCluster)
	if err != nil {
		return nil, err
	}
	if err := parts.clusterAutoscaler(onCluster); err != nil {
		return nil, err
	}
	if err := parts.nodeAddons(ready); err != nil {
		return nil, err
	}

	c.LoadBalancerController = lbc
	c.IngressClassName = pulumi.String(spec.IngressClassALB).ToStringOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"ingressClassName": c.IngressClassName,
	})
}

// clusterAddonParts registers ClusterAddons' children: each parented to
// it, named after it and tagged with its tags.
type clusterAddonParts struct {
	ctx         *pulumi.Context
	name        string // the ClusterAddons' resource name, the prefix of its children's
	args        ClusterAddonsArgs
	parent      pulumi.ResourceOrInvokeOption
	tags        pulumi.StringMapOutput
	clusterName pulumi.StringOutput
}

// controllerPrerequisites are what the controllers wait for: nodes to run
// on and, with Pod Identity, the agent and their roles, or their first API
// calls fail.
func (p clusterAddonParts) controllerPrerequisites() ([]pulumi.Resource, error) {
	var ready []pulumi.Resource
	if p.args.Nodes != nil {
		ready = append(ready, p.args.Nodes)
	}
	if !p.args.PodIdentity {
		return ready, nil
	}
	// The agent is a DaemonSet: EKS reports the add-on ACTIVE with no
	// nodes yet, so it is installed beside the nodes, not after them
	// (terraform-aws-eks installs it with before_compute = true), and
	// every node runs it from its first boot.
	agent, err := eksAddon(p.ctx, p.name+"-pod-identity-agent", p.clusterName, "eks-pod-identity-agent", p.args.Versions.PodIdentityAgent, p.tags, p.parent)
	if err != nil {
		return nil, err
	}
	ready = append(ready, agent)
	partition := aws.GetPartitionOutput(p.ctx, aws.GetPartitionOutputArgs{}, p.parent)
	trust := p.args.Cluster.Cluster.EksCluster.Arn().ApplyT(func(arn string) string {
		return spec.PodIdentityTrustPolicy(spec.AccountOfArn(arn), arn).JSON()
	}).(pulumi.StringOutput)
	for _, identity := range p.args.PodIdentities() {
		association, err := registerPodIdentity(p.ctx, identity, p.name, p.clusterName, trust, partition, p.tags, p.parent)
		if err != nil {
			return nil, err
		}
		ready = append(ready, association)
	}
	return ready, nil
}

// loadBalancerController installs the AWS Load Balancer Controller's chart
// with its webhook certificate. The certificate is made beside the control
// plane and kept in the stack's state: the chart would generate a new one
// at every render (a diff in every preview, aws/eks-charts#902). The
// workshop installs cert-manager for this certificate alone; nothing here
// needs it, so it is not installed.
func (p clusterAddonParts) loadBalancerController(onCluster []pulumi.ResourceOption) (*helmv4.Chart, error) {
	webhookTLS, err := newWebhookCertificate(p.ctx, p.name+"-lbc-webhook", spec.LoadBalancerControllerWebhookService, "kube-system", p.parent)
	if err != nil {
		return nil, err
	}
	return chart(p.ctx, p.name, "kube-system", spec.LoadBalancerControllerChartName, p.args.Versions.LoadBalancerController, "https://aws.github.io/eks-charts", pulumi.Map{
		"clusterName":  p.clusterName,
		"region":       pulumi.String(p.args.Region),
		"vpcId":        p.args.VpcID,
		"replicaCount": pulumi.Int(spec.LoadBalancerControllerReplicas),
		// A drain or a scale-in evicts one replica at a time.
		spec.LoadBalancerControllerPDBValue: pulumi.ToIntMap(spec.LoadBalancerControllerPDB),
		"serviceAccount": pulumi.Map{
			"create": pulumi.Bool(true),
			"name":   pulumi.String(spec.LoadBalancerControllerServiceAccount),
		},
		"ingressClass":               pulumi.String(spec.IngressClassALB),
		"createIngressClassResource": pulumi.Bool(true),
		"webhookTLS":                 webhookTLS.values(),
		// Off: the chart's Service webhook (failurePolicy Fail) would be
		// called for every Service create in the cluster from the moment it
		// is applied, and fail each one until the controller's pods are
		// Ready, which pulumi-kubernetes does not retry (spec.ChartWebhook
		// and PulumiKubernetesRetriesCreate): metrics-server, the autoscaler
		// and the CloudWatch add-on create Services at the same moment. All
		// it does is make this controller the default for new `type:
		// LoadBalancer` Services; nothing here creates one (see README, Add-ons).
		spec.ServiceMutatorWebhookValue: pulumi.Bool(false),
	}, onCluster...)
}

// clusterAutoscaler installs the Cluster Autoscaler's chart, if it is on.
func (p clusterAddonParts) clusterAutoscaler(onCluster []pulumi.ResourceOption) error {
	if !p.args.ClusterAutoscaler {
		return nil
	}
	_, err := chart(p.ctx, p.name, "kube-system", "cluster-autoscaler", p.args.Versions.ClusterAutoscaler, "https://kubernetes.github.io/autoscaler", pulumi.Map{
		"cloudProvider": pulumi.String("aws"),
		"awsRegion":     pulumi.String(p.args.Region),
		"autoDiscovery": pulumi.Map{"clusterName": p.clusterName},
		// The autoscaler's minor version must match the cluster's.
		"image": pulumi.Map{"tag": pulumi.String(p.args.Versions.ClusterAutoscalerImage)},
		"rbac": pulumi.Map{"serviceAccount": pulumi.Map{
			"create": pulumi.Bool(true),
			"name":   pulumi.String(spec.ClusterAutoscalerServiceAccount),
		}},
		"extraArgs": pulumi.Map{
			"balance-similar-node-groups": pulumi.Bool(true),
			"expander":                    pulumi.String("least-waste"),
		},
	}, onCluster...)
	return err
}

// nodeAddons installs the EKS add-ons whose agents run on the nodes, after
// ready: Container Insights, also after the cluster's log groups it writes
// to, and the EBS CSI driver.
func (p clusterAddonParts) nodeAddons(ready []pulumi.Resource) error {
	for _, addon := range []struct {
		name, version string
		after         []pulumi.Resource
	}{
		{"amazon-cloudwatch-observability", p.args.Versions.CloudWatchObservability, append(slices.Clone(p.args.Cluster.NodeLogGroups), ready...)},
		{"aws-ebs-csi-driver", p.args.Versions.EbsCsiDriver, ready},
	} {
		if _, err := eksAddon(p.ctx, p.name+"-"+addon.name, p.clusterName, addon.name, addon.version, p.tags, p.parent, pulumi.DependsOn(addon.after)); err != nil {
			return err
		}
	}
	return nil
}

// chart installs a pinned Helm chart into a namespace.
func chart(ctx *pulumi.Context, prefix, namespace, name, version, repo string, values pulumi.Map, opts ...pulumi.ResourceOption) (*helmv4.Chart, error) {
	return helmv4.NewChart(ctx, prefix+"-"+name, &helmv4.ChartArgs{
		Chart:          pulumi.String(name),
		Version:        pulumi.String(version),
		RepositoryOpts: helmv4.RepositoryOptsArgs{Repo: pulumi.String(repo)},
		Namespace:      pulumi.String(namespace),
		Values:         values,
	}, opts...)
}

// eksAddon installs a pinned EKS add-on; it takes over fields that a
// self-managed install left behind rather than failing on them.
func eksAddon(ctx *pulumi.Context, name string, cluster pulumi.StringInput, addon, version string, tags pulumi.StringMapInput, opts ...pulumi.ResourceOption) (*awseks.Addon, error) {
	return awseks.NewAddon(ctx, name, &awseks.AddonArgs{
		ClusterName:              cluster,
		AddonName:                pulumi.String(addon),
		AddonVersion:             pulumi.String(version),
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"),
		Tags:                     tags,
	}, opts...)
}

// registerPodIdentity registers a controller's role, trusted by Pod
// Identity for this cluster only (trust), its policy and its association.
func registerPodIdentity(ctx *pulumi.Context, p spec.PodIdentity, prefix string, clusterName, trust pulumi.StringOutput, partition aws.GetPartitionResultOutput,
	tags pulumi.StringMapInput, parent pulumi.ResourceOption) (*awseks.PodIdentityAssociation, error) {
	name := prefix + "-" + p.Key
	role, err := iam.NewRole(ctx, name, &iam.RoleArgs{
		Description:      pulumi.Sprintf("EKS Pod Identity role of %s/%s", p.Namespace, p.ServiceAccount),
		AssumeRolePolicy: trust,
		Tags:             tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	var attachment pulumi.Resource
	switch {
	case p.Managed != "":
		attachment, err = attachManagedPolicy(ctx, name, role, partition, p.Managed, parent)
	default:
		doc := clusterName.ApplyT(func(cluster string) string { return p.Policy(cluster).JSON() }).(pulumi.StringOutput)
		attachment, err = attachPolicy(ctx, name, role, doc, tags, parent)
	}
	if err != nil {
		return nil, err
	}
	return awseks.NewPodIdentityAssociation(ctx, name, &awseks.PodIdentityAssociationArgs{
		ClusterName:    clusterName,
		Namespace:      pulumi.String(p.Namespace),
		ServiceAccount: pulumi.String(p.ServiceAccount),
		RoleArn:        role.Arn,
		Tags:           tags,
	}, parent, pulumi.DependsOn([]pulumi.Resource{attachment}))
}
