package stacks_test

// The cost of the stacks as the program registers them, priced from
// internal/cost's table (prices.yaml, dated 2026-12-04). The figures in the
// comments are computed by hand from that table.

import (
	"bytes"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/cost"
	"github.com/eks-workshop/eks-workshop/organizer"
	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks"
	"github.com/eks-workshop/eks-workshop/stacks/config"
	"github.com/eks-workshop/eks-workshop/synth"
)

func estimate(t *testing.T, stack string, overrides map[string]string) *cost.Estimate {
	t.Helper()
	table, err := cost.DefaultTable()
	if err != nil {
		t.Fatal(err)
	}
	e, err := mustRun(t, root, stack, overrides, stacks.Run).Estimate(table, cost.DefaultUsage())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// cents is an amount in whole cents, rounded half away from zero.
func cents(r *big.Rat) string { return cost.USD(r, 2) }

// dev, priced by hand (us-east-1 prices, where every item of dev has one):
//
//	EKS control plane, 1.35: standard support until 2027-03-27   1 x 0.10        = 0.100000 /h
//	nodes: 3 x m5.large                                          3 x 0.096       = 0.288000 /h
//	root volumes: 3 x 20 GiB gp3                                 60 x 0.08 / 720 = 0.006667 /h
//	NAT gateways: 3 x hours                                      3 x 0.045       = 0.135000 /h
//	NAT data: 3 x 10 GB per 30 days (assumed)                    30 x 0.045 / 720 = 0.001875 /h
//	NAT addresses: 3 public IPv4                                 3 x 0.005       = 0.015000 /h
//	ALB eks-demo-group: hours + 1 LCU (assumed)                  0.0225 + 0.008  = 0.030500 /h
//	ALB addresses: one per public subnet, 3                      3 x 0.005       = 0.015000 /h
//	log groups: control plane and Container Insights' four,
//	30 GB each per 30 days (assumed)                             5 x 30 x 0.50 / 720 = 0.104167 /h
//
// Per 30 days (720 h): 72 + 207.36 + 4.80 + 97.20 + 1.35 + 10.80 + 21.96 +
// 10.80 + 75.00 = $501.27, so $0.696208/h, $0.70 to the cent.
//
// In its own region, ap-northeast-2, per 30 days (the table has no price
// for log ingestion there, so the five log groups are listed as not priced,
// beside the two ECR repositories and the Container Insights add-on):
//
//	EKS 1.35, standard                 720 x 0.10             =  72.00
//	nodes                              720 x 3 x 0.118        = 254.88
//	root volumes                       60 x 0.0912            =   5.472
//	NAT gateway hours                  720 x 3 x 0.059        = 127.44
//	NAT data                           30 x 0.059             =   1.77
//	NAT addresses                      720 x 3 x 0.005        =  10.80
//	ALB hours + 1 LCU                  720 x (0.0225 + 0.008) =  21.96
//	ALB addresses                      720 x 3 x 0.005        =  10.80
//
// = $505.122, $505.12; / 720 = $0.7016/h, $0.70. With the node group at
// its maxSize 5, two more nodes and volumes: 2 x (0.118 + 20 x 0.0912 /
// 720) = $0.24106667/h more, $0.9426/h, $0.94.
func TestCostOfDevByHand(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		region, hourly, monthly string
		unpriced                int
	}{
		{"us-east-1", "$0.70", "$501.27", 3},
		{"ap-northeast-2", "$0.70", "$505.12", 8},
	} {
		e := estimate(t, "dev", map[string]string{"aws:region": c.region})
		if cents(e.Hourly()) != c.hourly || cents(e.Monthly()) != c.monthly {
			t.Errorf("dev in %s: %s/h, %s per 30 days; by hand %s/h, %s", c.region, cents(e.Hourly()), cents(e.Monthly()), c.hourly, c.monthly)
		}
		if c.region == "ap-northeast-2" && cents(e.HourlyAtMost()) != "$0.94" {
			t.Errorf("dev at maxSize: %s/h, by hand $0.94", cents(e.HourlyAtMost()))
		}
		if len(e.NotPriced) != c.unpriced {
			t.Errorf("dev in %s: %d not priced, want %d: %v", c.region, len(e.NotPriced), c.unpriced, e.NotPriced)
		}
	}
	// Negative control: a fourth node is one m5.large and 20 GiB more, and
	// the hand figure no longer matches: 501.27 + 69.12 + 1.60 = $571.99.
	more := estimate(t, "dev", map[string]string{"aws:region": "us-east-1", "eks-workshop:desiredSize": "4"})
	if got := cents(more.Monthly()); got != "$571.99" {
		t.Errorf("dev with 4 nodes: %s per 30 days, want $571.99", got)
	}
}

// natGateway HighlyAvailable -> Single removes exactly two NAT gateways and
// their two addresses: 2 x (0.045 + 10 x 0.045 / 720 + 0.005)
// = 2 x 0.050625 = $0.10125/h, $72.90 per 30 days.
func TestCostOfSingleNatGateway(t *testing.T) {
	t.Parallel()
	us := map[string]string{"aws:region": "us-east-1"}
	ha := estimate(t, "dev", us)
	single := estimate(t, "dev", map[string]string{"aws:region": "us-east-1", "eks-workshop:natGateway": "Single"})

	saved := new(big.Rat).Sub(ha.Hourly(), single.Hourly())
	if want := big.NewRat(10125, 100000); saved.Cmp(want) != 0 {
		t.Errorf("Single saves %s/h, want exactly $0.10125/h", saved.FloatString(6))
	}
	gone := linesOnlyIn(ha, single)
	want := []string{"aws:ec2/eip:Eip eks-demo-nat-1", "aws:ec2/eip:Eip eks-demo-nat-2", "aws:ec2/natGateway:NatGateway eks-demo-nat-1", "aws:ec2/natGateway:NatGateway eks-demo-nat-2"}
	if !slices.Equal(gone, want) || len(linesOnlyIn(single, ha)) != 0 {
		t.Errorf("HighlyAvailable -> Single: lines gone %v (want %v), added %v", gone, want, linesOnlyIn(single, ha))
	}
	if d := cost.Diff(ha, single); !strings.Contains(d, "-$0.1013/h, -$72.90 per 30 days") {
		t.Errorf("the cost diff does not say what Single saves:\n%s", d)
	}
	// Negative control: the same setting changes nothing.
	if d := cost.Diff(ha, estimate(t, "dev", us)); d != "" {
		t.Errorf("HighlyAvailable against itself differs:\n%s", d)
	}
}

func linesOnlyIn(a, b *cost.Estimate) []string {
	var out []string
	for _, l := range a.Lines {
		if !slices.ContainsFunc(b.Lines, func(m cost.Line) bool { return m.Type == l.Type && m.Name == l.Name }) {
			out = append(out, l.Type+" "+l.Name)
		}
	}
	slices.Sort(out)
	return out
}

// prod runs Kubernetes 1.33, whose standard support ended on 2026-07-29,
// before the table's date: its control plane is at the extended rate. On
// 1.35 (standard support until 2027-03-27) it is at the standard one.
func TestCostOfProdFollowsTheSupportCalendar(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		version, rate, state string
	}{
		{"1.33", "0.60", "extended support since 2026-07-29"},
		{"1.35", "0.10", "standard support until 2027-03-27"},
	} {
		e := estimate(t, "prod", map[string]string{
			"eks-workshop:kubernetesVersion": c.version,
			"eks-workshop:addonVersions":     `{"clusterAutoscalerImage":"v` + c.version + `.0"}`,
		})
		i := slices.IndexFunc(e.Lines, func(l cost.Line) bool { return l.Type == "eks:index:Cluster" })
		if i < 0 {
			t.Fatalf("prod on %s: no control plane line in %v", c.version, e.Lines)
		}
		it := e.Lines[i].Items[0]
		if it.Rate.FloatString(2) != c.rate || !strings.Contains(it.What, c.state) {
			t.Errorf("prod on %s: %s at $%s/h, want %q at $%s/h", c.version, it.What, it.Rate.FloatString(2), c.state, c.rate)
		}
	}
}

// What the table has no price for is listed, not skipped: dev's ECR
// repositories (storage) and Container Insights.
func TestCostListsWhatItCannotPrice(t *testing.T) {
	t.Parallel()
	e := estimate(t, "dev", map[string]string{"aws:region": "us-east-1"})
	var listed []string
	for _, u := range e.NotPriced {
		listed = append(listed, u.Type+" "+u.Name)
	}
	want := []string{
		"aws:ecr/repository:Repository demo-flask-backend-repo",
		"aws:ecr/repository:Repository demo-nginx-repo",
		"aws:eks/addon:Addon eks-demo-amazon-cloudwatch-observability",
	}
	if !slices.Equal(listed, want) {
		t.Errorf("not priced: %v, want %v", listed, want)
	}
	// Never-billed resources appear nowhere: no IAM, security group, route
	// table, subnet or Kubernetes object but the ALB's Ingresses.
	for _, l := range e.Lines {
		if strings.HasPrefix(l.Type, "aws:iam/") || strings.Contains(l.Type, "routeTable") || strings.Contains(l.Type, "subnet") {
			t.Errorf("never-billed %s %s is listed", l.Type, l.Name)
		}
	}
}

// A room of 30 on the shared cluster (Pulumi.dev.yaml's settings, stack
// workshop) costs what the cluster costs plus each participant's own ALB:
// their namespace and workloads run on the cluster's nodes, not billed. By
// hand, as dev in ap-northeast-2 (TestCostOfDevByHand): $0.7016/h, $505.12
// per 30 days; each participant's internet-facing ALB in the cluster's 3
// public subnets, 0.0225 + 1 LCU x 0.008 + 3 addresses x 0.005 =
// $0.0455/h: 30 x 0.0455 = $1.365/h, $982.80 per 30 days of 720 hours;
// $2.0666/h and $1487.92 in all.
func TestCostOfARoom(t *testing.T) {
	t.Parallel()
	cluster, err := room.ReadStackConfig(root + "/Pulumi.dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var people []room.Participant
	for i := range 30 {
		people = append(people, room.Participant{Name: fmt.Sprintf("p%02d", i)})
	}
	plan, err := room.NewPlan(cluster, people)
	if err != nil {
		t.Fatal(err)
	}
	table, err := cost.DefaultTable()
	if err != nil {
		t.Fatal(err)
	}
	r, err := organizer.RoomCost(plan, stacks.Program, table, cost.DefaultUsage())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Participants) != 30 || r.Hourly().FloatString(4) != "2.0666" || cents(r.Monthly()) != "$1487.92" {
		t.Errorf("room of %d: $%s/h, %s per 30 days; by hand $2.0666/h, $1487.92", len(r.Participants), r.Hourly().FloatString(4), cents(r.Monthly()))
	}
	for _, p := range r.Participants {
		if len(p.Lines) != 1 || !strings.HasPrefix(p.Lines[0].Name, "ALB room-"+p.Stack+" ") || len(p.NotPriced) != 0 {
			t.Errorf("participant %s adds %v, not priced %v; want its own ALB only", p.Stack, p.Lines, p.NotPriced)
		}
	}
	// Negative control: participants whose environment also has an
	// internal ALB Ingress of its own each add another ALB, 0.0225 + 1 LCU
	// x 0.008 = $0.0305/h: 30 x 0.0305 = $0.915/h more, $2.9816/h in all.
	withALB := func(cfg config.Config) pulumi.RunFunc {
		return func(ctx *pulumi.Context) error {
			if err := stacks.Program(cfg)(ctx); err != nil || cfg.Target != config.TargetLocal {
				return err
			}
			_, err := networkingv1.NewIngress(ctx, cfg.Namespace+"-own", &networkingv1.IngressArgs{
				Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("own"), Namespace: pulumi.String(cfg.Namespace), Annotations: pulumi.StringMap{
					"alb.ingress.kubernetes.io/group.name": pulumi.String(cfg.Namespace),
					"alb.ingress.kubernetes.io/scheme":     pulumi.String("internal"),
				}},
				Spec: networkingv1.IngressSpecArgs{IngressClassName: pulumi.String("alb")},
			})
			return err
		}
	}
	more, err := organizer.RoomCost(plan, withALB, table, cost.DefaultUsage())
	if err != nil {
		t.Fatal(err)
	}
	if got := more.Hourly().FloatString(4); got != "2.9816" {
		t.Errorf("a room whose participants each add an ALB: $%s/h, by hand $2.9816/h", got)
	}
	if testing.Verbose() {
		var b strings.Builder
		if err := r.Write(&b); err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + b.String())
	}
}

// cmd/synth -cost -diff: the pull-request job's cost difference, next to
// the resource diff. Against a base with one NAT gateway, HighlyAvailable
// adds two and their addresses, in ap-northeast-2 2 x (0.059 + 10 x 0.059
// / 720 + 0.005) = $0.12963889/h, +$0.1296/h, 720 x that = +$93.34.
func TestSynthCommandShowsTheCostDifference(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	files := mustFiles(t, mustRun(t, root, "dev", map[string]string{"eks-workshop:natGateway": "Single"}, stacks.Run))
	if err := files.Write(base); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := synth.Command([]string{"-root", root, "-stack", "dev", "-cost", "-diff", base}, stacks.Run, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"cost of stack dev in ap-northeast-2, prices of 2026-12-04",
		"cost of stack dev: $0.5719/h -> $0.7016/h (+$0.1296/h, +$93.34 per 30 days)",
		"  + aws:ec2/eip:Eip eks-demo-nat-2  $0.0050/h",
		"  + aws:ec2/natGateway:NatGateway eks-demo-nat-1  $0.0598/h",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("synth -cost -diff does not print %q:\n%s", want, out.String())
		}
	}
	// Negative control: against itself, the cost is unchanged.
	same := t.TempDir()
	if err := mustFiles(t, mustRun(t, root, "dev", nil, stacks.Run)).Write(same); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := synth.Command([]string{"-root", root, "-stack", "dev", "-cost", "-diff", same}, stacks.Run, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "cost of stack dev: unchanged ($0.7016/h)") {
		t.Errorf("against itself:\n%s", out.String())
	}
}

// cmd/synth -cost -usage FILE: the file's usage replaces the assumption.
// dev's three NAT gateways at 720 GB each instead of 10: 3 x 710 x 0.059
// = $125.67 more per 30 days, 505.12 + 125.67 = $630.79 in all; -usage without -cost is refused.
func TestSynthCommandReadsAUsageFile(t *testing.T) {
	t.Parallel()
	usage := t.TempDir() + "/usage.yaml"
	if err := os.WriteFile(usage, []byte("version: 1\ndefaults:\n  aws:ec2/natGateway:NatGateway:\n    monthlyDataProcessedGB: 720\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := synth.Command([]string{"-root", root, "-stack", "dev", "-cost", "-usage", usage}, stacks.Run, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"$630.79", "monthlyDataProcessedGB = 720 (usage file; assumed 10)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("synth -cost -usage does not print %q:\n%s", want, out.String())
		}
	}
	if err := synth.Command([]string{"-root", root, "-stack", "dev", "-usage", usage}, stacks.Run, &out); err == nil {
		t.Error("-usage without -cost was accepted")
	}
}
