package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/eks-workshop/eks-workshop/internal/kubetest"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// kwokZones are the fake nodes' zones, one node each: the apps spread
// their pods over topology.kubernetes.io/zone.
var kwokZones = []string{"local-a", "local-b", "local-c"}

// kwokImageRegistry names the images the stack deploys on fake nodes: kwok
// pulls nothing, so any well-formed reference by digest does.
const kwokImageRegistry = "registry.example.com"

// runKwok starts a control plane with three kwok fake nodes from the
// project's pinned binaries (internal/kubetest, as the integration tests
// run it), prints the local stack's settings for it on stdout, and keeps it
// running until ctx ends (Ctrl-C), then stops every process and removes
// its files.
func runKwok(ctx context.Context, dir string, stdout, stderr io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok with %d fake nodes...\n", len(kwokZones))
	cluster, session, err := kubetest.Launch(dir, kubetest.Options{Controllers: true, Zones: kwokZones}, stderr)
	if err != nil {
		return err
	}
	defer session.Stop()
	kubeconfig, err := filepath.Abs(cluster.Kubeconfig)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "cluster ready at %s: %d fake nodes, each offering %s; kubeconfig %s\n",
		cluster.Config.Host, len(kwokZones), allocatable(), kubeconfig)
	fmt.Fprintln(stderr, "For the local stack (Ctrl-C stops the cluster and removes its files):")
	fmt.Fprint(stdout, kwokSettings(kubeconfig))
	if err := cluster.Wait(ctx); err != nil {
		return fmt.Errorf("the cluster stopped by itself: %w", err)
	}
	fmt.Fprintln(stderr, "stopping the cluster...")
	session.Stop()
	fmt.Fprintln(stderr, "stopped; its files are removed")
	return nil
}

// kwokSettings are the `pulumi config set` commands that point the local
// stack at the cluster: its kubeconfig, images by digest (nothing is
// built: there is no Docker, and kwok starts no container) and no
// metrics-server (fake kubelets serve no metrics).
func kwokSettings(kubeconfig string) string {
	settings := [][2]string{
		{"kubeconfig", kubeconfig},
		{"metricsServer", "false"},
		{"flaskImage", kwokImage(config.DefaultFlaskRepositoryName)},
		{"nginxImage", kwokImage(config.DefaultNginxRepositoryName)},
	}
	var b strings.Builder
	for _, s := range settings {
		// Only a NUL byte cannot be quoted, and no path holds one.
		value, _ := syntax.Quote(s[1], syntax.LangBash)
		fmt.Fprintf(&b, "pulumi config set %s %s -s local\n", s[0], value)
	}
	return b.String()
}

// kwokImage is a reference by digest, the same on every run.
func kwokImage(repository string) string {
	sum := sha256.Sum256([]byte(repository))
	return kwokImageRegistry + "/" + repository + "@sha256:" + hex.EncodeToString(sum[:])
}

// allocatable describes what each fake node offers the scheduler.
func allocatable() string {
	var parts []string
	for name, q := range kubetest.NodeAllocatable {
		parts = append(parts, fmt.Sprintf("%s %s", name, q.String()))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}
