package diagram

import (
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/mocktest/recorded"
)

const p = "urn:pulumi:s::p::"

// A plan of a network, a cluster waiting for it through a child, a
// provider from the cluster, an app on that provider, and a stand-in of
// the remote cluster: five top-level nodes at most, each wait drawn once.
func TestComponentsDrawsTopLevelNodesAndTheirWaits(t *testing.T) {
	resources := []recorded.Resource{
		{URN: p + "eks-workshop:index:Network::net", Type: "eks-workshop:index:Network", Name: "net"},
		{URN: p + "aws:ec2/vpc:Vpc::vpc", Type: "aws:ec2/vpc:Vpc", Name: "vpc", Custom: true, Parent: p + "eks-workshop:index:Network::net"},
		{URN: p + "eks:index:Cluster::c", Type: "eks:index:Cluster", Name: "c", Remote: true},
		{URN: p + "aws:eks/cluster:Cluster::c-eks", Type: "aws:eks/cluster:Cluster", Name: "c-eks", Custom: true, Standin: true, StandinFor: p + "eks:index:Cluster::c",
			Dependencies: []string{p + "aws:ec2/vpc:Vpc::vpc"}},
		{URN: p + "pulumi:providers:kubernetes::k8s", Type: "pulumi:providers:kubernetes", Name: "k8s", Custom: true, Dependencies: []string{p + "eks:index:Cluster::c"}},
		{URN: p + "eks-workshop:index:App::app", Type: "eks-workshop:index:App", Name: "app"},
		{URN: p + "kubernetes:apps/v1:Deployment::d", Type: "kubernetes:apps/v1:Deployment", Name: "d", Custom: true,
			Parent: p + "eks-workshop:index:App::app", Provider: p + "pulumi:providers:kubernetes::k8s::id", Dependencies: []string{"urn:not:recorded"}},
	}
	got := Components("s", resources)
	want := `---
title: "stack s: an arrow from A to B means B waits for A"
---
flowchart LR
    n0["App<br/>app<br/>1 resource"]
    n1["Network<br/>net<br/>1 resource"]
    n2["Cluster<br/>c<br/>1 resource"]
    n3["kubernetes provider<br/>k8s"]
    n1 --> n2
    n2 --> n3
    n3 --> n0
`
	if got != want {
		t.Errorf("Components =\n%s\nwant\n%s", got, want)
	}
	// Negative control: without the stand-in's dependency, the cluster no longer waits for the network.
	resources[3].Dependencies = nil
	if strings.Contains(Components("s", resources), "n1 --> n2") {
		t.Error("a wait was drawn that the plan does not have")
	}
}

func TestKind(t *testing.T) {
	for typ, want := range map[string]string{
		"eks-workshop:index:Network":   "Network",
		"pulumi:providers:aws":         "aws provider",
		"kubernetes:core/v1:Namespace": "Namespace",
		`x:index:Odd"Quote`:            `Odd"Quote`,
	} {
		if got := Kind(typ); got != want {
			t.Errorf("Kind(%q) = %q, want %q", typ, got, want)
		}
	}
}
