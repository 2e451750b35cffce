package spec

import (
	"fmt"
	"slices"
)

// PhysicalName is an AWS name a component derives from its resource name or
// its args, with the limit the AWS API puts on it. An EKS-valid cluster
// name (up to 100 characters) can still make some of them too long, which
// AWS would only reject halfway through `pulumi up`.
type PhysicalName struct {
	// What names the resource, e.g. "IAM role of the node group".
	What string
	// Name is the name, or for an autonamed resource the logical name
	// Pulumi derives it from.
	Name string
	// Max is the AWS limit in characters.
	Max int
	// Autonamed: Pulumi appends autonameSuffix characters to Name.
	Autonamed bool
}

// autonameSuffix is what Pulumi's autonaming appends: "-" and 7 random hex characters.
const autonameSuffix = 8

// AWS name limits, from each service's API reference.
const (
	maxIAMRoleName       = 64
	maxIAMPolicyName     = 128
	maxLaunchTemplate    = 128
	maxSecurityGroupName = 255
	maxLogGroupName      = 512
	maxKMSAliasName      = 256
)

// Len is the name's length in AWS, with the autonaming suffix.
func (n PhysicalName) Len() int {
	if n.Autonamed {
		return len(n.Name) + autonameSuffix
	}
	return len(n.Name)
}

// Excess is how many characters too long the name is (0 or less: it fits).
func (n PhysicalName) Excess() int { return n.Len() - n.Max }

func (n PhysicalName) String() string {
	suffix := ""
	if n.Autonamed {
		suffix = fmt.Sprintf(" plus Pulumi's %d-character random suffix", autonameSuffix)
	}
	return fmt.Sprintf("%s %q%s is %d characters; AWS allows %d", n.What, n.Name, suffix, n.Len(), n.Max)
}

// LongestPhysicalName returns the name that exceeds its limit by the most, if any does.
func LongestPhysicalName(names []PhysicalName) (PhysicalName, bool) {
	if len(names) == 0 {
		return PhysicalName{}, false
	}
	worst := slices.MaxFunc(names, func(a, b PhysicalName) int { return a.Excess() - b.Excess() })
	return worst, worst.Excess() > 0
}

// PhysicalNameError reports, under field, the name that value (a part of
// every name) makes the most too long, saying how long value may be.
func PhysicalNameError(field, value string, names []PhysicalName) error {
	worst, over := LongestPhysicalName(names)
	if !over {
		return nil
	}
	return &FieldError{Field: field, Value: value, Allowed: fmt.Sprintf("%s: want at most %d characters here", worst, len(value)-worst.Excess())}
}

// PhysicalNames lists the AWS names NewEKSCluster(name, a) derives:
// pulumi-eks's cluster role and security group (after its resource
// name, name+"-cluster"), the log group and the KMS alias.
func (a EKSClusterArgs) PhysicalNames(name string) []PhysicalName {
	eks := name + "-cluster"
	names := []PhysicalName{
		{What: "pulumi-eks's cluster IAM role", Name: eks + "-eksRole-role", Max: maxIAMRoleName, Autonamed: true},
		{What: "pulumi-eks's cluster security group", Name: eks + "-eksClusterSecurityGroup", Max: maxSecurityGroupName, Autonamed: true},
		{What: "the control-plane log group", Name: a.logGroupName(), Max: maxLogGroupName},
		{What: "the secrets key's KMS alias", Name: a.kmsAliasName(), Max: maxKMSAliasName},
	}
	if a.AutoMode {
		// pulumi-eks v3.9.1 cluster.ts: new ServiceRole(`${name}-nodeRole`).
		names = append(names, PhysicalName{What: "pulumi-eks's Auto Mode node role", Name: eks + "-nodeRole-role", Max: maxIAMRoleName, Autonamed: true})
	}
	return names
}

// logGroupName is where EKS sends control-plane logs.
func (a EKSClusterArgs) logGroupName() string { return "/aws/eks/" + a.ClusterName + "/cluster" }

// kmsAliasName names the secrets encryption key.
func (a EKSClusterArgs) kmsAliasName() string { return "alias/eks/" + a.ClusterName + "-secrets" }

// PhysicalNames lists the AWS names NewManagedNodeGroup(name, a) derives:
// the node role, the add-on policies and pulumi-eks's launch template.
func (a ManagedNodeGroupArgs) PhysicalNames(name string) []PhysicalName {
	names := []PhysicalName{
		{What: "the node IAM role", Name: name + "-role", Max: maxIAMRoleName, Autonamed: true},
		{What: "pulumi-eks's node launch template", Name: name + "-nodes-launchTemplate", Max: maxLaunchTemplate, Autonamed: true},
	}
	for _, key := range a.CustomPolicyKeys() {
		names = append(names, PhysicalName{What: "the node IAM policy " + key, Name: name + "-" + key, Max: maxIAMPolicyName, Autonamed: true})
	}
	return names
}

// PhysicalNames lists the AWS names NewClusterAddons(name, a) derives: the
// Container Insights log groups and, with Pod Identity, one IAM role and
// policy per controller.
func (a ClusterAddonsArgs) PhysicalNames(name string) []PhysicalName {
	var names []PhysicalName
	for _, group := range ContainerInsightsLogGroups(name) {
		names = append(names, PhysicalName{What: "the Container Insights log group", Name: group, Max: maxLogGroupName})
	}
	if !a.PodIdentity {
		return names
	}
	for _, p := range a.PodIdentities() {
		names = append(names,
			PhysicalName{What: "the IAM role of " + p.ServiceAccount, Name: name + "-" + p.Key, Max: maxIAMRoleName, Autonamed: true},
			PhysicalName{What: "the IAM policy of " + p.ServiceAccount, Name: name + "-" + p.Key, Max: maxIAMPolicyName, Autonamed: true})
	}
	return names
}
