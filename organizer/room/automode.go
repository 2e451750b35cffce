package room

import (
	"fmt"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// AutoModeCapacity is Capacity's answer for a room whose cluster runs in
// EKS Auto Mode: EKS picks and counts the nodes, so there is no node group
// to size; what the room needs is its apps' requests, which EKS launches
// nodes for. It matches ErrNodesUnknown (errors.Is): nothing to refuse.
type AutoModeCapacity struct {
	Participants int
	// AtMin and AtMax are the apps' pods and requests with every HPA at
	// its minimum and at its maximum.
	AtMin, AtMax Fit
}

// autoModeCapacity sums the room's apps (the cluster stack's and every
// participant's) at the HPAs' minimum and maximum.
func (p *Plan) autoModeCapacity() error {
	workloads, _, err := p.workloads()
	if err != nil {
		return err
	}
	c := &AutoModeCapacity{Participants: len(p.Participants)}
	for _, w := range workloads {
		if w.Owner == OwnerAddons {
			continue // the node group's add-ons; Auto Mode runs its own
		}
		for _, at := range []struct {
			fit  *Fit
			pods int
		}{{&c.AtMin, w.MinPods * w.Copies}, {&c.AtMax, w.MaxPods * w.Copies}} {
			at.fit.Pods += at.pods
			at.fit.Requests = at.fit.Requests.plus(w.PerPod.times(at.pods))
		}
	}
	return c
}

func (c *AutoModeCapacity) Error() string {
	return fmt.Sprintf("the room's cluster runs in EKS Auto Mode (%s:computeMode %s): EKS picks the nodes, launching on-demand C, M or R instances "+
		"of generation %d or newer from its built-in pools as pods wait, so there is no node group to size and nothing to refuse. "+
		"Capacity is what the room's apps (%d participants and the cluster stack's) request: %d pods, %dm CPU and %dMi at the HPAs' minimum; "+
		"%d pods, %dm CPU and %dMi at their maximum. EKS adds nodes for them up to the account's EC2 On-Demand vCPU quota, "+
		"each billed with Auto Mode's management fee on top of EC2 (docs/auto-mode.md)",
		config.ProjectName, spec.ComputeModeAuto, spec.AutoModeMinGeneration, c.Participants,
		c.AtMin.Pods, c.AtMin.Requests.CPUMilli, c.AtMin.Requests.MemoryMiB, c.AtMax.Pods, c.AtMax.Requests.CPUMilli, c.AtMax.Requests.MemoryMiB)
}

// Is makes an Auto Mode room's answer ErrNodesUnknown to `organizer plan`
// and up, which print it and go on.
func (c *AutoModeCapacity) Is(target error) bool { return target == ErrNodesUnknown }
