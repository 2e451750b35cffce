// Package diagram draws a recorded plan as a Mermaid flowchart, which
// GitHub renders in Markdown: the stack's components and providers, and
// which of them waits for which.
package diagram

import (
	"fmt"
	"sort"
	"strings"

	"github.com/eks-workshop/eks-workshop/internal/mocktest/recorded"
)

// Components is the plan's component graph: one node per top-level
// component, provider or resource of the stack, with the number of
// resources beneath it, and an arrow from A to B when something in B waits
// for something in A (an input, a dependsOn or its provider).
func Components(stack string, resources []recorded.Resource) string {
	g := newGraph(resources)
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: \"stack %s: an arrow from A to B means B waits for A\"\n---\nflowchart LR\n", stack)
	for i, urn := range g.tops {
		fmt.Fprintf(&b, "    n%d[\"%s\"]\n", i, g.label(urn))
	}
	for _, e := range g.edges() {
		fmt.Fprintf(&b, "    n%d --> n%d\n", e[0], e[1])
	}
	return b.String()
}

type graph struct {
	byURN map[string]recorded.Resource
	tops  []string       // top-level URNs, sorted
	index map[string]int // top-level URN -> node number
	below map[string]int // top-level URN -> resources beneath it
}

func newGraph(resources []recorded.Resource) *graph {
	g := &graph{byURN: map[string]recorded.Resource{}, index: map[string]int{}, below: map[string]int{}}
	for _, r := range resources {
		g.byURN[r.URN] = r
	}
	seen := map[string]bool{}
	for _, r := range resources {
		top := g.top(r.URN)
		if top != r.URN {
			g.below[top]++
		}
		if !seen[top] {
			seen[top] = true
			g.tops = append(g.tops, top)
		}
	}
	sort.Strings(g.tops)
	for i, urn := range g.tops {
		g.index[urn] = i
	}
	return g
}

// top is the top-level resource urn belongs to: its outermost recorded
// ancestor, or for a stand-in, that of the remote component it stands in for.
func (g *graph) top(urn string) string {
	for {
		r := g.byURN[urn]
		next := r.Parent
		if r.StandinFor != "" {
			next = r.StandinFor
		}
		if _, ok := g.byURN[next]; !ok {
			return urn
		}
		urn = next
	}
}

// edges are the waits between top-level nodes, [from, to], sorted.
func (g *graph) edges() [][2]int {
	set := map[[2]int]bool{}
	for _, r := range g.byURN {
		to := g.index[g.top(r.URN)]
		waits := append([]string{providerURN(r.Provider)}, r.Dependencies...)
		for _, dep := range waits {
			if _, ok := g.byURN[dep]; !ok {
				continue
			}
			if from := g.index[g.top(dep)]; from != to {
				set[[2]int{from, to}] = true
			}
		}
	}
	edges := make([][2]int, 0, len(set))
	for e := range set {
		edges = append(edges, e)
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i][0] != edges[j][0] {
			return edges[i][0] < edges[j][0]
		}
		return edges[i][1] < edges[j][1]
	})
	return edges
}

// label is a node's text: its kind, its name and what is beneath it.
func (g *graph) label(urn string) string {
	r := g.byURN[urn]
	label := Kind(r.Type) + "<br/>" + r.Name
	switch n := g.below[urn]; n {
	case 0:
	case 1:
		label += "<br/>1 resource"
	default:
		label += fmt.Sprintf("<br/>%d resources", n)
	}
	return strings.ReplaceAll(label, `"`, "#quot;")
}

// Kind is a type token's last part ("Network" of eks-workshop:index:Network),
// or "<package> provider" for a provider.
func Kind(typ string) string {
	if p, ok := strings.CutPrefix(typ, "pulumi:providers:"); ok {
		return p + " provider"
	}
	return typ[strings.LastIndex(typ, ":")+1:]
}

// providerURN strips the ID from a provider reference ("urn::id").
func providerURN(ref string) string {
	if i := strings.LastIndex(ref, "::"); i >= 0 {
		return ref[:i]
	}
	return ref
}
