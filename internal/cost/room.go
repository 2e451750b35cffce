package cost

import (
	"fmt"
	"io"
	"math/big"
)

// Room is the cost of a workshop room: the shared cluster's stack and every
// participant's, each estimated from what its program registers.
// Participants add only what they register: a namespace and workloads on
// the cluster's nodes are not billed; an Ingress of their own would be an
// ALB, and is priced.
type Room struct {
	Cluster      *Estimate
	Participants []*Estimate
}

// Stacks are the room's estimates, the cluster's first.
func (r *Room) Stacks() []*Estimate { return append([]*Estimate{r.Cluster}, r.Participants...) }

func (r *Room) sum(of func(*Estimate) *big.Rat) *big.Rat {
	total := new(big.Rat)
	for _, e := range r.Stacks() {
		total.Add(total, of(e))
	}
	return total
}

// Hourly is the room's cost per hour.
func (r *Room) Hourly() *big.Rat { return r.sum((*Estimate).Hourly) }

// HourlyAtMost is the room's cost per hour with the node group at maxSize.
func (r *Room) HourlyAtMost() *big.Rat { return r.sum((*Estimate).HourlyAtMost) }

// Monthly is the room's cost per 30 days.
func (r *Room) Monthly() *big.Rat {
	return new(big.Rat).Mul(r.Hourly(), big.NewRat(r.Cluster.HoursPerMonth, 1))
}

// Running is the part of the room that exists: the stacks up reports up.
func (r *Room) Running(up func(stack string) bool) *Room {
	running := &Room{Cluster: &Estimate{Stack: r.Cluster.Stack, HoursPerMonth: r.Cluster.HoursPerMonth}}
	if up(r.Cluster.Stack) {
		running.Cluster = r.Cluster
	}
	for _, p := range r.Participants {
		if up(p.Stack) {
			running.Participants = append(running.Participants, p)
		}
	}
	return running
}

// Write prints the room's cost with every stack up: the total, the
// cluster's and the participants' shares, the ceiling, and what is not
// priced.
func (r *Room) Write(w io.Writer) error {
	participants := new(big.Rat).Sub(r.Hourly(), r.Cluster.Hourly())
	fmt.Fprintf(w, "room cost with every stack up: %s/h, %s per 30 days (prices of %s, %s; assumed usage as in internal/cost)\n",
		USD(r.Hourly(), 2), USD(r.Monthly(), 2), r.Cluster.Date.Format("2006-01-02"), r.Cluster.PriceRegion)
	fmt.Fprintf(w, "  cluster stack %s: %s/h; %d participant stacks add %s/h (namespaces and workloads on the cluster's nodes are not billed)\n",
		r.Cluster.Stack, USD(r.Cluster.Hourly(), 4), len(r.Participants), USD(participants, 4))
	if atMost := r.HourlyAtMost(); atMost.Cmp(r.Hourly()) != 0 {
		fmt.Fprintf(w, "  at most %s/h with the node group at its maxSize (the Cluster Autoscaler's ceiling)\n", USD(atMost, 4))
	}
	for _, e := range r.Stacks() {
		for _, u := range e.NotPriced {
			fmt.Fprintf(w, "  not priced, stack %s: %s %s: %s\n", e.Stack, u.Type, u.Name, u.Why)
		}
	}
	return nil
}
