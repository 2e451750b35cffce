package config

import (
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

func TestPlanCarriesAndChecksTheRoomsGuard(t *testing.T) {
	c := DefaultConfig()
	c.Target, c.FlaskImage, c.NginxImage = TargetLocal, "flask:1", "nginx:1"
	p, err := c.Plan()
	if err != nil || p.Guard != nil {
		t.Fatalf("no guard: %+v, %v", p.Guard, err)
	}
	q := spec.ComputeQuantities{CPU: "1m", Memory: "1Mi"}
	c.Guard = &spec.NamespaceGuardArgs{Namespace: c.Namespace, Group: TeamGroup(c.Namespace), Pods: 1,
		Requests: q, MemoryLimit: "1Mi", DefaultRequest: q, DefaultLimit: q, MaxLimit: q}
	if p, err = c.Plan(); err != nil || p.Guard == nil || *p.Guard != *c.Guard || p.Guard == c.Guard {
		t.Errorf("a guard: %+v, %v; want a copy of %+v", p.Guard, err, c.Guard)
	}
	c.Guard.Pods = 0
	if _, err := c.Plan(); err == nil || !strings.Contains(err.Error(), "eks-workshop:guard.pods = 0") {
		t.Errorf("no pods: %v", err)
	}
}
