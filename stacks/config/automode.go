package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// AutoMode reports whether the stack's cluster runs in EKS Auto Mode.
func (c Config) AutoMode() bool { return c.ComputeMode == spec.ComputeModeAuto }

// checkComputeMode: the mode is one of spec.ComputeModes, and only the eks
// target, which builds the cluster, can choose Auto Mode.
func (c Config) checkComputeMode(p *problems) {
	switch {
	case !slices.Contains(spec.ComputeModes, c.ComputeMode):
		p.add("computeMode", string(c.ComputeMode), fmt.Sprintf("want %s (the workshop's node group) or %s (EKS Auto Mode)", spec.ComputeModeManagedNodeGroup, spec.ComputeModeAuto))
	case c.Target == TargetLocal && c.AutoMode():
		p.add("computeMode", string(c.ComputeMode), "only the eks target builds its cluster; the local target deploys to a cluster as it is")
	}
}

// planAutoMode builds Auto Mode's add-ons and refuses every setting Auto
// Mode ignores or rejects. A Config holds each key's default unless the
// stack set it, so a key that differs from DefaultConfig's was set.
func (c Config) planAutoMode(p *problems, out *Plan) {
	args := c.autoModeArgs()
	out.AutoMode = &args
	p.fields(args.Validate(), nil, false)
	c.checkNodeGroupUnset(p)
	c.checkAutoModeSwitches(p)
}

func (c Config) autoModeArgs() spec.AutoModeArgs {
	return spec.AutoModeArgs{
		IngressGroupName:     c.IngressGroupName,
		NetworkPolicy:        c.NetworkPolicyEnforcement,
		MetricsServerVersion: c.AddonVersions.MetricsServer,
	}
}

// autoModeNoNodeGroup is why the node group's keys mean nothing in Auto Mode.
const autoModeNoNodeGroup = "computeMode auto has no managed node group: EKS Auto Mode picks, sizes and replaces the nodes itself; remove the key"

// checkNodeGroupUnset refuses every managed node group key the stack set:
// Auto Mode would ignore it. An instance type that the built-in pools
// never launch says why.
func (c Config) checkNodeGroupUnset(p *problems) {
	d := DefaultConfig()
	for _, k := range []struct {
		key          string
		value, deflt any
	}{
		{"nodeGroupName", c.NodeGroupName, d.NodeGroupName},
		{"desiredSize", c.DesiredSize, d.DesiredSize},
		{"minSize", c.MinSize, d.MinSize},
		{"maxSize", c.MaxSize, d.MaxSize},
		{"diskSize", c.DiskSize, d.DiskSize},
		{"nodeLabels", c.NodeLabels, d.NodeLabels},
		{"nodeTaints", c.NodeTaints, d.NodeTaints},
	} {
		if !reflect.DeepEqual(k.value, k.deflt) {
			p.add(k.key, k.value, autoModeNoNodeGroup)
		}
	}
	if slices.Equal(c.InstanceTypes, d.InstanceTypes) {
		return
	}
	for _, t := range c.InstanceTypes {
		if problem := spec.AutoModePoolProblem(t); problem != "" {
			p.add("instanceTypes", t, fmt.Sprintf("%s: %s; EKS Auto Mode picks the instance types itself, remove the key", problem, spec.AutoModeSource))
			return
		}
	}
	p.add("instanceTypes", c.InstanceTypes, autoModeNoNodeGroup)
}

// checkAutoModeSwitches refuses the add-on switches and pins of what Auto
// Mode runs itself, node-role add-on policies (pulumi-eks gives its node
// role AmazonEKSWorkerNodeMinimalPolicy and
// AmazonEC2ContainerRegistryPullOnly only) and IMDSv1.
func (c Config) checkAutoModeSwitches(p *problems) {
	if c.ClusterAutoscaler {
		p.add("clusterAutoscaler", true, "EKS Auto Mode scales the nodes itself (Karpenter-based); set clusterAutoscaler false")
	}
	if c.PodIdentity {
		p.add("podIdentity", true, "EKS Auto Mode runs the Pod Identity agent and its own load balancer and EBS controllers, so there is no controller to give a role; set podIdentity false")
	}
	if on := c.NodeRoleAddonPolicies.Enabled(); len(on) > 0 {
		p.add("nodeRoleAddonPolicies", strings.Join(on, ", "), "EKS Auto Mode's controllers run outside the nodes and its node role keeps AmazonEKSWorkerNodeMinimalPolicy and AmazonEC2ContainerRegistryPullOnly only; set each false")
	}
	if !c.RequireImdsv2 {
		p.add("requireImdsv2", false, fmt.Sprintf("EKS Auto Mode's nodes serve IMDSv2 only, with hop limit %d (pods cannot reach the node role); remove the key", spec.AutoModeIMDSHopLimit))
	}
	d := DefaultConfig().AddonVersions
	for _, v := range []struct{ key, value, deflt string }{
		{"awsLoadBalancerController", c.AddonVersions.LoadBalancerController, d.LoadBalancerController},
		{"clusterAutoscaler", c.AddonVersions.ClusterAutoscaler, d.ClusterAutoscaler},
		{"clusterAutoscalerImage", c.AddonVersions.ClusterAutoscalerImage, d.ClusterAutoscalerImage},
		{"cloudwatchObservability", c.AddonVersions.CloudWatchObservability, d.CloudWatchObservability},
		{"ebsCsiDriver", c.AddonVersions.EbsCsiDriver, d.EbsCsiDriver},
		{"podIdentityAgent", c.AddonVersions.PodIdentityAgent, d.PodIdentityAgent},
	} {
		if v.value != v.deflt {
			p.add("addonVersions."+v.key, v.value, "computeMode auto installs no such add-on (EKS Auto Mode runs load balancing, block storage and Pod Identity itself; Container Insights is not documented for it); remove the pin")
		}
	}
}

// ComputeModeOutput is the stack output that records the cluster's
// compute mode, for the next update to compare with.
const ComputeModeOutput = "computeMode"

// PreviousComputeMode is the compute mode a stack's last update left, from
// its outputs: ComputeModeOutput, or for a stack from before it existed,
// the managed node group its nodeGroupName output names. "" for a stack
// with no cluster yet.
func PreviousComputeMode(outputs map[string]any) spec.ComputeMode {
	if mode, ok := outputs[ComputeModeOutput].(string); ok && mode != "" {
		return spec.ComputeMode(mode)
	}
	if _, ok := outputs["nodeGroupName"]; ok {
		return spec.ComputeModeManagedNodeGroup
	}
	return ""
}

// CheckComputeModeSwitch refuses to change the compute mode of a stack
// whose cluster exists: EKS cannot turn Auto Mode off (pulumi-eks issue
// 1585, pulumi-aws issue 5105), and turning it on for an existing cluster
// has replaced it (pulumi-aws issue 4885).
func CheckComputeModeSwitch(previous, current spec.ComputeMode) error {
	if previous == "" || previous == current {
		return nil
	}
	return &ConfigError{Problems: []string{(&spec.FieldError{
		Field: qualified("computeMode"), Value: string(current),
		Allowed: fmt.Sprintf("this stack's cluster was created with computeMode %s, and the compute mode is chosen when a cluster is created "+
			"(EKS cannot turn Auto Mode off, and turning it on has replaced the cluster): create a new stack for %s, and destroy this one when it is no longer needed",
			previous, current),
	}).Error()}}
}
