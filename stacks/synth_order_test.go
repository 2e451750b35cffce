package stacks_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/stacks"
)

// Two runs register in much the same order, so comparing them cannot show
// that the synth hides the order. Here each stack's recorded resources,
// shuffled, with their dependencies, must render the same bytes.
func TestSynthIgnoresTheOrderOfRegistration(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"dev", "prod", "auto"} {
		res := mustRun(t, root, stack, nil, stacks.Run)
		want := mustFiles(t, res)
		shuffled := *res
		shuffled.Resources = mocktest.Shuffled(res.Resources, rand.New(rand.NewPCG(uint64(len(stack)), 1)))
		if slices.EqualFunc(shuffled.Resources, res.Resources, func(a, b mocktest.Resource) bool { return a.URN == b.URN }) {
			t.Fatalf("%s: the shuffle kept the order", stack)
		}
		got := mustFiles(t, &shuffled)
		if len(got) != len(want) {
			t.Fatalf("%s: %d files, shuffled %d", stack, len(want), len(got))
		}
		for _, p := range want.Paths() {
			if string(got[p]) != string(want[p]) {
				t.Errorf("%s: %s differs when the resources come in another order", stack, p)
			}
		}
	}
}
