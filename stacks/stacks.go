package stacks

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components"
)

// Run is the program `pulumi up` runs: LoadConfig, then Program.
func Run(ctx *pulumi.Context) error {
	cfg, err := LoadConfig(ctx)
	if err != nil {
		return err
	}
	return Program(cfg)(ctx)
}

// Program deploys the environment cfg describes, as the stack it runs in
// (cfg.Stack is set to ctx.Stack()). It validates cfg first, so Automation
// API callers who build a Config in Go get the same errors as `pulumi up`,
// before anything is registered.
func Program(cfg Config) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		cfg.Stack = ctx.Stack()
		outputs, err := deploy(ctx, cfg)
		if err != nil {
			return err
		}
		for key, value := range outputs {
			ctx.Export(key, value)
		}
		return nil
	}
}

// deploy plans the environment, then registers it for its target and
// returns its stack outputs. Nothing is registered unless the whole plan is valid.
func deploy(ctx *pulumi.Context, cfg Config) (pulumi.Map, error) {
	p, err := cfg.plan()
	if err != nil {
		return nil, err
	}
	if cfg.Target == TargetLocal {
		return deployLocal(ctx, cfg, p)
	}
	return deployEKS(ctx, cfg, p)
}

func (c Config) networkArgs() components.NetworkArgs {
	return components.NetworkArgs{
		VpcCidr:               c.VpcCidr,
		AvailabilityZones:     c.AvailabilityZones,
		AvailabilityZoneCount: c.AvailabilityZoneCount,
		NatGateway:            c.NatGateway,
		ClusterName:           c.clusterName(),
	}
}

func (c Config) clusterArgs() components.EKSClusterArgs {
	entries := c.AccessEntries
	if c.TeamPrincipalArn != "" {
		// The seed's RBAC: the team reaches only its namespace.
		entries = append(append([]components.AccessEntry(nil), entries...), TeamAccessEntry(c.TeamPrincipalArn, c.Namespace))
	}
	return components.EKSClusterArgs{
		ClusterName:            c.clusterName(),
		KubernetesVersion:      c.KubernetesVersion,
		EnabledClusterLogTypes: c.EnabledClusterLogTypes,
		LogRetentionDays:       c.LogRetentionDays,
		EndpointPublicAccess:   pulumi.BoolRef(c.EndpointPublicAccess),
		EndpointPrivateAccess:  c.EndpointPrivateAccess,
		PublicAccessCidrs:      c.PublicAccessCidrs,
		SecretsEncryption:      c.SecretsEncryption,
		AccessEntries:          entries,
		EnableNetworkPolicy:    c.NetworkPolicyEnforcement,
	}
}

func (c Config) nodeGroupArgs() components.ManagedNodeGroupArgs {
	return components.ManagedNodeGroupArgs{
		NodeGroupName:     c.NodeGroupName,
		InstanceTypes:     c.InstanceTypes,
		DesiredSize:       pulumi.IntRef(c.DesiredSize),
		MinSize:           pulumi.IntRef(c.MinSize),
		MaxSize:           pulumi.IntRef(c.MaxSize),
		DiskSize:          c.DiskSize,
		Labels:            c.NodeLabels,
		Taints:            c.NodeTaints,
		RequireImdsv2:     c.RequireImdsv2,
		AddonPolicies:     c.NodeRoleAddonPolicies,
		ClusterAutoscaler: c.ClusterAutoscaler,
	}
}

func (c Config) addonArgs() components.ClusterAddonsArgs {
	return components.ClusterAddonsArgs{
		Region:            c.Region,
		Versions:          c.AddonVersions,
		ClusterAutoscaler: c.ClusterAutoscaler,
		PodIdentity:       c.PodIdentity,
	}
}

// deployEKS builds the workshop on AWS: network, cluster, nodes, add-ons,
// images in ECR and the workloads behind one ALB.
func deployEKS(ctx *pulumi.Context, cfg Config, p plan) (pulumi.Map, error) {
	// An explicit provider: the region comes from Config, so Automation API
	// callers need no aws:region stack setting, and every resource carries
	// the same default tags.
	defaultTags := pulumi.ToStringMap(cfg.defaultTags())
	for k, v := range cfg.Tags {
		defaultTags[k] = pulumi.String(v)
	}
	awsProvider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
		Region:      pulumi.String(cfg.Region),
		DefaultTags: aws.ProviderDefaultTagsArgs{Tags: defaultTags},
	})
	if err != nil {
		return nil, err
	}
	onAWS := pulumi.Providers(awsProvider)
	protect := pulumi.Protect(cfg.Protect)

	clusterName := cfg.clusterName()
	networkArgs := p.network
	network, err := components.NewNetwork(ctx, clusterName, &networkArgs, onAWS, protect)
	if err != nil {
		return nil, err
	}

	clusterArgs := p.cluster
	clusterArgs.VpcID = network.VpcID
	clusterArgs.PublicSubnetIDs = network.PublicSubnetIDs
	clusterArgs.PrivateSubnetIDs = network.PrivateSubnetIDs
	cluster, err := components.NewEKSCluster(ctx, clusterName, &clusterArgs, onAWS, protect)
	if err != nil {
		return nil, err
	}

	nodeArgs := p.nodes
	nodeArgs.Cluster = cluster
	nodeArgs.SubnetIDs = network.PrivateSubnetIDs // eksctl's privateNetworking: true
	nodeArgs.SubnetEgress = network.PrivateEgress
	nodes, err := components.NewManagedNodeGroup(ctx, cfg.nodeGroupComponent(), &nodeArgs, onAWS)
	if err != nil {
		return nil, err
	}

	outputs := pulumi.Map{}
	images, err := workloadImages(cfg, outputs, func(w workload) (pulumi.StringOutput, error) {
		args := p.images[w.name]
		img, err := components.NewECRImage(ctx, w.name, &args, onAWS)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		outputs[w.source+"RepositoryUrl"] = img.RepositoryUrl
		return img.ImageRef, nil
	})
	if err != nil {
		return nil, err
	}

	provider, err := kubernetesProvider(ctx, cfg, cluster.KubeconfigJson)
	if err != nil {
		return nil, err
	}
	addonArgs := p.addons
	addonArgs.Cluster = cluster
	addonArgs.VpcID = network.VpcID
	addonArgs.KubernetesProvider = provider
	addonArgs.Nodes = nodes.Nodes
	addons, err := components.NewClusterAddons(ctx, clusterName, &addonArgs, onAWS)
	if err != nil {
		return nil, err
	}
	namespace, err := deployNamespace(ctx, cfg, provider)
	if err != nil {
		return nil, err
	}
	// The controller must outlive the Ingresses: it deletes their ALBs,
	// which would otherwise block the VPC's deletion.
	apps, err := deployApps(ctx, cfg, p, provider, images, namespace, addons.LoadBalancerController)
	if err != nil {
		return nil, err
	}

	for _, w := range cfg.workloads() {
		outputs[w.source+"ClusterUrl"] = pulumi.Sprintf("http://%s", apps[w.name].ClusterDNS)
	}
	// Both Ingresses share the ALB of their ingress group.
	outputs["albUrl"] = pulumi.Sprintf("http://%s", apps["demo-flask-backend"].IngressHostname)
	for key, value := range (pulumi.Map{
		"region":           pulumi.String(cfg.Region),
		"vpcId":            network.VpcID,
		"publicSubnetIds":  network.PublicSubnetIDs,
		"privateSubnetIds": network.PrivateSubnetIDs,
		"clusterName":      cluster.ClusterName,
		"clusterEndpoint":  cluster.Endpoint,
		"kubeconfig":       cluster.KubeconfigJson,
		// The workshop's `aws eks update-kubeconfig` step, ready to paste.
		"updateKubeconfigCommand":  pulumi.Sprintf("aws eks update-kubeconfig --region %s --name %s", cfg.Region, cluster.ClusterName),
		"clusterAdminPrincipalArn": cluster.AdminPrincipalArn,
		"oidcProviderArn":          cluster.OidcProviderArn,
		"nodeGroupName":            nodes.NodeGroupName,
		"namespace":                pulumi.String(cfg.Namespace),
	}) {
		outputs[key] = value
	}
	return outputs, nil
}

// workloadImages returns each workload's image reference: its prebuilt one
// as given, or the one build registers. It also exports them as <app>Image.
func workloadImages(cfg Config, outputs pulumi.Map, build func(workload) (pulumi.StringOutput, error)) (map[string]pulumi.StringOutput, error) {
	images := map[string]pulumi.StringOutput{}
	for _, w := range cfg.workloads() {
		ref := pulumi.String(w.image).ToStringOutput()
		if !w.prebuilt() {
			var err error
			if ref, err = build(w); err != nil {
				return nil, err
			}
		}
		images[w.name] = ref
		outputs[w.source+"Image"] = ref
	}
	return images, nil
}

// deployLocal deploys the same workloads to any cluster a kubeconfig reaches
// (EKS Anywhere, kind, minikube) with no AWS at all, reached by port-forward.
func deployLocal(ctx *pulumi.Context, cfg Config, p plan) (pulumi.Map, error) {
	var kubeconfig pulumi.StringInput
	if cfg.Kubeconfig != "" {
		kubeconfig = pulumi.String(cfg.Kubeconfig) // a path or the file's contents
	}
	provider, err := kubernetesProvider(ctx, cfg, kubeconfig)
	if err != nil {
		return nil, err
	}
	outputs := pulumi.Map{"namespace": pulumi.String(cfg.Namespace)}
	images, err := workloadImages(cfg, outputs, func(w workload) (pulumi.StringOutput, error) {
		img, err := components.NewRegistryImage(ctx, w.name, &components.RegistryImageArgs{
			Repository: pulumi.Sprintf("%s/%s", cfg.ImageRegistry, w.name),
			Build:      w.imageBuild(cfg),
			Push:       pulumi.BoolRef(cfg.PushImages),
		})
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		return img.ImageRef, nil
	})
	if err != nil {
		return nil, err
	}
	if p.metricsServer != nil {
		args := *p.metricsServer
		args.KubernetesProvider = provider
		if _, err := components.NewMetricsServer(ctx, "local", &args); err != nil {
			return nil, err
		}
	}
	namespace, err := deployNamespace(ctx, cfg, provider)
	if err != nil {
		return nil, err
	}
	apps, err := deployApps(ctx, cfg, p, provider, images, namespace)
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.workloads() {
		outputs[w.source+"ClusterUrl"] = pulumi.Sprintf("http://%s", apps[w.name].ClusterDNS)
		outputs[w.source+"PortForward"] = pulumi.String(w.portForward(cfg))
		outputs[w.source+"LocalUrl"] = pulumi.String(w.localURL())
	}
	return outputs, nil
}
