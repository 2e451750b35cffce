// The example links the Automation API (and through it go-git), a second of
// linking the unit tier's stacks binary does without: it is compiled with
// the integration tests, which run the real engine anyway.

//go:build integration

package stacks_test

import (
	"context"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"

	"github.com/eks-workshop/eks-workshop/stacks"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// Embedding: a platform tool builds a Config in Go and previews (or ups) it
// as an inline Automation API program; no Pulumi.<stack>.yaml is needed.
// Compiled with the integration tests; running it needs the Pulumi CLI and AWS credentials.
func ExampleProgram() {
	cfg := config.DefaultConfig()
	cfg.Region = "ap-northeast-2"
	cfg.ClusterName = "team-a"
	cfg.Namespace = "team-a"
	cfg.TeamPrincipalArn = "arn:aws:iam::123456789012:role/TeamA"
	if err := cfg.Validate(); err != nil {
		fmt.Println(err) // every problem at once, each naming its key
		return
	}

	ctx := context.Background()
	stack, err := auto.UpsertStackInlineSource(ctx, "team-a", config.ProjectName, stacks.Program(cfg))
	if err != nil {
		fmt.Println(err)
		return
	}
	result, err := stack.Preview(ctx, optpreview.Diff(), optpreview.ProgressStreams(os.Stdout))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(result.ChangeSummary)
}
