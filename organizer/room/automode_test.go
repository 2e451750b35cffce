package room

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// A room runs on the auto stack's cluster: the plan is valid, participants
// get their environments, and capacity is the apps' requests, which EKS
// provisions for, not a node group to refuse. The dev cluster is the
// negative control: it is sized and has no such answer.
func TestARoomOnAnAutoModeCluster(t *testing.T) {
	cluster, err := ReadStackConfig(filepath.Join("..", "..", "Pulumi.auto.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	participants := []Participant{{Name: "p00"}, {Name: "p01"}}
	plan, err := NewPlan(cluster, participants)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.ParticipantConfig("p00", ClusterOutputs{FlaskImage: "r/f:1", NginxImage: "r/n:1"}); err != nil {
		t.Errorf("participant config: %v", err)
	}
	c, err := plan.Capacity()
	var auto *AutoModeCapacity
	if c != nil || !errors.As(err, &auto) || !errors.Is(err, ErrNodesUnknown) {
		t.Fatalf("capacity %v, %v: want an AutoModeCapacity that is ErrNodesUnknown", c, err)
	}
	// Each environment: flask and nginx, 1 replica each at the minimum
	// (250m/128Mi and 50m/32Mi), 10 at the maximum; three environments.
	if auto.AtMin.Pods != 6 || auto.AtMin.Requests != (Resources{CPUMilli: 900, MemoryMiB: 480}) ||
		auto.AtMax.Pods != 60 || auto.AtMax.Requests != (Resources{CPUMilli: 9000, MemoryMiB: 4800}) {
		t.Errorf("auto mode capacity %+v", auto)
	}
	for _, says := range []string{"EKS Auto Mode", "computeMode auto", "no node group to size", "6 pods, 900m CPU and 480Mi", "60 pods, 9000m CPU and 4800Mi", "2 participants"} {
		if !strings.Contains(err.Error(), says) {
			t.Errorf("%v\nwant it to say %q", err, says)
		}
	}

	dev, err := NewPlan(devConfig(t), participants)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := dev.Capacity(); err != nil || c == nil || c.NodeGroup == "" {
		t.Errorf("dev capacity %v, %v", c, err)
	}
}
