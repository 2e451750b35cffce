package config

import (
	"slices"
	"testing"
)

// planWith plans the default configuration with settings over it, failing
// the test on any problem.
func planWith(t *testing.T, stack string, settings map[string]string) Plan {
	t.Helper()
	all := map[string]string{"aws:region": "ap-northeast-2", ProjectName + ":appsDir": "../../apps"}
	for k, v := range settings {
		all[ProjectName+":"+k] = v
	}
	cfg, err := ParseStackConfig(stack, lookup(all))
	if err != nil {
		t.Fatal(err)
	}
	p, err := cfg.Plan()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The apps admit the ALB from the public subnets, where it runs, and not
// the VPC's CIDR, which holds every pod's IP under the VPC CNI.
func TestAppsAdmitThePublicSubnetsOnly(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  map[string]string
		want []string
	}{
		{"three zones of 10.0.0.0/16", nil, []string{"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"}},
		{"two zones listed of 10.1.0.0/20", map[string]string{"vpcCidr": "10.1.0.0/20", "availabilityZones": `["ap-northeast-2a","ap-northeast-2c"]`},
			[]string{"10.1.0.0/23", "10.1.2.0/23"}},
		{"four zones counted", map[string]string{"availabilityZoneCount": "4"}, []string{"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19", "10.0.96.0/19"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planWith(t, "", tc.set)
			for name, app := range p.Apps {
				if got := app.NetworkPolicy.IngressFromCIDRs; !slices.Equal(got, tc.want) {
					t.Errorf("%s admits %v, want the public subnets %v", name, got, tc.want)
				}
				if slices.Contains(app.NetworkPolicy.IngressFromCIDRs, p.Network.VpcCidr) {
					t.Errorf("%s admits the VPC CIDR %s: every pod", name, p.Network.VpcCidr)
				}
			}
		})
	}
	// A VPC CIDR that cannot be carved is reported under vpcCidr, once,
	// and admits nothing.
	if got := (Config{VpcCidr: "10.0.0/16", AvailabilityZoneCount: 3}).PublicSubnetCidrs(); got != nil {
		t.Errorf("10.0.0/16 gave %v, want nil", got)
	}
	keys, _ := problemKeys(t, "", map[string]string{"vpcCidr": "10.0.0/16"})
	if !slices.Equal(keys, []string{"vpcCidr"}) {
		t.Errorf("vpcCidr 10.0.0/16: problems %v, want vpcCidr alone", keys)
	}
}
