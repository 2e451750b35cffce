package critical

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/eks-workshop/eks-workshop/internal/mocktest/recorded"
)

// A small graph in the shapes the program registers: a local component
// (Network) with custom children, a remote component (the cluster) with a
// stand-in child, a provider that waits for the cluster, and a chart.
func graph() []recorded.Resource {
	const p = "urn:pulumi:dev::eks-workshop::"
	return []recorded.Resource{
		{URN: p + "eks-workshop:index:Network::net", Type: "eks-workshop:index:Network", Name: "net"},
		{URN: p + "vpc", Type: TypeVpc, Name: "vpc", Custom: true, Parent: p + "eks-workshop:index:Network::net"},
		{URN: p + "nat", Type: TypeNatGateway, Name: "nat", Custom: true, Parent: p + "eks-workshop:index:Network::net", Dependencies: []string{p + "vpc"}},
		{URN: p + "cluster", Type: TypeEKSCluster, Name: "cluster", Remote: true, Dependencies: []string{p + "vpc"}},
		{URN: p + "eksCluster", Type: "aws:eks/cluster:Cluster", Name: "eksCluster", Custom: true, Standin: true, StandinFor: p + "cluster"},
		{URN: p + "pulumi:providers:kubernetes::k8s", Type: "pulumi:providers:kubernetes", Name: "k8s", Custom: true, Dependencies: []string{p + "eksCluster"}},
		{URN: p + "chart", Type: TypeHelmChart, Name: "chart", Remote: true, Provider: p + "pulumi:providers:kubernetes::k8s::id",
			Dependencies: []string{p + "eks-workshop:index:Network::net"}},
	}
}

func TestSimulateFollowsPulumisWaits(t *testing.T) {
	sched, err := Simulate(graph(), DefaultTable())
	if err != nil {
		t.Fatal(err)
	}
	at := func(name string) *Step {
		for _, st := range sched.Steps {
			if st.Name == name {
				return st
			}
		}
		t.Fatalf("no step %s", name)
		return nil
	}
	// vpc 0-5; nat 5-115; cluster 5-605; its stand-in and the provider finish
	// with it; the chart waits for the provider (605) and for all of Network
	// (115), so it runs 605-665.
	for name, want := range map[string][2]float64{
		"vpc": {0, 5}, "nat": {5, 115}, "cluster": {5, 605}, "eksCluster": {605, 605}, "k8s": {605, 605}, "chart": {605, 665},
	} {
		if st := at(name); st.Start != want[0] || st.Finish != want[1] {
			t.Errorf("%s: %v-%v s, want %v-%v s", name, st.Start, st.Finish, want[0], want[1])
		}
	}
	if sched.Makespan != 665 {
		t.Errorf("makespan %v s, want 665", sched.Makespan)
	}
	var chain []string
	for _, st := range sched.Chain {
		chain = append(chain, st.Name)
	}
	if got := strings.Join(chain, " > "); got != "vpc > cluster > chart" {
		t.Errorf("critical chain %s, want vpc > cluster > chart", got)
	}
}

// A dependency on a component waits for its slowest descendant: make the NAT
// gateway slower than the cluster and the chart moves behind it.
func TestDependencyOnComponentWaitsForDescendants(t *testing.T) {
	table := DefaultTable()
	if err := table.Override("test", []string{TypeNatGateway + "=1000"}); err != nil {
		t.Fatal(err)
	}
	sched, err := Simulate(graph(), table)
	if err != nil {
		t.Fatal(err)
	}
	if sched.Makespan != 5+1000+60 {
		t.Errorf("makespan %v s, want %v (vpc, nat, chart)", sched.Makespan, 5+1000+60)
	}
	// Negative control: without the dependency on Network, the NAT is off the chart's path.
	g := graph()
	g[len(g)-1].Dependencies = nil
	if sched, _ = Simulate(g, table); sched.Makespan != 1005 {
		t.Errorf("without the dependency: makespan %v s, want 1005 (the NAT itself)", sched.Makespan)
	}
}

func TestFloorIsTheUnavoidableChain(t *testing.T) {
	resources := []recorded.Resource{{Type: TypeEKSCluster}}
	for _, typ := range Unavoidable {
		resources = append(resources, recorded.Resource{Type: typ, Custom: true})
	}
	if got, want := Floor(resources, DefaultTable()), 5.0+5+600+150+60+150; got != want {
		t.Errorf("floor %v s, want %v", got, want)
	}
	if got := Floor([]recorded.Resource{{Type: TypeIngress, Custom: true}}, DefaultTable()); got != 0 {
		t.Errorf("floor without a cluster %v s, want 0", got)
	}
}

func TestOverride(t *testing.T) {
	table := DefaultTable()
	err := table.Override("latencies.txt", []string{"# slower region", TypeEKSCluster + " = 900", "", "default=2 # seconds"})
	if err != nil {
		t.Fatal(err)
	}
	if got := table.Of(recorded.Resource{Type: TypeEKSCluster, Remote: true}); got != 900 {
		t.Errorf("cluster %v s, want 900", got)
	}
	if got := table.Of(recorded.Resource{Type: "aws:iam/role:Role", Custom: true}); got != 2 {
		t.Errorf("default %v s, want 2", got)
	}
	for _, bad := range []string{"eks:index:Cluster", "eks:index:Cluster=-1", "=5", "x=ten"} {
		if err := table.Override("flags", []string{bad}); err == nil || !strings.Contains(err.Error(), "want TYPE=SECONDS") {
			t.Errorf("%q: got %v, want an error naming the form", bad, err)
		}
	}
}

func TestCycleIsAnError(t *testing.T) {
	g := []recorded.Resource{
		{URN: "a", Type: "x:y:A", Custom: true, Dependencies: []string{"b"}},
		{URN: "b", Type: "x:y:B", Custom: true, Dependencies: []string{"a"}},
	}
	if _, err := Simulate(g, DefaultTable()); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("got %v, want a cycle error", err)
	}
}

// On an Auto Mode cluster the chain skips the node group and the
// controller chart, even when the stack registers a chart (metrics-server);
// autoMode off, or a cluster without it, keeps them (negative controls).
func TestFloorOnAutoMode(t *testing.T) {
	withCluster := func(inputs resource.PropertyMap) []recorded.Resource {
		resources := []recorded.Resource{{Type: TypeEKSCluster, Inputs: inputs}}
		for _, typ := range []string{TypeVpc, TypeSubnet, TypeHelmChart, TypeIngress} {
			resources = append(resources, recorded.Resource{Type: typ, Custom: true})
		}
		return resources
	}
	autoMode := func(enabled bool) resource.PropertyMap {
		return resource.PropertyMap{"autoMode": resource.NewObjectProperty(resource.PropertyMap{"enabled": resource.NewBoolProperty(enabled)})}
	}
	for _, tc := range []struct {
		name   string
		inputs resource.PropertyMap
		want   float64
	}{
		{"auto mode", autoMode(true), 5.0 + 5 + 600 + 150},
		{"auto mode off", autoMode(false), 5.0 + 5 + 600 + 60 + 150},
		{"no auto mode", nil, 5.0 + 5 + 600 + 60 + 150},
		{"autoMode not an object", resource.PropertyMap{"autoMode": resource.NewBoolProperty(true)}, 5.0 + 5 + 600 + 60 + 150},
	} {
		if got := Floor(withCluster(tc.inputs), DefaultTable()); got != tc.want {
			t.Errorf("%s: floor %v s, want %v", tc.name, got, tc.want)
		}
	}
}

// The report says how long the deploy takes in minutes and explains the
// ratio; the Gantt chart has a bar per step of the chain, at its times.
func TestReportAndGanttSpeakAUsersWords(t *testing.T) {
	r, err := Analyze("dev", graph(), DefaultTable())
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r.Write(&out)
	for _, want := range []string{
		"stack dev: a deploy takes about 665 s (11 min) from the first resource to the last",
		"no program avoids the chain VPC, subnet, control plane, nodes, load balancer controller, first ALB: 665 s; this stack takes 1.00 times that",
		"critical chain, the waits that decide the time",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "makespan") {
		t.Errorf("report says makespan:\n%s", out.String())
	}
	gantt := r.Gantt()
	want := "gantt\n    title stack dev: the critical path of a deploy, about 11 min (typical AWS creation times)\n" +
		"    dateFormat X\n    axisFormat %s\n    section critical chain\n" +
		"    Vpc vpc (5 s) :c0, 0, 5\n" +
		"    Cluster cluster (600 s) :c1, 5, 605\n" +
		"    Chart chart (60 s) :c2, 605, 665\n"
	if gantt != want {
		t.Errorf("Gantt =\n%s\nwant\n%s", gantt, want)
	}
}

// Of two waits that end at once, the chain names the same one whatever
// the order of the dependencies.
func TestEqualWaitsPickTheSameResource(t *testing.T) {
	const p = "urn:pulumi:dev::eks-workshop::"
	for _, deps := range [][]string{{p + "a", p + "b"}, {p + "b", p + "a"}} {
		sched, err := Simulate([]recorded.Resource{
			{URN: p + "a", Type: "x:index:A", Name: "a", Custom: true},
			{URN: p + "b", Type: "x:index:B", Name: "b", Custom: true},
			{URN: p + "c", Type: "x:index:C", Name: "c", Custom: true, Dependencies: deps},
		}, DefaultTable())
		if err != nil {
			t.Fatal(err)
		}
		if got := sched.Steps[p+"c"].WaitedFor; got != p+"a" {
			t.Errorf("dependencies %v: c waited for %s, want a (the smaller URN)", deps, got)
		}
	}
}
