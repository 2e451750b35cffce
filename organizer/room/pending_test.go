package room

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const exportWithPending = `{"version": 3, "deployment": {"resources": [], "pending_operations": [
 {"resource": {"urn": "urn:b", "type": "kubernetes:apps/v1:Deployment", "inputs": {"metadata": {"name": "demo-nginx", "namespace": "alice"}}}, "type": "creating"},
 {"resource": {"urn": "urn:a", "type": "kubernetes:core/v1:Namespace", "inputs": {"metadata": {"name": "alice"}}}, "type": "creating"},
 {"resource": {"urn": "urn:c", "type": "aws:ec2/vpc:Vpc", "id": "vpc-1", "inputs": {}}, "type": "creating"},
 {"resource": {"urn": "urn:g", "type": "kubernetes:core/v1:Secret", "inputs": {}}, "type": "deleting"},
 {"resource": {"urn": "urn:f", "type": "kubernetes:core/v1:Service", "inputs": {"metadata": {}}}, "type": "creating"},
 {"resource": {"urn": "urn:d", "type": "aws:s3/bucket:Bucket", "inputs": {"bucket": "x"}}, "type": "creating"},
 {"resource": {"urn": "urn:e", "type": "kubernetes:core/v1:ConfigMap", "id": "alice/cm", "inputs": {}}, "type": "updating"}
]}}`

func TestPendingCreatesAreImportedWhenTheirIDIsKnownAndClearedOtherwise(t *testing.T) {
	ops, err := ReadPendingOperations([]byte(exportWithPending))
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 7 || ops[0].Type != "creating" || ops[0].URN != "urn:b" || ops[0].ResourceType != "kubernetes:apps/v1:Deployment" ||
		ops[0].Inputs["metadata"] == nil || ops[2].ID != "vpc-1" {
		t.Fatalf("read %+v", ops)
	}
	got := ResolvePending(ops)
	want := PendingResolution{
		Imports: []PendingImport{{"urn:a", "alice"}, {"urn:b", "alice/demo-nginx"}, {"urn:c", "vpc-1"}},
		Cleared: []string{"urn:d", "urn:f"},
		Others:  []string{"urn:e", "urn:g"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("resolution\n got %+v\nwant %+v", got, want)
	}
	if got.Empty() {
		t.Error("a resolution with work is empty")
	}
	if s := got.String(); s != "3 pending create(s) imported; 2 pending create(s) cleared (urn:d, urn:f); 2 other pending operation(s) refreshed" {
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
	for _, one := range []PendingResolution{{Imports: []PendingImport{{}}}, {Cleared: []string{"x"}}, {Others: []string{"x"}}} {
		if one.Empty() {
			t.Errorf("%+v is empty", one)
		}
	}
	if s := (PendingResolution{Imports: []PendingImport{{}}}).String(); s != "1 pending create(s) imported" {
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
