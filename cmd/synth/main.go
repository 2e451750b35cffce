// Command synth writes the program's plan for a stack as reviewable files,
// with no cloud credentials, no Pulumi CLI and no network: it runs
// stacks.Run under the shared mock monitor with the stack's configuration
// resolved as the Pulumi CLI resolves it (see package synth).
//
//	go run ./cmd/synth -stack dev -out /tmp/dev             # /tmp/dev/resources.yaml, /tmp/dev/kubernetes/*.yaml
//	go run ./cmd/synth -stack dev -out /tmp/new -diff /tmp/dev
//	go run ./cmd/synth -all -out testdata/synth             # every stack: refresh the snapshots
//	go run ./cmd/synth -all -out /tmp/head -diff /tmp/base  # every stack, compared stack by stack
//	go run ./cmd/synth -stack dev -critical-path            # the deploy's simulated critical path
//	go run ./cmd/synth -stack dev -critical-path -latencies my-latencies.txt
//	go run ./cmd/synth -stack dev -cost                      # the cost estimate (internal/cost)
//	go run ./cmd/synth -all -out /tmp/head -diff /tmp/base -cost   # and the cost difference
//
// It prints the resources by type and, with -diff, what changed; with
// -critical-path, the simulated deploy over the recorded graph (package
// internal/critical): makespan, the critical chain, the ratio against the
// chain no program can avoid, and the latency table used; with -cost, the
// estimate per hour and per 30 days (-usage FILE overrides the usage
// assumptions) and, with -diff, its difference. Run it from the
// repository root (or set -root).
package main

import (
	"os"

	"github.com/eks-workshop/eks-workshop/internal/cli"
	"github.com/eks-workshop/eks-workshop/stacks"
	"github.com/eks-workshop/eks-workshop/synth"
)

// main is wiring only (synth.Command is the command, tested there and in
// stacks): a test here would link the provider SDKs once more.
func main() {
	err := synth.Command(os.Args[1:], stacks.Run, os.Stdout)
	os.Exit(cli.Exit("synth", synth.Usage, nil, err, os.Stdout, os.Stderr))
}
