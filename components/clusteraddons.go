package components

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	helmv4 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v4"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AddonVersions pins every add-on: Helm chart versions for the charts and
// EKS add-on versions ("v1.45.0-eksbuild.1") for the managed add-ons.
type AddonVersions struct {
	MetricsServer           string `json:"metricsServer"`
	CertManager             string `json:"certManager"`
	LoadBalancerController  string `json:"awsLoadBalancerController"`
	ClusterAutoscaler       string `json:"clusterAutoscaler"`
	ClusterAutoscalerImage  string `json:"clusterAutoscalerImage"`
	CloudWatchObservability string `json:"cloudwatchObservability"`
	EbsCsiDriver            string `json:"ebsCsiDriver"`
	PodIdentityAgent        string `json:"podIdentityAgent"`
}

// ClusterAddonsArgs configures ClusterAddons.
type ClusterAddonsArgs struct {
	// Cluster receives the add-ons. Required.
	Cluster *EKSCluster
	// Region is the cluster's AWS region (the controllers are told it rather than asking IMDS). Required.
	Region string
	// VpcID is the cluster's VPC, for the load balancer controller. Required.
	VpcID pulumi.IDInput
	// KubernetesProvider deploys the Helm charts. Required.
	KubernetesProvider pulumi.ProviderResource
	// Nodes must exist before controllers can run, and must outlive them:
	// ManagedNodeGroup.Nodes, not the component (see there). Optional.
	Nodes pulumi.Resource
	// Versions pins every add-on. Required (each field).
	Versions AddonVersions
	// ClusterAutoscaler installs the Cluster Autoscaler. Optional; default false.
	ClusterAutoscaler bool
	// PodIdentity gives each controller its own least-privilege IAM role through
	// EKS Pod Identity. Otherwise the controllers use the node role's add-on
	// policies, as in the workshop. Optional; default false.
	PodIdentity bool
	// Tags are added to every AWS resource. Optional.
	Tags pulumi.StringMapInput
}

// ClusterAddons installs what the workshop adds to a new cluster:
// metrics-server (for the HPA), cert-manager, the AWS Load Balancer
// Controller with its IngressClass and webhook certificate, the Cluster
// Autoscaler, Container Insights and the EBS CSI driver.
type ClusterAddons struct {
	pulumi.ResourceState

	IngressClassName pulumi.StringOutput `pulumi:"ingressClassName"`

	// LoadBalancerController is the controller's chart. Ingresses depend on it
	// so that it outlives them: it deletes their ALBs when they are deleted.
	LoadBalancerController pulumi.Resource `pulumi:"-"`
}

// Where each controller runs, for its Pod Identity association.
const (
	loadBalancerControllerServiceAccount = "aws-load-balancer-controller"
	clusterAutoscalerServiceAccount      = "cluster-autoscaler"
	cloudWatchAgentServiceAccount        = "cloudwatch-agent"
	cloudWatchNamespace                  = "amazon-cloudwatch"
	certManagerNamespace                 = "cert-manager"
	ebsCsiControllerServiceAccount       = "ebs-csi-controller-sa"
	// The chart's webhook Service: "<chart name less -controller>-webhook-service".
	loadBalancerControllerWebhookService = "aws-load-balancer-webhook-service"
	// IngressClassALB is the IngressClass the load balancer controller serves.
	IngressClassALB = "alb"
)

var (
	// eksAddonVersionKeys are the add-ons installed as EKS add-ons rather than Helm charts.
	eksAddonVersionKeys = map[string]bool{"cloudwatchObservability": true, "ebsCsiDriver": true, "podIdentityAgent": true}
	eksAddonVersion     = regexp.MustCompile(`^v\d+\.\d+\.\d+-eksbuild\.\d+$`)
	semanticVersion     = regexp.MustCompile(`^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$`)
)

// AddonNamespaces are the namespaces ClusterAddons creates or installs into,
// besides kube-system: no one else's workloads belong there.
func AddonNamespaces() []string { return []string{certManagerNamespace, cloudWatchNamespace} }

// Validate reports every problem with the args.
func (a ClusterAddonsArgs) Validate() error {
	var errs fieldErrors
	versions := map[string]string{
		"metricsServer":             a.Versions.MetricsServer,
		"certManager":               a.Versions.CertManager,
		"awsLoadBalancerController": a.Versions.LoadBalancerController,
		"cloudwatchObservability":   a.Versions.CloudWatchObservability,
		"ebsCsiDriver":              a.Versions.EbsCsiDriver,
	}
	if a.ClusterAutoscaler {
		versions["clusterAutoscaler"] = a.Versions.ClusterAutoscaler
		versions["clusterAutoscalerImage"] = a.Versions.ClusterAutoscalerImage
	}
	if a.PodIdentity {
		versions["podIdentityAgent"] = a.Versions.PodIdentityAgent
	}
	for _, key := range sortedKeys(versions) {
		switch v := versions[key]; {
		case v == "":
			errs.add("addonVersions."+key, "", "required: every add-on is pinned to a version")
		case eksAddonVersionKeys[key] && !eksAddonVersion.MatchString(v):
			errs.add("addonVersions."+key, v, "want an EKS add-on version such as v1.45.0-eksbuild.1")
		case !eksAddonVersionKeys[key] && !semanticVersion.MatchString(v):
			errs.add("addonVersions."+key, v, "want a version such as 1.2.3 or v1.2.3")
		}
	}
	if !regionPattern.MatchString(a.Region) {
		errs.add("region", a.Region, "want an AWS region such as ap-northeast-2")
	}
	return errs.err()
}

// NewClusterAddons registers the add-ons and, with PodIdentity, their IAM roles.
func NewClusterAddons(ctx *pulumi.Context, name string, args *ClusterAddonsArgs, opts ...pulumi.ResourceOption) (*ClusterAddons, error) {
	if args == nil {
		args = &ClusterAddonsArgs{}
	}
	if err := errors.Join(args.Validate(), PhysicalNameError("name", name, args.PhysicalNames(name))); err != nil {
		return nil, fmt.Errorf("cluster add-ons %q: %w", name, err)
	}
	if args.Cluster == nil || args.VpcID == nil || args.KubernetesProvider == nil {
		return nil, fmt.Errorf("cluster add-ons %q: Cluster, VpcID and KubernetesProvider are required", name)
	}
	a := *args

	c := &ClusterAddons{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:ClusterAddons", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	tags := mergeTags(a.Tags, nil)
	clusterName := a.Cluster.ClusterName

	// Controllers need nodes to run on; with Pod Identity they also need their
	// roles before they start, or their first API calls fail.
	var ready []pulumi.Resource
	if a.Nodes != nil {
		ready = append(ready, a.Nodes)
	}
	if a.PodIdentity {
		// The agent is a DaemonSet: EKS reports the add-on ACTIVE with no
		// nodes yet, so it is installed beside the nodes, not after them
		// (terraform-aws-eks installs it with before_compute = true), and
		// every node runs it from its first boot.
		agent, err := eksAddon(ctx, name+"-pod-identity-agent", clusterName, "eks-pod-identity-agent", a.Versions.PodIdentityAgent, tags, parent)
		if err != nil {
			return nil, err
		}
		ready = append(ready, agent)
		partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, parent)
		for _, p := range a.podIdentities() {
			association, err := p.register(ctx, name, clusterName, partition, tags, parent)
			if err != nil {
				return nil, err
			}
			ready = append(ready, association)
		}
	}

	onCluster := []pulumi.ResourceOption{parent, pulumi.Provider(a.KubernetesProvider), pulumi.DependsOn(ready)}
	if _, err := metricsServerChart(ctx, name, a.Versions.MetricsServer, false, onCluster...); err != nil {
		return nil, err
	}

	// cert-manager, as the workshop installs it; the controller does not wait for it.
	certManagerNs, err := corev1.NewNamespace(ctx, name+"-cert-manager", &corev1.NamespaceArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(certManagerNamespace)},
	}, onCluster...)
	if err != nil {
		return nil, err
	}
	if _, err := chart(ctx, name, certManagerNamespace, "cert-manager", a.Versions.CertManager, "https://charts.jetstack.io", pulumi.Map{
		"crds": pulumi.Map{"enabled": pulumi.Bool(true)},
	}, append(onCluster, pulumi.DependsOn([]pulumi.Resource{certManagerNs}))...); err != nil {
		return nil, err
	}

	// The controller's webhook certificate is made beside the control plane
	// and kept in the stack's state: the chart would generate a new one at
	// every render (a diff in every preview, aws/eks-charts#902), and taking
	// it from cert-manager would make the controller, and so every Ingress,
	// wait for cert-manager's release.
	webhookTLS, err := newWebhookCertificate(ctx, name+"-lbc-webhook", loadBalancerControllerWebhookService, "kube-system", parent)
	if err != nil {
		return nil, err
	}
	lbc, err := chart(ctx, name, "kube-system", "aws-load-balancer-controller", a.Versions.LoadBalancerController, "https://aws.github.io/eks-charts", pulumi.Map{
		"clusterName":  clusterName,
		"region":       pulumi.String(a.Region),
		"vpcId":        a.VpcID,
		"replicaCount": pulumi.Int(2),
		"serviceAccount": pulumi.Map{
			"create": pulumi.Bool(true),
			"name":   pulumi.String(loadBalancerControllerServiceAccount),
		},
		"ingressClass":               pulumi.String(IngressClassALB),
		"createIngressClassResource": pulumi.Bool(true),
		"webhookTLS":                 webhookTLS.values(),
	}, onCluster...)
	if err != nil {
		return nil, err
	}

	if a.ClusterAutoscaler {
		if _, err := chart(ctx, name, "kube-system", "cluster-autoscaler", a.Versions.ClusterAutoscaler, "https://kubernetes.github.io/autoscaler", pulumi.Map{
			"cloudProvider": pulumi.String("aws"),
			"awsRegion":     pulumi.String(a.Region),
			"autoDiscovery": pulumi.Map{"clusterName": clusterName},
			// The autoscaler's minor version must match the cluster's.
			"image": pulumi.Map{"tag": pulumi.String(a.Versions.ClusterAutoscalerImage)},
			"rbac": pulumi.Map{"serviceAccount": pulumi.Map{
				"create": pulumi.Bool(true),
				"name":   pulumi.String(clusterAutoscalerServiceAccount),
			}},
			"extraArgs": pulumi.Map{
				"balance-similar-node-groups": pulumi.Bool(true),
				"expander":                    pulumi.String("least-waste"),
			},
		}, onCluster...); err != nil {
			return nil, err
		}
	}

	for addon, version := range map[string]string{
		"amazon-cloudwatch-observability": a.Versions.CloudWatchObservability,
		"aws-ebs-csi-driver":              a.Versions.EbsCsiDriver,
	} {
		if _, err := eksAddon(ctx, name+"-"+addon, clusterName, addon, version, tags, parent, pulumi.DependsOn(ready)); err != nil {
			return nil, err
		}
	}

	c.LoadBalancerController = lbc
	c.IngressClassName = pulumi.String(IngressClassALB).ToStringOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"ingressClassName": c.IngressClassName,
	})
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

// podIdentities are the controllers that get a role of their own with PodIdentity.
func (a ClusterAddonsArgs) podIdentities() []podIdentity {
	controllers := []podIdentity{
		{key: "load-balancer-controller", namespace: "kube-system", serviceAccount: loadBalancerControllerServiceAccount, policy: LoadBalancerControllerPolicy()},
		{key: "ebs-csi", namespace: "kube-system", serviceAccount: ebsCsiControllerServiceAccount, managed: ebsPolicy.path},
		{key: "cloudwatch", namespace: cloudWatchNamespace, serviceAccount: cloudWatchAgentServiceAccount, managed: cloudWatchPolicy.path},
	}
	if a.ClusterAutoscaler {
		controllers = append(controllers, podIdentity{key: "cluster-autoscaler", namespace: "kube-system", serviceAccount: clusterAutoscalerServiceAccount, scopedToCluster: true})
	}
	return controllers
}

// podIdentity is one controller's IAM role and Pod Identity association.
type podIdentity struct {
	key, namespace, serviceAccount string
	// One of: a customer-managed policy document, an AWS managed policy path,
	// or the autoscaler's policy scoped to this cluster's node groups.
	policy          PolicyDocument
	managed         string
	scopedToCluster bool
}

func (p podIdentity) register(ctx *pulumi.Context, prefix string, clusterName pulumi.StringOutput, partition aws.GetPartitionResultOutput,
	tags pulumi.StringMapInput, parent pulumi.ResourceOption) (*awseks.PodIdentityAssociation, error) {
	name := prefix + "-" + p.key
	role, err := iam.NewRole(ctx, name, &iam.RoleArgs{
		Description:      pulumi.Sprintf("EKS Pod Identity role of %s/%s", p.namespace, p.serviceAccount),
		AssumeRolePolicy: pulumi.String(PodIdentityTrustPolicy().JSON()),
		Tags:             tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	var attachment pulumi.Resource
	switch {
	case p.managed != "":
		attachment, err = attachManagedPolicy(ctx, name, role, partition, p.managed, parent)
	case p.scopedToCluster:
		doc := clusterName.ApplyT(func(cluster string) string { return ScopedAutoScalerPolicy(cluster).JSON() }).(pulumi.StringOutput)
		attachment, err = attachPolicy(ctx, name, role, doc, tags, parent)
	default:
		attachment, err = attachPolicy(ctx, name, role, pulumi.String(p.policy.JSON()), tags, parent)
	}
	if err != nil {
		return nil, err
	}
	return awseks.NewPodIdentityAssociation(ctx, name, &awseks.PodIdentityAssociationArgs{
		ClusterName:    clusterName,
		Namespace:      pulumi.String(p.namespace),
		ServiceAccount: pulumi.String(p.serviceAccount),
		RoleArn:        role.Arn,
		Tags:           tags,
	}, parent, pulumi.DependsOn([]pulumi.Resource{attachment}))
}
