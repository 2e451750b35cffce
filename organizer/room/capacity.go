package room

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// Who runs a workload in the room.
const (
	OwnerAddons       = "add-ons"
	OwnerCluster      = "cluster"
	OwnerParticipants = "participants"
)

// Resources are CPU and memory requests.
type Resources struct {
	CPUMilli, MemoryMiB int64
}

func (r Resources) plus(o Resources) Resources {
	return Resources{r.CPUMilli + o.CPUMilli, r.MemoryMiB + o.MemoryMiB}
}

func (r Resources) minus(o Resources) Resources {
	return Resources{r.CPUMilli - o.CPUMilli, r.MemoryMiB - o.MemoryMiB}
}

func (r Resources) times(n int) Resources {
	return Resources{r.CPUMilli * int64(n), r.MemoryMiB * int64(n)}
}

func (r Resources) within(o Resources) bool {
	return r.CPUMilli <= o.CPUMilli && r.MemoryMiB <= o.MemoryMiB
}

// Workload is pods of one kind the room runs: an add-on's, or an app's in
// the cluster stack's namespace or in every participant's.
type Workload struct {
	Owner           string
	Namespace, Name string
	// Copies is how many environments run it: one, or one per participant.
	Copies int
	// DaemonSet pods run one on every node; the others' counts follow.
	DaemonSet bool
	PerPod    Resources
	// MinPods and MaxPods are each copy's pods at the HPA's minimum and
	// maximum; equal without an HPA.
	MinPods, MaxPods int
	// TargetCPU is the HPA's average CPU utilization target, in percent of
	// the CPU request; 0 without an HPA.
	TargetCPU int
}

// podsAt is the workload's pods (every copy) when each HPA runs replicas,
// within its minimum and maximum.
func (w Workload) podsAt(replicas int) int {
	return min(max(replicas, w.MinPods), w.MaxPods) * w.Copies
}

// appWorkloads are an environment's apps, from their App arguments.
func appWorkloads(owner, namespace string, apps map[string]spec.AppArgs) ([]Workload, error) {
	names := make([]string, 0, len(apps))
	for name := range apps {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []Workload
	for _, name := range names {
		a := apps[name].WithDefaults()
		cpu, err := resource.ParseQuantity(a.Resources.CPURequest)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: cpuRequest %q: %w", namespace, name, a.Resources.CPURequest, err)
		}
		mem, err := resource.ParseQuantity(a.Resources.MemoryRequest)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: memoryRequest %q: %w", namespace, name, a.Resources.MemoryRequest, err)
		}
		w := Workload{Owner: owner, Namespace: namespace, Name: name, Copies: 1, MinPods: a.Replicas, MaxPods: a.Replicas,
			PerPod: Resources{CPUMilli: cpu.MilliValue(), MemoryMiB: int64(math.Ceil(float64(mem.Value()) / (1 << 20)))}}
		if as := a.Autoscaling; as != nil {
			w.MinPods, w.MaxPods, w.TargetCPU = as.MinReplicas, as.MaxReplicas, as.TargetCPUUtilization
		}
		out = append(out, w)
	}
	return out, nil
}

// workloads are everything the room runs: the add-ons, the cluster stack's
// apps and every participant's, identical participants' rows merged.
func (p *Plan) workloads() ([]Workload, []string, error) {
	all, notes := addonWorkloads(p.Cluster)
	own, err := appWorkloads(OwnerCluster, p.Cluster.Namespace, p.Cluster.AppArgs())
	if err != nil {
		return nil, nil, err
	}
	all = append(all, own...)
	var merged []Workload
	for _, part := range p.Participants {
		cfg, err := p.ParticipantConfig(part.Name, ClusterOutputs{})
		if err != nil {
			return nil, nil, err
		}
		apps, err := appWorkloads(OwnerParticipants, "(each participant)", cfg.AppArgs())
		if err != nil {
			return nil, nil, err
		}
		for _, w := range apps {
			if i := sameShape(merged, w); i >= 0 {
				merged[i].Copies++
			} else {
				merged = append(merged, w)
			}
		}
	}
	return append(all, merged...), notes, nil
}

func sameShape(list []Workload, w Workload) int {
	for i, m := range list {
		m.Copies = w.Copies
		if m == w {
			return i
		}
	}
	return -1
}

// Fit is the room's pods (DaemonSets aside) at one scale and the nodes
// they need.
type Fit struct {
	Pods     int
	Requests Resources
	// Nodes is the fewest nodes that hold the pods; -1 when a pod does not
	// fit on an empty node of the type at all.
	Nodes int
}

// NodeRoom is what one node of a type has left for the room's pods once its
// DaemonSets run.
type NodeRoom struct {
	Free  Resources
	Slots int
}

// NodeRoomOf is t's allocatable and pod slots less the DaemonSets'.
func NodeRoomOf(t InstanceType, workloads []Workload) NodeRoom {
	r := NodeRoom{Free: t.Allocatable(), Slots: t.MaxPods}
	for _, w := range workloads {
		if w.DaemonSet {
			r.Free = r.Free.minus(w.PerPod)
			r.Slots--
		}
	}
	return r
}

// fitAt places the room's pods, each HPA at replicas, onto nodes of type t
// and finds the fewest nodes that hold them: from the bound the sums set,
// up, placing the largest pods first, each on the node with the most CPU
// free, as the scheduler's default scoring spreads them.
func fitAt(t InstanceType, workloads []Workload, replicas int) Fit {
	var pods []Resources
	fit := Fit{}
	for _, w := range workloads {
		if w.DaemonSet {
			continue
		}
		for range w.podsAt(replicas) {
			pods = append(pods, w.PerPod)
			fit.Requests = fit.Requests.plus(w.PerPod)
		}
	}
	fit.Pods = len(pods)
	// The > are reached only when their fields differ, or compare pods
	// that are equal in both, so gremlins' >= mutants are equivalent.
	sort.SliceStable(pods, func(i, j int) bool {
		if pods[i].CPUMilli != pods[j].CPUMilli {
			return pods[i].CPUMilli > pods[j].CPUMilli
		}
		return pods[i].MemoryMiB > pods[j].MemoryMiB
	})
	empty := NodeRoomOf(t, workloads)
	for _, pod := range pods {
		if empty.Slots < 1 || !pod.within(empty.Free) || empty.Free.CPUMilli < 1 || empty.Free.MemoryMiB < 1 {
			fit.Nodes = -1
			return fit
		}
	}
	n := max(ceilDiv(fit.Requests.CPUMilli, empty.Free.CPUMilli), ceilDiv(fit.Requests.MemoryMiB, empty.Free.MemoryMiB), ceilDiv(int64(len(pods)), int64(empty.Slots)))
	// A node each always holds them (every pod fits an empty node, checked
	// above), so the search stops there at the latest (and <= would only
	// check that once more: an equivalent mutant).
	for n < int64(len(pods)) && !spread(pods, empty, int(n)) {
		n++
	}
	fit.Nodes = int(n)
	return fit
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// spread reports whether pods, largest first, fit on n empty nodes, each
// pod going to the node with the most CPU free that holds it.
func spread(pods []Resources, empty NodeRoom, n int) bool {
	nodes := make([]NodeRoom, n)
	for i := range nodes {
		nodes[i] = empty
	}
	for _, pod := range pods {
		best := -1
		for i, node := range nodes {
			if node.Slots > 0 && pod.within(node.Free) && (best < 0 || node.Free.CPUMilli > nodes[best].Free.CPUMilli ||
				node.Free.CPUMilli == nodes[best].Free.CPUMilli && node.Free.MemoryMiB > nodes[best].Free.MemoryMiB) {
				best = i
			}
		}
		if best < 0 {
			return false
		}
		nodes[best].Free, nodes[best].Slots = nodes[best].Free.minus(pod), nodes[best].Slots-1
	}
	return true
}

// fitsOn reports whether f fits on n nodes.
func (f Fit) fitsOn(n int) bool { return f.Nodes >= 0 && f.Nodes <= n }

// Both ends of the HPAs' range, as fitAt's replicas.
const (
	atHPAMinimum = 0
	atHPAMaximum = math.MaxInt32
)

// Capacity is whether a room fits its node group: the pods at the HPAs'
// minimum and maximum against what the nodes offer.
type Capacity struct {
	Participants int
	NodeGroup    string
	// Type is the group's instance type; of several, the smallest.
	Type                          InstanceType
	MinSize, DesiredSize, MaxSize int
	// Autoscaler is whether the Cluster Autoscaler may grow the group to MaxSize.
	Autoscaler bool
	Workloads  []Workload
	// Notes are add-ons whose requests were read at another version.
	Notes []string
	// PerNode is what one node has left once its DaemonSets run.
	PerNode      NodeRoom
	AtMin, AtMax Fit
	// ScalesTo is the most replicas every HPA can run at once on the
	// available nodes: at least the HPAs' minimum when the room fits.
	ScalesTo int
}

// Capacity sizes the room against its node group. It fails only when an
// instance type is not in the embedded table.
func (p *Plan) Capacity() (*Capacity, error) {
	if p.Existing != nil {
		return nil, ErrNodesUnknown
	}
	if p.Cluster.AutoMode() {
		return nil, p.autoModeCapacity()
	}
	c := &Capacity{Participants: len(p.Participants), NodeGroup: p.Cluster.NodeGroupName,
		MinSize: p.Cluster.MinSize, DesiredSize: p.Cluster.DesiredSize, MaxSize: p.Cluster.MaxSize, Autoscaler: p.Cluster.ClusterAutoscaler}
	var unknown []string
	for i, name := range p.Cluster.InstanceTypes {
		t, ok := LookupInstanceType(name)
		switch {
		case !ok:
			unknown = append(unknown, name)
		case i == 0 || t.Allocatable().CPUMilli < c.Type.Allocatable().CPUMilli:
			c.Type = t
		}
	}
	if len(unknown) > 0 {
		return nil, &spec.FieldError{Field: config.ProjectName + ":instanceTypes", Value: unknown,
			Allowed: "the capacity check knows only the types in organizer/room/instances.txt; add the type's line there (its sources are named at the top)"}
	}
	var err error
	if c.Workloads, c.Notes, err = p.workloads(); err != nil {
		return nil, err
	}
	c.PerNode = NodeRoomOf(c.Type, c.Workloads)
	c.AtMin = fitAt(c.Type, c.Workloads, atHPAMinimum)
	c.AtMax = fitAt(c.Type, c.Workloads, atHPAMaximum)
	for r := 1; r <= c.maxReplicas() && fitAt(c.Type, c.Workloads, r).fitsOn(c.Available()); r++ {
		c.ScalesTo = r
	}
	return c, nil
}

// Available is how many nodes the room can have: MaxSize when the Cluster
// Autoscaler adds nodes for Pending pods, DesiredSize otherwise.
func (c *Capacity) Available() int {
	if c.Autoscaler {
		return c.MaxSize
	}
	return c.DesiredSize
}

// sizeKey is the setting that bounds Available.
func (c *Capacity) sizeKey() string {
	if c.Autoscaler {
		return config.ProjectName + ":maxSize"
	}
	return config.ProjectName + ":desiredSize"
}

func (c *Capacity) maxReplicas() int {
	most := 0
	for _, w := range c.Workloads {
		most = max(most, w.MaxPods)
	}
	return most
}

// FitsAtMinimum is whether the room's pods fit the available nodes with
// every HPA at its minimum.
func (c *Capacity) FitsAtMinimum() bool { return c.AtMin.fitsOn(c.Available()) }

// FitsAtMaximum is whether they still fit with every HPA at its maximum.
func (c *Capacity) FitsAtMaximum() bool { return c.AtMax.fitsOn(c.Available()) }

// Alternative is the smallest instance type in the table on which the room
// fits the available nodes at replicas, and the nodes it needs: of the
// group's family if one fits, else of its architecture; ok is false when
// none does.
func (c *Capacity) Alternative(replicas int) (t InstanceType, nodes int, ok bool) {
	family := func(t InstanceType) string { return strings.SplitN(t.Name, ".", 2)[0] }
	for _, sameFamily := range []bool{true, false} {
		for _, t := range KnownInstanceTypes() {
			if t.Architecture() != c.Type.Architecture() || t.Name == c.Type.Name || sameFamily && family(t) != family(c.Type) {
				continue
			}
			if f := fitAt(t, c.Workloads, replicas); f.fitsOn(c.Available()) {
				return t, f.Nodes, true
			}
		}
	}
	return InstanceType{}, 0, false
}

// ErrNodesUnknown is Capacity's answer for a room on a cluster it does not
// build (-kubeconfig): its nodes are the cluster admin's, not a node group
// the room's configuration sizes, so there is nothing to check them against.
var ErrNodesUnknown = errors.New("the room runs on a cluster it does not build (-kubeconfig): its nodes are not sized by this configuration, so capacity is not checked")
