package stacks

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

// runPreflightStack runs the whole program of stack (its committed config
// plus overrides) under a monitor prepared by account, and returns the
// program's error and what it registered.
func runPreflightStack(t *testing.T, stack string, overrides map[string]string, account func(*mocktest.Monitor)) (error, *mocktest.Monitor) {
	t.Helper()
	cfg := stackConfig(t, stack)
	for k, v := range overrides {
		cfg[k] = v
	}
	m := mocktest.New()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	m.RootDirectory = root
	if account != nil {
		account(m)
	}
	return m.Run(stack, cfg, Run), m
}

// devsAddresses are the three NAT gateway addresses dev holds in the
// account prod shares (the blocker 1).
func devsAddresses(m *mocktest.Monitor) {
	for range 3 {
		m.ElasticIPs = append(m.ElasticIPs, map[string]string{"project": "eks-workshop", "stack": "dev"})
	}
}

// `pulumi preview -s prod` under the mocks, in an account whose Elastic IP
// quota (5) dev already holds 3 of: it stops before anything AWS is
// registered, naming the quota, its value and both fixes.
func TestPreflightStopsProdOnAFullElasticIPQuota(t *testing.T) {
	err, m := runPreflightStack(t, "prod", nil, devsAddresses)
	var pe *spec.PreflightError
	if !errors.As(err, &pe) {
		t.Fatalf("prod with a full quota: %v, want a preflight error", err)
	}
	for _, want := range []string{`"EC2-VPC Elastic IPs"`, "L-0263D0A3", "is 5", "raise it to at least 6", "natGateway: Single"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	for _, r := range m.Resources() {
		if strings.HasPrefix(r.Type, "aws:") || strings.HasPrefix(r.Type, "eks:") {
			t.Errorf("%s %s registered before preflight passed", r.Type, r.Name)
		}
	}
}

// Negative control: the same account with its quota raised to 6, or a free
// one, lets prod through; and prod's own addresses of an earlier update
// are not counted twice.
func TestPreflightPassesAFreeQuota(t *testing.T) {
	for name, account := range map[string]func(*mocktest.Monitor){
		"free": nil,
		"raised": func(m *mocktest.Monitor) {
			devsAddresses(m)
			m.Quotas = map[string]float64{spec.ElasticIPQuota.Code: 6}
		},
		"prod's own": func(m *mocktest.Monitor) {
			for range 5 {
				m.ElasticIPs = append(m.ElasticIPs, map[string]string{"project": "eks-workshop", "stack": "prod"})
			}
		},
	} {
		if err, _ := runPreflightStack(t, "prod", nil, account); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Every problem at once: the vCPU quota under the node group's maximum,
// an add-on build EKS does not offer, and the wrong account.
func TestPreflightReportsEveryProblem(t *testing.T) {
	err, _ := runPreflightStack(t, "dev", map[string]string{"aws:allowedAccountIds": `["210987654321"]`}, func(m *mocktest.Monitor) {
		m.Quotas = map[string]float64{spec.OnDemandStandardVCPUQuota.Code: 8}
		m.AddonBuilds = map[string]string{"aws-ebs-csi-driver": "v1.50.0-eksbuild.1"}
	})
	var pe *spec.PreflightError
	if !errors.As(err, &pe) || len(pe.Problems) != 3 {
		t.Fatalf("%v, want three problems", err)
	}
	for _, want := range []string{"aws:allowedAccountIds", "account " + mocktest.AccountID, "L-1216C47A", "maxSize 5 of m5.large", "lower maxSize to 4",
		"addonVersions.ebsCsiDriver = v1.56.0-eksbuild.1", "up to v1.50.0-eksbuild.1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// The lookups go through the stack's own AWS provider, for the add-ons
// the plan installs (vpc-cni and kube-proxy among them).
func TestPreflightAsksEKSForEachPinnedBuild(t *testing.T) {
	err, m := runPreflightStack(t, "dev", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	asked := map[string]int{}
	for _, inv := range m.Invokes() {
		if inv.Token == "aws:eks/getAddonVersion:getAddonVersion" {
			asked[inv.Args["addonName"].StringValue()+"@"+inv.Args["kubernetesVersion"].StringValue()]++
			if !strings.Contains(inv.Provider, "pulumi:providers:aws::aws") {
				t.Errorf("asked through %q, not the stack's provider", inv.Provider)
			}
		}
	}
	for _, addon := range []string{"vpc-cni", "kube-proxy", "amazon-cloudwatch-observability", "aws-ebs-csi-driver"} {
		if asked[addon+"@1.36"] != 2 { // its default and its newest
			t.Errorf("%s asked %d times for 1.36: %v", addon, asked[addon+"@1.36"], asked)
		}
	}
}

// The local target has no AWS account to ask.
func TestLocalTargetRunsNoPreflight(t *testing.T) {
	err, m := runPreflightStack(t, "local", nil, func(m *mocktest.Monitor) {
		m.Quotas = map[string]float64{spec.ElasticIPQuota.Code: 0}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range m.Invokes() {
		if strings.HasPrefix(inv.Token, "aws:") {
			t.Errorf("local asked %s", inv.Token)
		}
	}
}
