package components

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/internal/mocktest/recorded"
)

const (
	vpcType        = "aws:ec2/vpc:Vpc"
	subnetType     = "aws:ec2/subnet:Subnet"
	natType        = "aws:ec2/natGateway:NatGateway"
	eipType        = "aws:ec2/eip:Eip"
	routeType      = "aws:ec2/route:Route"
	routeTableType = "aws:ec2/routeTable:RouteTable"
	assocType      = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	igwType        = "aws:ec2/internetGateway:InternetGateway"
)

func runNetwork(t *testing.T, args spec.NetworkArgs) *mocktest.Monitor {
	t.Helper()
	m := mocktest.New()
	m.MustRun(t, "test", nil, func(ctx *pulumi.Context) error {
		_, err := NewNetwork(ctx, "eks-demo", &NetworkArgs{NetworkArgs: args})
		return err
	})
	return m
}

// byID indexes registrations by the id the mock gave them.
func byID(m *mocktest.Monitor) map[string]mocktest.Resource {
	out := map[string]mocktest.Resource{}
	for _, r := range m.Resources() {
		out[r.ID] = r
	}
	return out
}

// routeTableOf returns the route table a subnet is associated with.
func routeTableOf(t *testing.T, m *mocktest.Monitor, subnet mocktest.Resource) mocktest.Resource {
	t.Helper()
	ids := byID(m)
	for _, a := range m.ByType(assocType) {
		if a.Input("subnetId") == subnet.ID {
			return ids[a.Input("routeTableId").(string)]
		}
	}
	t.Fatalf("subnet %s has no route table", subnet.Name)
	return mocktest.Resource{}
}

// defaultRoute returns the 0.0.0.0/0 route of a route table, if any.
func defaultRoute(m *mocktest.Monitor, table mocktest.Resource) (mocktest.Resource, bool) {
	for _, r := range m.ByType(routeType) {
		if r.Input("routeTableId") == table.ID && r.Input("destinationCidrBlock") == "0.0.0.0/0" {
			return r, true
		}
	}
	return mocktest.Resource{}, false
}

func TestNetworkReproducesEksctlVpc(t *testing.T) {
	m := runNetwork(t, spec.NetworkArgs{VpcCidr: "10.0.0.0/16", NatGateway: spec.NatHighlyAvailable, ClusterName: "eks-demo"})

	vpc := m.Get(t, vpcType, "eks-demo-vpc")
	if vpc.Input("cidrBlock") != "10.0.0.0/16" || vpc.Input("enableDnsSupport") != true || vpc.Input("enableDnsHostnames") != true {
		t.Errorf("vpc inputs = %v; want 10.0.0.0/16 with DNS support and hostnames", vpc.Plain())
	}

	wantZones := []string{"ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"}
	wantPublic := []string{"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"}
	wantPrivate := []string{"10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19"}
	for i, zone := range wantZones {
		public := m.Get(t, subnetType, fmt.Sprintf("eks-demo-public-%d", i))
		private := m.Get(t, subnetType, fmt.Sprintf("eks-demo-private-%d", i))
		for _, c := range []struct {
			subnet mocktest.Resource
			cidr   string
			role   string
		}{{public, wantPublic[i], "kubernetes.io/role/elb"}, {private, wantPrivate[i], "kubernetes.io/role/internal-elb"}} {
			if got := c.subnet.Input("availabilityZone"); got != zone {
				t.Errorf("%s zone = %v, want %s", c.subnet.Name, got, zone)
			}
			if got := c.subnet.Input("cidrBlock"); got != c.cidr {
				t.Errorf("%s cidr = %v, want %s", c.subnet.Name, got, c.cidr)
			}
			tags := c.subnet.Input("tags").(map[string]any)
			if tags[c.role] != "1" || tags["kubernetes.io/cluster/eks-demo"] != "shared" {
				t.Errorf("%s tags = %v, want %s=1 and kubernetes.io/cluster/eks-demo=shared", c.subnet.Name, tags, c.role)
			}
		}
		if public.Input("mapPublicIpOnLaunch") != true || private.Input("mapPublicIpOnLaunch") == true {
			t.Errorf("only public subnets map public IPs on launch")
		}
	}
	if n := len(m.ByType(subnetType)); n != 6 {
		t.Errorf("%d subnets, want 6", n)
	}
}

func TestNetworkHighlyAvailableNatRoutesEachZoneThroughItsOwnGateway(t *testing.T) {
	m := runNetwork(t, spec.NetworkArgs{NatGateway: spec.NatHighlyAvailable, ClusterName: "eks-demo"})
	ids := byID(m)

	nats := m.ByType(natType)
	if len(nats) != 3 || len(m.ByType(eipType)) != 3 {
		t.Fatalf("%d NAT gateways and %d EIPs, want 3 of each", len(nats), len(m.ByType(eipType)))
	}
	natZones := map[string]string{} // NAT id -> zone of its public subnet
	for _, nat := range nats {
		subnet := ids[nat.Input("subnetId").(string)]
		if !strings.Contains(subnet.Name, "-public-") {
			t.Errorf("NAT %s sits in %s, want a public subnet", nat.Name, subnet.Name)
		}
		if eip := ids[nat.Input("allocationId").(string)]; eip.Type != eipType {
			t.Errorf("NAT %s allocation is %v, want an EIP", nat.Name, eip.Type)
		}
		natZones[nat.ID] = subnet.Input("availabilityZone").(string)
	}
	if len(natZones) != 3 {
		t.Errorf("NATs share subnets: %v", natZones)
	}
	for i := 0; i < 3; i++ {
		private := m.Get(t, subnetType, fmt.Sprintf("eks-demo-private-%d", i))
		route, ok := defaultRoute(m, routeTableOf(t, m, private))
		if !ok {
			t.Fatalf("%s has no default route", private.Name)
		}
		if zone := natZones[route.Input("natGatewayId").(string)]; zone != private.Input("availabilityZone") {
			t.Errorf("%s (zone %v) leaves through the NAT of zone %s", private.Name, private.Input("availabilityZone"), zone)
		}
	}

	igw := m.Get(t, igwType, "eks-demo-igw")
	for i := 0; i < 3; i++ {
		public := m.Get(t, subnetType, fmt.Sprintf("eks-demo-public-%d", i))
		route, ok := defaultRoute(m, routeTableOf(t, m, public))
		if !ok || route.Input("gatewayId") != igw.ID {
			t.Errorf("%s default route = %v, want the internet gateway", public.Name, route.Plain())
		}
	}
}

func TestNetworkSingleAndDisabledNat(t *testing.T) {
	single := runNetwork(t, spec.NetworkArgs{NatGateway: spec.NatSingle, ClusterName: "c"})
	nats := single.ByType(natType)
	if len(nats) != 1 {
		t.Fatalf("Single: %d NAT gateways, want 1", len(nats))
	}
	for i := 0; i < 3; i++ {
		private := single.Get(t, subnetType, fmt.Sprintf("eks-demo-private-%d", i))
		if route, ok := defaultRoute(single, routeTableOf(t, single, private)); !ok || route.Input("natGatewayId") != nats[0].ID {
			t.Errorf("Single: %s does not leave through the one NAT", private.Name)
		}
	}

	disabled := runNetwork(t, spec.NetworkArgs{NatGateway: spec.NatDisable, ClusterName: "c"})
	if n := len(disabled.ByType(natType)) + len(disabled.ByType(eipType)); n != 0 {
		t.Errorf("Disable: %d NAT gateways/EIPs, want none", n)
	}
	for i := 0; i < 3; i++ {
		private := disabled.Get(t, subnetType, fmt.Sprintf("eks-demo-private-%d", i))
		if _, ok := defaultRoute(disabled, routeTableOf(t, disabled, private)); ok {
			t.Errorf("Disable: %s has a default route", private.Name)
		}
	}
}

func TestNetworkLooksUpOnlyRegularZones(t *testing.T) {
	m := runNetwork(t, spec.NetworkArgs{AvailabilityZoneCount: 2, ClusterName: "c"})
	var filters []any
	for _, inv := range m.Invokes() {
		if inv.Token == "aws:index/getAvailabilityZones:getAvailabilityZones" {
			filters = recorded.Plain(inv.Args["filters"]).([]any)
		}
	}
	want := map[string]string{"opt-in-status": "opt-in-not-required", "zone-type": "availability-zone"}
	for _, f := range filters {
		f := f.(map[string]any)
		if values := f["values"].([]any); len(values) == 1 && want[f["name"].(string)] == values[0] {
			delete(want, f["name"].(string))
		}
	}
	if len(want) > 0 {
		t.Errorf("zone lookup lacks filters %v (got %v)", want, filters)
	}
	if n := len(m.ByType(subnetType)); n != 4 {
		t.Errorf("2 zones gave %d subnets, want 4", n)
	}
}

// In us-east-1, where EKS places no control plane in use1-az3, the zones
// looked up skip it. The mock answers as EC2 does: every regular zone of
// the account (here us-east-1a is use1-az3), less the zone IDs excluded.
func TestNetworkSkipsZonesEKSDoesNotSupport(t *testing.T) {
	names := []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"}
	ids := []string{"use1-az3", "use1-az1", "use1-az2", "use1-az4"}
	m := mocktest.New()
	m.Region = "us-east-1"
	m.CallFunc = func(args pulumi.MockCallArgs) (resource.PropertyMap, bool, error) {
		if args.Token != "aws:index/getAvailabilityZones:getAvailabilityZones" {
			return nil, false, nil
		}
		excluded := map[string]bool{}
		if v, ok := args.Args["excludeZoneIds"]; ok {
			for _, id := range recorded.Plain(v).([]any) {
				excluded[id.(string)] = true
			}
		}
		var keptNames, keptIDs []string
		for i, id := range ids {
			if !excluded[id] {
				keptNames, keptIDs = append(keptNames, names[i]), append(keptIDs, id)
			}
		}
		return resource.NewPropertyMapFromMap(map[string]any{"id": m.Region, "names": keptNames, "zoneIds": keptIDs}), true, nil
	}
	m.MustRun(t, "test", nil, func(ctx *pulumi.Context) error {
		_, err := NewNetwork(ctx, "eks-demo", &NetworkArgs{NetworkArgs: spec.NetworkArgs{ClusterName: "c"}})
		return err
	})
	for i, want := range []string{"us-east-1b", "us-east-1c", "us-east-1d"} {
		for _, tier := range []string{"public", "private"} {
			if got := m.Get(t, subnetType, fmt.Sprintf("eks-demo-%s-%d", tier, i)).Input("availabilityZone"); got != want {
				t.Errorf("%s subnet %d in %v, want %s (use1-az3, us-east-1a here, hosts no EKS control plane)", tier, i, got, want)
			}
		}
	}
}

func TestNetworkUsesConfiguredZones(t *testing.T) {
	zones := []string{"ap-northeast-2c", "ap-northeast-2a"}
	m := runNetwork(t, spec.NetworkArgs{AvailabilityZones: zones, ClusterName: "c"})
	for i, zone := range zones {
		if got := m.Get(t, subnetType, fmt.Sprintf("eks-demo-private-%d", i)).Input("availabilityZone"); got != zone {
			t.Errorf("private subnet %d in %v, want %s", i, got, zone)
		}
	}
	for _, inv := range m.Invokes() {
		if strings.Contains(inv.Token, "getAvailabilityZones") {
			t.Errorf("looked zones up although they were configured")
		}
	}
}

func TestNetworkChildrenAreParentedAndPrefixed(t *testing.T) {
	m := runNetwork(t, spec.NetworkArgs{ClusterName: "eks-demo"})
	component := m.Get(t, "eks-workshop:index:Network", "eks-demo")
	for _, r := range m.Resources() {
		if r.URN == component.URN {
			continue
		}
		if r.Parent != component.URN {
			t.Errorf("%s %s is not parented by the Network", r.Type, r.Name)
		}
		if !strings.HasPrefix(r.Name, "eks-demo-") {
			t.Errorf("%s %s is not prefixed with the component name", r.Type, r.Name)
		}
	}
}

func TestNetworkRejectsBadArgsBeforeRegistering(t *testing.T) {
	for _, tc := range []struct {
		args spec.NetworkArgs
		want []string
	}{
		{spec.NetworkArgs{VpcCidr: "10.0.0.0/33", ClusterName: "c"}, []string{`vpcCidr = "10.0.0.0/33"`, "IPv4 CIDR"}},
		{spec.NetworkArgs{VpcCidr: "10.0.0.1/16", ClusterName: "c"}, []string{"host bits", "10.0.0.0/16"}},
		{spec.NetworkArgs{VpcCidr: "10.0.0.0/8", ClusterName: "c"}, []string{"/16 to /28"}},
		{spec.NetworkArgs{VpcCidr: "10.0.0.0/26", ClusterName: "c"}, []string{"too small for 3 zones", "/29", "/28 minimum"}},
		{spec.NetworkArgs{NatGateway: "Always", AvailabilityZoneCount: 9}, []string{`natGateway = "Always"`, "HighlyAvailable, Single, Disable", "availabilityZoneCount = 9", `clusterName = ""`}},
		{spec.NetworkArgs{AvailabilityZones: []string{"a", "a"}, ClusterName: "c"}, []string{"distinct"}},
	} {
		m := mocktest.New()
		err := m.Run("test", nil, func(ctx *pulumi.Context) error {
			_, err := NewNetwork(ctx, "eks-demo", &NetworkArgs{NetworkArgs: tc.args})
			return err
		})
		if err == nil {
			t.Errorf("%+v: no error", tc.args)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q lacks %q", tc.args, err, w)
			}
		}
		if n := len(m.Resources()); n != 0 {
			t.Errorf("%+v: registered %d resources before failing", tc.args, n)
		}
	}
}
