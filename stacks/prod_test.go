package stacks

import (
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/stacks/config"
	"github.com/eks-workshop/eks-workshop/synth"
)

// nodeBasePolicies are the AWS managed policies every node role has, sorted.
var nodeBasePolicies = []string{"AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"}

// nodeRolePolicies names the policies attached to the IAM role registered
// as role, sorted: an AWS managed policy by the last part of its ARN, a
// customer-managed one by its resource name. An attachment is the role's
// when it depends on the role (its input is the role's name, an output the
// mock computes, so the input alone cannot tell the roles apart).
func nodeRolePolicies(t *testing.T, run stackRun, role string) []string {
	t.Helper()
	urn := run.Get(t, "aws:iam/role:Role", role).URN
	var names []string
	for _, a := range run.ByType("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
		if !slices.Contains(a.Dependencies, urn) {
			continue
		}
		arn, _ := a.Input("policyArn").(string)
		names = append(names, arn[strings.LastIndex(arn, "/")+1:])
	}
	slices.Sort(names)
	return names
}

// The prod stack is the workshop hardened: private endpoint, restricted public
// CIDRs, KMS secrets encryption, long log retention, IMDSv2, no node-role
// add-on policies, and protection on the VPC and cluster.
func TestProdStackIsHardened(t *testing.T) {
	t.Parallel()
	run := runStack(t, "prod", nil)
	cluster := run.Get(t, "eks:index:Cluster", "eks-prod-cluster")

	if cluster.Input("endpointPrivateAccess") != true {
		t.Errorf("private endpoint access off")
	}
	cidrs, _ := cluster.Input("publicAccessCidrs").([]any)
	if len(cidrs) == 0 || reflect.DeepEqual(cidrs, []any{"0.0.0.0/0"}) {
		t.Errorf("public endpoint open to %v, want restricted CIDRs", cidrs)
	}
	key := run.Get(t, "aws:kms/key:Key", "eks-prod-secrets")
	if key.Input("enableKeyRotation") != true {
		t.Errorf("KMS key without rotation")
	}
	if arn, _ := cluster.Input("encryptionConfigKeyArn").(string); !strings.HasPrefix(arn, "arn:aws:kms:") {
		t.Errorf("secrets not encrypted with the stack's key: %q", arn)
	}
	if days := run.Get(t, "aws:cloudwatch/logGroup:LogGroup", "eks-prod-logs").Input("retentionInDays").(float64); days < 365 {
		t.Errorf("log retention %v days, want at least a year", days)
	}
	template := run.Get(t, "aws:ec2/launchTemplate:LaunchTemplate", "eks-prod-node-group-launch-template")
	if template.Input("metadataOptions.httpTokens") != "required" {
		t.Errorf("IMDSv2 not required: %v", template.Input("metadataOptions"))
	}
	if template.Input("blockDeviceMappings[0].ebs.encrypted") != "true" || template.Input("blockDeviceMappings[0].ebs.volumeSize") != 50.0 {
		t.Errorf("root volumes = %v, want 50 GiB encrypted", template.Input("blockDeviceMappings"))
	}
	// Pod Identity gives the controllers their permissions, so the nodes keep
	// only what a node needs.
	if got, want := nodeRolePolicies(t, run, "eks-prod-node-group-role"), nodeBasePolicies; !slices.Equal(got, want) {
		t.Errorf("node role policies = %v, want only %v", got, want)
	}

	vpc := run.Get(t, "aws:ec2/vpc:Vpc", "eks-prod-vpc")
	if !vpc.Protect || !cluster.Protect || !key.Protect {
		t.Errorf("protect: vpc %v, cluster %v, kms key %v; want all protected", vpc.Protect, cluster.Protect, key.Protect)
	}
	if tags := run.Get(t, "pulumi:providers:aws", "aws").Input("defaultTags.tags").(map[string]any); tags["environment"] != "prod" || tags["stack"] != "prod" {
		t.Errorf("provider default tags = %v", tags)
	}
}

// The negative control of the node-role check above: with the add-on
// policies turned on, the prod node role's attachments show them.
func TestProdNodeRoleCheckSeesAddonPolicies(t *testing.T) {
	t.Parallel()
	run := runStack(t, "prod", map[string]string{
		"eks-workshop:nodeRoleAddonPolicies": `{"cloudWatch":true,"ebs":true}`,
	})
	got := nodeRolePolicies(t, run, "eks-prod-node-group-role")
	want := append([]string{"AmazonEBSCSIDriverPolicy"}, nodeBasePolicies...)
	want = append(want, "CloudWatchAgentServerPolicy")
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("node role policies = %v, want %v", got, want)
	}
}

// Pulumi.prod.yaml as committed names no egress CIDR and no certificate (no
// repository can know the operator's): the program refuses it before
// registering anything, with a message naming publicAccessCidrs and how to
// find the address to set, and certificateArn.
func TestCommittedProdFileFailsAtPreviewWithTheFix(t *testing.T) {
	t.Parallel()
	cfg, err := synth.StackConfig(repoRoot, "prod") // the CLI's resolution, no operator settings
	if err != nil {
		t.Fatal(err)
	}
	cfg[config.ProjectName+":appsDir"] = filepath.Join(repoRoot, "apps")
	m := mocktest.New()
	err = m.Run("prod", cfg, Run)
	for _, want := range []string{"2 problems", `eks-workshop:publicAccessCidrs = []`, "egress", "curl https://checkip.amazonaws.com", "pulumi config set --path 'publicAccessCidrs[0]'",
		`eks-workshop:certificateArn = "": requireHttps is on`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("committed prod: %v; want it refused saying %q", err, want)
		}
	}
	if n := len(m.Resources()); n != 0 {
		t.Errorf("registered %d resources before refusing", n)
	}
	// Control: with the operator's setting (testdata/synth/settings.yaml) it plans.
	settings, err := synth.Settings(repoRoot, "prod")
	if err != nil || settings[config.ProjectName+":publicAccessCidrs"] == "" || settings[config.ProjectName+":certificateArn"] == "" {
		t.Fatalf("settings %v: %v", settings, err)
	}
	maps.Copy(cfg, settings)
	if err := mocktest.New().Run("prod", cfg, Run); err != nil {
		t.Errorf("prod with its egress CIDR: %v", err)
	}
}
