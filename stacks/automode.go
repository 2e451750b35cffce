package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// checkComputeModeUnchanged refuses, at preview as at update, to change the
// compute mode of a stack whose cluster exists (config.CheckComputeModeSwitch).
// The mode its last update left is in its own outputs, which a program can
// read only through a StackReference to its own stack: a read, registered
// before anything else, that creates nothing in AWS.
func checkComputeModeUnchanged(ctx *pulumi.Context, cfg Config) error {
	self, err := pulumi.NewStackReference(ctx, "previous-outputs", &pulumi.StackReferenceArgs{
		Name: pulumi.String(fmt.Sprintf("%s/%s/%s", ctx.Organization(), ctx.Project(), ctx.Stack())),
	})
	if err != nil {
		return err
	}
	outputs := map[string]any{}
	for _, key := range []string{config.ComputeModeOutput, "nodeGroupName"} {
		details, err := self.GetOutputDetails(key)
		if err != nil {
			return fmt.Errorf("reading the stack's previous %s output: %w", key, err)
		}
		if details.Value != nil {
			outputs[key] = details.Value
		}
	}
	return config.CheckComputeModeSwitch(config.PreviousComputeMode(outputs), cfg.ComputeMode)
}
