package config

import (
	"testing"
)

// A stack other than dev that leaves the names at their defaults gets its
// own; the workshop's stack keeps the workshop's.
func TestAccountNamesDeriveFromTheStack(t *testing.T) {
	cfg := DefaultConfig()
	for stack, want := range map[string][3]string{
		"":      {"eks-demo", "demo-flask-backend", "demo-nginx"},
		"dev":   {"eks-demo", "demo-flask-backend", "demo-nginx"},
		"alice": {"eks-demo-alice", "demo-flask-backend-alice", "demo-nginx-alice"},
	} {
		cfg.Stack = stack
		w := cfg.Workloads()
		if got := [3]string{cfg.EKSClusterName(), w[0].Repository, w[1].Repository}; got != want {
			t.Errorf("stack %q: names %v, want %v", stack, got, want)
		}
	}
	cfg.Stack, cfg.ClusterName = "alice", "team-a"
	if got := cfg.EKSClusterName(); got != "team-a" {
		t.Errorf("an explicit cluster name became %q", got)
	}
}
