package stacks

import (
	"maps"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/stacks/config"
	"github.com/eks-workshop/eks-workshop/synth"
)

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
	group := run.Get(t, "eks:index:ManagedNodeGroup", "eks-prod-node-group-nodes")
	if group.Input("enableIMDSv2") != true {
		t.Errorf("IMDSv2 not required")
	}
	nodeRole := run.Get(t, "aws:iam/role:Role", "eks-prod-node-group-role")
	for _, a := range run.ByType("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
		if a.Input("role") != nodeRole.Input("name") {
			continue // a controller's own Pod Identity role
		}
		arn := a.Input("policyArn").(string)
		switch arn[strings.LastIndex(arn, "/")+1:] {
		case "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly":
		default:
			t.Errorf("node role has add-on policy %s", arn)
		}
	}

	vpc := run.Get(t, "aws:ec2/vpc:Vpc", "eks-prod-vpc")
	if !vpc.Protect || !cluster.Protect || !key.Protect {
		t.Errorf("protect: vpc %v, cluster %v, kms key %v; want all protected", vpc.Protect, cluster.Protect, key.Protect)
	}
	if tags := run.Get(t, "pulumi:providers:aws", "aws").Input("defaultTags.tags").(map[string]any); tags["environment"] != "prod" || tags["stack"] != "prod" {
		t.Errorf("provider default tags = %v", tags)
	}
}

// Pulumi.prod.yaml as committed names no egress CIDR (no repository can know
// the operator's): the program refuses it before registering anything, with
// a message naming publicAccessCidrs and how to find the address to set.
func TestCommittedProdFileFailsAtPreviewWithTheFix(t *testing.T) {
	t.Parallel()
	cfg, err := synth.StackConfig(repoRoot, "prod") // the CLI's resolution, no operator settings
	if err != nil {
		t.Fatal(err)
	}
	cfg[config.ProjectName+":appsDir"] = filepath.Join(repoRoot, "apps")
	m := mocktest.New()
	err = m.Run("prod", cfg, Run)
	for _, want := range []string{"1 problems", `eks-workshop:publicAccessCidrs = []`, "egress", "curl https://checkip.amazonaws.com", "pulumi config set --path 'publicAccessCidrs[0]'"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("committed prod: %v; want it refused saying %q", err, want)
		}
	}
	if n := len(m.Resources()); n != 0 {
		t.Errorf("registered %d resources before refusing", n)
	}
	// Control: with the operator's setting (testdata/synth/settings.yaml) it plans.
	settings, err := synth.Settings(repoRoot, "prod")
	if err != nil || settings[config.ProjectName+":publicAccessCidrs"] == "" {
		t.Fatalf("settings %v: %v", settings, err)
	}
	maps.Copy(cfg, settings)
	if err := mocktest.New().Run("prod", cfg, Run); err != nil {
		t.Errorf("prod with its egress CIDR: %v", err)
	}
}
