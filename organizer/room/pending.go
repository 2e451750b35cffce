package room

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Pending operations are what an engine that was killed mid-operation leaves
// in a stack's state: the operations it had started and not recorded the end
// of. A pending create may or may not have created its object. The engine's
// next update drops pending creates and creates the object again, which a
// provider that creates client-side (the Kubernetes provider since v4.30.0,
// unless upsertExistingObjects is set) refuses with AlreadyExists, and a
// provider that upserts adopts silently. The organizer resolves them itself
// before the update instead: a refresh clears the pending creates and reads
// what the other pending operations touched, and the objects the creates did
// make are then adopted as orphans (AddResources). `refresh
// --import-pending-creates` is no help: v3.276.0 turns each into a pending
// import that the refresh then drops, leaving the object in no state.

// PendingCreating is the pending operation type of a create.
const PendingCreating = "creating"

// PendingOperation is one entry of a state's pending_operations.
type PendingOperation struct{ Type, URN string }

// deploymentPending is the pending operations of a deployment.
type deploymentPending struct {
	PendingOperations []struct {
		Type     string `json:"type"`
		Resource struct {
			URN string `json:"urn"`
		} `json:"resource"`
	} `json:"pending_operations"`
}

// ReadPendingOperations reads the pending operations of a state as `pulumi
// stack export` writes it ({"deployment": ...}) or as a file or S3 backend
// keeps it, the stack's checkpoint ({"checkpoint": {"latest": ...}}).
func ReadPendingOperations(state []byte) ([]PendingOperation, error) {
	var doc struct {
		Deployment *deploymentPending `json:"deployment"`
		Checkpoint struct {
			Latest *deploymentPending `json:"latest"`
		} `json:"checkpoint"`
	}
	if err := json.Unmarshal(state, &doc); err != nil {
		return nil, fmt.Errorf("reading the stack's state: %w", err)
	}
	d := doc.Deployment
	if d == nil {
		d = doc.Checkpoint.Latest
	}
	if d == nil {
		return nil, nil // a stack that has never been updated
	}
	ops := make([]PendingOperation, 0, len(d.PendingOperations))
	for _, op := range d.PendingOperations {
		ops = append(ops, PendingOperation{Type: op.Type, URN: op.Resource.URN})
	}
	return ops, nil
}

// The same backend keeps each stack's checkpoint at
// .pulumi/stacks/PROJECT/STACK.json, or with .gz or .zst after it when the
// CLI compresses it, and reads the newest of them (pkg/backend/diy,
// state.go stackPath; v3.276.0, read 2026-12-07).

// StackCheckpoint is the key of a stack's uncompressed checkpoint.
func StackCheckpoint(project, stack string) string {
	return path.Join(".pulumi", "stacks", project, stack) + ".json"
}

// OnlyUncompressed tells, of the keys under StackCheckpoint, whether the
// checkpoint is the uncompressed one alone (its backup beside it aside).
func OnlyUncompressed(keys []string, checkpoint string) bool {
	found := false
	for _, k := range keys {
		switch {
		case k == checkpoint:
			found = true
		case strings.HasSuffix(k, ".gz"), strings.HasSuffix(k, ".zst"):
			return false
		}
	}
	return found
}

// PendingResolution is how a refresh resolves a state's pending operations.
type PendingResolution struct {
	// Creates are the pending creates: cleared, their objects adopted after.
	Creates []string
	// Others are the pending updates and deletes: the refresh reads the
	// objects they touched as they are.
	Others []string
}

// Empty is whether there is nothing to resolve.
func (r PendingResolution) Empty() bool {
	return len(r.Creates)+len(r.Others) == 0
}

// String says what the refresh does, for the report.
func (r PendingResolution) String() string {
	var parts []string
	if n := len(r.Creates); n > 0 {
		names := make([]string, n)
		for i, urn := range r.Creates {
			names[i] = urnName(urn)
		}
		parts = append(parts, fmt.Sprintf("%d pending create(s) cleared (%s)", n, strings.Join(names, ", ")))
	}
	if n := len(r.Others); n > 0 {
		parts = append(parts, fmt.Sprintf("%d other pending operation(s) refreshed", n))
	}
	return strings.Join(parts, "; ")
}

// urnName is the resource name a URN ends with.
func urnName(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+len("::"):]
	}
	return urn
}

// ResolvePending decides the resolution of ops.
func ResolvePending(ops []PendingOperation) PendingResolution {
	var r PendingResolution
	for _, op := range ops {
		if op.Type == PendingCreating {
			r.Creates = append(r.Creates, op.URN)
		} else {
			r.Others = append(r.Others, op.URN)
		}
	}
	sort.Strings(r.Creates)
	sort.Strings(r.Others)
	return r
}

// Orphan is an object an update stopped mid-create made but did not record:
// the provider's call was cancelled after the API server had created it, so
// the state holds neither the object nor a pending create. AddResources
// records it, and a refresh then reads it (as `pulumi import` would, which
// needs the program's language plugin; `pulumi stack import` drops pending
// operations, so it cannot be recorded as a pending create).
type Orphan struct {
	URN, ResourceType, ID string
	// Parent is the URN of its parent, Provider the reference (urn::id) of
	// its provider, Inputs what the update would create it with.
	Parent, Provider string
	Inputs           map[string]any
}

// AddResources adds orphans to a state, as `pulumi stack export` writes it,
// as resources with their IDs and inputs and no outputs yet (a refresh reads
// them), after every other resource so that their parents and providers
// come first. It returns the state for `pulumi stack import`; everything
// else in it is kept as it was.
func AddResources(export []byte, orphans []Orphan) ([]byte, error) {
	var state map[string]json.RawMessage
	if err := json.Unmarshal(export, &state); err != nil {
		return nil, fmt.Errorf("reading the stack's exported state: %w", err)
	}
	var deployment map[string]json.RawMessage
	if err := json.Unmarshal(state["deployment"], &deployment); err != nil {
		return nil, fmt.Errorf("reading the stack's exported state: no deployment: %w", err)
	}
	var resources []any
	if raw, ok := deployment["resources"]; ok {
		if err := json.Unmarshal(raw, &resources); err != nil {
			return nil, fmt.Errorf("reading the stack's resources: %w", err)
		}
	}
	for _, o := range orphans {
		inputs := o.Inputs
		if inputs == nil {
			inputs = map[string]any{}
		}
		resource := map[string]any{"urn": o.URN, "custom": true, "type": o.ResourceType, "id": o.ID, "inputs": inputs, "outputs": map[string]any{}}
		if o.Parent != "" {
			resource["parent"] = o.Parent
		}
		if o.Provider != "" {
			resource["provider"] = o.Provider
		}
		resources = append(resources, resource)
	}
	var err error
	if deployment["resources"], err = json.Marshal(resources); err != nil {
		return nil, err
	}
	if state["deployment"], err = json.Marshal(deployment); err != nil {
		return nil, err
	}
	return json.MarshalIndent(state, "", "    ")
}
