package main

import (
	"bytes"
	"fmt"
	"path"

	"github.com/BurntSushi/toml"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kindv1alpha4 "sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"
)

// The pattern of kind's "Local Registry" page
// (https://kind.sigs.k8s.io/docs/user/local-registry/): a registry container
// published on the workstation's loopback and attached to the kind network,
// and containerd on every node told, by a hosts.toml, to pull
// localhost:<port>/... from that container.
const (
	registryName = "kind-registry"
	// registryImage is the Distribution registry kind's page runs.
	registryImage = "registry:2"
	// registryPort is the registry's port inside its container, reached by
	// the nodes over the kind network.
	registryPort = 5000
	// certsDir is where containerd reads hosts.toml files once its CRI
	// registry config_path points there.
	certsDir = "/etc/containerd/certs.d"
	// kindNetwork is the Docker network kind puts its nodes on.
	kindNetwork = "kind"
)

// registry is the local registry as the workstation and the nodes see it.
type registry struct {
	// hostPort is published on 127.0.0.1: images are pushed to localhost:<hostPort>.
	hostPort int
}

// pushHost is where the workstation pushes, and the name pods use.
func (r registry) pushHost() string { return fmt.Sprintf("localhost:%d", r.hostPort) }

// nodeEndpoint is where containerd on the nodes actually pulls from.
func (r registry) nodeEndpoint() string {
	return fmt.Sprintf("http://%s:%d", registryName, registryPort)
}

// hostsDir is the node directory whose hosts.toml configures pulls of pushHost.
func (r registry) hostsDir() string { return path.Join(certsDir, r.pushHost()) }

// kindConfig is the cluster config: containerd reads registry hosts from certsDir.
func kindConfig(name string, r registry) (*kindv1alpha4.Cluster, error) {
	patch, err := tomlString(map[string]any{
		"plugins": map[string]any{
			`io.containerd.grpc.v1.cri`: map[string]any{
				"registry": map[string]any{"config_path": certsDir},
			},
		},
	})
	if err != nil {
		return nil, err
	}
	cluster := &kindv1alpha4.Cluster{
		TypeMeta:                kindv1alpha4.TypeMeta{Kind: "Cluster", APIVersion: "kind.x-k8s.io/v1alpha4"},
		Name:                    name,
		Nodes:                   []kindv1alpha4.Node{{Role: kindv1alpha4.ControlPlaneRole}},
		ContainerdConfigPatches: []string{patch},
	}
	return cluster, nil
}

// hostsFile is containerd's hosts.toml (containerd docs/hosts.md): server is
// the registry the namespace names, host the mirrors tried first.
type hostsFile struct {
	Server string                `toml:"server"`
	Host   map[string]hostConfig `toml:"host"`
}

type hostConfig struct {
	Capabilities []string `toml:"capabilities"`
}

// hosts sends pulls of localhost:<hostPort>/... to the registry container.
func hosts(r registry) hostsFile {
	return hostsFile{
		Server: "http://" + r.pushHost(),
		Host:   map[string]hostConfig{r.nodeEndpoint(): {Capabilities: []string{"pull", "resolve"}}},
	}
}

// localRegistryHostingV1 is KEP-1755's (Standard for communicating a local
// registry) localRegistryHosting.v1, which tools read to find where to push.
type localRegistryHostingV1 struct {
	Host                     string `json:"host,omitempty"`
	HostFromContainerRuntime string `json:"hostFromContainerRuntime,omitempty"`
	HostFromClusterNetwork   string `json:"hostFromClusterNetwork,omitempty"`
	Help                     string `json:"help,omitempty"`
}

// registryHostingConfigMap is KEP-1755's kube-public/local-registry-hosting.
func registryHostingConfigMap(r registry) (*corev1.ConfigMap, error) {
	inCluster := fmt.Sprintf("%s:%d", registryName, registryPort)
	hosting, err := yaml.Marshal(localRegistryHostingV1{
		Host:                     r.pushHost(),
		HostFromContainerRuntime: inCluster,
		HostFromClusterNetwork:   inCluster,
		Help:                     "https://kind.sigs.k8s.io/docs/user/local-registry/",
	})
	if err != nil {
		return nil, err
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "local-registry-hosting", Namespace: "kube-public"},
		Data:       map[string]string{"localRegistryHosting.v1": string(hosting)},
	}, nil
}

func tomlString(v any) (string, error) {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(v); err != nil {
		return "", err
	}
	return buf.String(), nil
}
