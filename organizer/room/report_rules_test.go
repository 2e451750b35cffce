package room

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// The table lists its types smallest first: by vCPUs, then memory, then
// name, and it holds ties at each level (m5.large and m6i.large have the
// same vCPUs and memory; c5.large and m5.large the same vCPUs).
func TestKnownInstanceTypesAreSmallestFirst(t *testing.T) {
	list := KnownInstanceTypes()
	ties := map[string]bool{}
	for i := 1; i < len(list); i++ {
		a, b := list[i-1], list[i]
		inOrder := a.VCPUs < b.VCPUs || a.VCPUs == b.VCPUs && (a.MemoryMiB < b.MemoryMiB || a.MemoryMiB == b.MemoryMiB && a.Name < b.Name)
		if !inOrder {
			t.Errorf("%s before %s", a.Name, b.Name)
		}
		if a.VCPUs == b.VCPUs {
			ties["vcpus"] = true
			if a.MemoryMiB == b.MemoryMiB {
				ties["memory"] = true
			}
		}
	}
	if !ties["vcpus"] || !ties["memory"] {
		t.Errorf("the table has no ties to order (%v): the test shows less than its name", ties)
	}
}

// A fit of no nodes is a count, not the "pod fits no node" of -1.
func TestFitsOfNoNodes(t *testing.T) {
	m5, _ := LookupInstanceType("m5.large")
	none, refused := Fit{Nodes: 0}, Fit{Nodes: -1}
	if nodes(none) != "0" || nodes(refused) != "a pod fits no node" {
		t.Errorf("nodes: %q, %q", nodes(none), nodes(refused))
	}
	if d := none.describe(m5); !strings.HasSuffix(d, "need 0 × m5.large") {
		t.Errorf("describe(0 nodes) = %q", d)
	}
	if d := refused.describe(m5); !strings.Contains(d, "larger than what an empty m5.large offers") {
		t.Errorf("describe(-1) = %q", d)
	}
	if !none.fitsOn(0) || refused.fitsOn(5) || !(Fit{Nodes: 5}).fitsOn(5) || (Fit{Nodes: 6}).fitsOn(5) {
		t.Error("fitsOn: 0 on 0, -1 never, 5 on 5 and not 6 on 5")
	}
}

// A size fix is offered only for a count a node group can have: from 1 to
// EKS's quota of nodes per group.
func TestSizeFixesStayWithinTheGroupQuota(t *testing.T) {
	m5, _ := LookupInstanceType("m5.large")
	c := &Capacity{Type: m5, MaxSize: 3, Autoscaler: true}
	sizeFix := func(nodes int) bool {
		for _, f := range c.fixes(atHPAMaximum, Fit{Nodes: nodes}) {
			if strings.Contains(f, ":maxSize") {
				return true
			}
		}
		return false
	}
	for nodes, want := range map[int]bool{0: false, 1: true, spec.MaxNodesPerGroup: true, spec.MaxNodesPerGroup + 1: false} {
		if got := sizeFix(nodes); got != want {
			t.Errorf("%d nodes: a maxSize fix %v, want %v", nodes, got, want)
		}
	}
}

// Check fills in the defaults and refuses what cannot run, all at once.
func TestSettingsCheck(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "room")
	s := Settings{Backend: "file:///tmp/state", WorkDir: "/tmp/work"}
	if err := s.Check(); err != nil || s.Parallel != DefaultParallel || s.SecretsProvider != "passphrase" {
		t.Errorf("defaults: %+v, %v", s, err)
	}
	s = Settings{Backend: "file:///tmp/state", WorkDir: "/tmp/work", Parallel: 1, SecretsProvider: "awskms://alias/room"}
	if err := s.Check(); err != nil || s.Parallel != 1 || s.SecretsProvider != "awskms://alias/room" {
		t.Errorf("given values: %+v, %v", s, err)
	}
	s = Settings{Parallel: -1, TTL: -time.Hour}
	err := s.Check()
	for _, want := range []string{"no state backend", "no work directory", "parallel = -1", "ttl = -1h0m0s"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: want %q", err, want)
		}
	}
}

// A participant may not take the principal the cluster's teamPrincipalArn
// already holds (EKS allows one access entry per principal); another is fine.
func TestTheTeamPrincipalIsTaken(t *testing.T) {
	cluster := devConfig(t)
	cluster.TeamPrincipalArn = "arn:aws:iam::123456789012:role/team"
	_, err := NewPlan(cluster, []Participant{{Name: "alice", PrincipalArn: cluster.TeamPrincipalArn}})
	if err == nil || !strings.Contains(err.Error(), "already used by the cluster's teamPrincipalArn") {
		t.Errorf("the team's principal for alice: %v", err)
	}
	if _, err := NewPlan(cluster, []Participant{{Name: "alice", PrincipalArn: "arn:aws:iam::123456789012:role/alice"}}); err != nil {
		t.Errorf("control, alice's own principal: %v", err)
	}
}

// The node table subtracts the kube-reserved memory with the eviction
// threshold, and counts the DaemonSets' pod slots.
func TestNodeTableShowsReservationsAndDaemonSetSlots(t *testing.T) {
	c := roomOf(t, devConfig(t), 10)
	var table strings.Builder
	if err := c.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	reserved := c.Type.KubeReserved()
	for _, want := range []string{
		fmt.Sprintf("eviction threshold -%dm -%dMi allocatable", reserved.CPUMilli, reserved.MemoryMiB+evictionHardMiB),
		fmt.Sprintf("-%dMi -%d left for the room", c.Type.Allocatable().MemoryMiB-c.PerNode.Free.MemoryMiB, c.Type.MaxPods-c.PerNode.Slots),
	} {
		if !strings.Contains(strings.Join(strings.Fields(table.String()), " "), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
}
