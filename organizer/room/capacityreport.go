package room

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// CapacityError is a room that does not fit its nodes at the HPAs' minimum.
type CapacityError struct{ Capacity *Capacity }

func (e *CapacityError) Error() string {
	c := e.Capacity
	var b strings.Builder
	fmt.Fprintf(&b, "the room (%d participants) does not fit node group %q at the HPA minimum: %s; ",
		c.Participants, c.NodeGroup, c.AtMin.describe(c.Type))
	fixes := c.fixes(atHPAMinimum, c.AtMin)
	if len(fixes) == 0 {
		fixes = []string{"no instance type in organizer/room/instances.txt holds it: split the room across clusters"}
	}
	fmt.Fprintf(&b, "up creates nothing for it. Fix one of:\n  - %s\n`organizer plan` prints the whole table", strings.Join(fixes, "\n  - "))
	return b.String()
}

// Err refuses a room that does not fit at the HPAs' minimum.
func (c *Capacity) Err() error {
	if c.FitsAtMinimum() {
		return nil
	}
	return &CapacityError{Capacity: c}
}

// describe is "72 pods requesting 9900m CPU and 5964Mi need 7 × m5.large".
func (f Fit) describe(t InstanceType) string {
	need := fmt.Sprintf("need %d × %s", f.Nodes, t.Name)
	if f.Nodes < 0 {
		need = "include a pod larger than what an empty " + t.Name + " offers"
	}
	return fmt.Sprintf("%d pods requesting %dm CPU and %dMi %s", f.Pods, f.Requests.CPUMilli, f.Requests.MemoryMiB, need)
}

// fixes are the settings that would make f fit: more nodes of the type, or
// another type on the nodes there are.
func (c *Capacity) fixes(replicas int, f Fit) []string {
	var fixes []string
	if f.Nodes > 0 && f.Nodes <= spec.MaxNodesPerGroup {
		field := &spec.FieldError{Field: c.sizeKey(), Value: c.Available(), Allowed: fmt.Sprintf("want at least %d", f.Nodes)}
		if c.Autoscaler {
			field.Allowed += " (the Cluster Autoscaler adds nodes up to it as pods wait)"
		} else {
			field.Allowed += " (and maxSize with it; without the Cluster Autoscaler the group stays at desiredSize)"
		}
		fixes = append(fixes, field.Error())
	}
	if t, n, ok := c.Alternative(replicas); ok {
		fixes = append(fixes, (&spec.FieldError{Field: config.ProjectName + ":instanceTypes", Value: []string{c.Type.Name},
			Allowed: fmt.Sprintf("[%s] holds it on %d node(s)", t.Name, n)}).Error())
	}
	return fixes
}

// Warning says when pods will stay Pending, for a room that fits at the
// HPAs' minimum but not at their maximum; "" otherwise.
func (c *Capacity) Warning() string {
	if !c.FitsAtMinimum() || c.FitsAtMaximum() {
		return ""
	}
	var loads []string
	for _, w := range c.Workloads {
		if w.TargetCPU > 0 && w.Owner == c.scaledOwner() {
			r := max(c.ScalesTo, w.MinPods)
			loads = append(loads, fmt.Sprintf("%s above %dm CPU of load", w.Name, int64(r)*w.PerPod.CPUMilli*int64(w.TargetCPU)/100))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the room fits at the HPA minimum (%d pods on %d × %s) but not at the maximum: %s, at most %d (%s). ",
		c.AtMin.Pods, c.AtMin.Nodes, c.Type.Name, c.AtMax.describe(c.Type), c.Available(), c.sizeKey())
	fmt.Fprintf(&b, "Pods stay Pending once every environment's HPAs scale past %d replica(s) at once, i.e. in each environment %s",
		c.ScalesTo, strings.Join(loads, ", "))
	if fixes := c.fixes(atHPAMaximum, c.AtMax); len(fixes) > 0 {
		fmt.Fprintf(&b, ". To hold the maximum: %s", strings.Join(fixes, "; or "))
	}
	return b.String()
}

// scaledOwner is whose HPAs the warning speaks of: the participants', or
// the cluster stack's in a room without participants.
func (c *Capacity) scaledOwner() string {
	if c.Participants > 0 {
		return OwnerParticipants
	}
	return OwnerCluster
}

// WriteTable prints what one node offers, what the room runs, and the
// verdict.
func (c *Capacity) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	autoscaler := "off: the group stays at desiredSize"
	if c.Autoscaler {
		autoscaler = "on: it adds nodes up to maxSize"
	}
	fmt.Fprintf(w, "Room: %d participants on node group %q, %d to %d × %s (desired %d); Cluster Autoscaler %s.\n\n",
		c.Participants, c.NodeGroup, c.MinSize, c.MaxSize, c.Type.Name, c.DesiredSize, autoscaler)

	t := c.Type
	capacity, reserved, alloc := t.Capacity(), t.KubeReserved(), t.Allocatable()
	ds := alloc.minus(c.PerNode.Free)
	fmt.Fprintf(tw, "ONE %s NODE\tCPU\tMEMORY\tPODS\n", t.Name)
	fmt.Fprintf(tw, "capacity (%d vCPU, %dMi less 7.5%% the kernel keeps)\t%dm\t%dMi\t%d\n", t.VCPUs, t.MemoryMiB, capacity.CPUMilli, capacity.MemoryMiB, t.MaxPods)
	fmt.Fprintf(tw, "EKS AMI kube-reserved, eviction threshold\t-%dm\t-%dMi\n", reserved.CPUMilli, reserved.MemoryMiB+evictionHardMiB)
	fmt.Fprintf(tw, "allocatable\t%dm\t%dMi\t%d\n", alloc.CPUMilli, alloc.MemoryMiB, t.MaxPods)
	fmt.Fprintf(tw, "DaemonSets\t-%dm\t-%dMi\t-%d\n", ds.CPUMilli, ds.MemoryMiB, t.MaxPods-c.PerNode.Slots)
	fmt.Fprintf(tw, "left for the room\t%dm\t%dMi\t%d\n\n", c.PerNode.Free.CPUMilli, c.PerNode.Free.MemoryMiB, c.PerNode.Slots)

	fmt.Fprintln(tw, "WORKLOAD\tOWNER\tCOPIES\tPODS AT HPA MIN\tPODS AT HPA MAX\tCPU/POD\tMEMORY/POD")
	for _, wl := range c.Workloads {
		minPods, maxPods := fmt.Sprint(wl.podsAt(atHPAMinimum)), fmt.Sprint(wl.podsAt(atHPAMaximum))
		if wl.DaemonSet {
			minPods, maxPods = "1 per node", "1 per node"
		}
		fmt.Fprintf(tw, "%s/%s\t%s\t%d\t%s\t%s\t%dm\t%dMi\n", wl.Namespace, wl.Name, wl.Owner, wl.Copies, minPods, maxPods, wl.PerPod.CPUMilli, wl.PerPod.MemoryMiB)
	}
	fmt.Fprintln(tw, "\t\t\tAT HPA MIN\tAT HPA MAX")
	fmt.Fprintf(tw, "pods (DaemonSets aside)\t\t\t%d\t%d\n", c.AtMin.Pods, c.AtMax.Pods)
	fmt.Fprintf(tw, "CPU requested\t\t\t%dm\t%dm\n", c.AtMin.Requests.CPUMilli, c.AtMax.Requests.CPUMilli)
	fmt.Fprintf(tw, "memory requested\t\t\t%dMi\t%dMi\n", c.AtMin.Requests.MemoryMiB, c.AtMax.Requests.MemoryMiB)
	fmt.Fprintf(tw, "%s nodes needed (available: %d)\t\t\t%s\t%s\n", t.Name, c.Available(), nodes(c.AtMin), nodes(c.AtMax))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, n := range c.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	switch {
	case !c.FitsAtMinimum():
		_, err := fmt.Fprintf(w, "REFUSED: %v\n", c.Err())
		return err
	case !c.FitsAtMaximum():
		_, err := fmt.Fprintf(w, "WARNING: %s.\n", c.Warning())
		return err
	}
	_, err := fmt.Fprintf(w, "FITS: the room fits %d × %s even with every HPA at its maximum.\n", c.AtMax.Nodes, t.Name)
	return err
}

func nodes(f Fit) string {
	if f.Nodes < 0 {
		return "a pod fits no node"
	}
	return fmt.Sprint(f.Nodes)
}
