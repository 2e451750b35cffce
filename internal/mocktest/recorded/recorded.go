// Package recorded is what the mock monitor (package mocktest) records: each
// registration and invoke, with the accessors tests read them through. It
// imports only Pulumi's property values, not the SDK that runs programs, so
// what only reads a recording (internal/critical) links no more than that.
package recorded

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Resource is one recorded registration.
type Resource struct {
	Type         string
	Name         string
	URN          string
	ID           string
	Custom       bool
	Parent       string
	Provider     string
	Dependencies []string
	Protect      bool
	Inputs       resource.PropertyMap
	// Remote marks a multi-language component (pulumi-eks, Helm v4 Chart):
	// its provider builds the children, which the mocks do not see.
	Remote bool
	// Standin marks a resource the mock itself registered to stand for a
	// child of a remote component (pulumi-eks's cluster and node group).
	Standin bool
	// StandinFor is the URN of the remote component a stand-in belongs to.
	StandinFor string
}

// Invoke is one recorded function call (data source).
type Invoke struct {
	Token    string
	Args     resource.PropertyMap
	Provider string
}

// Plain returns the inputs as plain Go values (secrets and outputs unwrapped,
// resource references as their URN).
func (r Resource) Plain() map[string]any {
	return Plain(resource.NewObjectProperty(r.Inputs)).(map[string]any)
}

// Input returns one input by property path ("vpcConfig.subnetIds[0]") as a plain value.
func (r Resource) Input(path string) any {
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		panic(err)
	}
	v, ok := p.Get(resource.NewObjectProperty(r.Inputs))
	if !ok {
		return nil
	}
	return Plain(v)
}

// IsSecret reports whether the input at path is marked secret.
func (r Resource) IsSecret(path string) bool {
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		panic(err)
	}
	v, ok := p.Get(resource.NewObjectProperty(r.Inputs))
	return ok && v.ContainsSecrets()
}

// Plain converts a property value to plain Go values.
func Plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return Plain(v.SecretValue().Element)
	case v.IsOutput():
		return Plain(v.OutputValue().Element)
	case v.IsComputed():
		return nil
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			if e.IsNull() {
				continue
			}
			out[string(k)] = Plain(e)
		}
		return out
	case v.IsArray():
		out := []any{}
		for _, e := range v.ArrayValue() {
			out = append(out, Plain(e))
		}
		return out
	case v.IsNull():
		return nil
	}
	return v.V
}

// Manifest renders a Kubernetes registration as the object the provider
// would send to the API server: its inputs plus apiVersion and kind from the
// type token ("kubernetes:apps/v1:Deployment").
func (r Resource) Manifest() (map[string]any, error) {
	parts := strings.Split(r.Type, ":")
	if len(parts) != 3 || parts[0] != "kubernetes" {
		return nil, fmt.Errorf("%s %s is not a Kubernetes object", r.Type, r.Name)
	}
	manifest := r.Plain()
	manifest["apiVersion"] = strings.TrimPrefix(parts[1], "core/")
	manifest["kind"] = parts[2]
	return manifest, nil
}

// DecodeStrict decodes the manifest into a typed object (a k8s.io/api type),
// failing on unknown or mistyped fields, as the API server would.
func (r Resource) DecodeStrict(into any) error {
	manifest, err := r.Manifest()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(manifest)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("%s %s: %w", r.Type, r.Name, err)
	}
	return nil
}
