package synth_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/synth"
)

// fanIn registers buckets in an order no sort gives, then a Kubernetes
// object that depends on all of them, listed in that order too.
func fanIn(ctx *pulumi.Context) error {
	var buckets []pulumi.Resource
	for _, name := range []string{"c", "a", "d", "b"} {
		var bucket pulumi.CustomResourceState
		if err := ctx.RegisterResource("test:index:Bucket", name, pulumi.Map{}, &bucket); err != nil {
			return err
		}
		buckets = append(buckets, &bucket)
	}
	var configMap pulumi.CustomResourceState
	return ctx.RegisterResource("kubernetes:core/v1:ConfigMap", "settings", pulumi.Map{
		"metadata": pulumi.Map{"name": pulumi.String("settings"), "namespace": pulumi.String("development")},
	}, &configMap, pulumi.DependsOn(buckets))
}

// The files do not depend on the order the program registered in or the
// SDK listed dependencies in: the recorded resources, shuffled, render the
// same bytes, which list resources and dependencies sorted.
func TestFilesIgnoreTheOrderOfRegistration(t *testing.T) {
	res := mustRun(t, root, "dev", nil, fanIn)
	want := mustFiles(t, res)
	checkSortedListing(t, want[synth.ResourcesFile])
	for seed := range uint64(5) {
		shuffled := *res
		shuffled.Resources = mocktest.Shuffled(res.Resources, rand.New(rand.NewPCG(seed, 0)))
		if slices.EqualFunc(shuffled.Resources, res.Resources, func(a, b mocktest.Resource) bool { return a.URN == b.URN }) {
			t.Fatalf("seed %d: the shuffle kept the order", seed)
		}
		got := mustFiles(t, &shuffled)
		for _, p := range want.Paths() {
			if string(got[p]) != string(want[p]) {
				t.Errorf("seed %d: %s differs when the resources come in another order, first at %s", seed, p, firstDifference(want[p], got[p]))
			}
		}
	}
}

// checkSortedListing: resources.yaml lists resources by URN and each one's
// dependencies sorted, the configMap's being the four buckets.
func checkSortedListing(t *testing.T, resourcesYAML []byte) {
	t.Helper()
	var doc struct {
		Resources []struct {
			URN          string   `yaml:"urn"`
			Dependencies []string `yaml:"dependencies"`
		} `yaml:"resources"`
	}
	if err := yaml.Unmarshal(resourcesYAML, &doc); err != nil {
		t.Fatal(err)
	}
	var urns []string
	deps := 0
	for _, r := range doc.Resources {
		urns = append(urns, r.URN)
		if !slices.IsSorted(r.Dependencies) {
			t.Errorf("%s: dependencies %v not sorted", r.URN, r.Dependencies)
		}
		deps += len(r.Dependencies)
	}
	if len(urns) != 5 || !slices.IsSorted(urns) || deps != 4 {
		t.Errorf("resources.yaml lists %v with %d dependencies; want five resources by URN and the four buckets once each", urns, deps)
	}
}

// firstDifference shows the first line at which two files differ.
func firstDifference(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range min(len(w), len(g)) {
		if w[i] != g[i] {
			return fmt.Sprintf("line %d: %q, want %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("the end: %d lines, want %d", len(g), len(w))
}
