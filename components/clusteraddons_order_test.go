package components

import (
	"slices"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

// Every chart and every EKS add-on waits for what it needs to run: the nodes
// and, with Pod Identity, the agent and every controller's role association.
// The agent alone goes on beside the nodes (a DaemonSet add-on that EKS
// reports ACTIVE with no nodes): its not waiting for the nodes is the
// negative control.
func TestClusterAddonsWaitForNodesAndPodIdentity(t *testing.T) {
	for _, podIdentity := range []bool{false, true} {
		t.Run(map[bool]string{false: "node role", true: "pod identity"}[podIdentity], func(t *testing.T) {
			m := runAddons(t, podIdentity)
			nodes := m.Get(t, nodeGroupType, "eks-demo-node-group-nodes")
			want := []string{nodes.URN}
			if podIdentity {
				agent := m.Get(t, addonType, "eks-demo-pod-identity-agent")
				if slices.Contains(agent.Dependencies, nodes.URN) {
					t.Errorf("the Pod Identity agent waits for the nodes")
				}
				want = append(want, agent.URN)
				for _, a := range m.ByType(associationType) {
					want = append(want, a.URN)
				}
				if len(want) != 2+4 {
					t.Fatalf("want the nodes, the agent and four associations to wait for, have %v", want)
				}
			}
			controllers := controllersOf(m)
			if len(controllers) != 3+2 {
				t.Fatalf("want three charts and two EKS add-ons, have %d", len(controllers))
			}
			for _, c := range controllers {
				for _, urn := range want {
					if !slices.Contains(c.Dependencies, urn) {
						t.Errorf("%s %s does not wait for %s", c.Type, c.Name, urn)
					}
				}
			}
		})
	}
}

// controllersOf returns every chart and every EKS add-on except the Pod
// Identity agent.
func controllersOf(m *mocktest.Monitor) []mocktest.Resource {
	var out []mocktest.Resource
	for _, r := range append(m.ByType(chartType), m.ByType(addonType)...) {
		if r.Name != "eks-demo-pod-identity-agent" {
			out = append(out, r)
		}
	}
	return out
}
