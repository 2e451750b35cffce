package spec

import (
	"net/netip"
	"testing"
)

func TestSubnetCidrsAreDisjointAndInsideTheVpc(t *testing.T) {
	for _, tc := range []struct {
		vpc   string
		zones int
		size  int
	}{
		{"10.0.0.0/16", 3, 19}, {"10.0.0.0/16", 4, 19}, {"10.0.0.0/16", 5, 20}, {"10.0.0.0/16", 6, 20},
		{"192.168.0.0/16", 2, 19}, {"10.1.0.0/24", 3, 27}, {"172.16.0.0/20", 6, 24},
	} {
		public, private, err := SubnetCidrs(tc.vpc, tc.zones)
		if err != nil {
			t.Fatalf("%s/%d zones: %v", tc.vpc, tc.zones, err)
		}
		all := append(append([]string{}, public...), private...)
		if len(public) != tc.zones || len(private) != tc.zones {
			t.Fatalf("%s: %d public, %d private subnets for %d zones", tc.vpc, len(public), len(private), tc.zones)
		}
		vpc := netip.MustParsePrefix(tc.vpc)
		var prefixes []netip.Prefix
		for _, s := range all {
			p := netip.MustParsePrefix(s)
			if p.Bits() != tc.size || !vpc.Contains(p.Addr()) {
				t.Errorf("%s/%d zones: subnet %s, want a /%d inside the VPC", tc.vpc, tc.zones, s, tc.size)
			}
			for _, q := range prefixes {
				if p.Overlaps(q) {
					t.Errorf("%s: subnets %s and %s overlap", tc.vpc, p, q)
				}
			}
			prefixes = append(prefixes, p)
		}
	}
}
