// Package critical simulates a deploy over the resource graph that the mock
// monitor records, with a creation time per resource type, and finds its
// critical path: the chain of waits that decides how long `pulumi up` takes.
//
// It follows Pulumi's own rules for when a resource can start:
//   - after every resource it depends on (its inputs' resources and dependsOn)
//     is created. The Go SDK already expands a dependency on a local
//     component into the component's descendants (sdk/go/pulumi/rpc.go,
//     addDependency); the simulation does the same for any component left in
//     the list, so a dependency on a component waits for all of it;
//   - after its provider is created (a provider is a resource: the kubernetes
//     provider waits for the cluster's kubeconfig);
//   - after its parent is registered: at once for a component, after its
//     creation for a custom resource.
//
// Remote components (pulumi-eks's Cluster and ManagedNodeGroup, the Helm v4
// Chart) answer when all their children are created, so each is one unit with
// its own latency; the stand-ins the mocks register for their children finish
// with them. Local components take no time. Parallelism is unbounded.
package critical

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/eks-workshop/eks-workshop/internal/mocktest/recorded"
)

// Step is one resource in the simulated deploy.
type Step struct {
	recorded.Resource
	Start, Finish float64
	// Latency is the resource's own creation time.
	Latency float64
	// WaitedFor is the URN whose completion decided Start ("" if none).
	WaitedFor string
}

// Schedule is the simulated deploy.
type Schedule struct {
	Steps map[string]*Step
	// Makespan is when the last resource is created.
	Makespan float64
	// Chain is the critical path, first resource first: each step's start
	// was decided by the one before it. Steps that take no time are left out.
	Chain []*Step
}

// Simulate schedules every recorded resource as early as its waits allow.
func Simulate(resources []recorded.Resource, table Table) (*Schedule, error) {
	s := &simulation{byURN: map[string]recorded.Resource{}, children: map[string][]string{}, table: table,
		steps: map[string]*Step{}, visiting: map[string]bool{}}
	for _, r := range resources {
		if r.URN == "" {
			return nil, fmt.Errorf("critical: %s %s has no URN (registered outside Monitor.Run?)", r.Type, r.Name)
		}
		s.byURN[r.URN] = r
		if r.Parent != "" {
			s.children[r.Parent] = append(s.children[r.Parent], r.URN)
		}
	}
	sched := &Schedule{Steps: s.steps}
	last := ""
	for _, r := range resources {
		st, err := s.step(r.URN)
		if err != nil {
			return nil, err
		}
		if st.Finish > sched.Makespan || (st.Finish == sched.Makespan && r.URN < last) {
			sched.Makespan, last = st.Finish, r.URN
		}
	}
	for urn := last; urn != ""; urn = s.steps[urn].WaitedFor {
		if st := s.steps[urn]; st.Latency > 0 {
			sched.Chain = append([]*Step{st}, sched.Chain...)
		}
	}
	return sched, nil
}

type simulation struct {
	byURN    map[string]recorded.Resource
	children map[string][]string
	table    Table
	steps    map[string]*Step
	visiting map[string]bool // cycle detection
}

// step schedules one resource: it starts when its dependencies and provider
// are done and its parent is registered.
func (s *simulation) step(urn string) (*Step, error) {
	if st, ok := s.steps[urn]; ok {
		return st, nil
	}
	r, ok := s.byURN[urn]
	if !ok {
		return nil, nil // not recorded (the root stack, a default provider): no wait
	}
	if s.visiting[urn] {
		return nil, fmt.Errorf("critical: dependency cycle through %s %s", r.Type, r.Name)
	}
	s.visiting[urn] = true
	defer delete(s.visiting, urn)

	st := &Step{Resource: r, Latency: s.table.Of(r)}
	waitFor := func(at float64, by string) {
		// Of equal waits the smallest URN, in whatever order they come.
		if at > st.Start || (at == st.Start && at > 0 && by < st.WaitedFor) {
			st.Start, st.WaitedFor = at, by
		}
	}
	waits := append([]string(nil), r.Dependencies...)
	if p := providerURN(r.Provider); p != "" {
		waits = append(waits, p)
	}
	if r.StandinFor != "" {
		waits = append(waits, r.StandinFor)
	}
	for _, dep := range waits {
		at, by, err := s.done(dep)
		if err != nil {
			return nil, err
		}
		waitFor(at, by)
	}
	if r.Parent != "" {
		// A parent's URN resolves when its registration returns: at once for
		// a component, after creation for a custom resource.
		parent, err := s.step(r.Parent)
		if err != nil {
			return nil, err
		}
		if parent != nil {
			waitFor(parent.Finish, r.Parent)
		}
	}
	st.Finish = st.Start + st.Latency
	s.steps[urn] = st
	return st, nil
}

// done returns when urn and, for a local component, all its descendants are
// created, and which resource finished last.
func (s *simulation) done(urn string) (float64, string, error) {
	st, err := s.step(urn)
	if err != nil || st == nil {
		return 0, "", err
	}
	at, by := st.Finish, urn
	if isLocalComponent(st.Resource) {
		for _, child := range s.children[urn] {
			childAt, childBy, err := s.done(child)
			if err != nil {
				return 0, "", err
			}
			if childAt > at {
				at, by = childAt, childBy
			}
		}
	}
	return at, by, nil
}

func isLocalComponent(r recorded.Resource) bool {
	return !r.Custom && !r.Remote && !strings.HasPrefix(r.Type, providerTypePrefix)
}

// providerURN strips the ID from a provider reference ("urn::id").
func providerURN(ref string) string {
	if i := strings.LastIndex(ref, "::"); i >= 0 {
		return ref[:i]
	}
	return ref
}

// Unavoidable lists the types of the chain no program can avoid: the VPC, a
// subnet, the control plane, the nodes, the load balancer controller (a
// chart) and the first ALB (an Ingress), each waiting for the one before.
var Unavoidable = []string{TypeVpc, TypeSubnet, TypeEKSCluster, TypeNodeGroup, TypeHelmChart, TypeIngress}

// UnavoidableAutoMode is the chain on an EKS Auto Mode cluster, whose ALB
// EKS provisions itself: no node group or controller chart comes between
// the control plane and the first ALB.
var UnavoidableAutoMode = []string{TypeVpc, TypeSubnet, TypeEKSCluster, TypeIngress}

// unavoidable is the chain of the stack's cluster: UnavoidableAutoMode for
// one with autoMode.enabled in its inputs, else Unavoidable.
func unavoidable(resources []recorded.Resource) []string {
	for _, r := range resources {
		if r.Type != TypeEKSCluster {
			continue
		}
		if auto, ok := r.Inputs["autoMode"]; ok && auto.IsObject() {
			if enabled, ok := auto.ObjectValue()["enabled"]; ok && enabled.IsBool() && enabled.BoolValue() {
				return UnavoidableAutoMode
			}
		}
	}
	return Unavoidable
}

// Floor is the unavoidable chain's length under the table, counting only
// the types the program registers (a stack without a cluster has no floor).
func Floor(resources []recorded.Resource, table Table) float64 {
	present := map[string]bool{}
	for _, r := range resources {
		present[r.Type] = true
	}
	if !present[TypeEKSCluster] {
		return 0
	}
	floor := 0.0
	for _, typ := range unavoidable(resources) {
		if present[typ] {
			floor += table.Of(recorded.Resource{Type: typ, Custom: true})
		}
	}
	return floor
}

// ByFinish returns the steps that take time, earliest finish first.
func (s *Schedule) ByFinish() []*Step {
	var out []*Step
	for _, st := range s.Steps {
		if st.Latency > 0 {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Finish != out[j].Finish {
			return out[i].Finish < out[j].Finish
		}
		return out[i].URN < out[j].URN
	})
	return out
}

// Report is the critical-path report of one stack.
type Report struct {
	Stack    string
	Schedule *Schedule
	// Floor is the unavoidable chain's length; Ratio is Makespan / Floor (0 without a floor).
	Floor, Ratio float64
}

// Analyze simulates a stack's recorded graph and compares it with the floor.
func Analyze(stack string, resources []recorded.Resource, table Table) (*Report, error) {
	sched, err := Simulate(resources, table)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", stack, err)
	}
	r := &Report{Stack: stack, Schedule: sched, Floor: Floor(resources, table)}
	if r.Floor > 0 {
		r.Ratio = sched.Makespan / r.Floor
	}
	return r, nil
}

// Write prints the report in a user's words: how long the deploy takes
// when every resource starts as soon as what it waits for exists (the
// makespan), the chain no program can avoid and the ratio between them,
// then the critical chain, one resource a line with when it starts and ends.
func (r *Report) Write(w io.Writer) {
	fmt.Fprintf(w, "stack %s: a deploy takes about %.0f s (%s) from the first resource to the last, each starting as soon as what it waits for exists\n",
		r.Stack, r.Schedule.Makespan, minutes(r.Schedule.Makespan))
	if r.Floor > 0 {
		fmt.Fprintf(w, "  no program avoids the chain VPC, subnet, control plane, nodes, load balancer controller, first ALB: %.0f s; this stack takes %.2f times that\n", r.Floor, r.Ratio)
	}
	fmt.Fprintln(w, "  critical chain, the waits that decide the time (start - end, own time):")
	for _, st := range r.Schedule.Chain {
		fmt.Fprintf(w, "  %6.0f - %4.0f s  %4.0f s  %s %s\n", st.Start, st.Finish, st.Latency, st.Type, st.Name)
	}
}

// minutes shows seconds as whole minutes, "16 min".
func minutes(seconds float64) string {
	return fmt.Sprintf("%.0f min", seconds/60)
}

// Gantt is the critical chain as a Mermaid Gantt chart, which GitHub
// renders in Markdown: a bar per resource on the chain, on an axis of
// seconds from the start of the deploy.
func (r *Report) Gantt() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gantt\n    title stack %s: the critical path of a deploy, about %s (typical AWS creation times)\n", r.Stack, minutes(r.Schedule.Makespan))
	b.WriteString("    dateFormat X\n    axisFormat %s\n    section critical chain\n")
	for i, st := range r.Schedule.Chain {
		// A task's text ends at a colon: keep the type's last part.
		kind := st.Type[strings.LastIndex(st.Type, ":")+1:]
		fmt.Fprintf(&b, "    %s %s (%.0f s) :c%d, %.0f, %.0f\n", kind, st.Name, st.Latency, i, st.Start, st.Finish)
	}
	return b.String()
}
