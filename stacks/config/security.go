package config

import (
	"fmt"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// checkSecurity applies the rules of docs/security.md that need more than
// one component's arguments, and returns what the plan should warn about.
func (c Config) checkSecurity(p *problems) []string {
	c.checkHTTPS(p)
	if c.SecretsKeyDeletionWindowDays == 0 {
		p.add("secretsKeyDeletionWindowDays", 0, fmt.Sprintf("want %d to %d days, as KMS allows", spec.MinKMSDeletionWindowDays, spec.MaxKMSDeletionWindowDays))
	}
	return c.imageBuilderWarnings()
}

// checkHTTPS: a stack that requires HTTPS names its certificate, and a
// certificate is one the ALB can serve, in the stack's region.
func (c Config) checkHTTPS(p *problems) {
	region := spec.CertificateRegion(c.CertificateArn)
	switch {
	case c.RequireHTTPS && c.CertificateArn == "":
		p.add("certificateArn", "", fmt.Sprintf("requireHttps is on: want the ARN of an issued ACM certificate in %s for the apps' host name "+
			"(`aws acm list-certificates --region %s`); the ALB then serves HTTPS and redirects HTTP to it", c.Region, c.Region))
	case region != "" && c.Region != "" && region != c.Region:
		p.add("certificateArn", c.CertificateArn, fmt.Sprintf("the certificate is in %s; an ALB serves only ACM certificates of its own region, %s", region, c.Region))
	}
}

// imageBuilderWarnings: eksctl's imageBuilder lets every pod push to ECR;
// here it grants nothing beyond the nodes' pull-only access.
func (c Config) imageBuilderWarnings() []string {
	if !c.NodeRoleAddonPolicies.ImageBuilder {
		return nil
	}
	return []string{qualified("nodeRoleAddonPolicies.imageBuilder") + " = true: unlike eksctl's (AmazonEC2ContainerRegistryPowerUser), " +
		"it gives the node role no ECR push rights, which every pod on a node could use; the nodes keep " +
		"AmazonEC2ContainerRegistryReadOnly, and `pulumi up` pushes the images (docs/security.md)"}
}

// DeployAccessEntry makes CI's deploy role cluster admin, as EKS makes the
// cluster's creator: whichever of a person and CI created the cluster, the
// other can then update it.
func DeployAccessEntry(role string) spec.AccessEntry {
	return spec.AccessEntry{PrincipalArn: role, Policy: spec.AccessPolicyClusterAdmin}
}

// deployEntryField prefixes the deploy role's access entry's fields: it
// follows the entries listed and the team's.
func (c Config) deployEntryField() string {
	index := len(c.AccessEntries)
	if c.TeamPrincipalArn != "" {
		index++
	}
	return fmt.Sprintf("accessEntries[%d].", index)
}
