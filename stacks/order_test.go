package stacks

import (
	"slices"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

// checkControllersWaitFor: every chart and every EKS add-on other than except
// (the Pod Identity agent, which goes on beside the nodes) depends on each
// of prerequisites. It fails on a stack with no charts or add-ons, so it
// cannot pass by seeing nothing.
func checkControllersWaitFor(t *testing.T, run stackRun, except string, prerequisites ...mocktest.Resource) {
	t.Helper()
	controllers := append(run.ByType("kubernetes:helm.sh/v4:Chart"), run.ByType("aws:eks/addon:Addon")...)
	checked := 0
	for _, c := range controllers {
		if c.Name == except {
			continue
		}
		checked++
		for _, p := range prerequisites {
			if !slices.Contains(c.Dependencies, p.URN) {
				t.Errorf("%s %s does not wait for %s %s", c.Type, c.Name, p.Type, p.Name)
			}
		}
	}
	if checked == 0 {
		t.Errorf("no charts or EKS add-ons registered")
	}
}
