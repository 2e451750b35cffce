// Package cost estimates what an environment costs per hour and per 30
// days from the resources its program registers (a synth recording, see
// package synth), priced from an embedded, dated table (prices.yaml) whose
// every price names its source. Usage-based prices (NAT data, ALB capacity
// units, log ingestion) use stated assumptions that a usage file overrides,
// in the manner of Infracost's.
//
// It imports no Pulumi package: a Resource is a registration as plain data.
package cost

import (
	_ "embed"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed prices.yaml
var pricesYAML []byte

// Table is prices.yaml: the prices by item and region, the EC2 instance
// prices, all as read on Date.
type Table struct {
	// Date is the day the prices were read; the EKS rate follows the
	// support state of the cluster's version on it.
	Date          time.Time
	HoursPerMonth int64
	Regions       []string
	Prices        map[string]Price
	Instances     map[string]InstancePrices
}

// Price is one item's price per region; a nil rate was not found.
type Price struct {
	Unit, What, Source, Note string
	Rates                    map[string]*big.Rat
}

// InstancePrices are one region's EC2 on-demand prices by instance type.
type InstancePrices struct {
	Source, Note string
	Prices       map[string]*big.Rat
}

// The items of the table, by key.
const (
	itemEKSStandard = "eks-cluster-standard"
	itemEKSExtended = "eks-cluster-extended"
	itemNATHour     = "nat-gateway-hour"
	itemNATGB       = "nat-gateway-gb"
	itemIPv4Hour    = "public-ipv4-hour"
	itemALBHour     = "alb-hour"
	itemALBLCU      = "alb-lcu-hour"
	itemGP3         = "ebs-gp3-gb-month"
	itemKMSKey      = "kms-key-month"
	itemLogsGB      = "logs-ingested-gb"
	itemAutoModeFee = "eks-auto-mode-instance-hour"
)

// DefaultTable is the embedded prices.yaml.
func DefaultTable() (*Table, error) { return ParseTable(pricesYAML) }

// ParseTable reads a price table in prices.yaml's format.
func ParseTable(data []byte) (*Table, error) {
	var raw struct {
		Date          string                    `yaml:"date"`
		HoursPerMonth int64                     `yaml:"hoursPerMonth"`
		Regions       []string                  `yaml:"regions"`
		Prices        map[string]map[string]any `yaml:"prices"`
		Instances     map[string]struct {
			Source string            `yaml:"source"`
			Note   string            `yaml:"note"`
			Prices map[string]string `yaml:"prices"`
		} `yaml:"instances"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("price table: %w", err)
	}
	date, err := time.Parse(time.DateOnly, raw.Date)
	if err != nil {
		return nil, fmt.Errorf("price table: date %q: want YYYY-MM-DD", raw.Date)
	}
	if raw.HoursPerMonth <= 0 || len(raw.Regions) == 0 {
		return nil, fmt.Errorf("price table: want hoursPerMonth > 0 and at least one region")
	}
	t := &Table{Date: date, HoursPerMonth: raw.HoursPerMonth, Regions: raw.Regions, Prices: map[string]Price{}, Instances: map[string]InstancePrices{}}
	for key, fields := range raw.Prices {
		if t.Prices[key], err = parsePrice(key, fields, t.Regions); err != nil {
			return nil, err
		}
	}
	for region, ip := range raw.Instances {
		if !slices.Contains(t.Regions, region) || ip.Source == "" {
			return nil, fmt.Errorf("price table: instances of %s: want a listed region with a source", region)
		}
		out := InstancePrices{Source: ip.Source, Note: ip.Note, Prices: map[string]*big.Rat{}}
		for typ, v := range ip.Prices {
			if out.Prices[typ], err = parseUSD(v); err != nil {
				return nil, fmt.Errorf("price table: %s in %s: %w", typ, region, err)
			}
		}
		t.Instances[region] = out
	}
	return t, nil
}

// parsePrice reads one price entry: its fields and a rate for each of the
// table's regions (null where the price was not found).
func parsePrice(key string, fields map[string]any, regions []string) (Price, error) {
	p := Price{Rates: map[string]*big.Rat{}}
	p.Unit, _ = fields["unit"].(string)
	p.What, _ = fields["what"].(string)
	p.Source, _ = fields["source"].(string)
	p.Note, _ = fields["note"].(string)
	if p.Source == "" {
		return p, fmt.Errorf("price table: %s has no source", key)
	}
	for _, region := range regions {
		v, listed := fields[region]
		if !listed {
			return p, fmt.Errorf("price table: %s has no %s entry (null when not found)", key, region)
		}
		if v == nil {
			p.Rates[region] = nil
			continue
		}
		var err error
		if p.Rates[region], err = parseUSD(v); err != nil {
			return p, fmt.Errorf("price table: %s in %s: %w", key, region, err)
		}
	}
	return p, nil
}

// parseUSD reads a decimal price, given as a string so that no float rounds it.
func parseUSD(v any) (*big.Rat, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("price %v: want a quoted decimal such as \"0.045\"", v)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() < 0 {
		return nil, fmt.Errorf("price %q: want a decimal of 0 or more", s)
	}
	return r, nil
}

// PriceRegion is the listed region whose prices apply to region: itself if
// listed, else the nearest by geography (Asia Pacific and the Middle East
// to the Asian one, the rest to the American one).
func (t *Table) PriceRegion(region string) string {
	if slices.Contains(t.Regions, region) {
		return region
	}
	for _, r := range t.Regions {
		if (strings.HasPrefix(region, "ap-") || strings.HasPrefix(region, "me-")) == strings.HasPrefix(r, "ap-") {
			return r
		}
	}
	return t.Regions[0]
}

// rate is item's price in region (a listed one); nil when not found.
func (t *Table) rate(item, region string) (*big.Rat, Price) {
	p, ok := t.Prices[item]
	if !ok {
		panic("cost: no item " + item + " in the price table")
	}
	return p.Rates[region], p
}

// hourly turns a monthly rate into an hourly one.
func (t *Table) hourly(monthly *big.Rat) *big.Rat {
	return new(big.Rat).Quo(monthly, big.NewRat(t.HoursPerMonth, 1))
}
