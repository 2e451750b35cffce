package cost

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// cluster is the EKS control plane at the rate of its version's support
// phase on the table's date, as the one EKS calendar (spec.KubernetesCalendar)
// gives it.
func (e *estimator) cluster(r Resource) {
	version := lookup(r.Inputs, "version")
	if version == "" {
		e.unpriced(r, "no Kubernetes version in its inputs")
		return
	}
	release, ok := spec.KubernetesReleaseOf(version)
	if !ok {
		e.unpriced(r, fmt.Sprintf("Kubernetes %s is not in the EKS calendar (%s)", version, spec.KubernetesCalendarURL))
		return
	}
	supportType := e.supportTypes[lookup(r.Inputs, "name")]
	var it Item
	switch phase := release.Phase(e.table.Date); {
	case phase == spec.StandardSupport:
		it = e.item(itemEKSStandard, one())
		it.What = fmt.Sprintf("EKS cluster, Kubernetes %s in standard support until %s", version, release.EndOfStandardSupport)
	case phase == spec.ExtendedSupport && !release.BillsExtended(supportType, e.table.Date):
		it = e.item(itemEKSStandard, one())
		it.What = fmt.Sprintf("EKS cluster, Kubernetes %s past standard support (%s) with supportType STANDARD: upgraded by EKS, billed at the standard rate",
			version, release.EndOfStandardSupport)
	case phase == spec.ExtendedSupport:
		it = e.item(itemEKSExtended, one())
		it.What = fmt.Sprintf("EKS cluster, Kubernetes %s in extended support since %s (ends %s)", version, release.EndOfStandardSupport, release.EndOfExtendedSupport)
	default:
		e.unpriced(r, fmt.Sprintf("Kubernetes %s is past the end of extended support (%s) on %s", version, release.EndOfExtendedSupport, e.table.Date.Format(time.DateOnly)))
		return
	}
	e.line(r, it)
	e.autoModeInstances(r)
}

// nodeGroup is desiredSize on-demand instances of its first instance type,
// each with its root volume (diskSize, or its launch template's) as gp3;
// at most maxSize of them.
func (e *estimator) nodeGroup(r Resource) {
	types, _ := r.Inputs["instanceTypes"].([]any)
	if len(types) == 0 {
		e.unpriced(r, "no instance type in its inputs")
		return
	}
	typ := fmt.Sprint(types[0])
	nodes := number(r.Inputs, 3, "scalingConfig", "desiredSize")
	maxNodes := number(r.Inputs, 0, "scalingConfig", "maxSize")
	disk := number(r.Inputs, 20, "diskSize")
	if size, ok := e.rootVolumes[lookup(r.Inputs, "launchTemplate", "id")]; ok {
		// A launch template of one's own sets the size (EKS refuses diskSize beside it).
		disk = number(map[string]any{"size": size}, 20, "size")
	}

	instances := Item{What: typ + " on demand, desired size", Quantity: nodes, Unit: "instance-hour"}
	if len(types) > 1 {
		instances.What += fmt.Sprintf(" (priced as %s, the first of %d types)", typ, len(types))
	}
	if p, ok := e.table.Instances[e.region]; ok {
		instances.Rate = p.Prices[typ]
	}
	volumes := e.monthlyItem(itemGP3, new(big.Rat).Mul(nodes, disk), false)
	volumes.What = fmt.Sprintf("root volumes, %s GiB gp3 per node", disk.FloatString(0))
	if maxNodes.Cmp(nodes) > 0 {
		instances.What += fmt.Sprintf("; up to maxSize %s", maxNodes.FloatString(0))
		if instances.Rate != nil {
			instances.AtMost = new(big.Rat).Mul(maxNodes, instances.Rate)
		}
		if volumes.Rate != nil {
			volumes.AtMost = e.table.hourly(new(big.Rat).Mul(new(big.Rat).Mul(maxNodes, disk), volumes.Rate))
		}
	}
	e.line(r, instances, volumes)
}

// natGateway is its hours and the data it processes (usage).
func (e *estimator) natGateway(r Resource) {
	gb, _ := e.usage.value(r.Type, r.Name, "monthlyDataProcessedGB")
	e.line(r, e.item(itemNATHour, one()), e.monthlyItem(itemNATGB, gb, true))
}

// eip is one public IPv4 address (a NAT gateway's).
func (e *estimator) eip(r Resource) { e.line(r, e.item(itemIPv4Hour, one())) }

// logGroup is the logs ingested into it (usage); storage is not priced.
func (e *estimator) logGroup(r Resource) {
	gb, _ := e.usage.value(r.Type, r.Name, "monthlyIngestedGB")
	e.line(r, e.monthlyItem(itemLogsGB, gb, true))
}

// kmsKey is one customer managed key.
func (e *estimator) kmsKey(r Resource) { e.line(r, e.monthlyItem(itemKMSKey, one(), false)) }

// addon: EKS add-ons are free; Container Insights bills for what it sends.
func (e *estimator) addon(r Resource) {
	if lookup(r.Inputs, "addonName") == "amazon-cloudwatch-observability" {
		e.unpriced(r, "Container Insights bills per metric, observation and log volume; no price in the table")
	}
}

// service: a Service of type LoadBalancer makes an NLB or a Classic one.
func (e *estimator) service(r Resource) {
	if lookup(r.Inputs, "spec", "type") == "LoadBalancer" {
		e.unpriced(r, "a Service of type LoadBalancer makes a Network Load Balancer; no price in the table")
	}
}

// volumeClaim: a claim makes an EBS volume of the size it asks.
func (e *estimator) volumeClaim(r Resource) {
	e.unpriced(r, "a PersistentVolumeClaim makes an EBS volume whose type its StorageClass sets; not priced")
}

// albGroupPrefix marks Ingresses outside any ALB group ("" for non-ALB ones).
const albGroupPrefix = "ingress/"

// albGroup is the ALB an Ingress gets: its IngressGroup's (for an EKS Auto
// Mode class, the group its IngressClassParams name), or its own.
func (e *estimator) albGroup(r Resource) string {
	own := albGroupPrefix + lookup(r.Inputs, "metadata", "namespace") + "/" + r.Name
	class := lookup(r.Inputs, "spec", "ingressClassName")
	if class == "" {
		class = lookup(r.Inputs, "metadata", "annotations", "kubernetes.io/ingress.class")
	}
	if group, auto := e.autoModeClasses[class]; auto {
		if group == "" {
			return own
		}
		return group
	}
	if class != "alb" {
		return ""
	}
	if g := lookup(r.Inputs, "metadata", "annotations", "alb.ingress.kubernetes.io/group.name"); g != "" {
		return g
	}
	return own
}

// Types of EKS Auto Mode's load balancing.
const (
	typeIngressClass       = "kubernetes:networking.k8s.io/v1:IngressClass"
	typeIngressClassParams = "kubernetes:" + spec.AutoModeParamsGroup + "/" + spec.AutoModeParamsVersion + ":" + spec.AutoModeIngressClassParams
)

// findAutoModeClasses maps each IngressClass served by EKS Auto Mode to the
// ALB group its IngressClassParams name ("" for none).
func findAutoModeClasses(resources []Resource) map[string]string {
	groups := map[string]string{}
	for _, r := range resources {
		if r.Type == typeIngressClassParams {
			groups[lookup(r.Inputs, "metadata", "name")] = lookup(r.Inputs, "spec", "group", "name")
		}
	}
	classes := map[string]string{}
	for _, r := range resources {
		if r.Type == typeIngressClass && lookup(r.Inputs, "spec", "controller") == spec.AutoModeIngressController {
			classes[lookup(r.Inputs, "metadata", "name")] = groups[lookup(r.Inputs, "spec", "parameters", "name")]
		}
	}
	return classes
}

// autoModeInstances: an EKS Auto Mode cluster's nodes are EC2 instances EKS
// launches as pods need them, billed with a management fee per instance;
// neither is in the recording to count, so both are listed, not priced.
func (e *estimator) autoModeInstances(r Resource) {
	if lookup(r.Inputs, "autoMode", "enabled") != "true" {
		return
	}
	_, fee := e.table.rate(itemAutoModeFee, e.region)
	e.unpriced(r, fmt.Sprintf("EKS Auto Mode's instances: EKS picks their types and number as pods need them, so neither their EC2 price "+
		"nor %s (%s) is estimated; the fee has no price in the table (internal/cost/prices.yaml says why)", fee.What, fee.Source))
}

// loadBalancers prices one ALB per IngressGroup (the AWS Load Balancer
// Controller's), with a public IPv4 address per subnet it spans when
// internet-facing, and LCUs (usage).
func (e *estimator) loadBalancers() {
	groups := make([]string, 0, len(e.albs))
	for g := range e.albs {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		ingresses := e.albs[g]
		if g == "" {
			for _, r := range ingresses {
				e.unpriced(r, "an Ingress of a class other than alb; whatever serves it is not priced")
			}
			continue
		}
		var names []string
		public := false
		for _, r := range ingresses {
			names = append(names, r.Name)
			public = public || lookup(r.Inputs, "metadata", "annotations", "alb.ingress.kubernetes.io/scheme") == "internet-facing"
		}
		alb := Resource{Type: typeIngress, Name: fmt.Sprintf("ALB %s (%s)", strings.TrimPrefix(g, albGroupPrefix), strings.Join(names, ", "))}
		lcu, _ := e.usage.value(typeIngress, strings.TrimPrefix(g, albGroupPrefix), "lcuPerHour")
		items := []Item{e.item(itemALBHour, one()), e.item(itemALBLCU, lcu)}
		items[1].Usage = true
		if public {
			addresses := e.item(itemIPv4Hour, big.NewRat(int64(e.elbSubnets), 1))
			addresses.What = fmt.Sprintf("public IPv4 addresses, one per public subnet (%d)", e.elbSubnets)
			if e.elbSubnets == 0 {
				e.unpriced(alb, "internet-facing, but the stack has no subnets tagged kubernetes.io/role/elb to count its addresses")
			} else {
				items = append(items, addresses)
			}
		}
		e.line(alb, items...)
	}
}
