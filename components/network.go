package components

import (
	"fmt"
	"math/bits"
	"net"
	"net/netip"
	"slices"

	"github.com/apparentlymart/go-cidr/cidr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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

// NetworkArgs configures a Network. The plain (non-Input) fields shape the
// resource graph, so they must be known before anything is registered.
type NetworkArgs struct {
	// VpcCidr is the VPC's IPv4 CIDR, /16 to /28, big enough for the subnets. Optional; default "10.0.0.0/16" (the workshop's).
	VpcCidr string
	// AvailabilityZones lists the zones to use. Optional; default: the first
	// AvailabilityZoneCount regular zones of the region (never Local or Wavelength Zones).
	AvailabilityZones []string
	// AvailabilityZoneCount is how many zones to use when AvailabilityZones is empty, 2 to 6. Optional; default 3.
	AvailabilityZoneCount int
	// NatGateway is HighlyAvailable, Single or Disable. Optional; default HighlyAvailable.
	NatGateway NatGatewayMode
	// ClusterName is the EKS cluster that uses the subnets, for the
	// kubernetes.io/cluster/<name> tag. Required.
	ClusterName string
	// Tags are added to every resource. Optional.
	Tags pulumi.StringMapInput
}

// Network is eksctl's `vpc:` block: a VPC with a public and a private subnet
// in each zone, an internet gateway and NAT gateways.
type Network struct {
	pulumi.ResourceState

	VpcID             pulumi.IDOutput          `pulumi:"vpcId"`
	VpcCidr           pulumi.StringOutput      `pulumi:"vpcCidr"`
	AvailabilityZones pulumi.StringArrayOutput `pulumi:"availabilityZones"`
	PublicSubnetIDs   pulumi.StringArrayOutput `pulumi:"publicSubnetIds"`
	PrivateSubnetIDs  pulumi.StringArrayOutput `pulumi:"privateSubnetIds"`
	NatGatewayIDs     pulumi.StringArrayOutput `pulumi:"natGatewayIds"`

	// PrivateEgress are the private subnets' route table associations and
	// default routes through NAT: what a node in a private subnet needs
	// before it boots to pull images and register. The subnet IDs do not
	// carry this dependency, so the control plane does not wait for NAT.
	PrivateEgress []pulumi.Resource `pulumi:"-"`
}

// unusableVpcRanges are address ranges CreateVpc refuses.
var unusableVpcRanges = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("224.0.0.0/3"),
}

// AWS subnets can be no smaller than /28.
const smallestSubnetPrefix = 28

// withDefaults returns a copy of the args with defaults applied.
func (a NetworkArgs) withDefaults() NetworkArgs {
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
	a = a.withDefaults()
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

// NewNetwork registers the VPC, subnets, gateways and routes.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil {
		args = &NetworkArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("network %q: %w", name, err)
	}
	a := args.withDefaults()
	publicCidrs, privateCidrs, err := SubnetCidrs(a.VpcCidr, a.AvailabilityZoneCount)
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", name, err)
	}

	n := &Network{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:Network", name, n, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(n)
	tags := func(extra map[string]string) pulumi.StringMapOutput {
		return mergeTags(a.Tags, pulumi.ToStringMap(extra))
	}

	zones := zoneNames(ctx, a, n)

	vpc, err := ec2.NewVpc(ctx, name+"-vpc", &ec2.VpcArgs{
		CidrBlock:          pulumi.String(a.VpcCidr),
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               tags(map[string]string{"Name": name + "-vpc"}),
	}, parent)
	if err != nil {
		return nil, err
	}
	igw, err := ec2.NewInternetGateway(ctx, name+"-igw", &ec2.InternetGatewayArgs{
		VpcId: vpc.ID(),
		Tags:  tags(map[string]string{"Name": name + "-igw"}),
	}, parent)
	if err != nil {
		return nil, err
	}
	publicRoutes, err := ec2.NewRouteTable(ctx, name+"-public", &ec2.RouteTableArgs{
		VpcId: vpc.ID(),
		Tags:  tags(map[string]string{"Name": name + "-public"}),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := ec2.NewRoute(ctx, name+"-public-default", &ec2.RouteArgs{
		RouteTableId:         publicRoutes.ID(),
		DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
		GatewayId:            igw.ID(),
	}, parent); err != nil {
		return nil, err
	}

	clusterTag := "kubernetes.io/cluster/" + a.ClusterName
	var publicIDs, privateIDs, natIDs pulumi.StringArray
	var nats []*ec2.NatGateway
	for i := 0; i < a.AvailabilityZoneCount; i++ {
		zone := zones.Index(pulumi.Int(i))
		subnetName := fmt.Sprintf("%s-public-%d", name, i)
		public, err := ec2.NewSubnet(ctx, subnetName, &ec2.SubnetArgs{
			VpcId:               vpc.ID(),
			CidrBlock:           pulumi.String(publicCidrs[i]),
			AvailabilityZone:    zone,
			MapPublicIpOnLaunch: pulumi.Bool(true),
			Tags: tags(map[string]string{
				"Name": subnetName, "kubernetes.io/role/elb": "1", clusterTag: "shared",
			}),
		}, parent)
		if err != nil {
			return nil, err
		}
		publicIDs = append(publicIDs, public.ID().ToStringOutput())
		if _, err := ec2.NewRouteTableAssociation(ctx, subnetName, &ec2.RouteTableAssociationArgs{
			SubnetId: public.ID(), RouteTableId: publicRoutes.ID(),
		}, parent); err != nil {
			return nil, err
		}
		if a.NatGateway == NatHighlyAvailable || (a.NatGateway == NatSingle && i == 0) {
			natName := fmt.Sprintf("%s-nat-%d", name, i)
			eip, err := ec2.NewEip(ctx, natName, &ec2.EipArgs{
				Domain: pulumi.String("vpc"),
				Tags:   tags(map[string]string{"Name": natName}),
			}, parent, pulumi.DependsOn([]pulumi.Resource{igw}))
			if err != nil {
				return nil, err
			}
			nat, err := ec2.NewNatGateway(ctx, natName, &ec2.NatGatewayArgs{
				AllocationId: eip.ID(),
				SubnetId:     public.ID(),
				Tags:         tags(map[string]string{"Name": natName}),
			}, parent, pulumi.DependsOn([]pulumi.Resource{igw}))
			if err != nil {
				return nil, err
			}
			nats = append(nats, nat)
			natIDs = append(natIDs, nat.ID().ToStringOutput())
		}
	}
	for i := 0; i < a.AvailabilityZoneCount; i++ {
		subnetName := fmt.Sprintf("%s-private-%d", name, i)
		private, err := ec2.NewSubnet(ctx, subnetName, &ec2.SubnetArgs{
			VpcId:            vpc.ID(),
			CidrBlock:        pulumi.String(privateCidrs[i]),
			AvailabilityZone: zones.Index(pulumi.Int(i)),
			Tags: tags(map[string]string{
				"Name": subnetName, "kubernetes.io/role/internal-elb": "1", clusterTag: "shared",
			}),
		}, parent)
		if err != nil {
			return nil, err
		}
		privateIDs = append(privateIDs, private.ID().ToStringOutput())
		routes, err := ec2.NewRouteTable(ctx, subnetName, &ec2.RouteTableArgs{
			VpcId: vpc.ID(),
			Tags:  tags(map[string]string{"Name": subnetName}),
		}, parent)
		if err != nil {
			return nil, err
		}
		association, err := ec2.NewRouteTableAssociation(ctx, subnetName, &ec2.RouteTableAssociationArgs{
			SubnetId: private.ID(), RouteTableId: routes.ID(),
		}, parent)
		if err != nil {
			return nil, err
		}
		n.PrivateEgress = append(n.PrivateEgress, association)
		if len(nats) == 0 {
			continue
		}
		// Highly available: the NAT of the subnet's own zone; single: the only one.
		nat := nats[min(i, len(nats)-1)]
		route, err := ec2.NewRoute(ctx, subnetName+"-default", &ec2.RouteArgs{
			RouteTableId:         routes.ID(),
			DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
			NatGatewayId:         nat.ID(),
		}, parent)
		if err != nil {
			return nil, err
		}
		n.PrivateEgress = append(n.PrivateEgress, route)
	}

	n.VpcID = vpc.ID()
	n.VpcCidr = vpc.CidrBlock
	n.AvailabilityZones = zones
	n.PublicSubnetIDs = publicIDs.ToStringArrayOutput()
	n.PrivateSubnetIDs = privateIDs.ToStringArrayOutput()
	n.NatGatewayIDs = natIDs.ToStringArrayOutput()
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{
		"vpcId":             n.VpcID,
		"vpcCidr":           n.VpcCidr,
		"availabilityZones": n.AvailabilityZones,
		"publicSubnetIds":   n.PublicSubnetIDs,
		"privateSubnetIds":  n.PrivateSubnetIDs,
		"natGatewayIds":     n.NatGatewayIDs,
	})
}

// zoneNames returns the configured zones, or looks up the region's regular
// zones: opt-in zones (Local and Wavelength Zones) cannot host EKS subnets.
func zoneNames(ctx *pulumi.Context, a NetworkArgs, parent pulumi.Resource) pulumi.StringArrayOutput {
	if len(a.AvailabilityZones) > 0 {
		return pulumi.ToStringArray(a.AvailabilityZones).ToStringArrayOutput()
	}
	count := a.AvailabilityZoneCount
	return aws.GetAvailabilityZonesOutput(ctx, aws.GetAvailabilityZonesOutputArgs{
		State: pulumi.String("available"),
		Filters: aws.GetAvailabilityZonesFilterArray{
			aws.GetAvailabilityZonesFilterArgs{Name: pulumi.String("opt-in-status"), Values: pulumi.ToStringArray([]string{"opt-in-not-required"})},
			aws.GetAvailabilityZonesFilterArgs{Name: pulumi.String("zone-type"), Values: pulumi.ToStringArray([]string{"availability-zone"})},
		},
	}, pulumi.Parent(parent)).Names().ApplyT(func(names []string) ([]string, error) {
		if len(names) < count {
			return nil, fmt.Errorf("availabilityZoneCount = %d: the region has only %d regular zones %v", count, len(names), names)
		}
		return names[:count], nil
	}).(pulumi.StringArrayOutput)
}
