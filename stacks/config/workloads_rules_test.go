package config

import (
	"runtime"
	"strings"
	"testing"
)

func TestImagesBuildForTheNodes(t *testing.T) {
	c := DefaultConfig()
	c.InstanceTypes = []string{"m7g.large"}
	for _, w := range c.Workloads() {
		if p := w.ImageBuild(c).Platform; p != "linux/arm64" {
			t.Errorf("eks on Graviton: %s builds for %s, want linux/arm64", w.Name, p)
		}
	}
	c.Target = TargetLocal // the cluster runs on this machine
	for _, w := range c.Workloads() {
		if p := w.ImageBuild(c).Platform; p != "linux/"+runtime.GOARCH {
			t.Errorf("local: %s builds for %s, want this machine's linux/%s", w.Name, p, runtime.GOARCH)
		}
	}
}

func TestPinnedByDigest(t *testing.T) {
	for ref, want := range map[string]bool{
		"ghcr.io/acme/nginx@sha256:" + strings.Repeat("a", 64): true,
		"ghcr.io/acme/nginx:1.27":                              false,
		"Not A Reference":                                      false,
	} {
		if got := pinnedByDigest(ref); got != want {
			t.Errorf("pinnedByDigest(%q) = %v, want %v", ref, got, want)
		}
	}
}
