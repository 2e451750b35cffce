package config

import (
	"slices"
	"testing"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// A public endpoint narrowed to some CIDRs needs the private endpoint too,
// or the nodes (behind the NAT gateways, not listed) never join; open to
// anyone, or with private access on, it is accepted.
func TestNarrowedPublicEndpointNeedsPrivateAccess(t *testing.T) {
	narrowed := `["52.95.110.0/24"]`
	for _, tc := range []struct {
		name string
		set  map[string]string
		want []string
	}{
		{"narrowed, private on", map[string]string{"publicAccessCidrs": narrowed}, nil},
		{"open to anyone, private off", map[string]string{"endpointPrivateAccess": "false"}, nil},
		{"narrowed, private off", map[string]string{"publicAccessCidrs": narrowed, "endpointPrivateAccess": "false"},
			[]string{`eks-workshop:endpointPrivateAccess = false: with publicAccessCidrs ["52.95.110.0/24"] (narrower than 0.0.0.0/0), ` +
				"the nodes in the private subnets would reach the public endpoint from the NAT gateways' addresses, which are not listed, " +
				"and never join: set endpointPrivateAccess true (nodes then use the endpoint inside the VPC)"}},
		// An empty list is publicAccessCidrs' own problem, not also this one.
		{"none listed, private off", map[string]string{"publicAccessCidrs": "[]", "endpointPrivateAccess": "false"},
			[]string{"eks-workshop:publicAccessCidrs = []: want the egress CIDRs of wherever `pulumi up` runs (its Kubernetes provider reaches " +
				"the cluster's public endpoint from there); " + spec.FindEgressHint + " (0.0.0.0/0 admits anyone)"}},
	} {
		if got := problemsWith(t, tc.set); !slices.Equal(got, tc.want) {
			t.Errorf("%s: problems\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
}
