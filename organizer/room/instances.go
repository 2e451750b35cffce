package room

import (
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// instancesFile is the embedded instance table; its header names the sources.
//
//go:embed instances.txt
var instancesFile string

// InstanceType is what the capacity check knows of an EC2 instance type.
type InstanceType struct {
	Name      string
	VCPUs     int
	MemoryMiB int64
	// MaxPods is the VPC CNI's limit without prefix delegation.
	MaxPods int
}

// What the EKS AMI (Amazon Linux 2023, nodeadm) keeps from pods on a node,
// from awslabs/amazon-eks-ami nodeadm/internal/kubelet/config.go at
// 81fec2e895854f599974fe4d3d72f61c0a9aaffa (last changed 2026-02-27):
// getCPUMillicoresToReserve, getMemoryMebibytesToReserve and EvictionHard.
var (
	// kubeReservedCPUSteps: 6% of the first core, 1% of the second, 0.5% of
	// the third and fourth, 0.25% of every further core.
	kubeReservedCPUSteps = []struct{ uptoMilli, basisPoints int64 }{
		{1000, 600}, {2000, 100}, {4000, 50}, {1 << 62, 25},
	}
)

const (
	// kube-reserved memory is 11 MiB per pod the node may run, plus 255 MiB.
	kubeReservedMiBPerPod = 11
	kubeReservedMiBBase   = 255
	// evictionHardMiB is the kubelet's memory.available eviction threshold.
	evictionHardMiB = 100
	// vmMemoryOverheadPercent is the share of an instance's nominal memory
	// the kernel and firmware keep, so the kubelet never reports it as
	// capacity: Karpenter's VM_MEMORY_OVERHEAD_PERCENT default, 7.5%
	// (https://karpenter.sh/docs/reference/settings/, read 2026-12-04).
	vmMemoryOverheadPerMille = 75
)

// instanceTypes is the embedded table by name.
var instanceTypes = mustParseInstances(instancesFile)

func mustParseInstances(text string) map[string]InstanceType {
	types := map[string]InstanceType{}
	for i, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			panic(fmt.Sprintf("instances.txt:%d: %q: want type vCPUs memoryMiB maxPods", i+1, line))
		}
		vcpus, err1 := strconv.Atoi(f[1])
		mem, err2 := strconv.ParseInt(f[2], 10, 64)
		pods, err3 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil || err3 != nil {
			panic(fmt.Sprintf("instances.txt:%d: %q: want type vCPUs memoryMiB maxPods", i+1, line))
		}
		types[f[0]] = InstanceType{Name: f[0], VCPUs: vcpus, MemoryMiB: mem, MaxPods: pods}
	}
	return types
}

// LookupInstanceType finds an instance type in the embedded table.
func LookupInstanceType(name string) (InstanceType, bool) {
	t, ok := instanceTypes[name]
	return t, ok
}

// KnownInstanceTypes are the table's types, smallest first (vCPUs, then memory, then name).
func KnownInstanceTypes() []InstanceType {
	list := make([]InstanceType, 0, len(instanceTypes))
	for _, t := range instanceTypes {
		list = append(list, t)
	}
	// Each < is reached only when its fields differ (names are unique), so
	// gremlins' <= mutants of them are equivalent.
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.VCPUs != b.VCPUs {
			return a.VCPUs < b.VCPUs
		}
		if a.MemoryMiB != b.MemoryMiB {
			return a.MemoryMiB < b.MemoryMiB
		}
		return a.Name < b.Name
	})
	return list
}

// Architecture is "amd64" or "arm64", as the node group's AMI.
func (t InstanceType) Architecture() string { return spec.InstanceArchitecture([]string{t.Name}) }

// KubeReserved is what the EKS AMI reserves for the kubelet and the
// container runtime on this type.
func (t InstanceType) KubeReserved() Resources {
	total := int64(t.VCPUs) * 1000
	var cpu, from int64
	for _, step := range kubeReservedCPUSteps {
		if total > from { // >= would add (total - total) = 0: an equivalent mutant
			cpu += (min(total, step.uptoMilli) - from) * step.basisPoints / 10000
		}
		from = step.uptoMilli
	}
	return Resources{CPUMilli: cpu, MemoryMiB: kubeReservedMiBPerPod*int64(t.MaxPods) + kubeReservedMiBBase}
}

// Capacity is what the kubelet reports: every vCPU, and the memory the
// kernel leaves.
func (t InstanceType) Capacity() Resources {
	return Resources{CPUMilli: int64(t.VCPUs) * 1000, MemoryMiB: t.MemoryMiB * (1000 - vmMemoryOverheadPerMille) / 1000}
}

// Allocatable is what the scheduler may give pods on one node: capacity
// less kube-reserved and the hard eviction threshold.
func (t InstanceType) Allocatable() Resources {
	c, r := t.Capacity(), t.KubeReserved()
	return Resources{CPUMilli: c.CPUMilli - r.CPUMilli, MemoryMiB: c.MemoryMiB - r.MemoryMiB - evictionHardMiB}
}
