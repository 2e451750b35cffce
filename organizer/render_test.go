package organizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks"
)

// Render writes what up would create for each participant: their
// namespace's objects, the guard's among them, under synth's mocks.
func TestRenderWritesEachParticipantsPlanWithItsGuard(t *testing.T) {
	cluster, err := room.ReadStackConfig(filepath.Join("..", "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := room.NewPlan(cluster, []room.Participant{{Name: "alice"}, {Name: "bob"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	written, err := Render(plan, stacks.Program, dir)
	if err != nil || len(written) != 2 {
		t.Fatalf("%v, %v", written, err)
	}
	read := func(path string) string {
		data, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	quota := read("alice/kubernetes/alice_ResourceQuota_room-quota.yaml")
	for _, want := range []string{"pods: \"20\"", "requests.cpu: 3000m", "services.loadbalancers: \"0\""} {
		if !strings.Contains(quota, want) {
			t.Errorf("alice's quota lacks %q:\n%s", want, quota)
		}
	}
	if policy := read("bob/kubernetes/ValidatingAdmissionPolicy_room-guard-bob.yaml"); !strings.Contains(policy, `"bob-developers"`) {
		t.Errorf("bob's policy:\n%s", policy)
	}
	read("alice/kubernetes/alice_LimitRange_room-limits.yaml")
	read("alice/kubernetes/ValidatingAdmissionPolicyBinding_room-guard-alice.yaml")
	if resources := read("alice/resources.yaml"); !strings.Contains(resources, "eks-workshop:index:NamespaceGuard") {
		t.Errorf("alice's resources lack the guard")
	}
}
