package cost

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

func table(t *testing.T) *Table {
	t.Helper()
	tab, err := DefaultTable()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// Every price names its source and every listed region has an entry (a
// price or null); the calendar covers the versions validation accepts.
func TestTableIsSourcedAndComplete(t *testing.T) {
	tab := table(t)
	for _, key := range []string{itemEKSStandard, itemEKSExtended, itemNATHour, itemNATGB, itemIPv4Hour, itemALBHour, itemALBLCU, itemGP3, itemKMSKey, itemLogsGB, itemAutoModeFee} {
		p, ok := tab.Prices[key]
		if !ok || !strings.HasPrefix(p.Source, "https://") {
			t.Errorf("%s: missing or without a source URL", key)
		}
	}
	// Negative control: a price without a source, or a region without an
	// entry, is refused.
	for _, bad := range []string{
		strings.Replace(string(pricesYAML), "    source: https://c3x.dev/blog/cloudwatch-logs-cost-optimization\n", "", 1),
		strings.Replace(string(pricesYAML), "    ap-northeast-2: \"0.0912\"\n", "", 1),
	} {
		if _, err := ParseTable([]byte(bad)); err == nil {
			t.Errorf("a table missing a source or a region's entry was accepted")
		}
	}
}

func cluster(version string) Resource {
	return Resource{Type: "eks:index:Cluster", Name: "c", Remote: true, Component: true, Inputs: map[string]any{"version": version}}
}

// A region outside the table is priced with the nearest listed one, and
// the estimate says which.
func TestNearestRegion(t *testing.T) {
	tab := table(t)
	for region, want := range map[string]string{"ap-northeast-2": "ap-northeast-2", "ap-southeast-1": "ap-northeast-2", "me-central-1": "ap-northeast-2", "eu-west-1": "us-east-1", "us-west-2": "us-east-1"} {
		e := EstimateResources("s", region, []Resource{cluster("1.35")}, tab, DefaultUsage())
		if e.PriceRegion != want {
			t.Errorf("%s priced as %s, want %s", region, e.PriceRegion, want)
		}
		says := strings.Contains(e.Header(), "priced as "+want)
		if says != (region != want) {
			t.Errorf("%s: header %q", region, e.Header())
		}
	}
}

// A resource type the table has no price for is listed as not priced; a
// never-billed one is not listed at all; a priced one is a line.
func TestUnpricedTypeIsListed(t *testing.T) {
	resources := []Resource{
		{Type: "aws:rds/instance:Instance", Name: "db"},
		{Type: "aws:iam/role:Role", Name: "role"},
		{Type: "aws:ec2/securityGroup:SecurityGroup", Name: "sg"},
		{Type: "eks-workshop:index:Network", Name: "net", Component: true},
		{Type: "aws:eks/cluster:Cluster", Name: "standin", Standin: true, Inputs: map[string]any{"version": "1.35"}},
		{Type: "aws:kms/key:Key", Name: "key"},
	}
	e := EstimateResources("s", "us-east-1", resources, table(t), DefaultUsage())
	if len(e.NotPriced) != 1 || e.NotPriced[0].Name != "db" || !strings.Contains(e.NotPriced[0].Why, "no price") {
		t.Errorf("not priced: %+v, want only db", e.NotPriced)
	}
	if len(e.Lines) != 1 || e.Lines[0].Name != "key" {
		t.Errorf("lines: %+v, want only the KMS key", e.Lines)
	}
	// $1 a month over 720 hours.
	if e.Hourly().Cmp(big.NewRat(1, 720)) != 0 {
		t.Errorf("a KMS key costs %s/h, want 1/720", e.Hourly().FloatString(6))
	}
}

// A usage file overrides the assumptions, per type and per resource; a bad
// one is refused with every problem named.
func TestUsageFile(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "usage.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	nat := []Resource{{Type: typeNATGateway, Name: "nat-0"}, {Type: typeNATGateway, Name: "nat-1"}}
	u, err := ReadUsage(write("version: 1\ndefaults:\n  aws:ec2/natGateway:NatGateway:\n    monthlyDataProcessedGB: 720\nresources:\n  nat-1:\n    monthlyDataProcessedGB: 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := EstimateResources("s", "us-east-1", nat, table(t), u)
	// nat-0: 0.045 + 720 GB x 0.045 / 720 h = 0.09; nat-1: 0.045 + 0.
	if e.Hourly().Cmp(big.NewRat(135, 1000)) != 0 {
		t.Errorf("with the usage file: %s/h, want 0.135", e.Hourly().FloatString(4))
	}
	// Negative control: without it, the assumption (10 GB each).
	if d := EstimateResources("s", "us-east-1", nat, table(t), DefaultUsage()); d.Hourly().Cmp(e.Hourly()) == 0 {
		t.Error("the usage file changed nothing")
	}
	_, err = ReadUsage(write("version: 2\ndefaults:\n  aws:ec2/natGateway:NatGateway:\n    lcuPerHour: 1\nresources:\n  nat-0:\n    monthlyDataProcessedGB: -1\n"))
	if err == nil || strings.Count(err.Error(), "\n  - ") != 3 {
		t.Errorf("a usage file with three problems: %v", err)
	}
}

// A room costs the sum of its stacks; what runs now, only the stacks that
// exist.
func TestRoomSumsItsStacks(t *testing.T) {
	tab := table(t)
	key := func(stack string) *Estimate {
		return EstimateResources(stack, "us-east-1", []Resource{{Type: typeKMSKey, Name: "key"}}, tab, DefaultUsage())
	}
	r := &Room{Cluster: key("workshop"), Participants: []*Estimate{key("alice"), key("bob")}}
	if r.Hourly().Cmp(big.NewRat(3, 720)) != 0 {
		t.Errorf("three stacks with a KMS key each: %s/h, want 3/720", r.Hourly().FloatString(6))
	}
	now := r.Running(func(stack string) bool { return stack != "bob" })
	if now.Hourly().Cmp(big.NewRat(2, 720)) != 0 || len(now.Participants) != 1 {
		t.Errorf("without bob's stack: %s/h, %d participants", now.Hourly().FloatString(6), len(now.Participants))
	}
	// Negative control: nothing up, nothing billed.
	if none := r.Running(func(string) bool { return false }); none.Hourly().Sign() != 0 {
		t.Errorf("no stack up costs %s/h", none.Hourly().FloatString(6))
	}
}

// The cluster-hour rates the plan's extended-support warning quotes
// (spec.EKSClusterHour*USD) are the ones this table prices, in every region.
func TestEKSRatesAgreeWithTheWarnings(t *testing.T) {
	tab := table(t)
	for key, want := range map[string]float64{itemEKSStandard: spec.EKSClusterHourStandardUSD, itemEKSExtended: spec.EKSClusterHourExtendedUSD} {
		for _, region := range tab.Regions {
			rate := tab.Prices[key].Rates[region]
			if got, _ := rate.Float64(); rate == nil || got != want {
				t.Errorf("%s in %s: table %v, the warning says %v", key, region, rate, want)
			}
		}
	}
}
