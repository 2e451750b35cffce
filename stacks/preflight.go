package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/servicequotas"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// preflight asks the account, through read-only lookups with the stack's
// AWS provider, what it would refuse in the middle of an update: the
// Elastic IP and on-demand vCPU quotas, the pinned EKS add-on builds, the
// account itself (docs/preflight.md). It logs what it cannot confirm and
// returns every problem at once, before anything else is registered.
func preflight(ctx *pulumi.Context, cfg Config, p config.Plan, onAWS pulumi.ResourceOrInvokeOption) error {
	var problems, warnings []string
	add := func(problem string) {
		if problem != "" {
			problems = append(problems, problem)
		}
	}
	for _, check := range []func() (string, error){
		func() (string, error) { return accountProblem(ctx, cfg, onAWS) },
		func() (string, error) { return elasticIPProblem(ctx, cfg, p, onAWS) },
		func() (string, error) { return vcpuProblem(ctx, p, onAWS) },
	} {
		problem, err := check()
		if err != nil {
			return err
		}
		add(problem)
	}
	for _, pin := range p.EKSAddonPins() {
		c, err := addonBuildCheck(ctx, pin, p.Cluster.KubernetesVersion, onAWS)
		if err != nil {
			return err
		}
		add(c.Problem())
		if w := c.Warning(); w != "" {
			warnings = append(warnings, w)
		}
	}
	for _, w := range warnings {
		if err := ctx.Log.Warn("preflight: "+w, nil); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return &spec.PreflightError{Problems: problems}
	}
	return nil
}

// lookupError says which lookup failed and the permission it needs.
func lookupError(what, permission string, err error) error {
	return fmt.Errorf("preflight: looking up %s (needs %s): %w", what, permission, err)
}

func accountProblem(ctx *pulumi.Context, cfg Config, onAWS pulumi.ResourceOrInvokeOption) (string, error) {
	caller, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, onAWS)
	if err != nil {
		return "", lookupError("the caller's account", "sts:GetCallerIdentity", err)
	}
	return spec.AccountProblem(caller.AccountId, cfg.AWS.AllowedAccountIds, cfg.AWS.ForbiddenAccountIds), nil
}

func quotaValue(ctx *pulumi.Context, q spec.ServiceQuota, onAWS pulumi.ResourceOrInvokeOption) (int, error) {
	quota, err := servicequotas.LookupServiceQuota(ctx, &servicequotas.LookupServiceQuotaArgs{
		ServiceCode: q.ServiceCode, QuotaCode: pulumi.StringRef(q.Code),
	}, onAWS)
	if err != nil {
		return 0, lookupError(fmt.Sprintf("quota %s (%s)", q.Code, q.Name), "servicequotas:GetServiceQuota", err)
	}
	return int(quota.Value), nil
}

// elasticIPProblem counts the region's addresses, and those of them the
// stack itself holds (tagged with its project and stack by the provider's
// default tags), against the quota.
func elasticIPProblem(ctx *pulumi.Context, cfg Config, p config.Plan, onAWS pulumi.ResourceOrInvokeOption) (string, error) {
	wanted := p.Network.ElasticIPs()
	if wanted == 0 {
		return "", nil
	}
	quota, err := quotaValue(ctx, spec.ElasticIPQuota, onAWS)
	if err != nil {
		return "", err
	}
	all, err := ec2.GetEips(ctx, &ec2.GetEipsArgs{}, onAWS)
	if err != nil {
		return "", lookupError("the region's Elastic IP addresses", "ec2:DescribeAddresses", err)
	}
	own, err := ec2.GetEips(ctx, &ec2.GetEipsArgs{Tags: ownTags(cfg)}, onAWS)
	if err != nil {
		return "", lookupError("the stack's Elastic IP addresses", "ec2:DescribeAddresses", err)
	}
	return spec.ElasticIPCheck{Quota: quota, InUse: len(all.AllocationIds), Own: len(own.AllocationIds),
		Wanted: wanted, NatGateway: p.Network.WithDefaults().NatGateway}.Problem(), nil
}

// ownTags identify the stack's own resources: the project and stack tags
// of awsProviderArgs' default tags.
func ownTags(cfg Config) map[string]string {
	tags := map[string]string{}
	for k, v := range cfg.DefaultTags() {
		if k == "project" || k == "stack" {
			tags[k] = v
			if override, ok := cfg.Tags[k]; ok {
				tags[k] = override
			}
		}
	}
	return tags
}

// vcpuProblem checks the node group's maximum size of its largest
// instance type that counts against the standard on-demand quota.
func vcpuProblem(ctx *pulumi.Context, p config.Plan, onAWS pulumi.ResourceOrInvokeOption) (string, error) {
	if p.AutoMode != nil {
		return "", nil // EKS picks the instances; there is no maximum to check
	}
	check := spec.VCPUCheck{MaxSize: *p.Nodes.MaxSize}
	for _, typ := range p.Nodes.InstanceTypes {
		if !spec.CountsAsStandardOnDemand(typ) {
			continue
		}
		it, err := ec2.GetInstanceType(ctx, &ec2.GetInstanceTypeArgs{InstanceType: typ}, onAWS)
		if err != nil {
			return "", lookupError("instance type "+typ, "ec2:DescribeInstanceTypes", err)
		}
		if it.DefaultVcpus > check.VCPUs {
			check.InstanceType, check.VCPUs = typ, it.DefaultVcpus
		}
	}
	if check.VCPUs == 0 {
		return "", nil
	}
	quota, err := quotaValue(ctx, spec.OnDemandStandardVCPUQuota, onAWS)
	if err != nil {
		return "", err
	}
	check.Quota = quota
	return check.Problem(), nil
}

// addonBuildCheck asks EKS for its default and newest builds of pin's
// add-on for the Kubernetes version.
func addonBuildCheck(ctx *pulumi.Context, pin config.AddonPin, version string, onAWS pulumi.ResourceOrInvokeOption) (spec.AddonBuildCheck, error) {
	lookup := func(newest bool) (string, error) {
		v, err := awseks.GetAddonVersion(ctx, &awseks.GetAddonVersionArgs{
			AddonName: pin.Addon, KubernetesVersion: version, MostRecent: pulumi.BoolRef(newest),
		}, onAWS)
		if err != nil {
			return "", lookupError(fmt.Sprintf("the %s builds for Kubernetes %s", pin.Addon, version), "eks:DescribeAddonVersions", err)
		}
		return v.Version, nil
	}
	c := spec.AddonBuildCheck{Key: pin.Key, Addon: pin.Addon, Pinned: pin.Version, KubernetesVersion: version}
	var err error
	if c.Default, err = lookup(false); err != nil {
		return c, err
	}
	c.Newest, err = lookup(true)
	return c, err
}
