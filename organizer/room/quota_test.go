package room

import (
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// The workshop's apps at their HPA maximum (10 each), by hand:
//
//	flask  requests 250m/128Mi, limits 500m/256Mi  x10 = 2500m/1280Mi, limits.memory 2560Mi
//	nginx  requests  50m/32Mi,  limits 200m/64Mi   x10 =  500m/320Mi,  limits.memory  640Mi
//	quota  20 pods, requests 3000m/1600Mi, limits.memory 3200Mi
func TestParticipantGuardIsTheEnvironmentAtItsHPAMaximum(t *testing.T) {
	plan, err := NewPlan(devConfig(t), []Participant{{Name: "alice", Namespace: "team-a"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := plan.ParticipantConfig("alice", ClusterOutputs{FlaskImage: "flask:1", NginxImage: "nginx:1"})
	if err != nil {
		t.Fatal(err)
	}
	want := spec.NamespaceGuardArgs{
		Namespace: "team-a", Group: "team-a-developers",
		Pods: 20, Requests: spec.ComputeQuantities{CPU: "3000m", Memory: "1600Mi"}, MemoryLimit: "3200Mi",
		DefaultRequest: spec.ComputeQuantities{CPU: "50m", Memory: "32Mi"},
		DefaultLimit:   spec.ComputeQuantities{CPU: "500m", Memory: "256Mi"},
		MaxLimit:       spec.ComputeQuantities{CPU: "500m", Memory: "256Mi"},
	}
	if cfg.Guard == nil || *cfg.Guard != want {
		t.Fatalf("guard %+v\nwant  %+v", cfg.Guard, want)
	}
	if err := cfg.Guard.Validate(); err != nil {
		t.Error(err)
	}
	// The plan the stack runs carries it.
	p, err := cfg.Plan()
	if err != nil || p.Guard == nil || *p.Guard != want {
		t.Errorf("the participant's plan: guard %+v, %v", p.Guard, err)
	}
}

// The quota is the capacity check's own count of a participant: their
// rows' pods and requests at the HPA maximum, divided among them.
func TestParticipantGuardAgreesWithTheCapacityCheck(t *testing.T) {
	const n = 3
	c := roomOf(t, devConfig(t), n)
	plan, err := NewPlan(devConfig(t), []Participant{{Name: "p00"}, {Name: "p01"}, {Name: "p02"}})
	if err != nil {
		t.Fatal(err)
	}
	var pods int
	var requests Resources
	for _, w := range c.Workloads {
		if w.Owner == OwnerParticipants {
			pods += w.MaxPods * w.Copies
			requests = requests.plus(w.PerPod.times(w.MaxPods * w.Copies))
		}
	}
	for _, p := range plan.Participants {
		cfg, err := plan.ParticipantConfig(p.Name, ClusterOutputs{})
		if err != nil {
			t.Fatal(err)
		}
		g := cfg.Guard
		if g.Pods*n != pods || g.Requests != quantities(Resources{requests.CPUMilli / n, requests.MemoryMiB / n}) {
			t.Errorf("%s: %d pods, requests %+v; the capacity check counts %d pods, %+v for %d", p.Name, g.Pods, g.Requests, pods, requests, n)
		}
		if g.Namespace != p.Name || g.Group != p.Name+"-developers" {
			t.Errorf("%s: guards %q for %q", p.Name, g.Namespace, g.Group)
		}
	}
}

func TestAppLimits(t *testing.T) {
	got, err := appLimits(spec.AppArgs{Resources: spec.AppResources{CPULimit: "1", MemoryLimit: "1Gi"}})
	if err != nil || got != (Resources{1000, 1024}) {
		t.Errorf("1 CPU, 1Gi: %+v, %v", got, err)
	}
	// No CPU limit is none; the memory limit's default applies.
	got, err = appLimits(spec.AppArgs{})
	if err != nil || got != (Resources{0, 256}) {
		t.Errorf("defaults: %+v, %v", got, err)
	}
	// A part of a MiB counts as a whole one.
	if got, _ := appLimits(spec.AppArgs{Resources: spec.AppResources{MemoryLimit: "1049000"}}); got.MemoryMiB != 2 {
		t.Errorf("1049000 bytes: %d MiB, want 2", got.MemoryMiB)
	}
	for _, bad := range []spec.AppResources{{CPULimit: "lots"}, {MemoryLimit: "lots"}} {
		if _, err := appLimits(spec.AppArgs{Resources: bad}); err == nil || !strings.Contains(err.Error(), `"lots"`) {
			t.Errorf("%+v: %v, want the bad quantity named", bad, err)
		}
	}
}

func TestQuantitiesLeaveOutANoneCPU(t *testing.T) {
	if q := quantities(Resources{CPUMilli: 0, MemoryMiB: 64}); q != (spec.ComputeQuantities{Memory: "64Mi"}) {
		t.Errorf("no CPU: %+v", q)
	}
	if q := quantities(Resources{CPUMilli: 1, MemoryMiB: 1}); q != (spec.ComputeQuantities{CPU: "1m", Memory: "1Mi"}) {
		t.Errorf("1m: %+v", q)
	}
}

func TestWriteGuardSaysWhatBoundsEachNamespace(t *testing.T) {
	plan, err := NewPlan(devConfig(t), []Participant{{Name: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := plan.WriteGuard(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"ResourceQuota  20 pods, requests 3000m CPU and 1600Mi memory, limits 3200Mi memory, no Service of type LoadBalancer",
		"requests 50m/32Mi and limits 500m/256Mi; none may exceed 500m/256Mi",
		"NAMESPACE-developers may not join an IngressGroup",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := (&Plan{}).WriteGuard(&out); err != nil || out.Len() != 0 {
		t.Errorf("no participant: %q, %v", out.String(), err)
	}
	if orNone("") != "no CPU limit" || orNone("1") != "1" {
		t.Error("orNone")
	}
}
