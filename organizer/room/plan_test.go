package room

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// devConfig is the repository's dev environment, the default shared cluster.
func devConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := ReadStackConfig(filepath.Join("..", "..", "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestReadStackConfigReadsTheDevStackAsPulumiWould(t *testing.T) {
	cfg := devConfig(t)
	if cfg.ClusterName != "eks-demo" || cfg.Region != "ap-northeast-2" || cfg.Namespace != "development" || cfg.MaxSize != 5 {
		t.Errorf("dev: cluster %q, region %q, namespace %q, maxSize %d", cfg.ClusterName, cfg.Region, cfg.Namespace, cfg.MaxSize)
	}
	if !cfg.NodeRoleAddonPolicies.AutoScaler || cfg.PodIdentity {
		t.Errorf("dev's objects and booleans not read: %+v, podIdentity %v", cfg.NodeRoleAddonPolicies, cfg.PodIdentity)
	}
	// appsDir is the project's, wherever the organizer runs.
	if want, _ := filepath.Abs(filepath.Join("..", "..", "apps")); cfg.AppsDir != want {
		t.Errorf("appsDir %q, want %q", cfg.AppsDir, want)
	}
}

func TestReadStackConfigRefusesWhatItCannotUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Pulumi.x.yaml")
	if err := os.WriteFile(path, []byte(`config:
  aws:region: ap-northeast-2
  eks-workshop:teamPrincipalArn:
    secure: AAABAHx=
  other:key: 1
  eks-workshop:desiredSize: many
`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadStackConfig(path)
	if err == nil {
		t.Fatal("accepted a secret and a foreign key")
	}
	for _, want := range []string{"eks-workshop:teamPrincipalArn: a secret", "other:key: want eks-workshop:<key> or aws:region"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v\ndoes not say %q", err, want)
		}
	}
	// Negative control: the same file without those two lines fails only on desiredSize.
	if err := os.WriteFile(path, []byte("config:\n  aws:region: ap-northeast-2\n  eks-workshop:desiredSize: many\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadStackConfig(path); err == nil || !strings.Contains(err.Error(), "eks-workshop:desiredSize") {
		t.Errorf("bad value not reported under its key: %v", err)
	}
}

func TestNewPlanGivesEachParticipantTheirNamespaceAndAccess(t *testing.T) {
	cluster := devConfig(t)
	plan, err := NewPlan(cluster, []Participant{
		{Name: "alice", PrincipalArn: "arn:aws:iam::111122223333:role/alice"},
		{Name: "bob", Namespace: "team-bob", PrincipalArn: "arn:aws:iam::111122223333:user/bob"},
		{Name: "carol"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []spec.AccessEntry{
		{PrincipalArn: "arn:aws:iam::111122223333:role/alice", Policy: spec.AccessPolicyEdit, Namespaces: []string{"alice"}, KubernetesGroups: []string{"alice-developers"}},
		{PrincipalArn: "arn:aws:iam::111122223333:user/bob", Policy: spec.AccessPolicyEdit, Namespaces: []string{"team-bob"}, KubernetesGroups: []string{"team-bob-developers"}},
	}
	got := plan.Cluster.AccessEntries
	if len(got) != len(want) {
		t.Fatalf("access entries %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].PrincipalArn != want[i].PrincipalArn || got[i].Policy != want[i].Policy ||
			strings.Join(got[i].Namespaces, ",") != strings.Join(want[i].Namespaces, ",") ||
			strings.Join(got[i].KubernetesGroups, ",") != strings.Join(want[i].KubernetesGroups, ",") {
			t.Errorf("entry %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// The group the entries name is the one each namespace's RoleBinding binds.
	if config.TeamGroup("team-bob") != "team-bob-developers" {
		t.Errorf("RoleBinding group %q", config.TeamGroup("team-bob"))
	}
	if len(cluster.AccessEntries) != 0 {
		t.Errorf("NewPlan changed the caller's config: %+v", cluster.AccessEntries)
	}
	if err := plan.Cluster.Validate(); err != nil {
		t.Errorf("the cluster with the participants' entries is invalid: %v", err)
	}

	outputs := ClusterOutputs{Kubeconfig: `{"apiVersion":"v1"}`, FlaskImage: "r/flask@sha256:" + strings.Repeat("a", 64), NginxImage: "r/nginx@sha256:" + strings.Repeat("b", 64)}
	bob, err := plan.ParticipantConfig("bob", outputs)
	if err != nil {
		t.Fatal(err)
	}
	if bob.Target != config.TargetLocal || bob.Namespace != "team-bob" || bob.Kubeconfig != outputs.Kubeconfig ||
		bob.FlaskImage != outputs.FlaskImage || bob.NginxImage != outputs.NginxImage || bob.MetricsServer {
		t.Errorf("bob's environment: %+v", bob)
	}
	if err := bob.Validate(); err != nil {
		t.Errorf("bob's environment is invalid: %v", err)
	}
	if _, err := plan.ParticipantConfig("zed", outputs); err == nil || !strings.Contains(err.Error(), `"zed"`) {
		t.Errorf("an environment for someone not in the room: %v", err)
	}
}

func TestNewPlanReportsEveryProblemAtOnce(t *testing.T) {
	cluster := devConfig(t)
	cluster.AccessEntries = []spec.AccessEntry{{PrincipalArn: "arn:aws:iam::111122223333:role/ops", Policy: spec.AccessPolicyAdmin}}
	cluster.DiskSize = 1
	_, err := NewPlan(cluster, []Participant{
		{Name: "Alice"},
		{Name: "bob", PrincipalArn: "arn:aws:sts::111122223333:assumed-role/bob/session"},
		{Name: "bob"},
		{Name: "workshop"},
		{Name: "kube-lab"},
		{Name: "dan", Namespace: "development"},
		{Name: "erin", Namespace: "amazon-cloudwatch"},
		{Name: "fay", Namespace: "team_fay"},
		{Name: "gus", Namespace: "fay"},
		{Name: "fay"},
		{Name: "hal", PrincipalArn: "arn:aws:iam::111122223333:role/ops"},
		{Name: "ivy", PrincipalArn: "arn:aws:iam::111122223333:role/ivy"},
		{Name: "jo", PrincipalArn: "arn:aws:iam::111122223333:role/ivy"},
		{Name: ""},
		{Name: "prod"},
		{Name: "kim", PrincipalArn: "arn:aws:iam::444455556666:role/ivy"},
		{Name: "lee", PrincipalArn: "arn:aws:iam::444455556666:role/ops"},
	})
	if err == nil {
		t.Fatal("NewPlan accepted a room full of problems")
	}
	for _, want := range []string{
		`cluster eks-workshop:diskSize = 1`,
		`participants[0] (Alice).name = "Alice": want a lowercase RFC 1123 label`,
		`participants[1] (bob).principalArn = "arn:aws:sts::111122223333:assumed-role/bob/session": want an IAM role or user ARN`,
		`participants[2] (bob).name = "bob": already used by participants[1] (bob)`,
		`participants[2] (bob).name = "bob": namespace already used by participants[1] (bob)`,
		`participants[3] (workshop).name = "workshop": taken by the shared cluster's stack`,
		`participants[4] (kube-lab).name = "kube-lab": namespace reserved for Kubernetes`,
		`participants[5] (dan).namespace = "development": namespace reserved for the cluster stack's own workloads`,
		`participants[6] (erin).namespace = "amazon-cloudwatch": namespace reserved for the cluster add-ons`,
		`participants[7] (fay).namespace = "team_fay": want a Kubernetes namespace name`,
		`participants[9] (fay).name = "fay": already used by participants[7] (fay)`,
		`participants[9] (fay).name = "fay": namespace already used by participants[8] (gus)`,
		`participants[10] (hal).principalArn = "arn:aws:iam::111122223333:role/ops": already used by the cluster's accessEntries`,
		`participants[12] (jo).principalArn = "arn:aws:iam::111122223333:role/ivy": already used by participants[11] (ivy)`,
		`participants[13].name = "": want a lowercase RFC 1123 label`,
		`participants[14] (prod).name = "prod": taken by the team's stacks [auto dev local prod] of project eks-workshop`,
		`participants[15] (kim).principalArn = "arn:aws:iam::444455556666:role/ivy": its access entry's resource name "role-ivy" is also that of participants[11] (ivy)'s principal`,
		`participants[16] (lee).principalArn = "arn:aws:iam::444455556666:role/ops": its access entry's resource name "role-ops" is also that of the cluster's accessEntries's principal`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing problem %q", want)
		}
	}
	if n := strings.Count(err.Error(), "\n  - "); n != 18 {
		t.Errorf("%d problems reported, want 18:\n%v", n, err)
	}

	// Negative control: a valid room passes.
	if _, err := NewPlan(devConfig(t), []Participant{{Name: "alice", PrincipalArn: "arn:aws:iam::111122223333:role/x"}, {Name: "bob", Namespace: "team-bob", PrincipalArn: "arn:aws:iam::111122223333:role/y"}}); err != nil {
		t.Errorf("valid room rejected: %v", err)
	}
}

func TestNewPlanWantsAClusterThisProgramBuilds(t *testing.T) {
	local := config.DefaultConfig()
	local.Target = config.TargetLocal
	_, err := NewPlan(local, nil)
	if err == nil || !strings.Contains(err.Error(), `cluster eks-workshop:target = "local": want eks`) {
		t.Errorf("a local cluster config: %v", err)
	}
}

func TestReadParticipants(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte(`participants:
  - name: alice
    principalArn: arn:aws:iam::111122223333:role/alice
  - name: bob
    namespace: team-bob
`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadParticipants(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (Participant{Name: "alice", PrincipalArn: "arn:aws:iam::111122223333:role/alice"}) || got[1] != (Participant{Name: "bob", Namespace: "team-bob"}) {
		t.Errorf("read %+v", got)
	}

	typo := filepath.Join(dir, "typo.yaml")
	if err := os.WriteFile(typo, []byte("participants:\n  - name: alice\n    principalARN: arn:aws:iam::111122223333:role/alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadParticipants(typo); err == nil || !strings.Contains(err.Error(), "principalARN") {
		t.Errorf("a misspelt key was not reported: %v", err)
	}

	if p := ParseParticipant("alice=arn:aws:iam::111122223333:role/alice"); p != (Participant{Name: "alice", PrincipalArn: "arn:aws:iam::111122223333:role/alice"}) {
		t.Errorf("flag with principal: %+v", p)
	}
	if p := ParseParticipant("bob"); p != (Participant{Name: "bob"}) {
		t.Errorf("flag without principal: %+v", p)
	}
}

// On a cluster the room builds, each participant's apps get an ALB of
// their own, whose subnets their NetworkPolicies admit; on an existing
// cluster and on Auto Mode, none.
func TestAParticipantOfARoomThatBuildsItsClusterGetsAnALBOfTheirOwn(t *testing.T) {
	outputs := ClusterOutputs{Kubeconfig: `{"apiVersion":"v1"}`, FlaskImage: "r/flask@sha256:" + strings.Repeat("a", 64), NginxImage: "r/nginx@sha256:" + strings.Repeat("b", 64)}
	plan, err := NewPlan(devConfig(t), []Participant{{Name: "alice"}, {Name: "bob", Namespace: "team-bob"}})
	if err != nil {
		t.Fatal(err)
	}
	public := plan.Cluster.PublicSubnetCidrs()
	for name, group := range map[string]string{"alice": "room-alice", "bob": "room-team-bob"} {
		cfg, err := plan.ParticipantConfig(name, outputs)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.RoomIngress == nil || cfg.RoomIngress.GroupName != group || !slices.Equal(cfg.RoomIngress.FromCIDRs, public) || len(public) == 0 {
			t.Errorf("%s: %+v, want group %s from %v", name, cfg.RoomIngress, group, public)
		}
		nginx := cfg.AppArgs()["demo-nginx"]
		if nginx.Ingress == nil || nginx.Ingress.GroupName != group || !slices.Equal(nginx.NetworkPolicy.IngressFromCIDRs, public) {
			t.Errorf("%s's nginx: %+v %v", name, nginx.Ingress, nginx.NetworkPolicy.IngressFromCIDRs)
		}
	}
	onDisk := outputs
	onDisk.Kubeconfig = writeKubeconfig(t, "https://127.0.0.1:6443")
	existing, err := NewExistingClusterPlan(onDisk, []Participant{{Name: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := existing.ParticipantConfig("alice", outputs); err != nil || cfg.RoomIngress != nil || cfg.AppArgs()["demo-nginx"].Ingress != nil {
		t.Errorf("on an existing cluster: %+v %v", cfg.RoomIngress, err)
	}
	auto := devConfig(t)
	auto.ComputeMode = spec.ComputeModeAuto
	autoPlan := &Plan{Cluster: auto, Participants: []Participant{{Name: "alice"}}}
	if cfg, err := autoPlan.ParticipantConfig("alice", outputs); err != nil || cfg.RoomIngress != nil {
		t.Errorf("on Auto Mode: %+v %v", cfg.RoomIngress, err)
	}
}

func TestANamespaceTooLongForItsALBGroupIsRefusedOnlyWhereTheRoomMakesOne(t *testing.T) {
	fits, tooLong := strings.Repeat("a", 58), strings.Repeat("b", 59)
	_, err := NewPlan(devConfig(t), []Participant{{Name: "alice", Namespace: fits}, {Name: "bob", Namespace: tooLong}})
	if err == nil || strings.Contains(err.Error(), fits) || !strings.Contains(err.Error(), `participants[1] (bob).namespace = "`+tooLong+`": want at most 58 characters`) {
		t.Errorf("%v", err)
	}
	outputs := ClusterOutputs{Kubeconfig: `{"apiVersion":"v1"}`, FlaskImage: "r/flask@sha256:" + strings.Repeat("a", 64), NginxImage: "r/nginx@sha256:" + strings.Repeat("b", 64)}
	outputs.Kubeconfig = writeKubeconfig(t, "https://127.0.0.1:6443")
	if _, err := NewExistingClusterPlan(outputs, []Participant{{Name: "bob", Namespace: tooLong}}); err != nil {
		t.Errorf("an existing cluster, where the room makes no ALB: %v", err)
	}
}
