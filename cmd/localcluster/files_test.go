package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	corev1 "k8s.io/api/core/v1"
	kindv1alpha4 "sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"
)

func writeTestFiles(t *testing.T) kindFiles {
	t.Helper()
	files, err := writeKindFiles("workshop", registry{hostPort: 5001}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readStrict decodes a generated YAML file into a type of the tool that
// reads it, rejecting any field the type does not know.
func readStrict(t *testing.T, file string, into any) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(raw, into); err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(file), err, raw)
	}
}

func TestKindConfigPointsContainerdAtHostsFiles(t *testing.T) {
	var cluster kindv1alpha4.Cluster
	readStrict(t, writeTestFiles(t).config, &cluster)
	if cluster.Kind != "Cluster" || cluster.APIVersion != "kind.x-k8s.io/v1alpha4" || cluster.Name != "workshop" {
		t.Errorf("cluster = %+v", cluster.TypeMeta)
	}
	if len(cluster.ContainerdConfigPatches) != 1 {
		t.Fatalf("containerdConfigPatches = %q, want one", cluster.ContainerdConfigPatches)
	}
	// The patch is TOML that containerd merges into its config.toml.
	var patch struct {
		Plugins map[string]struct {
			Registry struct {
				ConfigPath string `toml:"config_path"`
			} `toml:"registry"`
		} `toml:"plugins"`
	}
	meta, err := toml.Decode(cluster.ContainerdConfigPatches[0], &patch)
	if err != nil {
		t.Fatalf("patch: %v\n%s", err, cluster.ContainerdConfigPatches[0])
	}
	if undecoded := meta.Undecoded(); len(undecoded) != 0 {
		t.Errorf("patch sets more than config_path: %v", undecoded)
	}
	if got := patch.Plugins["io.containerd.grpc.v1.cri"].Registry.ConfigPath; got != "/etc/containerd/certs.d" {
		t.Errorf(`plugins."io.containerd.grpc.v1.cri".registry.config_path = %q`, got)
	}
	// kind fills the rest in as it does for any config.
	kindv1alpha4.SetDefaultsCluster(&cluster)
	if len(cluster.Nodes) != 1 || cluster.Nodes[0].Role != kindv1alpha4.ControlPlaneRole {
		t.Errorf("nodes = %+v", cluster.Nodes)
	}
}

func TestHostsTomlSendsLocalhostPullsToTheRegistryContainer(t *testing.T) {
	files := writeTestFiles(t)
	// Decoded into plain maps, not the writer's struct: these are the
	// literal keys containerd reads (docs/hosts.md), so a misspelt tag on
	// the writer's side fails here.
	var got map[string]any
	if _, err := toml.DecodeFile(files.hosts, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"server": "http://localhost:5001",
		"host": map[string]any{
			"http://kind-registry:5000": map[string]any{"capabilities": []any{"pull", "resolve"}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hosts.toml = %#v, want %#v", got, want)
	}
	// containerd looks the file up by the registry host the image names.
	if dir := (registry{hostPort: 5001}).hostsDir(); dir != "/etc/containerd/certs.d/localhost:5001" {
		t.Errorf("hosts dir = %s", dir)
	}
}

func TestLocalRegistryHostingConfigMapFollowsKEP1755(t *testing.T) {
	var cm corev1.ConfigMap
	readStrict(t, writeTestFiles(t).configMap, &cm)
	if cm.Kind != "ConfigMap" || cm.APIVersion != "v1" || cm.Namespace != "kube-public" || cm.Name != "local-registry-hosting" {
		t.Errorf("ConfigMap = %s/%s %s/%s", cm.APIVersion, cm.Kind, cm.Namespace, cm.Name)
	}
	if len(cm.Data) != 1 {
		t.Errorf("data keys = %v", cm.Data)
	}
	var hosting localRegistryHostingV1
	if err := yaml.UnmarshalStrict([]byte(cm.Data["localRegistryHosting.v1"]), &hosting); err != nil {
		t.Fatal(err)
	}
	want := localRegistryHostingV1{
		Host: "localhost:5001", HostFromContainerRuntime: "kind-registry:5000", HostFromClusterNetwork: "kind-registry:5000",
		Help: "https://kind.sigs.k8s.io/docs/user/local-registry/",
	}
	if hosting != want {
		t.Errorf("localRegistryHosting.v1 = %+v, want %+v", hosting, want)
	}
	// KEP-1755's field names, as tools read them.
	for _, field := range []string{"host:", "hostFromContainerRuntime:", "hostFromClusterNetwork:", "help:"} {
		if !strings.Contains(cm.Data["localRegistryHosting.v1"], field) {
			t.Errorf("localRegistryHosting.v1 lacks %s", field)
		}
	}
}
