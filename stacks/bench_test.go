package stacks

import "testing"

// BenchmarkProgram measures one evaluation of the whole program under the
// mocks per stack: what every stack-level test and `synth` pay.
//
//	go test -run '^$' -bench . -benchmem ./stacks
func BenchmarkProgram(b *testing.B) {
	for _, stack := range []string{"dev", "prod", "local"} {
		b.Run(stack, func(b *testing.B) {
			for b.Loop() {
				runStack(b, stack, nil)
			}
		})
	}
}
