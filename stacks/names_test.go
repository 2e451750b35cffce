package stacks

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// accountNames are the names of the AWS resources a run registers that are
// unique in an account and region: every "name" input of an AWS or
// pulumi-eks resource (kind:name). Resources without one are autonamed,
// with a random suffix of Pulumi's, so they cannot collide.
func accountNames(run stackRun) map[string]bool {
	names := map[string]bool{}
	for _, r := range run.Resources() {
		if !strings.HasPrefix(r.Type, "aws:") && !strings.HasPrefix(r.Type, "eks:") {
			continue
		}
		if name, ok := r.Input("name").(string); ok && name != "" {
			names[r.Type+" "+name] = true
		}
	}
	return names
}

// dev and prod can share one account and region: no account-wide name of
// one is a name of the other.
func TestDevAndProdShareNoAccountWideName(t *testing.T) {
	t.Parallel()
	dev := accountNames(runStack(t, "dev", nil))
	prod := accountNames(runStack(t, "prod", nil))
	for _, want := range []string{
		"aws:ecr/repository:Repository demo-flask-backend", "aws:ecr/repository:Repository demo-nginx",
		"eks:index:Cluster eks-demo", "aws:cloudwatch/logGroup:LogGroup /aws/eks/eks-demo/cluster",
	} {
		if !dev[want] {
			t.Errorf("dev lacks the workshop's %s; has %v", want, slices.Sorted(maps.Keys(dev)))
		}
	}
	for _, want := range []string{
		"aws:ecr/repository:Repository demo-flask-backend-prod", "aws:ecr/repository:Repository demo-nginx-prod",
		"aws:kms/alias:Alias alias/eks/eks-prod-secrets",
	} {
		if !prod[want] {
			t.Errorf("prod lacks %s; has %v", want, slices.Sorted(maps.Keys(prod)))
		}
	}
	for name := range dev {
		if prod[name] {
			t.Errorf("dev and prod both name %s", name)
		}
	}
	// Negative control: a second environment with dev's settings and no
	// stack name of its own would collide, and the check sees it.
	again := accountNames(runStack(t, "dev", nil))
	if !maps.Equal(dev, again) || len(dev) == 0 {
		t.Errorf("two runs of dev should share every name: %v vs %v", dev, again)
	}
}
