package room

import (
	"fmt"
	"io"
	"math"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// participantGuard is the bounds of a participant's namespace, derived from
// the apps of their environment (cfg) as the capacity check counts them:
// the quota holds every app at its HPA's maximum and nothing more, so a
// participant's misuse cannot take what the check counted for others. A
// container naming no resources gets the smallest app's requests and the
// largest app's limits; no container may ask for more than the largest
// app's limits.
func participantGuard(cfg config.Config) (spec.NamespaceGuardArgs, error) {
	apps := cfg.AppArgs()
	workloads, err := appWorkloads(OwnerParticipants, cfg.Namespace, apps)
	if err != nil {
		return spec.NamespaceGuardArgs{}, err
	}
	g := spec.NamespaceGuardArgs{Namespace: cfg.Namespace, Group: config.TeamGroup(cfg.Namespace)}
	var requests, memoryLimit, largest Resources
	smallest := Resources{math.MaxInt64, math.MaxInt64}
	for _, w := range workloads {
		requests = requests.plus(w.PerPod.times(w.MaxPods))
		g.Pods += w.MaxPods
		limits, err := appLimits(apps[w.Name])
		if err != nil {
			return spec.NamespaceGuardArgs{}, fmt.Errorf("%s/%s: %w", cfg.Namespace, w.Name, err)
		}
		memoryLimit.MemoryMiB += limits.MemoryMiB * int64(w.MaxPods)
		smallest = Resources{min(smallest.CPUMilli, w.PerPod.CPUMilli), min(smallest.MemoryMiB, w.PerPod.MemoryMiB)}
		largest = Resources{max(largest.CPUMilli, limits.CPUMilli), max(largest.MemoryMiB, limits.MemoryMiB)}
	}
	g.Requests = quantities(requests)
	g.MemoryLimit = quantities(memoryLimit).Memory
	g.DefaultRequest = quantities(smallest)
	g.DefaultLimit, g.MaxLimit = quantities(largest), quantities(largest)
	return g, nil
}

// appLimits are an app's container limits; a CPU limit the app leaves out is 0.
func appLimits(a spec.AppArgs) (Resources, error) {
	r := a.WithDefaults().Resources
	var limits Resources
	if r.CPULimit != "" {
		cpu, err := resource.ParseQuantity(r.CPULimit)
		if err != nil {
			return Resources{}, fmt.Errorf("cpuLimit %q: %w", r.CPULimit, err)
		}
		limits.CPUMilli = cpu.MilliValue()
	}
	mem, err := resource.ParseQuantity(r.MemoryLimit)
	if err != nil {
		return Resources{}, fmt.Errorf("memoryLimit %q: %w", r.MemoryLimit, err)
	}
	limits.MemoryMiB = int64(math.Ceil(float64(mem.Value()) / (1 << 20)))
	return limits, nil
}

// quantities writes r as Kubernetes quantities; a CPU of 0 is none.
func quantities(r Resources) spec.ComputeQuantities {
	q := spec.ComputeQuantities{Memory: fmt.Sprintf("%dMi", r.MemoryMiB)}
	if r.CPUMilli > 0 {
		q.CPU = fmt.Sprintf("%dm", r.CPUMilli)
	}
	return q
}

// WriteGuard says what bounds each participant's namespace: the quota and
// container limits (the same for everyone, as their apps are), and the
// admission policy's rules.
func (p *Plan) WriteGuard(w io.Writer) error {
	if len(p.Participants) == 0 {
		return nil
	}
	cfg, err := p.ParticipantConfig(p.Participants[0].Name, ClusterOutputs{})
	if err != nil {
		return err
	}
	g := cfg.Guard
	_, err = fmt.Fprintf(w, "\nEach participant's namespace (their apps at the HPA maximum; the same for everyone):\n"+
		"  ResourceQuota  %d pods, requests %s CPU and %s memory, limits %s memory, no Service of type LoadBalancer\n"+
		"  LimitRange     a container without resources gets requests %s/%s and limits %s/%s; none may exceed %s/%s\n"+
		"  Admission      the group %s may not join an IngressGroup, touch the room's routes, make an internet-facing Ingress, or write NetworkPolicies\n",
		g.Pods, g.Requests.CPU, g.Requests.Memory, g.MemoryLimit,
		g.DefaultRequest.CPU, g.DefaultRequest.Memory, orNone(g.DefaultLimit.CPU), g.DefaultLimit.Memory, orNone(g.MaxLimit.CPU), g.MaxLimit.Memory,
		config.TeamGroup("NAMESPACE"))
	return err
}

func orNone(q string) string {
	if q == "" {
		return "no CPU limit"
	}
	return q
}
