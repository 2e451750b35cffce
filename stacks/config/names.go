package config

import (
	"fmt"
	"strings"
)

// accountName is the name an account-wide setting resolves to. A value left
// at its default is the workshop's own name in the workshop's stack (dev)
// and gets "-<stack>" appended in every other one, so environments sharing
// an AWS account and region never share an EKS cluster (and with it the
// cluster's log group and KMS alias) or an ECR repository. Any other value
// is used as it is.
func (c Config) accountName(value, def string) string {
	if value != def || c.Stack == "" || c.Stack == WorkshopStack {
		return value
	}
	return def + "-" + c.Stack
}

// EKSClusterName is the EKS cluster's name; the log group, the KMS alias and
// every resource name of the stack derive from it.
func (c Config) EKSClusterName() string { return c.accountName(c.ClusterName, DefaultClusterName) }

// NodeGroupComponent names the node group's component (and its node role).
func (c Config) NodeGroupComponent() string { return c.EKSClusterName() + "-" + c.NodeGroupName }

// accountNameSetting is a key that names an account-wide resource.
type accountNameSetting struct{ key, value, def string }

func (c Config) accountNameSettings() []accountNameSetting {
	return []accountNameSetting{
		{"clusterName", c.ClusterName, DefaultClusterName},
		{"flaskRepositoryName", c.FlaskRepositoryName, DefaultFlaskRepositoryName},
		{"nginxRepositoryName", c.NginxRepositoryName, DefaultNginxRepositoryName},
	}
}

// checkAccountNames rejects an explicit name that another environment
// derives: "<default>-<stack>" belongs to the stack of that name, so a
// stack may use it only for itself (where it is what it derives anyway).
// The workshop's bare names belong to the workshop's stack: any other
// stack that sets one gets its own "-<stack>" name instead.
func (c Config) checkAccountNames(p *problems) {
	for _, s := range c.accountNameSettings() {
		owner, derived := strings.CutPrefix(s.value, s.def+"-")
		if derived && owner != "" && owner != c.Stack && owner != WorkshopStack {
			p.add(s.key, s.value, fmt.Sprintf("%s-<stack> is the name stack <stack> derives from the default %q, so this one is stack %q's: leave the default or choose a name outside that pattern", s.def, s.def, owner))
		}
	}
}
