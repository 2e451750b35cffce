package spec

import (
	"strings"
	"testing"
)

func TestElasticIPsPerNatMode(t *testing.T) {
	for _, c := range []struct {
		args NetworkArgs
		want int
	}{
		{NetworkArgs{NatGateway: NatHighlyAvailable, AvailabilityZoneCount: 3}, 3},
		{NetworkArgs{NatGateway: NatHighlyAvailable, AvailabilityZoneCount: 3, AvailabilityZones: []string{"a", "b"}}, 2},
		{NetworkArgs{}, DefaultAvailabilityZoneCount}, // the default mode is HighlyAvailable
		{NetworkArgs{NatGateway: NatSingle, AvailabilityZoneCount: 3}, 1},
		{NetworkArgs{NatGateway: NatDisable, AvailabilityZoneCount: 3}, 0},
	} {
		if got := c.args.ElasticIPs(); got != c.want {
			t.Errorf("%+v: %d addresses, want %d", c.args, got, c.want)
		}
	}
}

// The account: dev holds 3 of the default 5, prod adds 3.
func TestElasticIPQuotaFullNamesTheQuotaItsValueAndBothFixes(t *testing.T) {
	c := ElasticIPCheck{Quota: 5, InUse: 3, Wanted: 3, NatGateway: NatHighlyAvailable}
	p := c.Problem()
	for _, want := range []string{`"EC2-VPC Elastic IPs"`, "L-0263D0A3", "is 5", "6 in all", "raise it to at least 6",
		"--quota-code L-0263D0A3 --desired-value 6", "natGateway: Single", "4 in all"} {
		if !strings.Contains(p, want) {
			t.Errorf("problem lacks %q: %s", want, p)
		}
	}
	// Negative control: a free quota, exactly full after the stack, and the
	// stack's own addresses of an earlier update, are no problem.
	for _, ok := range []ElasticIPCheck{
		{Quota: 5, InUse: 0, Wanted: 3, NatGateway: NatHighlyAvailable},
		{Quota: 6, InUse: 3, Wanted: 3, NatGateway: NatHighlyAvailable},
		{Quota: 5, InUse: 5, Own: 3, Wanted: 3, NatGateway: NatHighlyAvailable},
	} {
		if p := ok.Problem(); p != "" {
			t.Errorf("%+v: %s", ok, p)
		}
	}
}

// Single is offered only where it fits, and only to a HighlyAvailable network.
func TestElasticIPSingleOfferedOnlyWhereItHelps(t *testing.T) {
	full := ElasticIPCheck{Quota: 5, InUse: 5, Wanted: 3, NatGateway: NatHighlyAvailable}
	if p := full.Problem(); p == "" || strings.Contains(p, "Single") {
		t.Errorf("every address taken: %q, want a problem without Single", p)
	}
	exact := ElasticIPCheck{Quota: 5, InUse: 4, Wanted: 3, NatGateway: NatHighlyAvailable}
	if p := exact.Problem(); !strings.Contains(p, "natGateway: Single") || !strings.Contains(p, "5 in all") {
		t.Errorf("Single fits exactly: %q", p)
	}
	single := ElasticIPCheck{Quota: 1, InUse: 1, Wanted: 1, NatGateway: NatSingle}
	if p := single.Problem(); p == "" || strings.Contains(p, "set natGateway") {
		t.Errorf("already Single: %q", p)
	}
	// More own addresses than allocated (a stale lookup) count as none.
	if p := (ElasticIPCheck{Quota: 3, InUse: 1, Own: 2, Wanted: 3, NatGateway: NatHighlyAvailable}).Problem(); p != "" {
		t.Errorf("own > in use: %s", p)
	}
}

func TestVCPUQuota(t *testing.T) {
	c := VCPUCheck{Quota: 10, InstanceType: "m5.large", VCPUs: 2, MaxSize: 6}
	p := c.Problem()
	for _, want := range []string{"maxSize 6", "m5.large", "12 vCPUs", "L-1216C47A", "is 10", "at least 12", "lower maxSize to 5"} {
		if !strings.Contains(p, want) {
			t.Errorf("problem lacks %q: %s", want, p)
		}
	}
	if p := (VCPUCheck{Quota: 12, InstanceType: "m5.large", VCPUs: 2, MaxSize: 6}).Problem(); p != "" {
		t.Errorf("exactly at the quota: %s", p)
	}
	if p := (VCPUCheck{Quota: 1, InstanceType: "x", VCPUs: 0, MaxSize: 6}).Problem(); p != "" {
		t.Errorf("no vCPUs: %s", p)
	}
}

func TestStandardOnDemandFamilies(t *testing.T) {
	for typ, want := range map[string]bool{"m5.large": true, "t3.small": true, "c7g.xlarge": true, "z1d.large": true,
		"g5.xlarge": false, "p4d.24xlarge": false, "x2idn.large": false, "": false} {
		if got := CountsAsStandardOnDemand(typ); got != want {
			t.Errorf("%q: %v, want %v", typ, got, want)
		}
	}
}

func TestAddonBuildCheck(t *testing.T) {
	base := AddonBuildCheck{Key: "addonVersions.ebsCsiDriver", Addon: "aws-ebs-csi-driver", KubernetesVersion: "1.36",
		Default: "v1.50.0-eksbuild.1", Newest: "v1.56.0-eksbuild.2"}
	for pinned, want := range map[string]struct{ problem, warning bool }{
		"v1.50.0-eksbuild.1": {false, false}, // the default
		"v1.56.0-eksbuild.2": {false, false}, // the newest
		"v1.56.0-eksbuild.3": {true, false},  // a build EKS has not published
		"v1.57.0-eksbuild.1": {true, false},
		"v1.10.0-eksbuild.9": {false, true}, // older: cannot be confirmed
		"v1.56.0-eksbuild.1": {false, true},
	} {
		c := base
		c.Pinned = pinned
		p, w := c.Problem(), c.Warning()
		if (p != "") != want.problem || (w != "") != want.warning {
			t.Errorf("%s: problem %q, warning %q; want %v, %v", pinned, p, w, want.problem, want.warning)
		}
	}
	c := base
	c.Pinned = "v1.57.0-eksbuild.1"
	for _, want := range []string{"eks-workshop:addonVersions.ebsCsiDriver = v1.57.0-eksbuild.1", "aws-ebs-csi-driver", "1.36", "up to v1.56.0-eksbuild.2",
		"set addonVersions.ebsCsiDriver to v1.56.0-eksbuild.2 or v1.50.0-eksbuild.1"} {
		if !strings.Contains(c.Problem(), want) {
			t.Errorf("problem lacks %q: %s", want, c.Problem())
		}
	}
	c.Pinned = "v1.10.0-eksbuild.9"
	if w := c.Warning(); !strings.Contains(w, "aws eks describe-addon-versions --addon-name aws-ebs-csi-driver --kubernetes-version 1.36") {
		t.Errorf("warning: %s", w)
	}
}

func TestNewerAddonBuild(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"v1.2.3-eksbuild.2", "v1.2.3-eksbuild.1", true},
		{"v1.2.3-eksbuild.1", "v1.2.3-eksbuild.1", false},
		{"v1.2.3-eksbuild.1", "v1.2.3-eksbuild.2", false},
		{"v1.10.0-eksbuild.1", "v1.9.9-eksbuild.9", true}, // numbers, not strings
		{"v2.0.0-eksbuild.1", "garbage", false},
		{"garbage", "v1.0.0-eksbuild.1", false},
	} {
		if got := newerAddonBuild(c.a, c.b); got != c.want {
			t.Errorf("newer(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

func TestAccountProblem(t *testing.T) {
	if p := AccountProblem("111111111111", []string{"222222222222"}, nil); !strings.Contains(p, "aws:allowedAccountIds") || !strings.Contains(p, "account 111111111111") {
		t.Errorf("not allowed: %q", p)
	}
	if p := AccountProblem("111111111111", nil, []string{"111111111111"}); !strings.Contains(p, "aws:forbiddenAccountIds lists 111111111111") {
		t.Errorf("forbidden: %q", p)
	}
	for _, ok := range [][2][]string{{{"111111111111"}, nil}, {nil, nil}, {nil, {"222222222222"}}} {
		if p := AccountProblem("111111111111", ok[0], ok[1]); p != "" {
			t.Errorf("%v: %s", ok, p)
		}
	}
}

func TestPreflightErrorListsEveryProblem(t *testing.T) {
	err := &PreflightError{Problems: []string{"one", "two"}}
	if got := err.Error(); !strings.Contains(got, "\n  - one\n  - two") || !strings.HasPrefix(got, "preflight:") {
		t.Errorf("%q", got)
	}
}
