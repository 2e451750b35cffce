package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// Plan is the environment as component arguments, every one built from the
// Config and validated together before anything is registered. The stacks
// package adds only what registration produces: IDs, the cluster, the
// providers and the images.
type Plan struct {
	Network spec.NetworkArgs
	Cluster spec.EKSClusterArgs
	Nodes   spec.ManagedNodeGroupArgs
	Addons  spec.ClusterAddonsArgs
	// AutoMode is an Auto Mode cluster's add-ons, nil with a managed node
	// group (Nodes and Addons are then left empty).
	AutoMode *spec.AutoModeArgs
	// MetricsServer is the local target's, nil without one.
	MetricsServer *spec.MetricsServerArgs
	// Guard is the namespace's bounds on a room's cluster, nil outside a room.
	Guard *spec.NamespaceGuardArgs
	// Images (of the workloads built from source) and Apps are by Workload name.
	Images map[string]spec.ECRImageArgs
	Apps   map[string]spec.AppArgs
	// Warnings are what the plan allows but an operator should know: a
	// Kubernetes version in extended support, at its price, or a setting
	// that does not do what it may seem to. The stack logs each at preview
	// and update.
	Warnings []string
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
	msg := (&spec.FieldError{Field: key, Value: value, Allowed: allowed}).Error()
	if slices.Contains(p.list, msg) {
		return
	}
	p.keys[key] = true
	p.list = append(p.list, msg)
}

// fields reports a component's FieldErrors under the config keys that set
// them: configKey maps an Args field to its key (nil: the same name; "":
// not reported, another key already says it). With
// once, a key that already has a problem gets no second one from here.
func (p *problems) fields(err error, configKey func(field string) string, once bool) {
	for _, fe := range spec.FieldErrors(err) {
		key := fe.Field
		if configKey != nil {
			if key = configKey(fe.Field); key == "" {
				continue // reported under another key
			}
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

// Plan builds every component's arguments and checks them: the
// components' own rules, and the rules that only the whole configuration
// can check (values set to what a component would read as "default",
// names two settings share, limits of names derived from others).
func (c Config) Plan() (Plan, error) {
	var p problems
	out := Plan{Images: map[string]spec.ECRImageArgs{}, Apps: map[string]spec.AppArgs{}}

	c.checkComputeMode(&p)
	switch c.Target {
	case TargetEKS:
		c.planEKS(&p, &out)
	case TargetLocal:
		c.planLocal(&p, &out)
	default:
		p.add("target", c.Target, "want eks or local")
	}

	c.checkNamespace(&p)
	c.checkShellWords(&p)
	if c.Guard != nil {
		guard := *c.Guard
		out.Guard = &guard
		p.fields(guard.Validate(), func(field string) string { return "guard." + field }, false)
	}
	for _, w := range c.Workloads() {
		c.planImage(w, &p, &out)
		c.planApp(w, &p, &out)
	}
	if c.FlaskRepositoryName == c.NginxRepositoryName && len(out.Images) == 2 { // both built into ECR
		p.add("nginxRepositoryName", c.NginxRepositoryName, "names the same ECR repository as flaskRepositoryName; each app needs its own")
	}
	return out, p.err()
}

// planEKS builds and checks the eks target's network, cluster, node group
// and add-ons.
func (c Config) planEKS(p *problems, out *Plan) {
	if !c.MetricsServer {
		p.add("metricsServer", false, "the eks target always installs metrics-server with its add-ons (the HPAs need it); only the local target can leave it out")
	}
	c.checkSetToZero(p)
	c.checkUpgradePins(p)
	c.checkEndpoint(p)
	c.checkAWS(p)
	c.checkAccountNames(p)
	c.checkTags(p)
	c.checkZones(p)
	out.Network = c.networkArgs()
	p.fields(out.Network.Validate(), nil, false)

	c.planCluster(p, out)
	out.Warnings = append(out.Warnings, c.checkKubernetesSupport(p)...)
	if c.AutoMode() {
		c.planAutoMode(p, out)
	} else {
		c.planNodeGroup(p, out)
	}
	c.checkDerivedNames(p, out)
	out.Warnings = append(out.Warnings, c.checkSecurity(p)...)
}

// planNodeGroup builds and checks the managed node group and the add-ons
// this program installs for it.
func (c Config) planNodeGroup(p *problems, out *Plan) {
	out.Nodes = c.nodeGroupArgs()
	p.fields(out.Nodes.Validate(), nil, false)
	out.Warnings = append(out.Warnings, c.autoscalerWarnings()...)
	c.planAddons(p, out)
	c.checkAutoscalerVersion(p)
}

// checkZones: every zone configured must be in the region.
func (c Config) checkZones(p *problems) {
	for _, z := range c.AvailabilityZones {
		if c.Region != "" && !strings.HasPrefix(z, c.Region) {
			p.add("availabilityZones", z, "zone is not in region "+c.Region)
		}
	}
}

// planCluster builds the cluster's arguments and checks them; the team's
// access entry is reported under teamPrincipalArn.
func (c Config) planCluster(p *problems, out *Plan) {
	out.Cluster = c.clusterArgs()
	// The team's entry follows those listed, then the deploy role's.
	teamEntry := fmt.Sprintf("accessEntries[%d].", len(c.AccessEntries))
	p.fields(out.Cluster.Validate(), func(field string) string {
		if c.TeamPrincipalArn != "" && strings.HasPrefix(field, teamEntry) {
			return "teamPrincipalArn"
		}
		if strings.HasPrefix(field, c.deployEntryField()) { // no such entry without a deploy role
			return "deployRoleArn"
		}
		return field
	}, false)
}

// planAddons builds the add-ons' arguments and checks them, under the
// config keys that set them.
func (c Config) planAddons(p *problems, out *Plan) {
	out.Addons = c.addonArgs()
	p.fields(out.Addons.Validate(), func(field string) string {
		switch {
		case field == "region":
			return "aws:region"
		case field == "addonVersions.clusterAutoscalerImage" && c.AddonVersions.ClusterAutoscalerImage == "" && p.keys[qualified("kubernetesVersion")]:
			return "" // no image to derive from a version already reported
		}
		return field
	}, false)
}

// checkDerivedNames checks the names AWS derives from the cluster and node
// group names, unless those names already have a problem.
func (c Config) checkDerivedNames(p *problems, out *Plan) {
	if !p.keys[qualified("clusterName")] {
		cluster := c.EKSClusterName()
		names := out.Cluster.PhysicalNames(cluster)
		if !c.AutoMode() {
			names = append(names, out.Addons.PhysicalNames(cluster)...)
		}
		p.fields(spec.PhysicalNameError("clusterName", cluster, names), nil, true)
	}
	if !p.keys[qualified("clusterName")] && !p.keys[qualified("nodeGroupName")] && !c.AutoMode() {
		p.fields(spec.PhysicalNameError("nodeGroupName", c.NodeGroupName, out.Nodes.PhysicalNames(c.NodeGroupComponent())), nil, true)
	}
}

// planLocal builds the local target's metrics-server, if it is on, and
// checks the registry the images are pushed to.
func (c Config) planLocal(p *problems, out *Plan) {
	if c.MetricsServer {
		args := c.metricsServerArgs()
		out.MetricsServer = &args
		p.fields(args.Validate(), func(string) string { return "addonVersions.metricsServer" }, false)
	}
	if c.buildsImages() && !registryPattern.MatchString(c.ImageRegistry) {
		p.add("imageRegistry", c.ImageRegistry, "want a registry host[:port][/path], e.g. "+DefaultImageRegistry)
	}
}

// checkNamespace: the namespace must be a valid name, and the environment's own.
func (c Config) checkNamespace(p *problems) {
	if !spec.ValidKubernetesName(c.Namespace) {
		p.add("namespace", c.Namespace, "want a Kubernetes namespace name (lowercase RFC 1123 label)")
	} else if slices.Contains(reservedNamespaces, c.Namespace) {
		p.add("namespace", c.Namespace, fmt.Sprintf("want a namespace of the environment's own, not one of %s (Kubernetes' and the add-ons')", strings.Join(reservedNamespaces, ", ")))
	}
}

// planImage checks the workload's image: a prebuilt reference as given, or
// its build (into ECR for the eks target, whose arguments the plan keeps),
// reported under the config keys that set it.
func (c Config) planImage(w Workload, p *problems, out *Plan) {
	var err error
	if w.Prebuilt() {
		if err := checkImageReference(w.Image); err != nil {
			p.add(w.imageKey, w.Image, fmt.Sprintf("want a full image reference with a tag or digest, e.g. registry.example.com/%s@sha256:<64 hex digits> (%v)", w.Name, err))
		}
	} else if c.Target == TargetEKS {
		args := w.ecrImageArgs(c)
		out.Images[w.Name] = args
		err = args.Validate()
	} else {
		err = w.ImageBuild(c).Validate()
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
}

// planApp builds the workload's App arguments and checks the App's rules
// reachable from configuration; a key already reported (the namespace, the
// VPC CIDR) is not reported twice.
func (c Config) planApp(w Workload, p *problems, out *Plan) {
	app := w.appArgs(c)
	out.Apps[w.Name] = app
	p.fields(app.Validate(), func(field string) string {
		switch field {
		case "ingress.groupName", "ingress.groupOrder":
			return "ingressGroupName"
		case "networkPolicy.ingressFromCidrs":
			return "vpcCidr"
		case "ingress.certificateArn":
			return "certificateArn"
		}
		return field
	}, true)
}

// reservedNamespaces belong to Kubernetes and the add-ons: the team's edit
// access and the deny-all policy must never land there.
var reservedNamespaces = append([]string{"default", "kube-system", "kube-public", "kube-node-lease"}, spec.AddonNamespaces()...)

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
		{"vpcCidr", c.VpcCidr == "", c.VpcCidr, "want an IPv4 CIDR such as " + spec.DefaultVpcCidr},
		{"availabilityZoneCount", c.AvailabilityZoneCount == 0 && len(c.AvailabilityZones) == 0, c.AvailabilityZoneCount,
			fmt.Sprintf("want %d to %d (EKS needs subnets in at least two zones)", spec.MinAvailabilityZones, spec.MaxAvailabilityZones)},
		{"natGateway", c.NatGateway == "", string(c.NatGateway), "want one of HighlyAvailable, Single, Disable"},
		{"logRetentionDays", c.LogRetentionDays == 0, c.LogRetentionDays, fmt.Sprintf("CloudWatch Logs accepts %v", spec.ValidLogRetentionDays)},
		{"publicAccessCidrs", c.EndpointPublicAccess && len(c.PublicAccessCidrs) == 0, c.PublicAccessCidrs,
			"want the egress CIDRs of wherever `pulumi up` runs (its Kubernetes provider reaches the cluster's public endpoint from there); " +
				spec.FindEgressHint + " (" + spec.DefaultPublicAccessCidr + " admits anyone)"},
		{"instanceTypes", len(c.InstanceTypes) == 0, c.InstanceTypes, "want at least one EC2 instance type, e.g. " + spec.DefaultInstanceType},
		{"ingressGroupName", c.IngressGroupName == "", c.IngressGroupName, "want an ALB ingress group name: both apps share one ALB through it"},
		{"diskSize", c.DiskSize == 0, c.DiskSize, fmt.Sprintf("want %d to %d GiB (Amazon Linux 2023 needs %d)", spec.MinDiskSize, spec.MaxDiskSize, spec.MinDiskSize)},
	} {
		if z.zero {
			p.add(z.key, z.value, z.allowed)
		}
	}
}

// checkEndpoint rejects the endpoint settings the eks target cannot work
// with. Its Kubernetes provider connects from wherever `pulumi up` runs,
// outside the VPC this same stack creates, so the public endpoint must be
// on. Nodes in the private subnets reach a public-only endpoint from the
// NAT gateways' addresses, so a narrowed public list needs private access
// too (cheaper and smaller than adding those addresses to the list).
func (c Config) checkEndpoint(p *problems) {
	if !c.EndpointPublicAccess {
		p.add("endpointPublicAccess", false, "the stack's own Kubernetes provider reaches the cluster from where `pulumi up` runs, "+
			"outside the VPC the stack creates: keep the public endpoint on and narrow it with publicAccessCidrs")
		return
	}
	if !c.EndpointPrivateAccess && len(c.PublicAccessCidrs) > 0 && !slices.Contains(c.PublicAccessCidrs, spec.DefaultPublicAccessCidr) {
		p.add("endpointPrivateAccess", false, fmt.Sprintf("with publicAccessCidrs %q (narrower than %s), the nodes in the private subnets "+
			"would reach the public endpoint from the NAT gateways' addresses, which are not listed, and never join: set endpointPrivateAccess true "+
			"(nodes then use the endpoint inside the VPC)", c.PublicAccessCidrs, spec.DefaultPublicAccessCidr))
	}
}

// today is the day the Kubernetes version checks are made for.
func (c Config) today() time.Time {
	if c.Today.IsZero() {
		return time.Now().UTC()
	}
	return c.Today
}

// checkKubernetesSupport rejects a version past EKS extended support and
// returns the warning for one in extended support or near the end of
// standard support, as the support type makes it (spec.SupportWarning).
func (c Config) checkKubernetesSupport(p *problems) []string {
	release, known := spec.KubernetesReleaseOf(c.KubernetesVersion)
	if !known {
		return nil // the cluster's own rules report it
	}
	if release.Phase(c.today()) == spec.PastSupport {
		p.add("kubernetesVersion", c.KubernetesVersion, fmt.Sprintf("EKS extended support for %s ended on %s (%s); want one of %s",
			release.Version, release.EndOfExtendedSupport, spec.KubernetesCalendarURL, strings.Join(c.supportedVersions(), ", ")))
		return nil
	}
	if w := release.SupportWarning(c.SupportType, c.today()); w != "" {
		return []string{w}
	}
	return nil
}

// supportedVersions are the calendar's versions EKS still runs today.
func (c Config) supportedVersions() []string {
	var out []string
	for _, r := range spec.KubernetesCalendar {
		switch r.Phase(c.today()) {
		case spec.StandardSupport:
			out = append(out, r.Version)
		case spec.ExtendedSupport:
			out = append(out, r.Version+" (extended support until "+r.EndOfExtendedSupport+")")
		}
	}
	return out
}

// clusterAutoscalerImage is the autoscaler image tag: as configured, or
// the calendar's for kubernetesVersion when left empty.
func (c Config) clusterAutoscalerImage() string {
	if c.AddonVersions.ClusterAutoscalerImage != "" {
		return c.AddonVersions.ClusterAutoscalerImage
	}
	release, _ := spec.KubernetesReleaseOf(c.KubernetesVersion)
	return release.ClusterAutoscalerImage
}

// checkAutoscalerVersion: the Cluster Autoscaler's minor version must be the cluster's.
func (c Config) checkAutoscalerVersion(p *problems) {
	image := c.clusterAutoscalerImage()
	if !c.ClusterAutoscaler || image == "" || p.keys[qualified("kubernetesVersion")] {
		return
	}
	if !strings.HasPrefix(strings.TrimPrefix(image, "v")+".", c.KubernetesVersion+".") {
		p.add("addonVersions.clusterAutoscalerImage", image, fmt.Sprintf("want v%s.x: the Cluster Autoscaler's minor version must equal kubernetesVersion's", c.KubernetesVersion))
	}
}

// autoscalerWarnings: with the Cluster Autoscaler on, the node group's
// desired size is the autoscaler's (ManagedNodeGroup ignores its changes,
// or every `pulumi up` would undo the autoscaler's work), so desiredSize
// only sizes the group when it is created. The plan has no state to tell
// a change from the first value, so it says so whenever the autoscaler is on.
func (c Config) autoscalerWarnings() []string {
	if !c.ClusterAutoscaler {
		return nil
	}
	return []string{fmt.Sprintf("%s = %d: with clusterAutoscaler on, the Cluster Autoscaler owns the node count, so desiredSize only sizes "+
		"the node group when it is created and a later change of it is ignored; change minSize or maxSize (applied on every update) instead",
		qualified("desiredSize"), c.DesiredSize)}
}

// DefaultTags go on every AWS resource, besides the stack's tags.
func (c Config) DefaultTags() map[string]string {
	return map[string]string{"project": ProjectName, "stack": c.Stack, "managed-by": "pulumi"}
}

// checkTags applies AWS's tagging rules; the tags share a resource's 50
// with the default tags they do not replace and the tags components add.
func (c Config) checkTags(p *problems) {
	budget := spec.MaxTags - spec.ComponentTags
	for k := range c.DefaultTags() {
		if _, replaced := c.Tags[k]; !replaced {
			budget--
		}
	}
	p.fields(spec.ValidateTags(c.Tags, budget), nil, false)
}

// buildsImages reports whether any workload is built from source.
func (c Config) buildsImages() bool {
	for _, w := range c.Workloads() {
		if !w.Prebuilt() {
			return true
		}
	}
	return false
}

// metricsServerArgs is metrics-server for the local target's clusters,
// whose kubelets (kind, minikube, EKS Anywhere) sign their own serving
// certificates. KubernetesProvider comes at registration.
func (c Config) metricsServerArgs() spec.MetricsServerArgs {
	return spec.MetricsServerArgs{Version: c.AddonVersions.MetricsServer, KubeletInsecureTLS: true}
}

func (c Config) networkArgs() spec.NetworkArgs {
	return spec.NetworkArgs{
		VpcCidr:               c.VpcCidr,
		AvailabilityZones:     c.AvailabilityZones,
		AvailabilityZoneCount: c.AvailabilityZoneCount,
		NatGateway:            c.NatGateway,
		ClusterName:           c.EKSClusterName(),
	}
}

func (c Config) clusterArgs() spec.EKSClusterArgs {
	entries := c.AccessEntries
	if c.TeamPrincipalArn != "" {
		// The seed's RBAC: the team reaches only its namespace.
		entries = append(append([]spec.AccessEntry(nil), entries...), TeamAccessEntry(c.TeamPrincipalArn, c.Namespace))
	}
	if c.DeployRoleArn != "" {
		entries = append(append([]spec.AccessEntry(nil), entries...), DeployAccessEntry(c.DeployRoleArn))
	}
	return spec.EKSClusterArgs{
		ClusterName:                  c.EKSClusterName(),
		KubernetesVersion:            c.KubernetesVersion,
		EnabledClusterLogTypes:       c.EnabledClusterLogTypes,
		LogRetentionDays:             c.LogRetentionDays,
		EndpointPublicAccess:         ptr(c.EndpointPublicAccess),
		EndpointPrivateAccess:        c.EndpointPrivateAccess,
		PublicAccessCidrs:            c.PublicAccessCidrs,
		SecretsEncryption:            c.SecretsEncryption,
		SecretsKeyDeletionWindowDays: c.SecretsKeyDeletionWindowDays,
		ContainerInsightsLogGroups:   !c.AutoMode(), // ClusterAddons always installs amazon-cloudwatch-observability
		AccessEntries:                entries,
		EnableNetworkPolicy:          c.NetworkPolicyEnforcement && !c.AutoMode(), // Auto Mode's: autoModeArgs
		AutoMode:                     c.AutoMode(),
		KubeconfigIdentity:           c.AWS.kubeconfigIdentity(),
		SupportType:                  c.SupportType,
		VpcCniVersion:                c.AddonVersions.VpcCni,
		KubeProxyVersion:             c.kubeProxyVersion(),
	}
}

func (c Config) nodeGroupArgs() spec.ManagedNodeGroupArgs {
	return spec.ManagedNodeGroupArgs{
		NodeGroupName:     c.NodeGroupName,
		InstanceTypes:     c.InstanceTypes,
		DesiredSize:       ptr(c.DesiredSize),
		MinSize:           ptr(c.MinSize),
		MaxSize:           ptr(c.MaxSize),
		DiskSize:          c.DiskSize,
		Labels:            c.NodeLabels,
		Taints:            c.NodeTaints,
		RequireImdsv2:     c.RequireImdsv2,
		AddonPolicies:     c.NodeRoleAddonPolicies,
		ClusterAutoscaler: c.ClusterAutoscaler,
	}
}

func (c Config) addonArgs() spec.ClusterAddonsArgs {
	versions := c.AddonVersions
	versions.ClusterAutoscalerImage = c.clusterAutoscalerImage()
	return spec.ClusterAddonsArgs{
		Region:            c.Region,
		Versions:          versions,
		ClusterAutoscaler: c.ClusterAutoscaler,
		PodIdentity:       c.PodIdentity,
	}
}

// TeamGroup is the Kubernetes group that may edit namespace and nothing else:
// the namespace's RoleBinding binds the edit ClusterRole to it.
func TeamGroup(namespace string) string { return namespace + "-developers" }

// TeamAccessEntry is the seed's RBAC for a team: principal may edit namespace
// and nothing else (the EKS Edit policy scoped to it) and is in its TeamGroup.
func TeamAccessEntry(principal, namespace string) spec.AccessEntry {
	return spec.AccessEntry{
		PrincipalArn:     principal,
		Policy:           spec.AccessPolicyEdit,
		Namespaces:       []string{namespace},
		KubernetesGroups: []string{TeamGroup(namespace)},
	}
}

// ptr returns a pointer to v, for the arguments' optional fields.
func ptr[T any](v T) *T { return &v }
