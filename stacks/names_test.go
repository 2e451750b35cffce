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
	if shared := sharedNames(dev, prod); len(shared) != 0 {
		t.Errorf("dev and prod both name %v", shared)
	}
	// Negative control: a copy of prod's stack file under another stack
	// name collides on the names it sets (the cluster's, and what derives
	// from it), not on those derived from the stack name (ECR's).
	shared := sharedNames(prod, accountNames(runStackAs(t, "staging", "prod", nil)))
	for _, want := range []string{"eks:index:Cluster eks-prod", "aws:kms/alias:Alias alias/eks/eks-prod-secrets"} {
		if !slices.Contains(shared, want) {
			t.Errorf("a copy of prod does not collide on %s; shared %v", want, shared)
		}
	}
	for _, name := range shared {
		if strings.HasPrefix(name, "aws:ecr/repository:Repository ") {
			t.Errorf("a copy of prod named staging collides on %s", name)
		}
	}
}

// sharedNames are the account-wide names a and b both register, sorted.
func sharedNames(a, b map[string]bool) []string {
	var shared []string
	for name := range a {
		if b[name] {
			shared = append(shared, name)
		}
	}
	slices.Sort(shared)
	return shared
}
