// Package stacks composes the components into the workshop environment. Its
// public contract is Config, Program and Run: `pulumi up` calls Run;
// Automation API callers build a Config in Go (config.DefaultConfig) and run
// Program(cfg). The configuration and its validation are package config.
package stacks

import (
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// Config is the environment's configuration (package config), under the
// name embedders know it by.
type Config = config.Config

// LoadConfig reads and validates the stack's configuration
// (config.ParseStackConfig over the stack's settings). It registers nothing,
// so a bad configuration fails before any resource exists.
func LoadConfig(ctx *pulumi.Context) (Config, error) {
	return config.ParseStackConfig(ctx.Stack(), func(key string) (string, bool) {
		if !strings.Contains(key, ":") {
			key = config.ProjectName + ":" + key
		}
		return ctx.GetConfig(key)
	})
}

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
	p, err := cfg.Plan()
	if err != nil {
		return nil, err
	}
	for _, warning := range p.Warnings {
		if err := ctx.Log.Warn(warning, nil); err != nil {
			return nil, err
		}
	}
	if cfg.Target == config.TargetLocal {
		return deployLocal(ctx, cfg, p)
	}
	return deployEKS(ctx, cfg, p)
}

// deployEKS builds the workshop on AWS: network, cluster, nodes, add-ons,
// images in ECR and the workloads behind one ALB.
func deployEKS(ctx *pulumi.Context, cfg Config, p config.Plan) (pulumi.Map, error) {
	if err := checkComputeModeUnchanged(ctx, cfg); err != nil {
		return nil, err
	}
	awsProvider, err := aws.NewProvider(ctx, "aws", awsProviderArgs(cfg))
	if err != nil {
		return nil, err
	}
	if err := preflight(ctx, cfg, p, pulumi.Provider(awsProvider)); err != nil {
		return nil, err
	}
	onAWS := pulumi.Providers(awsProvider)
	eks, err := deployCluster(ctx, cfg, p, onAWS)
	if err != nil {
		return nil, err
	}
	outputs := pulumi.Map{}
	images, err := ecrImages(ctx, cfg, p, outputs, onAWS)
	if err != nil {
		return nil, err
	}
	provider, err := kubernetesProvider(ctx, cfg, eks.cluster.KubeconfigJson)
	if err != nil {
		return nil, err
	}
	ingressController, err := eks.deployAddons(ctx, cfg, p, provider, onAWS)
	if err != nil {
		return nil, err
	}
	namespace, err := deployNamespace(ctx, cfg, provider)
	if err != nil {
		return nil, err
	}
	// The controller must outlive the Ingresses: it deletes their ALBs,
	// which would otherwise block the VPC's deletion.
	apps, err := deployApps(ctx, cfg, p, provider, images, namespace, ingressController)
	if err != nil {
		return nil, err
	}
	eks.addOutputs(outputs, cfg, p, apps)
	return outputs, nil
}

// eksCluster is the eks target's cluster, with the network it runs in and
// its nodes (nil in Auto Mode).
type eksCluster struct {
	network *components.Network
	cluster *components.EKSCluster
	nodes   *components.ManagedNodeGroup
}

// deployCluster registers the network, the cluster in it and the cluster's
// node group; the network and the cluster are protected if cfg says so.
func deployCluster(ctx *pulumi.Context, cfg Config, p config.Plan, onAWS pulumi.ResourceOption) (eksCluster, error) {
	protect := pulumi.Protect(cfg.Protect)
	clusterName := cfg.EKSClusterName()
	networkArgs := components.NetworkArgs{NetworkArgs: p.Network}
	network, err := components.NewNetwork(ctx, clusterName, &networkArgs, onAWS, protect)
	if err != nil {
		return eksCluster{}, err
	}

	clusterArgs := components.EKSClusterArgs{
		EKSClusterArgs:   p.Cluster,
		VpcID:            network.VpcID,
		PublicSubnetIDs:  network.PublicSubnetIDs,
		PrivateSubnetIDs: network.PrivateSubnetIDs,
	}
	cluster, err := components.NewEKSCluster(ctx, clusterName, &clusterArgs, onAWS, protect)
	if err != nil {
		return eksCluster{}, err
	}

	if p.AutoMode != nil {
		return eksCluster{network: network, cluster: cluster}, nil // EKS runs the nodes
	}
	nodeArgs := components.ManagedNodeGroupArgs{
		ManagedNodeGroupArgs: p.Nodes,
		Cluster:              cluster,
		SubnetIDs:            network.PrivateSubnetIDs, // eksctl's privateNetworking: true
		SubnetEgress:         network.PrivateEgress,
	}
	nodes, err := components.NewManagedNodeGroup(ctx, cfg.NodeGroupComponent(), &nodeArgs, onAWS)
	if err != nil {
		return eksCluster{}, err
	}
	return eksCluster{network: network, cluster: cluster, nodes: nodes}, nil
}

// ecrImages builds each workload built from source into an ECR repository
// of its own, and exports the repository's URL as <app>RepositoryUrl.
func ecrImages(ctx *pulumi.Context, cfg Config, p config.Plan, outputs pulumi.Map, onAWS pulumi.ResourceOption) (map[string]pulumi.StringOutput, error) {
	return workloadImages(cfg, outputs, func(w config.Workload) (pulumi.StringOutput, error) {
		args := components.ECRImageArgs{ECRImageArgs: p.Images[w.Name]}
		img, err := components.NewECRImage(ctx, w.Name, &args, onAWS)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		outputs[w.Source+"RepositoryUrl"] = img.RepositoryUrl
		return img.ImageRef, nil
	})
}

// deployAddons installs the cluster's add-ons, once its nodes exist, and
// returns what serves the Ingresses: the load balancer controller, or in
// Auto Mode the IngressClass.
func (e eksCluster) deployAddons(ctx *pulumi.Context, cfg Config, p config.Plan, provider pulumi.ProviderResource, onAWS pulumi.ResourceOption) (pulumi.Resource, error) {
	if p.AutoMode != nil {
		args := components.AutoModeAddonsArgs{AutoModeArgs: *p.AutoMode, KubernetesProvider: provider}
		addons, err := components.NewAutoModeAddons(ctx, cfg.EKSClusterName(), &args, pulumi.DependsOn([]pulumi.Resource{e.cluster}))
		if err != nil {
			return nil, err
		}
		return addons.IngressClass, nil
	}
	addonArgs := components.ClusterAddonsArgs{
		ClusterAddonsArgs:  p.Addons,
		Cluster:            e.cluster,
		VpcID:              e.network.VpcID,
		KubernetesProvider: provider,
		Nodes:              e.nodes.Nodes,
	}
	addons, err := components.NewClusterAddons(ctx, cfg.EKSClusterName(), &addonArgs, onAWS)
	if err != nil {
		return nil, err
	}
	return addons.LoadBalancerController, nil
}

// addOutputs adds the eks target's stack outputs: the apps' URLs, and what
// identifies the network, the cluster and the node group.
func (e eksCluster) addOutputs(outputs pulumi.Map, cfg Config, p config.Plan, apps map[string]*components.App) {
	for _, w := range cfg.Workloads() {
		outputs[w.Source+"ClusterUrl"] = pulumi.Sprintf("http://%s", apps[w.Name].ClusterDNS)
	}
	outputs["albUrl"] = albURL(p, apps)
	for key, value := range (pulumi.Map{
		"region":           pulumi.String(cfg.Region),
		"vpcId":            e.network.VpcID,
		"publicSubnetIds":  e.network.PublicSubnetIDs,
		"privateSubnetIds": e.network.PrivateSubnetIDs,
		"clusterName":      e.cluster.ClusterName,
		"clusterEndpoint":  e.cluster.Endpoint,
		"kubeconfig":       e.cluster.KubeconfigJson,
		// The workshop's `aws eks update-kubeconfig` step, ready to paste.
		"updateKubeconfigCommand":  pulumi.Sprintf("aws eks update-kubeconfig --region %s --name %s%s", cfg.Region, e.cluster.ClusterName, cfg.AWS.UpdateKubeconfigArgs()),
		"clusterAdminPrincipalArn": e.cluster.AdminPrincipalArn,
		"oidcProviderArn":          e.cluster.OidcProviderArn,
		"namespace":                pulumi.String(cfg.Namespace),
		config.ComputeModeOutput:   pulumi.String(string(cfg.ComputeMode)),
	}) {
		outputs[key] = value
	}
	if e.nodes != nil {
		outputs["nodeGroupName"] = e.nodes.NodeGroupName
	}
}

// awsProviderArgs is the explicit provider: the region comes from Config,
// so Automation API callers need no aws:region stack setting, every
// resource carries the same default tags, and the stack's aws: settings
// (an explicit provider reads none by itself) are handed to it.
func awsProviderArgs(cfg Config) *aws.ProviderArgs {
	defaultTags := pulumi.ToStringMap(cfg.DefaultTags())
	for k, v := range cfg.Tags {
		defaultTags[k] = pulumi.String(v)
	}
	args := &aws.ProviderArgs{
		Region:      pulumi.String(cfg.Region),
		DefaultTags: aws.ProviderDefaultTagsArgs{Tags: defaultTags},
	}
	s := cfg.AWS
	if s.Profile != "" {
		args.Profile = pulumi.String(s.Profile)
	}
	if len(s.AllowedAccountIds) > 0 {
		args.AllowedAccountIds = pulumi.ToStringArray(s.AllowedAccountIds)
	}
	if len(s.ForbiddenAccountIds) > 0 {
		args.ForbiddenAccountIds = pulumi.ToStringArray(s.ForbiddenAccountIds)
	}
	if r := s.AssumeRole; r != nil {
		args.AssumeRole = aws.ProviderAssumeRoleArgs{
			RoleArn:     pulumi.String(r.RoleArn),
			SessionName: pulumi.StringPtrFromPtr(nonEmpty(r.SessionName)),
			Duration:    pulumi.StringPtrFromPtr(nonEmpty(r.Duration)),
		}
	}
	if s.MaxRetries != nil {
		args.MaxRetries = pulumi.IntPtr(*s.MaxRetries)
	}
	if s.RetryMode != "" {
		args.RetryMode = pulumi.String(s.RetryMode)
	}
	return args
}

// nonEmpty is nil for "", so an unset field stays out of the inputs.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// workloadImages returns each Workload's image reference: its prebuilt one
// as given, or the one build registers. It also exports them as <app>Image.
func workloadImages(cfg Config, outputs pulumi.Map, build func(config.Workload) (pulumi.StringOutput, error)) (map[string]pulumi.StringOutput, error) {
	images := map[string]pulumi.StringOutput{}
	for _, w := range cfg.Workloads() {
		ref := pulumi.String(w.Image).ToStringOutput()
		if !w.Prebuilt() {
			var err error
			if ref, err = build(w); err != nil {
				return nil, err
			}
		}
		images[w.Name] = ref
		outputs[w.Source+"Image"] = ref
	}
	return images, nil
}

// deployLocal deploys the same workloads to any cluster a kubeconfig reaches
// (EKS Anywhere, kind, minikube) with no AWS at all, reached by port-forward.
func deployLocal(ctx *pulumi.Context, cfg Config, p config.Plan) (pulumi.Map, error) {
	var kubeconfig pulumi.StringInput
	if cfg.Kubeconfig != "" {
		kubeconfig = pulumi.String(cfg.Kubeconfig) // a path or the file's contents
	}
	provider, err := kubernetesProvider(ctx, cfg, kubeconfig)
	if err != nil {
		return nil, err
	}
	outputs := pulumi.Map{"namespace": pulumi.String(cfg.Namespace)}
	images, err := workloadImages(cfg, outputs, func(w config.Workload) (pulumi.StringOutput, error) {
		img, err := components.NewRegistryImage(ctx, w.Name, &components.RegistryImageArgs{
			Repository: pulumi.Sprintf("%s/%s", cfg.ImageRegistry, w.Name),
			Build:      w.ImageBuild(cfg),
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
	if p.MetricsServer != nil {
		args := components.MetricsServerArgs{MetricsServerArgs: *p.MetricsServer, KubernetesProvider: provider}
		if _, err := components.NewMetricsServer(ctx, "local", &args); err != nil {
			return nil, err
		}
	}
	namespace, err := deployNamespace(ctx, cfg, provider)
	if err != nil {
		return nil, err
	}
	inNamespace, err := deployGuard(ctx, cfg, p, provider, namespace)
	if err != nil {
		return nil, err
	}
	apps, err := deployApps(ctx, cfg, p, provider, images, inNamespace...)
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Workloads() {
		outputs[w.Source+"ClusterUrl"] = pulumi.Sprintf("http://%s", apps[w.Name].ClusterDNS)
		outputs[w.Source+"PortForward"] = pulumi.String(w.PortForward(cfg))
		outputs[w.Source+"LocalUrl"] = pulumi.String(w.LocalURL())
	}
	if cfg.RoomIngress != nil {
		outputs["albUrl"] = albURL(p, apps)
	}
	return outputs, nil
}

// albURL is the URL of the apps' ALB: both Ingresses share the one of
// their ingress group.
func albURL(p config.Plan, apps map[string]*components.App) pulumi.StringOutput {
	flask := p.Apps["demo-flask-backend"]
	return pulumi.Sprintf("%s://%s", flask.Ingress.URLScheme(), apps["demo-flask-backend"].IngressHostname)
}
