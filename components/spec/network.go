package spec

import (
	"fmt"
	"math/bits"
	"net"
	"net/netip"
	"slices"

	"github.com/apparentlymart/go-cidr/cidr"
)

// NatGatewayMode says how private subnets reach the internet, with eksctl's names.
type NatGatewayMode string

const (
	// NatHighlyAvailable puts a NAT gateway in every zone; each private
	// subnet leaves through its own zone's, so losing a zone loses no egress.
	NatHighlyAvailable NatGatewayMode = "HighlyAvailable"
	// NatSingle shares one NAT gateway (in the first zone) between all zones.
	NatSingle NatGatewayMode = "Single"
	// NatDisable gives private subnets no route to the internet.
	NatDisable NatGatewayMode = "Disable"
)

// NetworkArgs configures a Network, less its tags (components.NetworkArgs
// adds them). These fields shape the resource graph, so they are known
// before anything is registered.
type NetworkArgs struct {
	// VpcCidr is the VPC's IPv4 CIDR, /16 to /28, big enough for the subnets. Optional; default "10.0.0.0/16" (the workshop's).
	VpcCidr string
	// AvailabilityZones lists the zones to use. Optional; default: the first
	// AvailabilityZoneCount regular zones of the region (never Local or
	// Wavelength Zones) where EKS supports a control plane (never
	// EKSUnsupportedZoneIDs).
	AvailabilityZones []string
	// AvailabilityZoneCount is how many zones to use when AvailabilityZones is empty, 2 to 6. Optional; default 3.
	AvailabilityZoneCount int
	// NatGateway is HighlyAvailable, Single or Disable. Optional; default HighlyAvailable.
	NatGateway NatGatewayMode
	// ClusterName is the EKS cluster that uses the subnets, for the
	// kubernetes.io/cluster/<name> tag. Required.
	ClusterName string
}

// unusableVpcRanges are address ranges CreateVpc refuses.
var unusableVpcRanges = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("224.0.0.0/3"),
}

// AWS subnets can be no smaller than /28.
const smallestSubnetPrefix = 28

// WithDefaults returns a copy of the args with defaults applied.
func (a NetworkArgs) WithDefaults() NetworkArgs {
	if a.VpcCidr == "" {
		a.VpcCidr = DefaultVpcCidr
	}
	if a.AvailabilityZoneCount == 0 {
		a.AvailabilityZoneCount = DefaultAvailabilityZoneCount
	}
	if len(a.AvailabilityZones) > 0 {
		a.AvailabilityZoneCount = len(a.AvailabilityZones)
	}
	if a.NatGateway == "" {
		a.NatGateway = DefaultNatGateway
	}
	return a
}

// Validate reports every problem with the (defaulted) args.
func (a NetworkArgs) Validate() error {
	a = a.WithDefaults()
	var errs fieldErrors
	prefix, ok := parseIPv4Prefix(a.VpcCidr)
	switch {
	case !ok:
		errs.add("vpcCidr", a.VpcCidr, "want an IPv4 CIDR such as 10.0.0.0/16")
	case prefix.Masked() != prefix:
		errs.add("vpcCidr", a.VpcCidr, "host bits are set; want the network address %s", prefix.Masked())
	case prefix.Bits() < 16 || prefix.Bits() > 28:
		errs.add("vpcCidr", a.VpcCidr, "the prefix must be /16 to /28, as AWS allows")
	case slices.ContainsFunc(unusableVpcRanges, func(r netip.Prefix) bool { return r.Overlaps(prefix) }):
		errs.add("vpcCidr", a.VpcCidr, "AWS allows no VPC in %v (this-network, loopback, link-local, multicast and reserved space); use RFC 1918 space such as %s", unusableVpcRanges, DefaultVpcCidr)
	}
	if n := len(a.AvailabilityZones); n > 0 && (n < MinAvailabilityZones || n > MaxAvailabilityZones) {
		errs.add("availabilityZones", a.AvailabilityZones, "list %d to %d zones (EKS needs subnets in at least two)", MinAvailabilityZones, MaxAvailabilityZones)
	}
	seen := map[string]bool{}
	for _, z := range a.AvailabilityZones {
		if z == "" || seen[z] {
			errs.add("availabilityZones", a.AvailabilityZones, "zone names must be non-empty and distinct")
			break
		}
		seen[z] = true
	}
	if len(a.AvailabilityZones) == 0 && (a.AvailabilityZoneCount < MinAvailabilityZones || a.AvailabilityZoneCount > MaxAvailabilityZones) {
		errs.add("availabilityZoneCount", a.AvailabilityZoneCount, "want %d to %d (EKS needs subnets in at least two zones)", MinAvailabilityZones, MaxAvailabilityZones)
	}
	switch a.NatGateway {
	case NatHighlyAvailable, NatSingle, NatDisable:
	default:
		errs.add("natGateway", string(a.NatGateway), "want one of HighlyAvailable, Single, Disable")
	}
	// At /16 the subnets are /20 at the smallest, so ">= 16" and "> 16" cannot
	// be told apart (an equivalent mutant).
	if ok && prefix.Bits() >= 16 && prefix.Bits() <= 28 {
		if subnetPrefix := prefix.Bits() + subnetBits(a.AvailabilityZoneCount); subnetPrefix > smallestSubnetPrefix {
			errs.add("vpcCidr", a.VpcCidr, "too small for %d zones: subnets would be /%d, smaller than AWS's /%d minimum",
				a.AvailabilityZoneCount, subnetPrefix, smallestSubnetPrefix)
		}
	}
	if a.ClusterName == "" {
		errs.add("clusterName", a.ClusterName, "required: the subnets are tagged for this EKS cluster")
	}
	return errs.err()
}

// subnetBits is how many bits each subnet adds to the VPC prefix. Like
// eksctl, the VPC splits into at least 8 equal blocks (a /16 gives /19s),
// public subnets first, then private ones, leaving the rest free.
func subnetBits(zones int) int {
	return max(3, bits.Len(uint(2*zones-1)))
}

// SubnetCidrs carves the VPC CIDR into one public and one private subnet per
// zone, deterministically and without overlap.
func SubnetCidrs(vpcCidr string, zones int) (public, private []string, err error) {
	_, network, err := net.ParseCIDR(vpcCidr)
	if err != nil {
		return nil, nil, err
	}
	newBits := subnetBits(zones)
	for i := 0; i < 2*zones; i++ {
		block, err := cidr.Subnet(network, newBits, i)
		if err != nil {
			return nil, nil, fmt.Errorf("subnet %d of %s: %w", i, vpcCidr, err)
		}
		if i < zones {
			public = append(public, block.String())
		} else {
			private = append(private, block.String())
		}
	}
	return public, private, nil
}
