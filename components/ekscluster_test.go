package components

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

const (
	eksClusterType = "eks:index:Cluster"
	logGroupType   = "aws:cloudwatch/logGroup:LogGroup"
	kmsKeyType     = "aws:kms/key:Key"
)

func clusterArgs(mutate func(*EKSClusterArgs)) EKSClusterArgs {
	a := EKSClusterArgs{
		EKSClusterArgs:   spec.EKSClusterArgs{ClusterName: "eks-demo", KubernetesVersion: "1.33", EnabledClusterLogTypes: []string{"*"}},
		VpcID:            pulumi.ID("vpc-1"),
		PublicSubnetIDs:  pulumi.ToStringArray([]string{"subnet-pub-a", "subnet-pub-b"}),
		PrivateSubnetIDs: pulumi.ToStringArray([]string{"subnet-priv-a", "subnet-priv-b"}),
	}
	if mutate != nil {
		mutate(&a)
	}
	return a
}

// newTestCluster registers the workshop's cluster, for components that need one.
func newTestCluster(ctx *pulumi.Context) (*EKSCluster, error) {
	args := clusterArgs(func(a *EKSClusterArgs) { a.ContainerInsightsLogGroups = true })
	return NewEKSCluster(ctx, "eks-demo", &args)
}

// runCluster registers an EKSCluster and returns the monitor and its resolved outputs.
func runCluster(t *testing.T, args EKSClusterArgs) (*mocktest.Monitor, map[string]string) {
	t.Helper()
	m := mocktest.New()
	m.MustRun(t, "test", nil, func(ctx *pulumi.Context) error {
		c, err := NewEKSCluster(ctx, "eks-demo", &args)
		if err != nil {
			return err
		}
		m.Capture("clusterName", c.ClusterName)
		m.Capture("endpoint", c.Endpoint)
		m.Capture("kubeconfigJson", c.KubeconfigJson)
		m.Capture("adminPrincipalArn", c.AdminPrincipalArn)
		m.Capture("oidcProviderArn", c.OidcProviderArn)
		return nil
	})
	outputs := map[string]string{}
	for k, v := range m.Captured() {
		outputs[k] = v.(string)
	}
	return m, outputs
}

func TestEKSClusterWorkshopControlPlane(t *testing.T) {
	m, outputs := runCluster(t, clusterArgs(nil))
	cluster := m.Get(t, eksClusterType, "eks-demo-cluster")

	for path, want := range map[string]any{
		"name":                              "eks-demo",
		"version":                           "1.33",
		"vpcId":                             "vpc-1",
		"skipDefaultNodeGroup":              true,
		"createOidcProvider":                true,
		"authenticationMode":                "API",
		"endpointPublicAccess":              true,
		"vpcCniOptions.enableNetworkPolicy": false,
	} {
		if got := cluster.Input(path); got != want {
			t.Errorf("cluster %s = %v, want %v", path, got, want)
		}
	}
	if got := cluster.Input("enabledClusterLogTypes"); !reflect.DeepEqual(got, []any{"api", "audit", "authenticator", "controllerManager", "scheduler"}) {
		t.Errorf(`"*" expanded to %v, want all five log types`, got)
	}
	if got := cluster.Input("publicSubnetIds"); !reflect.DeepEqual(got, []any{"subnet-pub-a", "subnet-pub-b"}) {
		t.Errorf("publicSubnetIds = %v", got)
	}
	if got := cluster.Input("privateSubnetIds"); !reflect.DeepEqual(got, []any{"subnet-priv-a", "subnet-priv-b"}) {
		t.Errorf("privateSubnetIds = %v", got)
	}

	logs := m.Get(t, logGroupType, "eks-demo-logs")
	if logs.Input("name") != "/aws/eks/eks-demo/cluster" || logs.Input("retentionInDays") != 90.0 {
		t.Errorf("log group = %v, want /aws/eks/eks-demo/cluster kept 90 days", logs.Plain())
	}
	if !slices.Contains(cluster.Dependencies, logs.URN) {
		t.Errorf("cluster does not depend on its log group, so EKS could create it first without retention")
	}
	if len(m.ByType(kmsKeyType)) != 0 {
		t.Errorf("secrets encryption is off, yet a KMS key was created")
	}

	if outputs["clusterName"] != "eks-demo" || !strings.HasPrefix(outputs["endpoint"], "https://") {
		t.Errorf("outputs = %v", outputs)
	}
	if !strings.Contains(outputs["kubeconfigJson"], "eks-demo") {
		t.Errorf("kubeconfig does not name the cluster: %s", outputs["kubeconfigJson"])
	}
	if !strings.HasPrefix(outputs["oidcProviderArn"], "arn:aws:iam::") {
		t.Errorf("oidcProviderArn = %q", outputs["oidcProviderArn"])
	}
}

func TestEKSClusterAdminIsTheDeployersRoleNotItsSession(t *testing.T) {
	m, outputs := runCluster(t, clusterArgs(nil))
	if outputs["adminPrincipalArn"] != mocktest.IssuerArn {
		t.Errorf("admin principal = %q, want the assumed role %q", outputs["adminPrincipalArn"], mocktest.IssuerArn)
	}
	// EKS's bootstrap entry already grants it; a second entry would be rejected.
	if entries := m.Get(t, eksClusterType, "eks-demo-cluster").Input("accessEntries"); entries != nil && len(entries.(map[string]any)) != 0 {
		t.Errorf("access entries = %v, want none besides EKS's bootstrap admin", entries)
	}
}

func TestEKSClusterAccessEntriesFromArgs(t *testing.T) {
	m, _ := runCluster(t, clusterArgs(func(a *EKSClusterArgs) {
		a.AccessEntries = []AccessEntry{
			{PrincipalArn: "arn:aws:iam::123456789012:role/Platform", Policy: spec.AccessPolicyClusterAdmin},
			{PrincipalArn: "arn:aws:iam::123456789012:user/dev/alice", Policy: spec.AccessPolicyEdit, Namespaces: []string{"dev", "staging"}},
		}
	}))
	entries := m.Get(t, eksClusterType, "eks-demo-cluster").Input("accessEntries").(map[string]any)
	admin := entries["role-Platform"].(map[string]any)
	if admin["principalArn"] != "arn:aws:iam::123456789012:role/Platform" {
		t.Errorf("admin entry = %v", admin)
	}
	policy := admin["accessPolicies"].(map[string]any)["ClusterAdmin"].(map[string]any)
	if policy["policyArn"] != "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" ||
		policy["accessScope"].(map[string]any)["type"] != "cluster" {
		t.Errorf("admin policy = %v, want AmazonEKSClusterAdminPolicy at cluster scope", policy)
	}
	alice := entries["user-dev-alice"].(map[string]any)["accessPolicies"].(map[string]any)["Edit"].(map[string]any)
	scope := alice["accessScope"].(map[string]any)
	if alice["policyArn"] != "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy" ||
		scope["type"] != "namespace" || !reflect.DeepEqual(scope["namespaces"], []any{"dev", "staging"}) {
		t.Errorf("namespaced entry = %v, want AmazonEKSEditPolicy scoped to dev, staging", alice)
	}
}

func TestEKSClusterHardening(t *testing.T) {
	m, _ := runCluster(t, clusterArgs(func(a *EKSClusterArgs) {
		a.EndpointPrivateAccess = true
		a.PublicAccessCidrs = []string{"54.180.0.0/16"}
		a.SecretsEncryption = true
		a.LogRetentionDays = 365
		a.EnableNetworkPolicy = true
	}))
	cluster := m.Get(t, eksClusterType, "eks-demo-cluster")
	key := m.Get(t, kmsKeyType, "eks-demo-secrets")
	if key.Input("enableKeyRotation") != true {
		t.Errorf("KMS key rotation off")
	}
	if got := cluster.Input("encryptionConfigKeyArn"); got == nil || !strings.HasPrefix(got.(string), "arn:aws:kms:") {
		t.Errorf("encryptionConfigKeyArn = %v, want the key's ARN", got)
	}
	if cluster.Input("endpointPrivateAccess") != true || !reflect.DeepEqual(cluster.Input("publicAccessCidrs"), []any{"54.180.0.0/16"}) {
		t.Errorf("endpoint access = private %v, cidrs %v", cluster.Input("endpointPrivateAccess"), cluster.Input("publicAccessCidrs"))
	}
	if m.Get(t, logGroupType, "eks-demo-logs").Input("retentionInDays") != 365.0 {
		t.Errorf("log retention not 365")
	}
	if cluster.Input("vpcCniOptions.enableNetworkPolicy") != true {
		t.Errorf("network policy enforcement off")
	}
}

func TestEKSClusterWithoutLoggingCreatesNoLogGroup(t *testing.T) {
	m, _ := runCluster(t, clusterArgs(func(a *EKSClusterArgs) { a.EnabledClusterLogTypes = nil }))
	if len(m.ByType(logGroupType)) != 0 {
		t.Errorf("log group created with logging off")
	}
}

func TestEKSClusterRejectsBadArgsBeforeRegistering(t *testing.T) {
	m := mocktest.New()
	err := m.Run("test", nil, func(ctx *pulumi.Context) error {
		args := clusterArgs(func(a *EKSClusterArgs) {
			a.ClusterName = "-bad"
			a.KubernetesVersion = "1.21"
			a.EnabledClusterLogTypes = []string{"api", "kubelet"}
			a.LogRetentionDays = 45
			a.AccessEntries = []AccessEntry{{PrincipalArn: "arn:aws:sts::123456789012:assumed-role/A/s", Policy: "Owner"}}
		})
		_, err := NewEKSCluster(ctx, "eks-demo", &args)
		return err
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`clusterName = "-bad"`, `kubernetesVersion = "1.21"`, `enabledClusterLogTypes = "kubelet"`,
		"logRetentionDays = 45", `accessEntries[0].principalArn = "arn:aws:sts::`, `accessEntries[0].policy = "Owner"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if n := len(m.Resources()); n != 0 {
		t.Errorf("registered %d resources before failing", n)
	}
}
