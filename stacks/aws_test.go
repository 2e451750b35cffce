package stacks

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"

	"github.com/eks-workshop/eks-workshop/stacks/config"
)

const deployRole = "arn:aws:iam::123456789012:role/deploy"

// kubeconfigTokenArgs are the `aws eks get-token` arguments of the
// kubeconfig the stack's Kubernetes provider uses.
func kubeconfigTokenArgs(t *testing.T, run stackRun) []string {
	t.Helper()
	var kubeconfig struct {
		Users []struct {
			User struct {
				Exec struct {
					Command string   `json:"command"`
					Args    []string `json:"args"`
				} `json:"exec"`
			} `json:"user"`
		} `json:"users"`
	}
	raw, _ := run.Get(t, "pulumi:providers:kubernetes", "k8s").Input("kubeconfig").(string)
	if err := json.Unmarshal([]byte(raw), &kubeconfig); err != nil || len(kubeconfig.Users) != 1 || kubeconfig.Users[0].User.Exec.Command != "aws" {
		t.Fatalf("kubeconfig %q: %v", raw, err)
	}
	return kubeconfig.Users[0].User.Exec.Args
}

// aws:allowedAccountIds, aws:profile and aws:assumeRole reach the explicit
// provider, and the kubeconfig's `aws eks get-token` acts as the same
// identity: the same profile, assuming the same role.
func TestAWSSettingsReachTheProviderAndTheKubeconfig(t *testing.T) {
	t.Parallel()
	run := runStack(t, "prod", map[string]string{
		"aws:allowedAccountIds": `["123456789012"]`,
		"aws:profile":           "prod-admin",
		"aws:assumeRole":        `{"roleArn":"` + deployRole + `","sessionName":"pulumi-prod"}`,
	})
	provider := run.Get(t, "pulumi:providers:aws", "aws")
	for path, want := range map[string]any{
		"allowedAccountIds":      []any{"123456789012"},
		"profile":                "prod-admin",
		"assumeRole.roleArn":     deployRole,
		"assumeRole.sessionName": "pulumi-prod",
		"region":                 "ap-northeast-2",
		"defaultTags.tags.stack": "prod",
	} {
		if got := provider.Input(path); !reflect.DeepEqual(got, want) {
			t.Errorf("aws provider %s = %v, want %v", path, got, want)
		}
	}
	cluster := run.Get(t, "eks:index:Cluster", "eks-prod-cluster")
	if got := cluster.Input("providerCredentialOpts"); !reflect.DeepEqual(got, map[string]any{"profileName": "prod-admin", "roleArn": deployRole}) {
		t.Errorf("providerCredentialOpts = %v", got)
	}
	args := strings.Join(kubeconfigTokenArgs(t, run), " ")
	for _, want := range []string{"--role " + deployRole, "--profile prod-admin"} {
		if !strings.Contains(args, want) {
			t.Errorf("get-token %s lacks %s", args, want)
		}
	}
	if cmd := run.Outputs["updateKubeconfigCommand"]; !strings.HasSuffix(cmd.(string), " --profile prod-admin --role-arn "+deployRole) {
		t.Errorf("updateKubeconfigCommand = %v", cmd)
	}

	// Negative control: without the settings, the ambient identity everywhere.
	plain := runStack(t, "prod", nil)
	provider = plain.Get(t, "pulumi:providers:aws", "aws")
	for _, path := range []string{"allowedAccountIds", "profile", "assumeRole"} {
		if got := provider.Input(path); got != nil {
			t.Errorf("aws provider %s = %v without the setting", path, got)
		}
	}
	if got := plain.Get(t, "eks:index:Cluster", "eks-prod-cluster").Input("providerCredentialOpts"); got != nil {
		t.Errorf("providerCredentialOpts = %v without the settings", got)
	}
	if args := strings.Join(kubeconfigTokenArgs(t, plain), " "); strings.Contains(args, "--profile") || strings.Contains(args, "--role") {
		t.Errorf("get-token %s without the settings", args)
	}
}

// Every aws: key the pinned provider reads (its ProviderArgs) is either
// handed to it or refused by name: none is silently ignored.
func TestEveryAWSProviderKeyIsHonouredOrRefused(t *testing.T) {
	var fields []string
	typ := reflect.TypeOf(aws.ProviderArgs{})
	for i := range typ.NumField() {
		name := []rune(typ.Field(i).Name)
		name[0] = unicode.ToLower(name[0])
		fields = append(fields, string(name))
	}
	slices.Sort(fields)
	if keys := config.AWSProviderKeys(); !slices.Equal(keys, fields) {
		t.Errorf("config's aws: keys %v\nthe provider's inputs %v", keys, fields)
	}
}
