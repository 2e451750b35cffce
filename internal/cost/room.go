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

// Hourly is the room's cost per hour.
func (r *Room) Hourly() *big.Rat {
	sum := new(big.Rat).Set(r.Cluster.Hourly())
	return sum.Add(sum, r.participantsHourly())
}

func (r *Room) participantsHourly() *big.Rat {
	sum := new(big.Rat)
	for _, p := range r.Participants {
		sum.Add(sum, p.Hourly())
	}
	return sum
}

// Monthly is the room's cost per 30 days.
func (r *Room) Monthly() *big.Rat {
	return new(big.Rat).Mul(r.Hourly(), big.NewRat(r.Cluster.HoursPerMonth, 1))
}

// Write prints the room's cost: the total, what the cluster and the
// participants contribute, and what is not priced.
func (r *Room) Write(w io.Writer) error {
	unpriced := len(r.Cluster.NotPriced)
	for _, p := range r.Participants {
		unpriced += len(p.NotPriced)
	}
	_, err := fmt.Fprintf(w, "room cost: %s/h, %s per 30 days (prices of %s in %s, usage assumed as in internal/cost)\n"+
		"  cluster stack %s: %s/h; %d participant stacks add %s/h (their namespaces and workloads run on the cluster's nodes)\n"+
		"  not priced: %d items (the cluster's: go run ./cmd/synth -stack dev -cost)\n",
		USD(r.Hourly(), 2), USD(r.Monthly(), 2), r.Cluster.Date.Format("2006-01-02"), r.Cluster.PriceRegion,
		r.Cluster.Stack, USD(r.Cluster.Hourly(), 4), len(r.Participants), USD(r.participantsHourly(), 4), unpriced)
	return err
}
