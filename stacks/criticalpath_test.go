package stacks

import (
	"flag"
	"slices"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/critical"
)

// maxCriticalPathRatio bounds how much longer a deploy may take than the
// chain no program can avoid.
const maxCriticalPathRatio = 1.05

// latencyFile overrides the latency table: go test ./stacks -run TestDeployCriticalPath -v -args -critical.latencies FILE
var latencyFile = flag.String("critical.latencies", "", "a file of TYPE=SECONDS lines overriding the critical-path latency table")

// TestDeployCriticalPath simulates `pulumi up` of each EKS stack over its
// recorded graph with the default latency table: everything that can overlap
// with the control plane, the nodes and the ALB does. Run with -v to see
// the report.
func TestDeployCriticalPath(t *testing.T) {
	for _, stack := range []string{"dev", "prod", "auto"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			run := runStack(t, stack, nil)
			table := critical.DefaultTable()
			if *latencyFile != "" {
				if err := table.OverrideFile(*latencyFile); err != nil {
					t.Fatal(err)
				}
			}
			report, err := critical.Analyze(stack, run.Resources(), table)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			report.Write(&out)
			out.WriteString("  latency table:\n")
			table.Write(&out)
			t.Log("\n" + out.String())
			if report.Floor == 0 || report.Ratio > maxCriticalPathRatio {
				t.Errorf("ratio %.3f, want <= %.2f", report.Ratio, maxCriticalPathRatio)
			}
			if stack != "auto" { // Auto Mode has no node group: EKS runs the nodes
				checkNodesWaitForNatRoutes(t, run)
			}
		})
	}
}

// checkNodesWaitForNatRoutes: nodes in private subnets cannot pull images or
// register before their subnet routes through NAT, so the node group depends
// on every private subnet's route table association and default route. The
// control plane does not (negative control): the subnet IDs it is handed do
// not carry that dependency, and it need not wait 110 s for NAT.
func checkNodesWaitForNatRoutes(t *testing.T, run stackRun) {
	t.Helper()
	nodes := run.ByType("eks:index:ManagedNodeGroup")
	cluster := run.ByType("eks:index:Cluster")
	if len(nodes) != 1 || len(cluster) != 1 {
		t.Fatalf("want one node group and one cluster, have %d and %d", len(nodes), len(cluster))
	}
	var egress []string
	for _, typ := range []string{"aws:ec2/route:Route", "aws:ec2/routeTableAssociation:RouteTableAssociation"} {
		for _, r := range run.ByType(typ) {
			if strings.Contains(r.Name, "-private-") {
				egress = append(egress, r.URN)
			}
		}
	}
	if len(egress) == 0 {
		t.Fatal("no private routes registered")
	}
	for _, urn := range egress {
		if !slices.Contains(nodes[0].Dependencies, urn) {
			t.Errorf("the node group does not wait for %s", urn)
		}
		if slices.Contains(cluster[0].Dependencies, urn) {
			t.Errorf("the control plane waits for %s", urn)
		}
	}
}
