package synth

import (
	"fmt"
	"strings"
	"testing"
)

// synthOf is the Files of a synth with the given resources.yaml body and
// Kubernetes objects.
func synthOf(resources string, objects map[string]string) Files {
	f := Files{ResourcesFile: []byte("stack: dev\n" + resources)}
	for p, body := range objects {
		f[p] = []byte(body)
	}
	return f
}

func mustDiff(t *testing.T, old, new Files) *Changes {
	t.Helper()
	c, err := Diff(old, new)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const bucket = `resources:
- urn: urn:pulumi:dev::p::test:index:Bucket::assets
  type: test:index:Bucket
  name: assets
  inputs:
    spec: {replicas: 2, tags: [a, b]}
`

// A resource whose one nested input changed is one "~" with the field's
// full path; an added and a removed resource are "+" and "-", sorted by
// what they are called, not by URN; equal synths are empty.
func TestDiffNamesEachChangeByItsPath(t *testing.T) {
	if c := mustDiff(t, synthOf(bucket, nil), synthOf(bucket, nil)); !c.Empty() || c.String() != "no changes\n" {
		t.Errorf("control, equal synths: %+v", c)
	}
	changed := strings.Replace(bucket, "replicas: 2", "replicas: 3", 1) +
		"- urn: urn:pulumi:dev::p::test:index:A::zz\n  type: test:index:Z\n  name: zz\n" +
		"- urn: urn:pulumi:dev::p::test:index:Z::aa\n  type: test:index:A\n  name: aa\n"
	c := mustDiff(t, synthOf(bucket, nil), synthOf(changed, nil))
	want := "resources: 2 added, 0 removed, 1 changed\n" +
		"  + test:index:A aa\n" +
		"  ~ test:index:Bucket assets\n" +
		"      inputs.spec.replicas: 2 -> 3\n" +
		"  + test:index:Z zz\n"
	if got := c.String(); got != want {
		t.Errorf("String():\n%s\nwant:\n%s", got, want)
	}
	if c.Empty() {
		t.Error("changes reported Empty")
	}
	back := mustDiff(t, synthOf(changed, nil), synthOf(bucket, nil))
	if got := back.String(); !strings.HasPrefix(got, "resources: 0 added, 2 removed, 1 changed\n  - test:index:A aa\n") {
		t.Errorf("the reverse diff:\n%s", got)
	}
}

// Empty holds for no change in any section: one change in each of two
// sections is not empty.
func TestChangesAreEmptyOnlyWithoutAny(t *testing.T) {
	one := []Change{{Op: "+", What: "x"}}
	for _, c := range []Changes{{Resources: one, Manifests: one}, {Manifests: one, Outputs: one}, {Outputs: one}} {
		if c.Empty() {
			t.Errorf("%+v reported empty", c)
		}
	}
}

// Lists of one length compare element by element; of different lengths,
// by what is in one only. A value that was absent shows as (none).
func TestDiffOfListsAndAbsentValues(t *testing.T) {
	sameLength := strings.Replace(bucket, "tags: [a, b]", "tags: [a, c]", 1)
	longer := strings.Replace(bucket, "tags: [a, b]", "tags: [a, b, c], zone: x", 1)
	for _, c := range []struct {
		new  string
		want []string
	}{
		{sameLength, []string{"inputs.spec.tags[1]: \"b\" -> \"c\""}},
		{longer, []string{"inputs.spec.tags: + \"c\"", "inputs.spec.zone: (none) -> \"x\""}},
	} {
		got := mustDiff(t, synthOf(bucket, nil), synthOf(c.new, nil)).Resources
		if len(got) != 1 || fmt.Sprint(got[0].Fields) != fmt.Sprint(c.want) {
			t.Errorf("fields %v, want %v", got, c.want)
		}
	}
}

// A change's fields stop at maxDetails, with a count of the rest.
func TestDiffBoundsTheFieldsListed(t *testing.T) {
	inputs := func(n, v int) string {
		var b strings.Builder
		b.WriteString("resources:\n- urn: u\n  type: t\n  name: n\n  inputs:\n")
		for i := range n {
			fmt.Fprintf(&b, "    k%02d: %d\n", i, v)
		}
		return b.String()
	}
	for _, n := range []int{maxDetails, maxDetails + 2} {
		got := mustDiff(t, synthOf(inputs(n, 1), nil), synthOf(inputs(n, 2), nil)).Resources[0].Fields
		want, last := min(n, maxDetails), "inputs.k11: 1 -> 2"
		if n > maxDetails {
			want, last = maxDetails+1, "... and 2 more"
		}
		if len(got) != want || got[len(got)-1] != last {
			t.Errorf("%d changed fields: listed %d ending %q, want %d ending %q", n, len(got), got[len(got)-1], want, last)
		}
	}
}

// Kubernetes objects compare as YAML (the order of keys does not matter),
// a file that is not YAML as text; resources.yaml is not an object.
func TestDiffOfKubernetesObjects(t *testing.T) {
	old := synthOf(bucket, map[string]string{"kubernetes/a.yaml": "a: 1\nb: 2\n", "kubernetes/bad.yaml": "a: [\n"})
	reordered := synthOf(bucket, map[string]string{"kubernetes/a.yaml": "b: 2\na: 1\n", "kubernetes/bad.yaml": "a: [\n"})
	if c := mustDiff(t, old, reordered); !c.Empty() {
		t.Errorf("reordered keys: %s", c)
	}
	text := synthOf(bucket, map[string]string{"kubernetes/a.yaml": "a: 1\nb: 2\n", "kubernetes/bad.yaml": "b: [\n"})
	if c := mustDiff(t, old, text); len(c.Manifests) != 1 || c.Manifests[0].What != "kubernetes/bad.yaml" || len(c.Resources) != 0 {
		t.Errorf("a changed file that is not YAML: %+v", c)
	}
}

// A long value is cut at 120 bytes of JSON; one that fits is whole.
func TestCompactCutsLongValues(t *testing.T) {
	fits := strings.Repeat("x", 118) // 120 bytes with its quotes
	if got := compact(fits); got != `"`+fits+`"` {
		t.Errorf("compact(%d bytes) = %q", len(fits)+2, got)
	}
	long := fits + "y"
	if got := compact(long); got != `"`+long+"..." { // the closing quote is cut
		t.Errorf("compact(%d bytes) = %q", len(long)+2, got)
	}
	if got := compact(map[string]any{"a": 1}); got != `{"a":1}` {
		t.Errorf("compact(map) = %q", got)
	}
}
