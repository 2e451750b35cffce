package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

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

// NewNetwork registers the VPC, subnets, gateways and routes.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil {
		args = &NetworkArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("network %q: %w", name, err)
	}
	a := *args
	a.NetworkArgs = args.WithDefaults() // the wiring as given, the rest defaulted
	publicCidrs, privateCidrs, err := spec.SubnetCidrs(a.VpcCidr, a.AvailabilityZoneCount)
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", name, err)
	}

	n := &Network{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:Network", name, n, opts...); err != nil {
		return nil, err
	}
	parts := networkParts{ctx: ctx, name: name, args: a, parent: pulumi.Parent(n), zones: zoneNames(ctx, a, n)}
	if parts.vpc, err = parts.newVpc(); err != nil {
		return nil, err
	}
	igw, publicRoutes, err := parts.internetRoutes()
	if err != nil {
		return nil, err
	}
	publicIDs, nats, err := parts.publicSubnets(publicCidrs, igw, publicRoutes)
	if err != nil {
		return nil, err
	}
	privateIDs, privateEgress, err := parts.privateSubnets(privateCidrs, nats)
	if err != nil {
		return nil, err
	}
	var natIDs pulumi.StringArray
	for _, nat := range nats {
		natIDs = append(natIDs, nat.ID().ToStringOutput())
	}

	n.PrivateEgress = privateEgress
	n.VpcID = parts.vpc.ID()
	n.VpcCidr = parts.vpc.CidrBlock
	n.AvailabilityZones = parts.zones
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

// networkParts registers a Network's children: each parented to it, named
// after it and tagged with its tags.
type networkParts struct {
	ctx    *pulumi.Context
	name   string // the Network's resource name, the prefix of its children's
	args   NetworkArgs
	parent pulumi.ResourceOrInvokeOption
	zones  pulumi.StringArrayOutput
	vpc    *ec2.Vpc // set once registered
}

func (p networkParts) tags(extra map[string]string) pulumi.StringMapOutput {
	return mergeTags(p.args.Tags, pulumi.ToStringMap(extra))
}

// clusterTag marks a subnet as one the cluster's load balancers may use.
func (p networkParts) clusterTag() string {
	return "kubernetes.io/cluster/" + p.args.ClusterName
}

func (p networkParts) newVpc() (*ec2.Vpc, error) {
	return ec2.NewVpc(p.ctx, p.name+"-vpc", &ec2.VpcArgs{
		CidrBlock:          pulumi.String(p.args.VpcCidr),
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               p.tags(map[string]string{"Name": p.name + "-vpc"}),
	}, p.parent)
}

// internetRoutes registers the internet gateway and the public subnets'
// route table, whose default route goes through it.
func (p networkParts) internetRoutes() (*ec2.InternetGateway, *ec2.RouteTable, error) {
	igw, err := ec2.NewInternetGateway(p.ctx, p.name+"-igw", &ec2.InternetGatewayArgs{
		VpcId: p.vpc.ID(),
		Tags:  p.tags(map[string]string{"Name": p.name + "-igw"}),
	}, p.parent)
	if err != nil {
		return nil, nil, err
	}
	routes, err := ec2.NewRouteTable(p.ctx, p.name+"-public", &ec2.RouteTableArgs{
		VpcId: p.vpc.ID(),
		Tags:  p.tags(map[string]string{"Name": p.name + "-public"}),
	}, p.parent)
	if err != nil {
		return nil, nil, err
	}
	if _, err := ec2.NewRoute(p.ctx, p.name+"-public-default", &ec2.RouteArgs{
		RouteTableId:         routes.ID(),
		DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
		GatewayId:            igw.ID(),
	}, p.parent); err != nil {
		return nil, nil, err
	}
	return igw, routes, nil
}

// publicSubnets registers a public subnet in each zone on the public route
// table, and the NAT gateways the NAT mode asks for; it returns the subnets'
// IDs and the NAT gateways.
func (p networkParts) publicSubnets(cidrs []string, igw *ec2.InternetGateway, routes *ec2.RouteTable) (pulumi.StringArray, []*ec2.NatGateway, error) {
	var ids pulumi.StringArray
	var nats []*ec2.NatGateway
	for i, cidr := range cidrs {
		subnetName := fmt.Sprintf("%s-public-%d", p.name, i)
		public, err := ec2.NewSubnet(p.ctx, subnetName, &ec2.SubnetArgs{
			VpcId:               p.vpc.ID(),
			CidrBlock:           pulumi.String(cidr),
			AvailabilityZone:    p.zones.Index(pulumi.Int(i)),
			MapPublicIpOnLaunch: pulumi.Bool(true),
			Tags: p.tags(map[string]string{
				"Name": subnetName, "kubernetes.io/role/elb": "1", p.clusterTag(): "shared",
			}),
		}, p.parent)
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, public.ID().ToStringOutput())
		if _, err := ec2.NewRouteTableAssociation(p.ctx, subnetName, &ec2.RouteTableAssociationArgs{
			SubnetId: public.ID(), RouteTableId: routes.ID(),
		}, p.parent); err != nil {
			return nil, nil, err
		}
		if mode := p.args.NatGateway; mode == spec.NatHighlyAvailable || (mode == spec.NatSingle && i == 0) {
			nat, err := p.natGateway(i, public, igw)
			if err != nil {
				return nil, nil, err
			}
			nats = append(nats, nat)
		}
	}
	return ids, nats, nil
}

// natGateway registers the NAT gateway of zone i, in its public subnet, and
// its Elastic IP; both wait for the internet gateway.
func (p networkParts) natGateway(i int, public *ec2.Subnet, igw *ec2.InternetGateway) (*ec2.NatGateway, error) {
	natName := fmt.Sprintf("%s-nat-%d", p.name, i)
	eip, err := ec2.NewEip(p.ctx, natName, &ec2.EipArgs{
		Domain: pulumi.String("vpc"),
		Tags:   p.tags(map[string]string{"Name": natName}),
	}, p.parent, pulumi.DependsOn([]pulumi.Resource{igw}))
	if err != nil {
		return nil, err
	}
	return ec2.NewNatGateway(p.ctx, natName, &ec2.NatGatewayArgs{
		AllocationId: eip.ID(),
		SubnetId:     public.ID(),
		Tags:         p.tags(map[string]string{"Name": natName}),
	}, p.parent, pulumi.DependsOn([]pulumi.Resource{igw}))
}

// privateSubnets registers a private subnet in each zone with a route table
// of its own, its default route through NAT if there is one. It returns the
// subnets' IDs and their egress (Network.PrivateEgress).
func (p networkParts) privateSubnets(cidrs []string, nats []*ec2.NatGateway) (pulumi.StringArray, []pulumi.Resource, error) {
	var ids pulumi.StringArray
	var egress []pulumi.Resource
	for i, cidr := range cidrs {
		subnetName := fmt.Sprintf("%s-private-%d", p.name, i)
		private, err := ec2.NewSubnet(p.ctx, subnetName, &ec2.SubnetArgs{
			VpcId:            p.vpc.ID(),
			CidrBlock:        pulumi.String(cidr),
			AvailabilityZone: p.zones.Index(pulumi.Int(i)),
			Tags: p.tags(map[string]string{
				"Name": subnetName, "kubernetes.io/role/internal-elb": "1", p.clusterTag(): "shared",
			}),
		}, p.parent)
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, private.ID().ToStringOutput())
		subnetEgress, err := p.privateRoutes(subnetName, private, nats, i)
		if err != nil {
			return nil, nil, err
		}
		egress = append(egress, subnetEgress...)
	}
	return ids, egress, nil
}

// privateRoutes registers the route table of the private subnet of zone i
// and, with NAT, its default route: highly available, through the NAT of
// the subnet's own zone; single, through the only one.
func (p networkParts) privateRoutes(subnetName string, private *ec2.Subnet, nats []*ec2.NatGateway, i int) ([]pulumi.Resource, error) {
	routes, err := ec2.NewRouteTable(p.ctx, subnetName, &ec2.RouteTableArgs{
		VpcId: p.vpc.ID(),
		Tags:  p.tags(map[string]string{"Name": subnetName}),
	}, p.parent)
	if err != nil {
		return nil, err
	}
	association, err := ec2.NewRouteTableAssociation(p.ctx, subnetName, &ec2.RouteTableAssociationArgs{
		SubnetId: private.ID(), RouteTableId: routes.ID(),
	}, p.parent)
	if err != nil {
		return nil, err
	}
	if len(nats) == 0 {
		return []pulumi.Resource{association}, nil
	}
	route, err := ec2.NewRoute(p.ctx, subnetName+"-default", &ec2.RouteArgs{
		RouteTableId:         routes.ID(),
		DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
		NatGatewayId:         nats[min(i, len(nats)-1)].ID(),
	}, p.parent)
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{association, route}, nil
}

// zoneNames returns the configured zones, or looks up the region's regular
// zones where EKS can place a control plane: opt-in zones (Local and
// Wavelength Zones) cannot host EKS subnets, and EKS documents a few
// regular zones it does not support (spec.EKSUnsupportedZoneIDs).
func zoneNames(ctx *pulumi.Context, a NetworkArgs, parent pulumi.Resource) pulumi.StringArrayOutput {
	if len(a.AvailabilityZones) > 0 {
		return pulumi.ToStringArray(a.AvailabilityZones).ToStringArrayOutput()
	}
	count := a.AvailabilityZoneCount
	return aws.GetAvailabilityZonesOutput(ctx, aws.GetAvailabilityZonesOutputArgs{
		State:          pulumi.String("available"),
		ExcludeZoneIds: pulumi.ToStringArray(spec.EKSUnsupportedZoneIDs),
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
