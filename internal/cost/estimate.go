package cost

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// Resource is one registration as plain data: its type token, name and
// inputs (plain values; values the cloud computes are absent or
// placeholders).
type Resource struct {
	Type, Name string
	Inputs     map[string]any
	// Component marks a component resource; Remote one a provider plugin
	// builds (pulumi-eks's Cluster and ManagedNodeGroup): it is priced,
	// and the Standin resources the mocks register for its children are not.
	Component, Remote, Standin bool
}

// Estimate is a stack's cost: a line per priced resource, what could not be
// priced, and the assumptions behind the usage-based prices.
type Estimate struct {
	Stack, Region string
	// PriceRegion is the table's region whose prices were used.
	PriceRegion   string
	Date          time.Time
	HoursPerMonth int64
	Lines         []Line
	NotPriced     []Unpriced
	Assumptions   []string
}

// Line is one priced resource and what it is billed for.
type Line struct {
	Type, Name string
	Items      []Item
}

// Item is one billed quantity: Quantity units at Rate, Hourly per hour.
type Item struct {
	What     string
	Quantity *big.Rat
	Unit     string
	Rate     *big.Rat
	Hourly   *big.Rat
	// Usage marks a quantity that is an assumption (or a usage file's).
	Usage bool
	// AtMost is the hourly cost at the most the quantity can grow to by
	// itself (a node group at its maxSize); nil when it is fixed.
	AtMost *big.Rat
}

// Unpriced is a resource (or part of one) the estimate cannot price, and why.
type Unpriced struct{ Type, Name, Why string }

// Hourly is the line's cost per hour.
func (l Line) Hourly() *big.Rat {
	sum := new(big.Rat)
	for _, it := range l.Items {
		sum.Add(sum, it.Hourly)
	}
	return sum
}

// Hourly is the estimate's total per hour.
func (e *Estimate) Hourly() *big.Rat {
	sum := new(big.Rat)
	for _, l := range e.Lines {
		sum.Add(sum, l.Hourly())
	}
	return sum
}

// HourlyAtMost is the total per hour with every quantity that can grow by
// itself (the node group, up to maxSize under the Cluster Autoscaler) at
// its most.
func (e *Estimate) HourlyAtMost() *big.Rat {
	sum := new(big.Rat)
	for _, l := range e.Lines {
		for _, it := range l.Items {
			if it.AtMost != nil {
				sum.Add(sum, it.AtMost)
			} else {
				sum.Add(sum, it.Hourly)
			}
		}
	}
	return sum
}

// Monthly is the total per 30 days (HoursPerMonth hours).
func (e *Estimate) Monthly() *big.Rat {
	return new(big.Rat).Mul(e.Hourly(), big.NewRat(e.HoursPerMonth, 1))
}

// Resource types the estimate knows by name.
const (
	typeNATGateway = "aws:ec2/natGateway:NatGateway"
	typeEIP        = "aws:ec2/eip:Eip"
	typeLogGroup   = "aws:cloudwatch/logGroup:LogGroup"
	typeKMSKey     = "aws:kms/key:Key"
	typeSubnet     = "aws:ec2/subnet:Subnet"
	typeIngress    = "kubernetes:networking.k8s.io/v1:Ingress"
	typeService    = "kubernetes:core/v1:Service"
	typeAddon      = "aws:eks/addon:Addon"
)

// neverBilled are resource types (or type prefixes, ending in "/" or ":")
// that AWS does not bill for by themselves; they are not listed.
var neverBilled = []string{
	"aws:iam/", "pulumi:providers:", "tls:", "random:", "docker:",
	"aws:ec2/vpc:Vpc", typeSubnet, "aws:ec2/internetGateway:InternetGateway",
	"aws:ec2/routeTable:RouteTable", "aws:ec2/route:Route", "aws:ec2/routeTableAssociation:RouteTableAssociation",
	"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/",
	"aws:ec2/tag:Tag", "aws:kms/alias:Alias", typeLaunchTemplate, "aws:ecr/lifecyclePolicy:LifecyclePolicy",
	"aws:eks/accessEntry:AccessEntry", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
	"aws:eks/podIdentityAssociation:PodIdentityAssociation", "pulumi:pulumi:StackReference",
	// Kubernetes objects run on the nodes, which are priced; the ones AWS
	// bills for beyond them (Ingress, Service of type LoadBalancer) have
	// their own rules.
	"kubernetes:",
}

// pricers price the resource types that are billed.
var pricers = map[string]func(*estimator, Resource){
	"eks:index:Cluster":           (*estimator).cluster,
	"aws:eks/cluster:Cluster":     (*estimator).cluster,
	"eks:index:ManagedNodeGroup":  (*estimator).nodeGroup,
	"aws:eks/nodeGroup:NodeGroup": (*estimator).nodeGroup,
	typeNATGateway:                (*estimator).natGateway,
	typeEIP:                       (*estimator).eip,
	typeLogGroup:                  (*estimator).logGroup,
	typeKMSKey:                    (*estimator).kmsKey,
	typeAddon:                     (*estimator).addon,
	typeService:                   (*estimator).service,
	"kubernetes:core/v1:PersistentVolumeClaim": (*estimator).volumeClaim,
}

type estimator struct {
	table  *Table
	usage  *Usage
	region string
	out    *Estimate
	// ingresses by ALB group, and the subnets an internet-facing ALB spans.
	albs       map[string][]Resource
	elbSubnets int
	// rootVolumes are the launch templates' root volume sizes (GiB) by the
	// ID a node group refers to them by (a synth's placeholder).
	rootVolumes map[string]string
	// supportTypes are the clusters' upgradePolicy.supportType by cluster
	// name, from the control planes (the mocks' stand-ins included: the
	// transform that sets it reaches only pulumi-eks's child).
	supportTypes map[string]spec.SupportType
	// autoModeClasses are the IngressClasses EKS Auto Mode serves, with their groups.
	autoModeClasses map[string]string
}

// Option sets what an estimate cannot read from the stack's resources.
type Option func(*estimator)

// ALBSubnets is the number of public subnets an internet-facing ALB of a
// stack that has none of its own spans: a room participant's, in the
// room's cluster (one public IPv4 address each).
func ALBSubnets(n int) Option {
	return func(e *estimator) { e.elbSubnets += n }
}

// EstimateResources prices resources, the registrations of stack, in region with
// table's prices (the nearest listed region's when region is not listed)
// and usage's assumptions.
func EstimateResources(stack, region string, resources []Resource, table *Table, usage *Usage, opts ...Option) *Estimate {
	e := &estimator{table: table, usage: usage, region: table.PriceRegion(region), albs: map[string][]Resource{}, supportTypes: map[string]spec.SupportType{},
		out: &Estimate{Stack: stack, Region: region, Date: table.Date, HoursPerMonth: table.HoursPerMonth, Assumptions: usage.Assumptions()}}
	e.out.PriceRegion = e.region
	e.rootVolumes = map[string]string{}
	e.autoModeClasses = findAutoModeClasses(resources)
	for _, r := range resources {
		if r.Type == typeSubnet && lookup(r.Inputs, "tags", "kubernetes.io/role/elb") == "1" {
			e.elbSubnets++
		}
		if r.Type == typeLaunchTemplate {
			e.rootVolumes[launchTemplateID(r.Name)] = rootVolumeSize(r.Inputs)
		}
		if t := lookup(r.Inputs, "upgradePolicy", "supportType"); r.Type == "aws:eks/cluster:Cluster" && t != "" {
			e.supportTypes[lookup(r.Inputs, "name")] = spec.SupportType(t)
		}
	}
	for _, opt := range opts {
		opt(e)
	}
	for _, r := range resources {
		e.price(r)
	}
	e.loadBalancers()
	sort.Slice(e.out.Lines, func(i, j int) bool { return e.out.Lines[i].key() < e.out.Lines[j].key() })
	sort.Slice(e.out.NotPriced, func(i, j int) bool {
		a, b := e.out.NotPriced[i], e.out.NotPriced[j]
		return a.Type+"\x00"+a.Name+"\x00"+a.Why < b.Type+"\x00"+b.Name+"\x00"+b.Why
	})
	return e.out
}

func (l Line) key() string { return l.Type + "\x00" + l.Name }

func (e *estimator) price(r Resource) {
	switch {
	case r.Standin, r.Component && !r.Remote:
		return
	case r.Type == typeIngress:
		e.albs[e.albGroup(r)] = append(e.albs[e.albGroup(r)], r)
		return
	case pricers[r.Type] != nil:
		pricers[r.Type](e, r)
		return
	}
	for _, free := range neverBilled {
		if r.Type == free || (strings.HasSuffix(free, "/") || strings.HasSuffix(free, ":")) && strings.HasPrefix(r.Type, free) {
			return
		}
	}
	e.unpriced(r, "no price for this resource type in the table")
}

func (e *estimator) unpriced(r Resource, why string) {
	e.out.NotPriced = append(e.out.NotPriced, Unpriced{Type: r.Type, Name: r.Name, Why: why})
}

// line adds r's items that have a rate; items without one go to NotPriced.
func (e *estimator) line(r Resource, items ...Item) {
	l := Line{Type: r.Type, Name: r.Name}
	for _, it := range items {
		if it.Rate == nil {
			e.unpriced(r, fmt.Sprintf("%s: no %s price in the table (%s)", it.What, e.region, it.Unit))
			continue
		}
		if it.Hourly == nil {
			it.Hourly = new(big.Rat).Mul(it.Quantity, it.Rate)
		}
		l.Items = append(l.Items, it)
	}
	if len(l.Items) > 0 {
		e.out.Lines = append(e.out.Lines, l)
	}
}

// item is Quantity of a table item per hour.
func (e *estimator) item(key string, quantity *big.Rat) Item {
	rate, p := e.table.rate(key, e.region)
	return Item{What: p.What, Quantity: quantity, Unit: p.Unit, Rate: rate}
}

// monthlyItem is a quantity billed per month (GB-month, key-month, or a
// usage per 30 days), turned into its hourly share.
func (e *estimator) monthlyItem(key string, quantity *big.Rat, usage bool) Item {
	it := e.item(key, quantity)
	it.Usage = usage
	if usage {
		it.Unit += " per 30 days"
	}
	if it.Rate != nil {
		it.Hourly = e.table.hourly(new(big.Rat).Mul(quantity, it.Rate))
	}
	return it
}

func one() *big.Rat { return big.NewRat(1, 1) }

// lookup is a nested input by keys, as a string ("" when absent).
func lookup(inputs map[string]any, keys ...string) string {
	var v any = inputs
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// number is a numeric input ("scalingConfig", "desiredSize"), or fallback.
func number(inputs map[string]any, fallback int64, keys ...string) *big.Rat {
	if r, ok := new(big.Rat).SetString(lookup(inputs, keys...)); ok {
		return r
	}
	return big.NewRat(fallback, 1)
}

// typeLaunchTemplate is billed through the instances it launches.
const typeLaunchTemplate = "aws:ec2/launchTemplate:LaunchTemplate"

// launchTemplateID is how a synth shows the ID of the launch template
// named name (mocktest.Placeholder).
func launchTemplateID(name string) string { return "<computed:" + name + ".id>" }

// rootVolumeSize is a launch template's first block device's size in GiB, "" without one.
func rootVolumeSize(inputs map[string]any) string {
	mappings, _ := inputs["blockDeviceMappings"].([]any)
	if len(mappings) == 0 {
		return ""
	}
	first, _ := mappings[0].(map[string]any)
	return lookup(first, "ebs", "volumeSize")
}
