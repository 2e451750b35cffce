package stacks

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

func TestPulumiYamlDeclaresEveryKeyWithTheGoDefault(t *testing.T) {
	project := loadProject(t)
	defaults := map[string]any{}
	raw, _ := json.Marshal(DefaultConfig())
	_ = json.Unmarshal(raw, &defaults)

	var declared []string
	for key, decl := range project.Config {
		declared = append(declared, key)
		if decl.Description == "" {
			t.Errorf("%s has no description", key)
		}
		want, ok := defaults[key]
		if !ok {
			t.Errorf("Pulumi.yaml declares %s, which Config lacks", key)
			continue
		}
		got := decl.Default
		if got == nil {
			t.Errorf("%s declares no default", key)
			continue
		}
		// Compare through JSON: YAML integers and maps decode to other Go types.
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		var g, w any
		_ = json.Unmarshal(gotJSON, &g)
		_ = json.Unmarshal(wantJSON, &w)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: Pulumi.yaml default %s, DefaultConfig %s", key, gotJSON, wantJSON)
		}
		if jsonType := declaredType(w); decl.TypeName() != jsonType {
			t.Errorf("%s declared as %s, but the Go value is a %s", key, decl.TypeName(), jsonType)
		}
	}
	for key := range defaults {
		if !slices.Contains(declared, key) {
			t.Errorf("config key %s is not declared in Pulumi.yaml", key)
		}
	}
}

func declaredType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "integer"
	case bool:
		return "boolean"
	case []any:
		return "array"
	}
	return "object"
}

// Every stack file sets only declared keys, with values of the declared type,
// and passes validation.
func TestStackFilesAreValid(t *testing.T) {
	project := loadProject(t)
	for _, stack := range []string{"dev", "prod"} {
		cfg := stackConfig(t, stack)
		for key, value := range cfg {
			name, ok := strings.CutPrefix(key, ProjectName+":")
			if !ok {
				continue
			}
			decl, declared := project.Config[name]
			if !declared {
				t.Errorf("Pulumi.%s.yaml sets undeclared key %s", stack, key)
				continue
			}
			var v any = value
			if decl.TypeName() != "string" {
				if err := json.Unmarshal([]byte(value), &v); err != nil {
					t.Errorf("Pulumi.%s.yaml %s = %q: not a %s", stack, key, value, decl.TypeName())
				}
			}
			if got := declaredType(v); got != decl.TypeName() {
				t.Errorf("Pulumi.%s.yaml %s is a %s, declared %s", stack, key, got, decl.TypeName())
			}
		}
		if _, err := ParseConfig(lookup(cfg)); err != nil {
			t.Errorf("Pulumi.%s.yaml: %v", stack, err)
		}
	}
}

// lookup adapts a CLI-style config map to ParseConfig.
func lookup(cfg map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		if !strings.Contains(key, ":") {
			key = ProjectName + ":" + key
		}
		v, ok := cfg[key]
		return v, ok
	}
}

func TestBadConfigurationIsRejectedBeforeAnythingIsRegistered(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  map[string]string
		want []string // each problem names the key, the value and what is allowed
	}{
		{"missing region", map[string]string{"aws:region": ""}, []string{`aws:region = ""`, "want an AWS region"}},
		{"malformed region", map[string]string{"aws:region": "Seoul"}, []string{"\n  - aws:region = \"Seoul\"", "1 problems"}},
		{"CIDR syntax", map[string]string{"eks-workshop:vpcCidr": "10.0.0/16"}, []string{`eks-workshop:vpcCidr = "10.0.0/16"`, "IPv4 CIDR"}},
		{"CIDR too large", map[string]string{"eks-workshop:vpcCidr": "10.0.0.0/8"}, []string{`vpcCidr = "10.0.0.0/8"`, "/16 to /28"}},
		{"subnets do not fit", map[string]string{"eks-workshop:vpcCidr": "10.0.0.0/25", "eks-workshop:availabilityZoneCount": "5"}, []string{`vpcCidr = "10.0.0.0/25"`, "too small for 5 zones"}},
		{"too few zones", map[string]string{"eks-workshop:availabilityZoneCount": "1"}, []string{"availabilityZoneCount = 1", "2 to 6"}},
		{"zone in another region", map[string]string{"eks-workshop:availabilityZones": `["us-east-1a","us-east-1b"]`}, []string{`availabilityZones = "us-east-1a"`, "not in region ap-northeast-2"}},
		{"NAT mode", map[string]string{"eks-workshop:natGateway": "PerZone"}, []string{`natGateway = "PerZone"`, "HighlyAvailable, Single, Disable"}},
		{"version format", map[string]string{"eks-workshop:kubernetesVersion": "v1.33"}, []string{`kubernetesVersion = "v1.33"`, `"1.<minor>"`}},
		{"version unsupported", map[string]string{"eks-workshop:kubernetesVersion": "1.24"}, []string{`kubernetesVersion = "1.24"`, "1.30 to 1.35"}},
		{"instance type", map[string]string{"eks-workshop:instanceTypes": `["m5large"]`}, []string{`instanceTypes = "m5large"`, "EC2 instance type"}},
		{"scaling bounds", map[string]string{"eks-workshop:desiredSize": "7", "eks-workshop:maxSize": "5"}, []string{"desiredSize = 7", "minSize <= desiredSize <= maxSize"}},
		{"disk size", map[string]string{"eks-workshop:diskSize": "10"}, []string{"diskSize = 10", "20 to 16384"}},
		{"log type", map[string]string{"eks-workshop:enabledClusterLogTypes": `["api","kubelet"]`}, []string{`enabledClusterLogTypes = "kubelet"`, "api, audit"}},
		{"log retention", map[string]string{"eks-workshop:logRetentionDays": "100"}, []string{"logRetentionDays = 100", "CloudWatch Logs accepts"}},
		{"team principal", map[string]string{"eks-workshop:teamPrincipalArn": "bob"}, []string{`eks-workshop:teamPrincipalArn = "bob"`, "IAM role or user ARN", "1 problems"}},
		{"principal ARN", map[string]string{"eks-workshop:accessEntries": `[{"principalArn":"alice","policy":"Admin"}]`}, []string{`accessEntries[0].principalArn = "alice"`, "IAM role or user ARN"}},
		{"access policy", map[string]string{"eks-workshop:accessEntries": `[{"principalArn":"arn:aws:iam::123456789012:role/Dev","policy":"Owner"}]`}, []string{`accessEntries[0].policy = "Owner"`, "ClusterAdmin, Admin, Edit, View"}},
		{"wrong type", map[string]string{"eks-workshop:desiredSize": "three"}, []string{`eks-workshop:desiredSize = "three"`, "want an integer"}},
		{"unknown object field", map[string]string{"eks-workshop:nodeRoleAddonPolicies": `{"imageBuilder":true,"albIngress":true}`}, []string{"eks-workshop:nodeRoleAddonPolicies", "albIngress"}},
		{"closed endpoint", map[string]string{"eks-workshop:endpointPublicAccess": "false", "eks-workshop:endpointPrivateAccess": "false", "eks-workshop:publicAccessCidrs": "[]"}, []string{"endpointPrivateAccess = false", "nothing can reach the API"}},
		{"public CIDR", map[string]string{"eks-workshop:publicAccessCidrs": `["10.0.0.1"]`}, []string{`publicAccessCidrs = "10.0.0.1"`}},
		{"repository name", map[string]string{"eks-workshop:flaskRepositoryName": "Demo Flask"}, []string{`eks-workshop:flaskRepositoryName = "Demo Flask"`, "lowercase"}},
		{"apps directory", map[string]string{"eks-workshop:appsDir": "/nonexistent"}, []string{`eks-workshop:appsDir = "/nonexistent/flask"`, "build context"}},
		{"several at once", map[string]string{"eks-workshop:natGateway": "x", "eks-workshop:diskSize": "1", "eks-workshop:kubernetesVersion": "2.0"}, []string{"natGateway", "diskSize", "kubernetesVersion", "3 problems"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := stackConfig(t, "dev")
			for k, v := range tc.set {
				cfg[k] = v
			}
			m := mocktest.New()
			err := m.Run("dev", cfg, Run)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			if n := len(m.Resources()); n != 0 {
				t.Errorf("registered %d resources before rejecting the config", n)
			}
		})
	}
}

func TestObjectKeysLeftOutKeepTheirDefaults(t *testing.T) {
	cfg, err := ParseConfig(lookup(map[string]string{
		"aws:region": "ap-northeast-2", ProjectName + ":appsDir": "../apps",
		ProjectName + ":addonVersions": `{"metricsServer":"3.13.0"}`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig().AddonVersions
	want.MetricsServer = "3.13.0"
	if cfg.AddonVersions != want {
		t.Errorf("addonVersions = %+v, want %+v", cfg.AddonVersions, want)
	}
}

func TestProgramValidatesConfigBuiltInGo(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Region = "ap-northeast-2"
	cfg.AppsDir = "../apps"
	cfg.MinSize = 9
	m := mocktest.New()
	err := m.Run("embedded", nil, Program(cfg))
	var configErr *ConfigError
	if !errors.As(err, &configErr) || !strings.Contains(err.Error(), "desiredSize = 3") {
		t.Fatalf("err = %v, want a ConfigError about desiredSize", err)
	}
	if n := len(m.Resources()); n != 0 {
		t.Errorf("registered %d resources", n)
	}
}

func TestDefaultConfigWithARegionIsValid(t *testing.T) {
	cfg, err := ParseConfig(lookup(map[string]string{"aws:region": "eu-west-1", ProjectName + ":appsDir": "../apps"}))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.InstanceTypes, []string{"m5.large"}) || cfg.Region != "eu-west-1" {
		t.Errorf("cfg = %+v", cfg)
	}
}

// LoadConfig's parsing must never panic, whatever a stack file holds.
func FuzzParseConfig(f *testing.F) {
	f.Add("vpcCidr", "10.0.0.0/16", "accessEntries", `[{"principalArn":"arn:aws:iam::123456789012:role/A","policy":"View","namespaces":["dev"]}]`)
	f.Add("desiredSize", "-1", "nodeTaints", `[{"key":"a","effect":"NoSchedule"}]`)
	f.Add("availabilityZones", `["ap-northeast-2a"]`, "nodeLabels", `{"a":1}`)
	f.Add("kubernetesVersion", "1.999999999999999999999", "publicAccessCidrs", `["::/0"]`)
	f.Fuzz(func(t *testing.T, key1, value1, key2, value2 string) {
		cfg := map[string]string{"aws:region": "ap-northeast-2", ProjectName + ":appsDir": "../apps"}
		cfg[ProjectName+":"+key1] = value1
		cfg[ProjectName+":"+key2] = value2
		c, err := ParseConfig(lookup(cfg))
		if err == nil {
			if verr := c.Validate(); verr != nil {
				t.Fatalf("ParseConfig accepted a config Validate rejects: %v", verr)
			}
		} else if !strings.Contains(err.Error(), " = ") {
			t.Fatalf("error names no key and value: %v", err)
		}
	})
}

// README.md documents every config key, and CI runs exactly its test command.
func TestReadmeStaysTrue(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for key := range loadProject(t).Config {
		if !strings.Contains(string(readme), "`"+key+"`") {
			t.Errorf("README.md does not document config key %s", key)
		}
	}
	const testCommand = "go test -tags integration ./... && /usr/bin/python3 -m pytest -q apps"
	ci, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "\n"+testCommand+"\n") || !strings.HasSuffix(strings.TrimSpace(string(ci)), "\n"+testCommand) {
		t.Errorf("README.md and .ci/run must both run %q", testCommand)
	}
}
