package organizer

import (
	"fmt"
	"io"
	"strings"

	"github.com/eks-workshop/eks-workshop/internal/cost"
	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks/config"
	"github.com/eks-workshop/eks-workshop/synth"
)

// RoomCost prices the room as planned, before any stack is touched: the
// cluster stack's program and every participant's, each synthesized under
// the mocks (synth.RunProgram) and priced from internal/cost's table.
// Participants are priced against stand-in cluster outputs: what they
// register does not depend on them.
func RoomCost(plan *room.Plan, program ProgramFactory, table *cost.Table, usage *cost.Usage) (*cost.Room, error) {
	region := plan.Cluster.Region
	price := func(stack string, cfg config.Config) (*cost.Estimate, error) {
		res, err := synth.RunProgram(stack, map[string]string{"aws:region": region}, program(cfg))
		if err != nil {
			return nil, fmt.Errorf("pricing stack %s: %w", stack, err)
		}
		var opts []cost.Option
		if cfg.RoomIngress != nil {
			// A participant's own ALB sits in the cluster's public subnets.
			opts = append(opts, cost.ALBSubnets(len(cfg.RoomIngress.FromCIDRs)))
		}
		return res.Estimate(table, usage, opts...)
	}
	clusterCost, err := price(room.ClusterStack, plan.Cluster)
	if err != nil {
		return nil, err
	}
	r := &cost.Room{Cluster: clusterCost}
	standIn := room.ClusterOutputs{
		Kubeconfig: "apiVersion: v1\nkind: Config\n",
		FlaskImage: standInImage(region, "demo-flask-backend"),
		NginxImage: standInImage(region, "demo-nginx"),
	}
	for _, p := range plan.Participants {
		cfg, err := plan.ParticipantConfig(p.Name, standIn)
		if err != nil {
			return nil, err
		}
		e, err := price(p.Name, cfg)
		if err != nil {
			return nil, err
		}
		r.Participants = append(r.Participants, e)
	}
	return r, nil
}

// standInImage is an image reference by digest, as the cluster stack outputs one.
func standInImage(region, repository string) string {
	return fmt.Sprintf("123456789012.dkr.ecr.%s.amazonaws.com/%s@sha256:%s", region, repository, strings.Repeat("0", 64))
}

// printRoomCost prints the room's cost under plan's, up's and status's
// tables and, after status, what the stacks that exist cost now. A room
// that cannot be priced is said on stderr and fails nothing.
func printRoomCost(stdout, stderr io.Writer, plan *room.Plan, program ProgramFactory, report room.Report, status bool) {
	table, err := cost.DefaultTable()
	var r *cost.Room
	if err == nil {
		r, err = RoomCost(plan, program, table, cost.DefaultUsage())
	}
	if err == nil {
		err = r.Write(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "room cost not estimated:", err)
		return
	}
	if status {
		now := r.Running(func(stack string) bool { return stackExists(report, stack) })
		fmt.Fprintf(stdout, "  now: %s/h (the stacks that exist: cluster %t, %d of %d participants)\n",
			cost.USD(now.Hourly(), 4), stackExists(report, room.ClusterStack), len(now.Participants), len(r.Participants))
	}
}

// stackExists reports whether status found stack with its resources: not
// absent, never updated or destroyed.
func stackExists(report room.Report, stack string) bool {
	for _, r := range report {
		if r.Stack == stack {
			s := string(r.Status)
			return r.Err == nil && r.Status != room.StatusAbsent && r.Status != room.StatusNew && !strings.HasPrefix(s, "destroy")
		}
	}
	return false
}
