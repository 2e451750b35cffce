package room

import (
	"reflect"
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
