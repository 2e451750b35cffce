package config

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

// problemKeys parses the stack (or "") with settings over the defaults and
// returns the keys its problems name, in order, and the whole error.
func problemKeys(t *testing.T, stack string, settings map[string]string) ([]string, error) {
	t.Helper()
	all := map[string]string{"aws:region": "ap-northeast-2", ProjectName + ":appsDir": "../../apps"}
	for k, v := range settings {
		if !strings.Contains(k, ":") {
			k = ProjectName + ":" + k
		}
		all[k] = v
	}
	_, err := ParseStackConfig(stack, lookup(all))
	var configErr *ConfigError
	if err != nil && !errors.As(err, &configErr) {
		t.Fatalf("%v is not a ConfigError", err)
	}
	var keys []string
	if configErr != nil {
		for _, p := range configErr.Problems {
			key, _, _ := strings.Cut(p, " = ")
			keys = append(keys, strings.TrimPrefix(key, ProjectName+":"))
		}
	}
	return keys, err
}

// The configuration's own rules, each case one setting (or two) away from
// a valid stack, at the edge of what is allowed; keys are the config keys
// the problems name, exactly.
func TestPlanRules(t *testing.T) {
	for _, tc := range []struct {
		name, stack string
		set         map[string]string
		keys        []string
		says        string
	}{
		{"the defaults", "", nil, nil, ""},
		{"metrics-server left out on eks", "", map[string]string{"metricsServer": "false"}, []string{"metricsServer"}, "only the local target"},
		{"metrics-server left out locally", "", map[string]string{"target": "local", "metricsServer": "false"}, nil, ""},
		{"NUL bytes in the settings printed into shell commands", "", map[string]string{"target": "local", "kubeconfig": "/tmp/a\x00b", "kubeContext": "c\x00", "aws:profile": "p\x00"},
			[]string{"kubeContext", "aws:profile", "kubeconfig"}, "want no NUL byte"},
		{"odd but quotable shell words", "", map[string]string{"target": "local", "kubeconfig": "/tmp/it's a\tfile", "kubeContext": "$(x) `y`", "aws:profile": "my profile"}, nil, ""},
		{"VPC CIDR empty", "", map[string]string{"vpcCidr": ""}, []string{"vpcCidr"}, "want an IPv4 CIDR such as 10.0.0.0/16"},
		{"zone count zero", "", map[string]string{"availabilityZoneCount": "0"}, []string{"availabilityZoneCount"}, "want 2 to 6"},
		{"zone count zero, zones listed", "", map[string]string{"availabilityZoneCount": "0", "availabilityZones": `["ap-northeast-2a","ap-northeast-2b"]`}, nil, ""},
		{"NAT empty", "", map[string]string{"natGateway": ""}, []string{"natGateway"}, ""},
		{"retention zero", "", map[string]string{"logRetentionDays": "0"}, []string{"logRetentionDays"}, ""},
		{"public CIDRs empty", "", map[string]string{"publicAccessCidrs": "[]"}, []string{"publicAccessCidrs"}, "want the egress CIDRs"},
		{"public CIDRs empty, private endpoint", "", map[string]string{"publicAccessCidrs": "[]", "endpointPublicAccess": "false"}, []string{"endpointPublicAccess"}, "outside the VPC"},
		{"instance types empty", "", map[string]string{"instanceTypes": "[]"}, []string{"instanceTypes"}, ""},
		{"ingress group empty", "", map[string]string{"ingressGroupName": ""}, []string{"ingressGroupName"}, "one ALB"},
		{"disk zero", "", map[string]string{"diskSize": "0"}, []string{"diskSize"}, ""},
		{"a zone of another region", "", map[string]string{"availabilityZones": `["ap-northeast-2a","us-east-1b"]`}, []string{"availabilityZones"}, `"us-east-1b"`},
		{"the team's entry", "", map[string]string{"teamPrincipalArn": "bob"}, []string{"teamPrincipalArn"}, "IAM role or user ARN"},
		{"an entry besides the team's", "", map[string]string{"teamPrincipalArn": "arn:aws:iam::123456789012:role/T", "accessEntries": `[{"principalArn":"x","policy":"View"}]`},
			[]string{"accessEntries[0].principalArn"}, ""},
		{"the region", "", map[string]string{"aws:region": "Seoul"}, []string{"aws:region"}, ""},
		{"the autoscaler a minor behind", "", map[string]string{"addonVersions": `{"clusterAutoscalerImage":"v1.35.2"}`}, []string{"addonVersions.clusterAutoscalerImage"}, "want v1.36.x"},
		{"the autoscaler off", "", map[string]string{"kubernetesVersion": "1.32", "clusterAutoscaler": "false"}, nil, ""},
		{"a bad version, not also the autoscaler's", "", map[string]string{"kubernetesVersion": "1.3"}, []string{"kubernetesVersion"}, ""},
		{"a cluster name too long for the controllers' roles", "", map[string]string{"clusterName": strings.Repeat("c", 32)}, []string{"clusterName"}, "want at most 31"},
		{"a cluster name of 31", "", map[string]string{"clusterName": strings.Repeat("c", 31)}, nil, ""},
		{"a cluster name too long for pulumi-eks's role", "", map[string]string{"clusterName": strings.Repeat("c", 36), "podIdentity": "false"}, []string{"clusterName"}, "want at most 35"},
		{"a cluster name of 35", "", map[string]string{"clusterName": strings.Repeat("c", 35), "podIdentity": "false"}, nil, ""},
		{"an invalid cluster name, reported once", "", map[string]string{"clusterName": strings.Repeat("c", 101)}, []string{"clusterName"}, "1-100"},
		{"a node group name too long", "", map[string]string{"nodeGroupName": strings.Repeat("n", 45)}, []string{"nodeGroupName"}, "the node IAM role"},
		{"another stack's cluster name", "prod", map[string]string{"clusterName": "eks-demo-staging"}, []string{"clusterName"}, `stack "staging"'s`},
		{"its own derived name", "prod", map[string]string{"clusterName": "eks-demo-prod"}, nil, ""},
		{"the workshop's derived name", "prod", map[string]string{"clusterName": "eks-demo-dev"}, nil, ""},
		{"the reserved tag prefix", "", map[string]string{"tags": `{"aws:x":"y"}`}, []string{"tags"}, "reserved for AWS"},
		{"44 tags", "prod", map[string]string{"tags": manyTags(44)}, nil, ""},
		{"45 tags", "prod", map[string]string{"tags": manyTags(45)}, []string{"tags"}, "may take 44"},
		{"45 tags, one replacing a default", "prod", map[string]string{"tags": manyTags(44, "stack")}, nil, ""},
		{"local, metrics-server unpinned", "", map[string]string{"target": "local", "addonVersions": `{"metricsServer":""}`}, []string{"addonVersions.metricsServer"}, ""},
		{"local, a registry", "", map[string]string{"target": "local", "imageRegistry": "registry.example.com:5000/team"}, nil, ""},
		{"local, not a registry", "", map[string]string{"target": "local", "imageRegistry": "my registry"}, []string{"imageRegistry"}, ""},
		{"local, prebuilt, any registry", "", map[string]string{"target": "local", "imageRegistry": "x y", "flaskImage": "ghcr.io/a/f:1", "nginxImage": "ghcr.io/a/n:1"}, nil, ""},
		{"a target", "", map[string]string{"target": "aws"}, []string{"target"}, "want eks or local"},
		{"a namespace in capitals", "", map[string]string{"namespace": "Dev"}, []string{"namespace"}, "RFC 1123"},
		{"an add-on's namespace", "", map[string]string{"namespace": "amazon-cloudwatch"}, []string{"namespace"}, "of the environment's own"},
		{"a prebuilt image without a tag", "", map[string]string{"flaskImage": "ghcr.io/a/f"}, []string{"flaskImage"}, "tag or digest"},
		{"a prebuilt image", "", map[string]string{"nginxImage": "ghcr.io/a/n@sha256:" + strings.Repeat("a", 64)}, nil, ""},
		{"a repository name", "", map[string]string{"flaskRepositoryName": "Flask"}, []string{"flaskRepositoryName"}, ""},
		{"no apps", "", map[string]string{"appsDir": "/nonexistent"}, []string{"appsDir", "appsDir"}, `appsDir = "/nonexistent/nginx"`},
		{"one repository for both", "", map[string]string{"nginxRepositoryName": "demo-flask-backend"}, []string{"nginxRepositoryName"}, "same ECR repository"},
		{"one repository, one app prebuilt", "", map[string]string{"nginxRepositoryName": "demo-flask-backend", "nginxImage": "ghcr.io/a/n:1"}, nil, ""},
		{"an ingress group name", "", map[string]string{"ingressGroupName": "EKS"}, []string{"ingressGroupName"}, ""},
	} {
		keys, err := problemKeys(t, tc.stack, tc.set)
		if !slices.Equal(keys, tc.keys) {
			t.Errorf("%s: problems %v, want %v (%v)", tc.name, keys, tc.keys, err)
		}
		if tc.says != "" && (err == nil || !strings.Contains(err.Error(), tc.says)) {
			t.Errorf("%s: %v, want it to say %q", tc.name, err, tc.says)
		}
	}
}

// manyTags is n valid tags, the first ones named as given.
func manyTags(n int, names ...string) string {
	tags := make([]string, n)
	for i := range tags {
		name := "tag" + strings.Repeat("x", i)
		if i < len(names) {
			name = names[i]
		}
		tags[i] = `"` + name + `":"v"`
	}
	return "{" + strings.Join(tags, ",") + "}"
}

func TestClusterNameFollowsTheStack(t *testing.T) {
	for stack, want := range map[string]string{"": "eks-demo", "dev": "eks-demo", "prod": "eks-demo-prod"} {
		c := DefaultConfig()
		c.Stack = stack
		if got := c.EKSClusterName(); got != want {
			t.Errorf("stack %q: cluster %s, want %s", stack, got, want)
		}
	}
	c := DefaultConfig()
	c.Stack, c.ClusterName = "prod", "shop"
	if c.EKSClusterName() != "shop" || c.NodeGroupComponent() != "shop-node-group" {
		t.Errorf("a name set is kept: %s, %s", c.EKSClusterName(), c.NodeGroupComponent())
	}
	if tags := c.DefaultTags(); !maps.Equal(tags, map[string]string{"project": ProjectName, "stack": "prod", "managed-by": "pulumi"}) {
		t.Errorf("default tags = %v", tags)
	}
}
