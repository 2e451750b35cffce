package synth

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxDetails bounds the changed fields listed per resource or object.
const maxDetails = 12

// Change is one added (+), removed (-) or changed (~) resource, Kubernetes
// object or stack output.
type Change struct {
	Op string // "+", "-" or "~"
	// What names it: "TYPE NAME" for a resource, the file for an object, the key for an output.
	What string
	// Fields lists, for "~", what changed: "inputs.scalingConfig.maxSize: 5 -> 6".
	Fields []string
}

// Changes is what differs between two synths of a stack.
type Changes struct {
	Resources, Manifests, Outputs []Change
}

// Empty reports whether the synths are the same.
func (c *Changes) Empty() bool {
	return len(c.Resources)+len(c.Manifests)+len(c.Outputs) == 0
}

// String renders the changes for a terminal or a pull request summary.
func (c *Changes) String() string {
	if c.Empty() {
		return "no changes\n"
	}
	var b strings.Builder
	for _, section := range []struct {
		title   string
		changes []Change
	}{{"resources", c.Resources}, {"kubernetes objects", c.Manifests}, {"outputs", c.Outputs}} {
		if len(section.changes) == 0 {
			continue
		}
		n := map[string]int{}
		for _, ch := range section.changes {
			n[ch.Op]++
		}
		fmt.Fprintf(&b, "%s: %d added, %d removed, %d changed\n", section.title, n["+"], n["-"], n["~"])
		for _, ch := range section.changes {
			fmt.Fprintf(&b, "  %s %s\n", ch.Op, ch.What)
			for _, f := range ch.Fields {
				fmt.Fprintf(&b, "      %s\n", f)
			}
		}
	}
	return b.String()
}

// Diff compares two synths of a stack (Result.Files or ReadFiles): which
// resources, Kubernetes objects and outputs were added, removed or changed,
// and in which fields. It fails only on a resources.yaml it cannot parse.
func Diff(old, new Files) (*Changes, error) {
	oldDoc, err := parseResources(old)
	if err != nil {
		return nil, fmt.Errorf("old synth: %w", err)
	}
	newDoc, err := parseResources(new)
	if err != nil {
		return nil, fmt.Errorf("new synth: %w", err)
	}
	c := &Changes{}

	oldRes, newRes := map[string]any{}, map[string]any{}
	names := map[string]string{}
	for _, r := range oldDoc.Resources {
		oldRes[r.URN], names[r.URN] = comparable(r), r.Type+" "+r.Name
	}
	for _, r := range newDoc.Resources {
		newRes[r.URN], names[r.URN] = comparable(r), r.Type+" "+r.Name
	}
	c.Resources = diffSets(oldRes, newRes, func(urn string) string { return names[urn] })

	oldObjs, newObjs := map[string]any{}, map[string]any{}
	for p, raw := range old {
		if isManifest(p) {
			oldObjs[p] = parseObject(raw)
		}
	}
	for p, raw := range new {
		if isManifest(p) {
			newObjs[p] = parseObject(raw)
		}
	}
	c.Manifests = diffSets(oldObjs, newObjs, func(p string) string { return p })
	c.Outputs = diffSets(oldDoc.Outputs, newDoc.Outputs, func(k string) string { return k })
	return c, nil
}

func parseResources(f Files) (*resourcesFile, error) {
	raw, ok := f[ResourcesFile]
	if !ok {
		return nil, fmt.Errorf("no %s", ResourcesFile)
	}
	var doc resourcesFile
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", ResourcesFile, err)
	}
	return &doc, nil
}

// parseObject parses a manifest; a file that is not YAML compares as its text.
func parseObject(raw []byte) any {
	var obj any
	if err := yaml.Unmarshal(raw, &obj); err != nil {
		return string(raw)
	}
	return obj
}

// comparable is a resource as its fields are compared (the URN, its key,
// already names its type, name and parent type).
func comparable(r fileResource) map[string]any {
	deps := make([]any, len(r.Dependencies))
	for i, d := range r.Dependencies {
		deps[i] = d
	}
	return map[string]any{
		"parent": r.Parent, "provider": r.Provider, "protect": r.Protect, "remote": r.Remote,
		"dependencies": deps, "inputs": r.Inputs,
	}
}

// diffSets compares two keyed sets; name says how to show a key.
func diffSets(old, new map[string]any, name func(string) string) []Change {
	sorted := unionKeys(old, new)
	sort.Slice(sorted, func(i, j int) bool { return name(sorted[i]) < name(sorted[j]) })
	var out []Change
	for _, k := range sorted {
		o, inOld := old[k]
		n, inNew := new[k]
		switch {
		case !inOld:
			out = append(out, Change{Op: "+", What: name(k)})
		case !inNew:
			out = append(out, Change{Op: "-", What: name(k)})
		default:
			var fields []string
			diffValues("", o, n, &fields)
			if len(fields) > 0 {
				if len(fields) > maxDetails {
					fields = append(fields[:maxDetails], fmt.Sprintf("... and %d more", len(fields)-maxDetails))
				}
				out = append(out, Change{Op: "~", What: name(k), Fields: fields})
			}
		}
	}
	return out
}

// unionKeys returns the keys of a and b, each once, unsorted.
func unionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, inA := a[k]; !inA {
			keys = append(keys, k)
		}
	}
	return keys
}

// diffValues lists the leaves where a and b differ, as "path: a -> b".
func diffValues(path string, a, b any, out *[]string) {
	am, aIsMap := a.(map[string]any)
	bm, bIsMap := b.(map[string]any)
	if aIsMap && bIsMap {
		sorted := unionKeys(am, bm)
		sort.Strings(sorted)
		for _, k := range sorted {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffValues(p, am[k], bm[k], out)
		}
		return
	}
	as, aIsSlice := a.([]any)
	bs, bIsSlice := b.([]any)
	if aIsSlice && bIsSlice && len(as) == len(bs) {
		for i := range as {
			diffValues(fmt.Sprintf("%s[%d]", path, i), as[i], bs[i], out)
		}
		return
	}
	if aIsSlice && bIsSlice {
		// Lists of different lengths (dependencies, rules): what is in one only.
		for _, e := range as {
			if !slices.ContainsFunc(bs, func(f any) bool { return reflect.DeepEqual(e, f) }) {
				*out = append(*out, fmt.Sprintf("%s: - %s", path, compact(e)))
			}
		}
		for _, e := range bs {
			if !slices.ContainsFunc(as, func(f any) bool { return reflect.DeepEqual(e, f) }) {
				*out = append(*out, fmt.Sprintf("%s: + %s", path, compact(e)))
			}
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, fmt.Sprintf("%s: %s -> %s", path, compact(a), compact(b)))
	}
}

// compact shows a value on one line; absent values as "(none)".
func compact(v any) string {
	if v == nil {
		return "(none)"
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	const max = 120
	if len(raw) > max {
		return string(raw[:max]) + "..."
	}
	return string(raw)
}

// isManifest tells a Kubernetes object's file from the synth's others
// (resources.yaml, the diagrams, which the objects' diff leaves out).
func isManifest(p string) bool { return strings.HasPrefix(p, KubernetesDir+"/") }
