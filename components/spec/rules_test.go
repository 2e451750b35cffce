package spec

import (
	"slices"
	"strings"
	"testing"
)

// ruleCase is one set of args and what Validate must say about it: exactly
// these fields (in order; none for valid args), and, when says is set, that
// text somewhere in the error.
type ruleCase[A any] struct {
	name   string
	args   A
	fields []string
	says   string
}

// checkRules runs validate over every case. Each invalid case differs from
// a valid one in a single value, at the edge of what is allowed where the
// rule has one, so a rule that fires too soon or too late fails.
func checkRules[A any](t *testing.T, validate func(A) error, cases []ruleCase[A]) {
	t.Helper()
	for _, tc := range cases {
		err := validate(tc.args)
		var got []string
		for _, fe := range FieldErrors(err) {
			got = append(got, fe.Field)
		}
		if !slices.Equal(got, tc.fields) {
			t.Errorf("%s: fields %v, want %v (%v)", tc.name, got, tc.fields, err)
		}
		if tc.says != "" && (err == nil || !strings.Contains(err.Error(), tc.says)) {
			t.Errorf("%s: error %v, want it to say %q", tc.name, err, tc.says)
		}
	}
}

func network(mutate func(*NetworkArgs)) NetworkArgs {
	a := NetworkArgs{ClusterName: "eks-demo"}
	mutate(&a)
	return a
}

func TestNetworkRules(t *testing.T) {
	type c = ruleCase[NetworkArgs]
	checkRules(t, NetworkArgs.Validate, []c{
		{"the defaults", network(func(*NetworkArgs) {}), nil, ""},
		{"not a CIDR", network(func(a *NetworkArgs) { a.VpcCidr = "10.0.0/16" }), []string{"vpcCidr"}, "want an IPv4 CIDR"},
		{"IPv6", network(func(a *NetworkArgs) { a.VpcCidr = "fd00::/16" }), []string{"vpcCidr"}, "want an IPv4 CIDR"},
		{"host bits", network(func(a *NetworkArgs) { a.VpcCidr = "10.0.0.1/16" }), []string{"vpcCidr"}, "network address 10.0.0.0/16"},
		{"a /15", network(func(a *NetworkArgs) { a.VpcCidr = "10.0.0.0/15" }), []string{"vpcCidr"}, "/16 to /28"},
		{"a /29", network(func(a *NetworkArgs) { a.VpcCidr = "10.0.0.0/29" }), []string{"vpcCidr"}, "/16 to /28"},
		{"link-local", network(func(a *NetworkArgs) { a.VpcCidr = "169.254.0.0/16" }), []string{"vpcCidr"}, "AWS allows no VPC in"},
		{"multicast", network(func(a *NetworkArgs) { a.VpcCidr = "224.0.0.0/16" }), []string{"vpcCidr"}, "AWS allows no VPC in"},
		{"just below multicast", network(func(a *NetworkArgs) { a.VpcCidr = "223.255.0.0/16" }), nil, ""},
		{"a /25 holds two zones' /28s", network(func(a *NetworkArgs) { a.VpcCidr = "10.0.0.0/25"; a.AvailabilityZoneCount = 2 }), nil, ""},
		{"a /26 does not", network(func(a *NetworkArgs) { a.VpcCidr = "10.0.0.0/26"; a.AvailabilityZoneCount = 2 }), []string{"vpcCidr"}, "too small for 2 zones: subnets would be /29"},
		{"a /28 holds none", network(func(a *NetworkArgs) { a.VpcCidr = "10.0.0.0/28" }), []string{"vpcCidr"}, "too small for 3 zones"},
		{"one zone listed", network(func(a *NetworkArgs) { a.AvailabilityZones = []string{"a"} }), []string{"availabilityZones"}, "list 2 to 6 zones"},
		{"two zones listed", network(func(a *NetworkArgs) { a.AvailabilityZones = []string{"a", "b"} }), nil, ""},
		{"six zones listed", network(func(a *NetworkArgs) { a.AvailabilityZones = []string{"a", "b", "c", "d", "e", "f"} }), nil, ""},
		{"seven zones listed", network(func(a *NetworkArgs) { a.AvailabilityZones = []string{"a", "b", "c", "d", "e", "f", "g"} }), []string{"availabilityZones"}, "list 2 to 6"},
		{"a zone twice", network(func(a *NetworkArgs) { a.AvailabilityZones = []string{"a", "b", "a", "a"} }), []string{"availabilityZones"}, "non-empty and distinct"},
		{"an empty zone", network(func(a *NetworkArgs) { a.AvailabilityZones = []string{"a", ""} }), []string{"availabilityZones"}, "non-empty and distinct"},
		{"listed zones override the count", network(func(a *NetworkArgs) { a.AvailabilityZones = []string{"a", "b"}; a.AvailabilityZoneCount = 9 }), nil, ""},
		{"one zone", network(func(a *NetworkArgs) { a.AvailabilityZoneCount = 1 }), []string{"availabilityZoneCount"}, "want 2 to 6"},
		{"two zones", network(func(a *NetworkArgs) { a.AvailabilityZoneCount = 2 }), nil, ""},
		{"six zones", network(func(a *NetworkArgs) { a.AvailabilityZoneCount = 6 }), nil, ""},
		{"seven zones", network(func(a *NetworkArgs) { a.AvailabilityZoneCount = 7 }), []string{"availabilityZoneCount"}, "want 2 to 6"},
		{"single NAT", network(func(a *NetworkArgs) { a.NatGateway = NatSingle }), nil, ""},
		{"no NAT", network(func(a *NetworkArgs) { a.NatGateway = NatDisable }), nil, ""},
		{"a NAT mode eksctl lacks", network(func(a *NetworkArgs) { a.NatGateway = "PerZone" }), []string{"natGateway"}, `natGateway = "PerZone"`},
		{"no cluster", network(func(a *NetworkArgs) { a.ClusterName = "" }), []string{"clusterName"}, "required"},
		{"everything at once", network(func(a *NetworkArgs) {
			a.VpcCidr = "x"
			a.AvailabilityZoneCount = 1
			a.NatGateway = "x"
			a.ClusterName = ""
		}),
			[]string{"vpcCidr", "availabilityZoneCount", "natGateway", "clusterName"}, ""},
	})
}

func TestNetworkDefaults(t *testing.T) {
	got := NetworkArgs{}.WithDefaults()
	if got.VpcCidr != DefaultVpcCidr || got.AvailabilityZoneCount != DefaultAvailabilityZoneCount || got.NatGateway != DefaultNatGateway {
		t.Errorf("defaults = %+v", got)
	}
	set := NetworkArgs{VpcCidr: "10.1.0.0/16", AvailabilityZones: []string{"a", "b"}, AvailabilityZoneCount: 5, NatGateway: NatSingle}.WithDefaults()
	if set.VpcCidr != "10.1.0.0/16" || set.AvailabilityZoneCount != 2 || set.NatGateway != NatSingle {
		t.Errorf("set values: %+v, want them kept and the count the zones listed", set)
	}
}

func TestSubnetCidrsRejectABadCidrAndTooManyZones(t *testing.T) {
	if _, _, err := SubnetCidrs("10.0.0/16", 3); err == nil {
		t.Error("a bad CIDR is carved")
	}
	if _, _, err := SubnetCidrs("10.0.0.0/30", 3); err == nil || !strings.Contains(err.Error(), "of 10.0.0.0/30") {
		t.Errorf("a /30 carved into six subnets: %v", err)
	}
	public, private, err := SubnetCidrs("10.0.0.0/16", 3)
	if err != nil || !slices.Equal(public, []string{"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"}) ||
		!slices.Equal(private, []string{"10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19"}) {
		t.Errorf("the workshop's subnets: public %v, private %v, %v", public, private, err)
	}
}
