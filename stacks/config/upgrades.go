package config

import (
	"github.com/eks-workshop/eks-workshop/components/spec"
)

// kubeProxyVersion is the kube-proxy EKS add-on build: as configured, or
// the calendar's for kubernetesVersion when left empty.
func (c Config) kubeProxyVersion() string {
	if c.AddonVersions.KubeProxy != "" {
		return c.AddonVersions.KubeProxy
	}
	release, _ := spec.KubernetesReleaseOf(c.KubernetesVersion)
	return release.KubeProxyAddon
}

// checkUpgradePins: the eks target pins vpc-cni and the support type, so
// that nothing about the cluster changes between two runs of the same
// configuration. Empty would let pulumi-eks pick the newest vpc-cni build
// on every run, and EKS its default support type.
func (c Config) checkUpgradePins(p *problems) {
	if c.AddonVersions.VpcCni == "" {
		p.add("addonVersions.vpcCni", "", "required: every add-on is pinned to a version, e.g. "+defaultAddonVersions.VpcCni)
	}
	if c.SupportType == "" {
		p.add("supportType", "", "want STANDARD (EKS upgrades the cluster at the end of standard support) or EXTENDED (it stays, at the extended rate)")
	}
}

// AddonPin is one EKS add-on build the eks target installs, and the
// config key that pins it.
type AddonPin struct {
	Key, Addon, Version string
}

// EKSAddonPins are the EKS add-on builds the plan installs, for preflight
// to ask EKS about: the ones pulumi-eks installs with the cluster, and
// ClusterAddons'.
func (p Plan) EKSAddonPins() []AddonPin {
	pins := []AddonPin{
		{"addonVersions.vpcCni", "vpc-cni", p.Cluster.VpcCniVersion},
		{"addonVersions.kubeProxy", "kube-proxy", p.Cluster.KubeProxyVersion},
		{"addonVersions.cloudwatchObservability", "amazon-cloudwatch-observability", p.Addons.Versions.CloudWatchObservability},
		{"addonVersions.ebsCsiDriver", "aws-ebs-csi-driver", p.Addons.Versions.EbsCsiDriver},
	}
	if p.Addons.PodIdentity {
		pins = append(pins, AddonPin{"addonVersions.podIdentityAgent", "eks-pod-identity-agent", p.Addons.Versions.PodIdentityAgent})
	}
	return pins
}

// DefaultEKSAddonBuilds are the EKS add-on builds the default
// configuration pins for kubernetesVersion, by add-on name: what the
// mocks' account offers (internal/mocktest).
func DefaultEKSAddonBuilds(kubernetesVersion string) map[string]string {
	c := DefaultConfig()
	c.KubernetesVersion = kubernetesVersion
	p := Plan{Cluster: c.clusterArgs(), Addons: c.addonArgs()}
	builds := map[string]string{}
	for _, pin := range p.EKSAddonPins() {
		builds[pin.Addon] = pin.Version
	}
	return builds
}
