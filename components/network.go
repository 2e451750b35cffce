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
		if a.NatGateway == spec.NatHighlyAvailable || (a.NatGateway == spec.NatSingle && i == 0) {
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
