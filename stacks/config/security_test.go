package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/components/spec"
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

const testCertificate = "arn:aws:acm:ap-northeast-2:123456789012:certificate/00000000-0000-4000-8000-000000000000"

// A stack that requires HTTPS is refused without a certificate, and a
// certificate the ALB cannot serve is refused; each problem names the key,
// the value and what is allowed, beside every other problem.
func TestHTTPSRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  map[string]string
		keys []string
		says string
	}{
		{"HTTP, as the workshop", nil, nil, ""},
		{"required, none given", map[string]string{"requireHttps": "true"}, []string{"certificateArn"}, `certificateArn = "": requireHttps is on: want the ARN of an issued ACM certificate in ap-northeast-2`},
		{"required, given", map[string]string{"requireHttps": "true", "certificateArn": testCertificate}, nil, ""},
		{"given, not required", map[string]string{"certificateArn": testCertificate}, nil, ""},
		{"another region's", map[string]string{"certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"},
			[]string{"certificateArn"}, "the certificate is in us-east-1; an ALB serves only ACM certificates of its own region, ap-northeast-2"},
		{"not an ACM ARN", map[string]string{"certificateArn": "arn:aws:iam::123456789012:server-certificate/x"}, []string{"certificateArn"}, "want an ACM certificate ARN"},
		{"a certificate, no region to compare", map[string]string{"certificateArn": testCertificate, "aws:region": ""}, []string{"aws:region"}, ""},
		{"with every other problem", map[string]string{"requireHttps": "true", "secretsKeyDeletionWindowDays": "31"}, []string{"secretsKeyDeletionWindowDays", "certificateArn"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := problemKeys(t, "", tc.set)
			if !slices.Equal(keys, tc.keys) {
				t.Fatalf("problems %v, want %v (%v)", keys, tc.keys, err)
			}
			if tc.says != "" && !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%v\ndoes not say %q", err, tc.says)
			}
		})
	}
}

// With a certificate both apps' Ingresses get the HTTPS listener and the
// redirect (an ingress group's listeners are the union of its Ingresses').
func TestCertificateReachesTheIngresses(t *testing.T) {
	p := planWith(t, "", map[string]string{"certificateArn": testCertificate})
	for name, app := range p.Apps {
		if app.Ingress.CertificateArn != testCertificate || app.Ingress.URLScheme() != "https" {
			t.Errorf("%s's Ingress = %+v, want HTTPS with the certificate", name, app.Ingress)
		}
	}
	for name, app := range planWith(t, "", nil).Apps {
		if app.Ingress.ListenerAnnotations() != nil {
			t.Errorf("%s serves HTTPS with no certificate", name)
		}
	}
}

// The deploy role becomes cluster admin through an access entry of its
// own, and its problems are reported under deployRoleArn.
func TestDeployRoleAccessEntry(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/github-deploy"
	p := planWith(t, "", map[string]string{"deployRoleArn": role})
	if got := p.Cluster.AccessEntries; len(got) != 1 || got[0].PrincipalArn != role || got[0].Policy != spec.AccessPolicyClusterAdmin || len(got[0].Namespaces) != 0 {
		t.Errorf("access entries %+v, want the deploy role as cluster admin", got)
	}
	if got := planWith(t, "", nil).Cluster.AccessEntries; len(got) != 0 {
		t.Errorf("no deploy role gave entries %+v", got)
	}
	team := `arn:aws:iam::123456789012:role/team`
	listed := `[{"principalArn":"arn:aws:iam::123456789012:role/admin","policy":"Admin"}]`
	for _, tc := range []struct {
		name string
		set  map[string]string
		keys []string
		says string
	}{
		{"not a role", map[string]string{"deployRoleArn": "github-deploy"}, []string{"deployRoleArn"}, `deployRoleArn = "github-deploy": want an IAM role or user ARN`},
		{"after a team and a listed entry", map[string]string{"deployRoleArn": "nope", "teamPrincipalArn": team, "accessEntries": listed}, []string{"deployRoleArn"}, ""},
		{"the team's role, again", map[string]string{"deployRoleArn": team, "teamPrincipalArn": team}, []string{"deployRoleArn"}, "listed twice"},
		{"a listed role, again", map[string]string{"deployRoleArn": "arn:aws:iam::123456789012:role/admin", "accessEntries": listed}, []string{"deployRoleArn"}, "listed twice"},
		{"a bad team beside a good deploy role", map[string]string{"deployRoleArn": role, "teamPrincipalArn": "team"}, []string{"teamPrincipalArn"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := problemKeys(t, "", tc.set)
			if !slices.Equal(keys, tc.keys) {
				t.Fatalf("problems %v, want %v (%v)", keys, tc.keys, err)
			}
			if tc.says != "" && !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%v\ndoes not say %q", err, tc.says)
			}
		})
	}
}

// The secrets key's deletion window is a setting within KMS's bounds.
func TestSecretsKeyDeletionWindow(t *testing.T) {
	for _, tc := range []struct {
		value string
		ok    bool
	}{{"0", false}, {"6", false}, {"7", true}, {"30", true}, {"31", false}} {
		keys, err := problemKeys(t, "", map[string]string{"secretsKeyDeletionWindowDays": tc.value})
		if ok := len(keys) == 0; ok != tc.ok {
			t.Errorf("%s days: problems %v, want ok %v", tc.value, keys, tc.ok)
		}
		if !tc.ok && (!slices.Equal(keys, []string{"secretsKeyDeletionWindowDays"}) || !strings.Contains(err.Error(), "want 7 to 30 days, as KMS allows")) {
			t.Errorf("%s days: %v", tc.value, err)
		}
	}
	if got := planWith(t, "", map[string]string{"secretsKeyDeletionWindowDays": "7"}).Cluster.SecretsKeyDeletionWindowDays; got != 7 {
		t.Errorf("the cluster's window = %d, want 7", got)
	}
	if got := planWith(t, "", nil).Cluster.SecretsKeyDeletionWindowDays; got != spec.DefaultSecretsKeyDeletionWindowDays {
		t.Errorf("the default window = %d, want %d", got, spec.DefaultSecretsKeyDeletionWindowDays)
	}
}

// The cluster owns the Container Insights log groups, so that node groups
// can depend on them (components' tests check the order).
func TestClusterOwnsTheNodeLogGroups(t *testing.T) {
	if !planWith(t, "", nil).Cluster.ContainerInsightsLogGroups {
		t.Error("the eks target's cluster makes no Container Insights log groups")
	}
}

// eksctl's imageBuilder would let every pod push; here it is warned about
// and grants nothing.
func TestImageBuilderIsWarnedAbout(t *testing.T) {
	warned := func(p Plan) bool {
		return slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, "nodeRoleAddonPolicies.imageBuilder = true") })
	}
	if !warned(planWith(t, "", map[string]string{"nodeRoleAddonPolicies": `{"imageBuilder":true}`})) {
		t.Error("imageBuilder true: no warning")
	}
	if warned(planWith(t, "", nil)) {
		t.Error("imageBuilder false: warned")
	}
}

// A room participant's RoomIngress (the organizer's) gives the local
// target's apps their own ALB group, admitting the room's public subnets;
// the local target without it has no Ingress, and the eks target keeps its
// own group whatever it says.
func TestARoomIngressGivesALocalStacksAppsAnALBOfTheirOwn(t *testing.T) {
	room := &RoomIngress{GroupName: "room-alice", FromCIDRs: []string{"10.0.0.0/19", "10.0.32.0/19"}}
	local := DefaultConfig()
	local.Target, local.Namespace, local.RoomIngress = TargetLocal, "alice", room
	for name, app := range local.AppArgs() {
		if app.Ingress == nil || app.Ingress.GroupName != "room-alice" || !slices.Equal(app.NetworkPolicy.IngressFromCIDRs, room.FromCIDRs) {
			t.Errorf("%s: %+v from %v, want group room-alice from %v", name, app.Ingress, app.NetworkPolicy.IngressFromCIDRs, room.FromCIDRs)
		}
	}
	own := local.AppArgs()
	eks := DefaultConfig()
	for name, app := range eks.AppArgs() {
		if got := own[name].Ingress; got.Path != app.Ingress.Path || got.Path == "" || got.GroupOrder != app.Ingress.GroupOrder {
			t.Errorf("%s on the participant's ALB: %q order %d; on the cluster's: %q order %d", name, got.Path, got.GroupOrder, app.Ingress.Path, app.Ingress.GroupOrder)
		}
	}
	// Negative controls.
	local.RoomIngress = nil
	for name, app := range local.AppArgs() {
		if app.Ingress != nil || len(app.NetworkPolicy.IngressFromCIDRs) != 0 {
			t.Errorf("%s without a RoomIngress: %+v from %v", name, app.Ingress, app.NetworkPolicy.IngressFromCIDRs)
		}
	}
	eks.RoomIngress = room
	for name, app := range eks.AppArgs() {
		if app.Ingress.GroupName != DefaultIngressGroupName {
			t.Errorf("%s on the eks target took the RoomIngress's group %q", name, app.Ingress.GroupName)
		}
	}
}
