package room

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const exportWithPending = `{"version": 3, "deployment": {"resources": [], "pending_operations": [
 {"resource": {"urn": "urn:pulumi:p::r::kubernetes:apps/v1:Deployment::b", "type": "kubernetes:apps/v1:Deployment"}, "type": "creating"},
 {"resource": {"urn": "urn:pulumi:p::r::kubernetes:core/v1:Namespace::a"}, "type": "creating"},
 {"resource": {"urn": "urn:g"}, "type": "deleting"},
 {"resource": {"urn": "urn:e", "id": "alice/cm"}, "type": "updating"}
]}}`

func TestPendingCreatesAreClearedAndTheOthersRefreshed(t *testing.T) {
	ops, err := ReadPendingOperations([]byte(exportWithPending))
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 4 || ops[0] != (PendingOperation{Type: "creating", URN: "urn:pulumi:p::r::kubernetes:apps/v1:Deployment::b"}) {
		t.Fatalf("read %+v", ops)
	}
	got := ResolvePending(ops)
	want := PendingResolution{
		Creates: []string{"urn:pulumi:p::r::kubernetes:apps/v1:Deployment::b", "urn:pulumi:p::r::kubernetes:core/v1:Namespace::a"},
		Others:  []string{"urn:e", "urn:g"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("resolution\n got %+v\nwant %+v", got, want)
	}
	if got.Empty() {
		t.Error("a resolution with work is empty")
	}
	if s := got.String(); s != "2 pending create(s) cleared (b, a); 2 other pending operation(s) refreshed" {
		t.Errorf("String: %q", s)
	}
}

func TestNoPendingOperationsNeedNothing(t *testing.T) {
	ops, err := ReadPendingOperations([]byte(`{"version": 3, "deployment": {"resources": [{"urn": "x"}]}}`))
	if err != nil || len(ops) != 0 {
		t.Fatalf("%v, %v", ops, err)
	}
	r := ResolvePending(ops)
	if !r.Empty() || r.String() != "" {
		t.Errorf("%+v is not empty", r)
	}
	for _, one := range []PendingResolution{{Creates: []string{"x"}}, {Others: []string{"x"}}} {
		if one.Empty() {
			t.Errorf("%+v is empty", one)
		}
	}
	if s := (PendingResolution{Creates: []string{"u"}}).String(); s != "1 pending create(s) cleared (u)" {
		t.Errorf("%q", s)
	}
	if s := (PendingResolution{Others: []string{"u"}}).String(); s != "1 other pending operation(s) refreshed" {
		t.Errorf("%q", s)
	}
	if _, err := ReadPendingOperations([]byte("not json")); err == nil {
		t.Error("bad export read")
	}
}

func TestOrphansAreAddedAfterEveryResourceWithTheirIDsAndNothingElseChanges(t *testing.T) {
	export := `{"version": 3, "deployment": {"manifest": {"time": "t"}, "resources": [{"urn": "urn:stack"}, {"urn": "urn:provider", "id": "p1"}], "pending_operations": [{"type": "updating", "resource": {"urn": "urn:x"}}]}, "extra": 1}`
	orphans := []Orphan{
		{URN: "urn:np", ResourceType: "kubernetes:networking.k8s.io/v1:NetworkPolicy", ID: "alice/deny-all",
			Parent: "urn:stack", Provider: "urn:provider::p1", Inputs: map[string]any{"kind": "NetworkPolicy"}},
		{URN: "urn:ns", ResourceType: "kubernetes:core/v1:Namespace", ID: "alice"},
	}
	out, err := AddResources([]byte(export), orphans)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"version": 3.0, "extra": 1.0, "deployment": map[string]any{
		"manifest": map[string]any{"time": "t"},
		"resources": []any{
			map[string]any{"urn": "urn:stack"}, map[string]any{"urn": "urn:provider", "id": "p1"},
			map[string]any{"urn": "urn:np", "custom": true, "type": "kubernetes:networking.k8s.io/v1:NetworkPolicy", "id": "alice/deny-all",
				"parent": "urn:stack", "provider": "urn:provider::p1", "inputs": map[string]any{"kind": "NetworkPolicy"}, "outputs": map[string]any{}},
			map[string]any{"urn": "urn:ns", "custom": true, "type": "kubernetes:core/v1:Namespace", "id": "alice",
				"inputs": map[string]any{}, "outputs": map[string]any{}},
		},
		"pending_operations": []any{map[string]any{"type": "updating", "resource": map[string]any{"urn": "urn:x"}}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("state\n got %v\nwant %v", got, want)
	}
}

func TestOrphansAreAddedToAStateWithoutResources(t *testing.T) {
	out, err := AddResources([]byte(`{"deployment": {}}`), []Orphan{{URN: "urn:ns", ResourceType: "kubernetes:core/v1:Namespace", ID: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"urn": "urn:ns"`) {
		t.Errorf("state: %s", out)
	}
	for _, bad := range []string{`{`, `{"deployment": 1}`, `{"deployment": {"resources": {}}}`} {
		if _, err := AddResources([]byte(bad), nil); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestPendingOperationsAreReadFromTheBackendsCheckpointToo(t *testing.T) {
	checkpoint := `{"version": 3, "checkpoint": {"stack": "alice", "latest": {"resources": [], "pending_operations": [{"type": "creating", "resource": {"urn": "urn:a"}}]}}}`
	ops, err := ReadPendingOperations([]byte(checkpoint))
	if err != nil || len(ops) != 1 || ops[0] != (PendingOperation{Type: "creating", URN: "urn:a"}) {
		t.Fatalf("%+v %v", ops, err)
	}
	if ops, err := ReadPendingOperations([]byte(`{"version": 3, "checkpoint": {"stack": "alice"}}`)); err != nil || len(ops) != 0 {
		t.Errorf("a stack never updated: %+v %v", ops, err)
	}
	key := StackCheckpoint("eks-workshop-room-a", "alice")
	if key != ".pulumi/stacks/eks-workshop-room-a/alice.json" {
		t.Errorf("StackCheckpoint: %q", key)
	}
	for keys, want := range map[string]bool{
		key:                      true,
		key + "," + key + ".bak": true,
		key + "," + key + ".gz":  false,
		key + ".zst":             false,
		key + ".bak":             false,
		key + "," + key + ".bak," + key + ".attrs": true,
	} {
		if got := OnlyUncompressed(strings.Split(keys, ","), key); got != want {
			t.Errorf("%s: %v, want %v", keys, got, want)
		}
	}
}
