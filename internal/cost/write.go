package cost

import (
	"fmt"
	"io"
	"math/big"
	"sort"
	"strings"
	"text/tabwriter"
)

// USD formats an amount to places decimals, rounding half away from zero.
func USD(r *big.Rat, places int) string {
	s := r.FloatString(places)
	if strings.HasPrefix(s, "-") {
		return "-$" + s[1:]
	}
	return "$" + s
}

// Header is the estimate's first line: where, priced how, and when.
func (e *Estimate) Header() string {
	where := e.Region
	switch {
	case e.Region == "":
		where = "no AWS region (its AWS resources, if any, priced as " + e.PriceRegion + ")"
	case e.PriceRegion != e.Region:
		where = fmt.Sprintf("%s, priced as %s (the nearest region in the price table)", e.Region, e.PriceRegion)
	}
	return fmt.Sprintf("cost of stack %s in %s, prices of %s (internal/cost/prices.yaml), 30 days = %d h",
		e.Stack, where, e.Date.Format("2006-01-02"), e.HoursPerMonth)
}

// Write prints the estimate: a line per priced resource with its items,
// the total, what is not priced and the usage assumptions.
func (e *Estimate) Write(w io.Writer) error {
	fmt.Fprintln(w, e.Header())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  resource\t%10s\t%12s\n", "per hour", "per 30 days")
	month := big.NewRat(e.HoursPerMonth, 1)
	for _, l := range e.Lines {
		fmt.Fprintf(tw, "  %s %s\t%10s\t%12s\n", l.Type, l.Name, USD(l.Hourly(), 4), USD(new(big.Rat).Mul(l.Hourly(), month), 2))
		for _, it := range l.Items {
			usage := ""
			if it.Usage {
				usage = ", assumed usage"
			}
			fmt.Fprintf(tw, "      %s: %s %s x %s%s\t%10s\t\n", it.What, trim(it.Quantity), it.Unit, USD(it.Rate, 4), usage, USD(it.Hourly, 4))
		}
	}
	fmt.Fprintf(tw, "  total\t%10s\t%12s\n", USD(e.Hourly(), 4), USD(e.Monthly(), 2))
	if err := tw.Flush(); err != nil {
		return err
	}
	if atMost := e.HourlyAtMost(); atMost.Cmp(e.Hourly()) != 0 {
		fmt.Fprintf(w, "  at most %s/h, %s per 30 days, with the node group at its maxSize (the Cluster Autoscaler's ceiling)\n",
			USD(atMost, 4), USD(new(big.Rat).Mul(atMost, month), 2))
	}
	if len(e.NotPriced) > 0 {
		fmt.Fprintf(w, "  not priced (%d, not in the total):\n", len(e.NotPriced))
		for _, u := range e.NotPriced {
			fmt.Fprintf(w, "    %s %s: %s\n", u.Type, u.Name, u.Why)
		}
	}
	fmt.Fprintln(w, "  usage assumptions (a usage file overrides them: -usage FILE):")
	for _, a := range e.Assumptions {
		fmt.Fprintf(w, "    %s\n", a)
	}
	return nil
}

// trim prints a quantity without trailing zeros.
func trim(r *big.Rat) string {
	s := strings.TrimRight(r.FloatString(4), "0")
	return strings.TrimSuffix(s, ".")
}

// Diff is what changed in cost from old to cur: the total's change and each
// resource whose cost per hour changed, appeared or went. An empty string
// means no change.
func Diff(old, cur *Estimate) string {
	before, after := hourlyByResource(old), hourlyByResource(cur)
	var keys []string
	for k := range before {
		keys = append(keys, k)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		o, n := before[k], after[k]
		switch {
		case o == nil:
			fmt.Fprintf(&b, "  + %s  %s/h\n", k, USD(n, 4))
		case n == nil:
			fmt.Fprintf(&b, "  - %s  %s/h\n", k, USD(o, 4))
		case o.Cmp(n) != 0:
			fmt.Fprintf(&b, "  ~ %s  %s/h -> %s/h\n", k, USD(o, 4), USD(n, 4))
		}
	}
	change := new(big.Rat).Sub(cur.Hourly(), old.Hourly())
	if b.Len() == 0 && change.Sign() == 0 {
		return ""
	}
	month := new(big.Rat).Mul(change, big.NewRat(cur.HoursPerMonth, 1))
	sign := ""
	if change.Sign() > 0 {
		sign = "+"
	}
	return fmt.Sprintf("cost of stack %s: %s/h -> %s/h (%s%s/h, %s%s per 30 days)\n%s",
		cur.Stack, USD(old.Hourly(), 4), USD(cur.Hourly(), 4), sign, USD(change, 4), sign, USD(month, 2), b.String())
}

func hourlyByResource(e *Estimate) map[string]*big.Rat {
	out := map[string]*big.Rat{}
	for _, l := range e.Lines {
		out[l.Type+" "+l.Name] = l.Hourly()
	}
	return out
}
