package stacks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eks-workshop/eks-workshop/components"
)

// plan is the environment as component arguments, every one built from the
// Config and validated together before anything is registered. deployEKS
// and deployLocal add only what registration produces: IDs, the cluster,
// the providers and the images.
type plan struct {
	network components.NetworkArgs
	cluster components.EKSClusterArgs
	nodes   components.ManagedNodeGroupArgs
	addons  components.ClusterAddonsArgs
	// metricsServer is the local target's, nil without one.
	metricsServer *components.MetricsServerArgs
	// images (of the workloads built from source) and apps are by workload name.
	images map[string]components.ECRImageArgs
	apps   map[string]components.AppArgs
}

// problems collects configuration problems, at most one per key: a rule
// two components share (the namespace, say) is reported once.
type problems struct {
	list []string
	keys map[string]bool
}

// add records a problem under key ("clusterName" or "aws:region").
func (p *problems) add(key string, value any, allowed string) {
	key = qualified(key)
	if p.keys == nil {
		p.keys = map[string]bool{}
	}
	msg := (&components.FieldError{Field: key, Value: value, Allowed: allowed}).Error()
	if slices.Contains(p.list, msg) {
		return
	}
	p.keys[key] = true
	p.list = append(p.list, msg)
}

// fields reports a component's FieldErrors under the config keys that set
// them: configKey maps an Args field to its key (nil: the same name). With
// once, a key that already has a problem gets no second one from here.
func (p *problems) fields(err error, configKey func(field string) string, once bool) {
	for _, fe := range components.FieldErrors(err) {
		key := fe.Field
		if configKey != nil {
			key = configKey(fe.Field)
		}
		if once && p.keys[qualified(key)] {
			continue
		}
		p.add(key, fe.Value, fe.Allowed)
	}
}

func qualified(key string) string {
	if strings.Contains(key, ":") {
		return key
	}
	return ProjectName + ":" + key
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &ConfigError{Problems: p.list}
}

// plan builds every component's arguments and checks them: the
// components' own rules, and the rules that only the whole configuration
// can check (values set to what a component would read as "default",
// names two settings share, limits of names derived from others).
func (c Config) plan() (plan, error) {
	var p problems
	out := plan{images: map[string]components.ECRImageArgs{}, apps: map[string]components.AppArgs{}}

	switch c.Target {
	case TargetEKS:
		if !c.MetricsServer {
			p.add("metricsServer", false, "the eks target always installs metrics-server with its add-ons (the HPAs need it); only the local target can leave it out")
		}
		c.checkSetToZero(&p)
		c.checkAccountNames(&p)
		c.checkTags(&p)
		for _, z := range c.AvailabilityZones {
			if c.Region != "" && !strings.HasPrefix(z, c.Region) {
				p.add("availabilityZones", z, "zone is not in region "+c.Region)
			}
		}
		out.network = c.networkArgs()
		p.fields(out.network.Validate(), nil, false)

		out.cluster = c.clusterArgs()
		// The team's entry is the last one clusterArgs adds.
		teamEntry := fmt.Sprintf("accessEntries[%d].", len(c.AccessEntries))
		p.fields(out.cluster.Validate(), func(field string) string {
			if c.TeamPrincipalArn != "" && strings.HasPrefix(field, teamEntry) {
				return "teamPrincipalArn"
			}
			return field
		}, false)

		out.nodes = c.nodeGroupArgs()
		p.fields(out.nodes.Validate(), nil, false)

		out.addons = c.addonArgs()
		p.fields(out.addons.Validate(), func(field string) string {
			if field == "region" {
				return "aws:region"
			}
			return field
		}, false)
		c.checkAutoscalerVersion(&p)

		// Names AWS derives from the cluster and node group names.
		if !p.keys[qualified("clusterName")] {
			cluster := c.clusterName()
			names := append(out.cluster.PhysicalNames(cluster), out.addons.PhysicalNames(cluster)...)
			p.fields(components.PhysicalNameError("clusterName", cluster, names), nil, true)
		}
		if !p.keys[qualified("clusterName")] && !p.keys[qualified("nodeGroupName")] {
			p.fields(components.PhysicalNameError("nodeGroupName", c.NodeGroupName, out.nodes.PhysicalNames(c.nodeGroupComponent())), nil, true)
		}
	case TargetLocal:
		if c.MetricsServer {
			args := c.metricsServerArgs()
			out.metricsServer = &args
			p.fields(args.Validate(), func(string) string { return "addonVersions.metricsServer" }, false)
		}
		if c.buildsImages() && !registryPattern.MatchString(c.ImageRegistry) {
			p.add("imageRegistry", c.ImageRegistry, "want a registry host[:port][/path], e.g. "+DefaultImageRegistry)
		}
	default:
		p.add("target", c.Target, "want eks or local")
	}

	if !components.ValidKubernetesName(c.Namespace) {
		p.add("namespace", c.Namespace, "want a Kubernetes namespace name (lowercase RFC 1123 label)")
	} else if slices.Contains(reservedNamespaces, c.Namespace) {
		p.add("namespace", c.Namespace, fmt.Sprintf("want a namespace of the environment's own, not one of %s (Kubernetes' and the add-ons')", strings.Join(reservedNamespaces, ", ")))
	}
	for _, w := range c.workloads() {
		var err error
		if w.prebuilt() {
			if err := checkImageReference(w.image); err != nil {
				p.add(w.imageKey, w.image, fmt.Sprintf("want a full image reference with a tag or digest, e.g. registry.example.com/%s@sha256:<64 hex digits> (%v)", w.name, err))
			}
		} else if c.Target == TargetEKS {
			args := w.ecrImageArgs(c)
			out.images[w.name] = args
			err = args.Validate()
		} else {
			err = w.imageBuild(c).Validate()
		}
		p.fields(err, func(field string) string {
			switch field {
			case "repositoryName":
				return w.repositoryKey
			case "context", "dockerfile", "platform":
				return "appsDir" // the build context is <appsDir>/<app>
			}
			return field
		}, false)

		app := w.appArgs(c)
		out.apps[w.name] = app
		// The App's rules reachable from configuration; a key already
		// reported (the namespace, the VPC CIDR) is not reported twice.
		p.fields(app.Validate(), func(field string) string {
			switch field {
			case "ingress.groupName", "ingress.groupOrder":
				return "ingressGroupName"
			case "networkPolicy.ingressFromCidrs":
				return "vpcCidr"
			}
			return field
		}, true)
	}
	if c.FlaskRepositoryName == c.NginxRepositoryName && len(out.images) == 2 { // both built into ECR
		p.add("nginxRepositoryName", c.NginxRepositoryName, "names the same ECR repository as flaskRepositoryName; each app needs its own")
	}
	return out, p.err()
}

// reservedNamespaces belong to Kubernetes and the add-ons: the team's edit
// access and the deny-all policy must never land there.
var reservedNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease", "cert-manager", "amazon-cloudwatch"}

// checkSetToZero rejects the values a component would read as "use my
// default". Every key of a Config holds its default unless the stack set
// it, so a zero here is the stack's own value, validated as given.
func (c Config) checkSetToZero(p *problems) {
	for _, z := range []struct {
		key     string
		zero    bool
		value   any
		allowed string
	}{
		{"vpcCidr", c.VpcCidr == "", c.VpcCidr, "want an IPv4 CIDR such as " + components.DefaultVpcCidr},
		{"availabilityZoneCount", c.AvailabilityZoneCount == 0 && len(c.AvailabilityZones) == 0, c.AvailabilityZoneCount,
			fmt.Sprintf("want %d to %d (EKS needs subnets in at least two zones)", components.MinAvailabilityZones, components.MaxAvailabilityZones)},
		{"natGateway", c.NatGateway == "", string(c.NatGateway), "want one of HighlyAvailable, Single, Disable"},
		{"logRetentionDays", c.LogRetentionDays == 0, c.LogRetentionDays, fmt.Sprintf("CloudWatch Logs accepts %v", components.ValidLogRetentionDays)},
		{"publicAccessCidrs", c.EndpointPublicAccess && len(c.PublicAccessCidrs) == 0, c.PublicAccessCidrs,
			"want at least one CIDR while endpointPublicAccess is true (" + components.DefaultPublicAccessCidr + " for anyone)"},
		{"instanceTypes", len(c.InstanceTypes) == 0, c.InstanceTypes, "want at least one EC2 instance type, e.g. " + components.DefaultInstanceType},
		{"ingressGroupName", c.IngressGroupName == "", c.IngressGroupName, "want an ALB ingress group name: both apps share one ALB through it"},
		{"diskSize", c.DiskSize == 0, c.DiskSize, fmt.Sprintf("want %d to %d GiB (Amazon Linux 2023 needs %d)", components.MinDiskSize, components.MaxDiskSize, components.MinDiskSize)},
	} {
		if z.zero {
			p.add(z.key, z.value, z.allowed)
		}
	}
}

// checkAutoscalerVersion: the Cluster Autoscaler's minor version must be the cluster's.
func (c Config) checkAutoscalerVersion(p *problems) {
	image := c.AddonVersions.ClusterAutoscalerImage
	if !c.ClusterAutoscaler || image == "" || p.keys[qualified("kubernetesVersion")] {
		return
	}
	if !strings.HasPrefix(strings.TrimPrefix(image, "v")+".", c.KubernetesVersion+".") {
		p.add("addonVersions.clusterAutoscalerImage", image, fmt.Sprintf("want v%s.x: the Cluster Autoscaler's minor version must equal kubernetesVersion's", c.KubernetesVersion))
	}
}

// defaultTags go on every AWS resource, besides the stack's tags.
func (c Config) defaultTags() map[string]string {
	return map[string]string{"project": ProjectName, "stack": c.Stack, "managed-by": "pulumi"}
}

// checkTags applies AWS's tagging rules; the tags share a resource's 50
// with the default tags they do not replace and the tags components add.
func (c Config) checkTags(p *problems) {
	budget := components.MaxTags - components.ComponentTags
	for k := range c.defaultTags() {
		if _, replaced := c.Tags[k]; !replaced {
			budget--
		}
	}
	p.fields(components.ValidateTags(c.Tags, budget), nil, false)
}

// buildsImages reports whether any workload is built from source.
func (c Config) buildsImages() bool {
	for _, w := range c.workloads() {
		if !w.prebuilt() {
			return true
		}
	}
	return false
}

// metricsServerArgs is metrics-server for the local target's clusters,
// whose kubelets (kind, minikube, EKS Anywhere) sign their own serving
// certificates. KubernetesProvider comes at registration.
func (c Config) metricsServerArgs() components.MetricsServerArgs {
	return components.MetricsServerArgs{Version: c.AddonVersions.MetricsServer, KubeletInsecureTLS: true}
}
