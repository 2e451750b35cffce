package stacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

func TestPulumiYamlDeclaresEveryKeyWithTheGoDefault(t *testing.T) {
	project := loadProject(t)
	defaults := map[string]any{}
	raw, _ := json.Marshal(config.DefaultConfig())
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
			t.Errorf("%s: Pulumi.yaml default %s, config.DefaultConfig %s", key, gotJSON, wantJSON)
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
	t.Parallel()
	project := loadProject(t)
	for _, stack := range []string{"dev", "prod", "auto"} {
		cfg := stackConfig(t, stack)
		for key, value := range cfg {
			name, ok := strings.CutPrefix(key, config.ProjectName+":")
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
		c, err := config.ParseConfig(lookup(cfg))
		if err == nil {
			c.Stack = stack // as the stack it is: its names derive from it
			err = c.Validate()
		}
		if err != nil {
			t.Errorf("Pulumi.%s.yaml: %v", stack, err)
		}
	}
}

// docs/deploying.md documents every config key; README.md prints both
// test commands, and CI runs exactly the full one.
func TestReadmeStaysTrue(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	deploying, err := os.ReadFile(filepath.Join(repoRoot, "docs", "deploying.md"))
	if err != nil {
		t.Fatal(err)
	}
	for key := range loadProject(t).Config {
		if !strings.Contains(string(deploying), "`"+key+"`") {
			t.Errorf("docs/deploying.md does not document config key %s", key)
		}
	}
	if !strings.Contains(string(readme), "| `go test ./...` |") {
		t.Error("README.md does not print the fast test command, go test ./...")
	}
	const testCommand = "bash tools/test.sh"
	ci, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "\n"+testCommand+"\n") || !strings.HasSuffix(strings.TrimSpace(string(ci)), "\n"+testCommand) {
		t.Errorf("README.md and .ci/run must both run %q", testCommand)
	}
}

// Through the Pulumi SDK's config, as `pulumi up` runs it: an absent key
// takes its default, the same key set to "" or 0 is the stack's own value.
func TestLoadConfigTellsAbsentFromEmpty(t *testing.T) {
	t.Parallel()
	base := map[string]string{"aws:region": "ap-northeast-2", config.ProjectName + ":appsDir": "../apps"}
	var loaded Config
	m := mocktest.New()
	m.MustRun(t, "dev", base, func(ctx *pulumi.Context) error {
		var err error
		loaded, err = LoadConfig(ctx)
		return err
	})
	want := config.DefaultConfig()
	want.Region, want.AppsDir, want.Stack = "ap-northeast-2", "../apps", "dev"
	if !reflect.DeepEqual(loaded, want) {
		t.Errorf("absent keys: loaded %+v, want the defaults %+v", loaded, want)
	}
	for key, value := range map[string]string{"clusterName": "", "nodeGroupName": "", "instanceTypes": "[]", "diskSize": "0", "logRetentionDays": "0", "availabilityZoneCount": "0"} {
		cfg := maps.Clone(base)
		cfg[config.ProjectName+":"+key] = value
		err := mocktest.New().Run("dev", cfg, func(ctx *pulumi.Context) error {
			_, err := LoadConfig(ctx)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), config.ProjectName+":"+key+" = ") {
			t.Errorf("%s set to %q: err = %v, want it rejected as given", key, value, err)
		}
	}
}

// badConfigurations are bad settings of the dev stack (or of the stack
// named), one or more per rule. rule names the component rule a case
// reaches through the configuration ("EKSClusterArgs.clusterName"), or
// "Config" for a rule only the whole configuration can check.
var badConfigurations = []struct {
	name, rule, stack string
	set               map[string]string
	want              []string // each problem names the key, the value and what is allowed
}{
	{"missing region", "ClusterAddonsArgs.region", "", map[string]string{"aws:region": ""}, []string{`aws:region = ""`, "want an AWS region"}},
	{"malformed region", "ClusterAddonsArgs.region", "", map[string]string{"aws:region": "Seoul"}, []string{"\n  - aws:region = \"Seoul\"", "1 problems"}},
	{"CIDR syntax", "NetworkArgs.vpcCidr", "", map[string]string{"eks-workshop:vpcCidr": "10.0.0/16"}, []string{`eks-workshop:vpcCidr = "10.0.0/16"`, "IPv4 CIDR", "1 problems"}},
	{"CIDR host bits", "NetworkArgs.vpcCidr", "", map[string]string{"eks-workshop:vpcCidr": "10.0.0.1/16"}, []string{`vpcCidr = "10.0.0.1/16"`, "host bits are set"}},
	{"CIDR in link-local space", "NetworkArgs.vpcCidr", "", map[string]string{"eks-workshop:vpcCidr": "169.254.0.0/16"}, []string{`vpcCidr = "169.254.0.0/16"`, "AWS allows no VPC in", "RFC 1918"}},
	{"CIDR too large", "NetworkArgs.vpcCidr", "", map[string]string{"eks-workshop:vpcCidr": "10.0.0.0/8"}, []string{`vpcCidr = "10.0.0.0/8"`, "/16 to /28"}},
	{"CIDR set empty", "Config.setToZero", "", map[string]string{"eks-workshop:vpcCidr": ""}, []string{`vpcCidr = ""`, "want an IPv4 CIDR such as 10.0.0.0/16", "1 problems"}},
	{"subnets do not fit", "NetworkArgs.vpcCidr", "", map[string]string{"eks-workshop:vpcCidr": "10.0.0.0/25", "eks-workshop:availabilityZoneCount": "5"}, []string{`vpcCidr = "10.0.0.0/25"`, "too small for 5 zones"}},
	{"too few zones", "NetworkArgs.availabilityZoneCount", "", map[string]string{"eks-workshop:availabilityZoneCount": "1"}, []string{"availabilityZoneCount = 1", "2 to 6"}},
	{"too many zones", "NetworkArgs.availabilityZoneCount", "", map[string]string{"eks-workshop:availabilityZoneCount": "7"}, []string{"availabilityZoneCount = 7", "2 to 6"}},
	{"zone count set to zero", "Config.setToZero", "", map[string]string{"eks-workshop:availabilityZoneCount": "0"}, []string{"availabilityZoneCount = 0", "2 to 6"}},
	{"one zone listed", "NetworkArgs.availabilityZones", "", map[string]string{"eks-workshop:availabilityZones": `["ap-northeast-2a"]`}, []string{`availabilityZones = ["ap-northeast-2a"]`, "list 2 to 6 zones"}},
	{"zone listed twice", "NetworkArgs.availabilityZones", "", map[string]string{"eks-workshop:availabilityZones": `["ap-northeast-2a","ap-northeast-2a"]`}, []string{"availabilityZones = ", "non-empty and distinct"}},
	{"zone in another region", "Config.availabilityZones", "", map[string]string{"eks-workshop:availabilityZones": `["us-east-1a","us-east-1b"]`}, []string{`availabilityZones = "us-east-1a"`, "not in region ap-northeast-2"}},
	{"NAT mode", "NetworkArgs.natGateway", "", map[string]string{"eks-workshop:natGateway": "PerZone"}, []string{`natGateway = "PerZone"`, "HighlyAvailable, Single, Disable"}},
	{"NAT mode set empty", "Config.setToZero", "", map[string]string{"eks-workshop:natGateway": ""}, []string{`natGateway = ""`, "HighlyAvailable, Single, Disable", "1 problems"}},

	{"cluster name set empty", "EKSClusterArgs.clusterName", "", map[string]string{"eks-workshop:clusterName": ""}, []string{`clusterName = ""`, "1-100 letters"}},
	{"cluster name characters", "EKSClusterArgs.clusterName", "", map[string]string{"eks-workshop:clusterName": "eks demo"}, []string{`clusterName = "eks demo"`, "1-100 letters"}},
	{"cluster name over 100", "EKSClusterArgs.clusterName", "", map[string]string{"eks-workshop:clusterName": strings.Repeat("c", 101)}, []string{`clusterName = "ccc`, "1-100 letters", "1 problems"}},
	{"cluster name too long for pulumi-eks's role", "EKSClusterArgs.PhysicalNames", "", map[string]string{"eks-workshop:clusterName": strings.Repeat("c", 40)}, []string{`clusterName = "` + strings.Repeat("c", 40) + `"`, "pulumi-eks's cluster IAM role", "AWS allows 64", "want at most 35 characters"}},
	{"cluster name too long for Pod Identity roles", "ClusterAddonsArgs.PhysicalNames", "", map[string]string{"eks-workshop:clusterName": strings.Repeat("c", 33), "eks-workshop:podIdentity": "true"}, []string{`clusterName = "` + strings.Repeat("c", 33) + `"`, "IAM role of aws-load-balancer-controller", "want at most 31 characters"}},
	{"node group name too long for the node role", "ManagedNodeGroupArgs.PhysicalNames", "", map[string]string{"eks-workshop:nodeGroupName": strings.Repeat("n", 45)}, []string{`nodeGroupName = "` + strings.Repeat("n", 45) + `"`, "the node IAM role", "want at most 42 characters"}},
	{"node group name set empty", "ManagedNodeGroupArgs.nodeGroupName", "", map[string]string{"eks-workshop:nodeGroupName": ""}, []string{`nodeGroupName = ""`, "1-63 letters"}},
	{"node group name over 63", "ManagedNodeGroupArgs.nodeGroupName", "", map[string]string{"eks-workshop:nodeGroupName": strings.Repeat("n", 64)}, []string{`nodeGroupName = "nnn`, "1-63 letters"}},
	{"version format", "EKSClusterArgs.kubernetesVersion", "", map[string]string{"eks-workshop:kubernetesVersion": "v1.33"}, []string{`kubernetesVersion = "v1.33"`, `"1.<minor>"`}},
	{"version unsupported", "EKSClusterArgs.kubernetesVersion", "", map[string]string{"eks-workshop:kubernetesVersion": "1.24"}, []string{`kubernetesVersion = "1.24"`, "1.30 to 1.36"}},
	{"log type", "EKSClusterArgs.enabledClusterLogTypes", "", map[string]string{"eks-workshop:enabledClusterLogTypes": `["api","kubelet"]`}, []string{`enabledClusterLogTypes = "kubelet"`, "api, audit"}},
	{"log retention", "EKSClusterArgs.logRetentionDays", "", map[string]string{"eks-workshop:logRetentionDays": "100"}, []string{"logRetentionDays = 100", "CloudWatch Logs accepts"}},
	{"log retention set to zero", "Config.setToZero", "", map[string]string{"eks-workshop:logRetentionDays": "0"}, []string{"logRetentionDays = 0", "CloudWatch Logs accepts [1 3 5", "1 problems"}},
	{"closed endpoint", "EKSClusterArgs.endpointPrivateAccess", "", map[string]string{"eks-workshop:endpointPublicAccess": "false", "eks-workshop:endpointPrivateAccess": "false", "eks-workshop:publicAccessCidrs": "[]"}, []string{"endpointPrivateAccess = false", "nothing can reach the API"}},
	{"public CIDRs without a public endpoint", "EKSClusterArgs.publicAccessCidrs", "", map[string]string{"eks-workshop:endpointPublicAccess": "false", "eks-workshop:endpointPrivateAccess": "true"}, []string{`publicAccessCidrs = ["0.0.0.0/0"]`, "only applies with endpointPublicAccess true"}},
	{"public CIDR", "EKSClusterArgs.publicAccessCidrs", "", map[string]string{"eks-workshop:publicAccessCidrs": `["10.0.0.1"]`}, []string{`publicAccessCidrs = "10.0.0.1"`, "IPv4 network CIDR"}},
	{"public CIDRs set empty", "Config.setToZero", "", map[string]string{"eks-workshop:publicAccessCidrs": `[]`}, []string{"publicAccessCidrs = []", "egress CIDRs", "curl https://checkip.amazonaws.com"}},
	{"documentation CIDR", "EKSClusterArgs.publicAccessCidrs", "", map[string]string{"eks-workshop:publicAccessCidrs": `["203.0.113.0/24"]`, "eks-workshop:endpointPrivateAccess": "true"}, []string{`publicAccessCidrs = "203.0.113.0/24"`, "RFC 5737", "checkip.amazonaws.com", "1 problems"}},
	{"private CIDR", "EKSClusterArgs.publicAccessCidrs", "", map[string]string{"eks-workshop:publicAccessCidrs": `["10.20.0.0/16"]`, "eks-workshop:endpointPrivateAccess": "true"}, []string{`publicAccessCidrs = "10.20.0.0/16"`, "private-use", "RFC 1918"}},
	{"carrier-grade NAT CIDR", "EKSClusterArgs.publicAccessCidrs", "", map[string]string{"eks-workshop:publicAccessCidrs": `["100.64.1.0/24"]`, "eks-workshop:endpointPrivateAccess": "true"}, []string{`publicAccessCidrs = "100.64.1.0/24"`, "RFC 6598"}},
	{"public endpoint off", "Config.endpoint", "", map[string]string{"eks-workshop:endpointPublicAccess": "false", "eks-workshop:endpointPrivateAccess": "true", "eks-workshop:publicAccessCidrs": "[]"}, []string{"endpointPublicAccess = false", "outside the VPC", "1 problems"}},
	{"narrow public CIDRs without private access", "Config.endpoint", "", map[string]string{"eks-workshop:publicAccessCidrs": `["54.180.0.10/32"]`, "eks-workshop:endpointPrivateAccess": "false"}, []string{"endpointPrivateAccess = false", "NAT gateways", "set endpointPrivateAccess true", "1 problems"}},
	{"static keys in aws config", "Config.aws", "", map[string]string{"aws:accessKey": "AKIAEXAMPLE", "aws:secretKey": "x"}, []string{`aws:accessKey = "AKIAEXAMPLE": not supported`, `aws:secretKey = "x": not supported`, "AWS_ACCESS_KEY_ID", "2 problems"}},
	{"aws key the provider is not given", "Config.aws", "", map[string]string{"aws:skipRegionValidation": "true"}, []string{`aws:skipRegionValidation = "true": not supported`, "1 problems"}},
	{"assumeRole with an external ID", "Config.aws", "", map[string]string{"aws:assumeRole": `{"roleArn":"arn:aws:iam::123456789012:role/deploy","externalId":"x"}`}, []string{"aws:assumeRole = ", "externalId", "1 problems"}},
	{"assumeRole without a role", "Config.aws", "", map[string]string{"aws:assumeRole": `{"sessionName":"ci"}`}, []string{`aws:assumeRole = ""`, "want roleArn"}},
	{"account IDs", "Config.aws", "", map[string]string{"aws:allowedAccountIds": `["12345"]`}, []string{`aws:allowedAccountIds = "12345"`, "12-digit"}},
	{"version past extended support", "Config.kubernetesSupport", "", map[string]string{"eks-workshop:kubernetesVersion": "1.31"}, []string{`kubernetesVersion = "1.31"`, "extended support for 1.31 ended on 2026-11-26", "1.35", "1 problems"}},
	{"team principal", "EKSClusterArgs.accessEntries.principalArn", "", map[string]string{"eks-workshop:teamPrincipalArn": "bob"}, []string{`eks-workshop:teamPrincipalArn = "bob"`, "IAM role or user ARN", "1 problems"}},
	{"principal ARN", "EKSClusterArgs.accessEntries.principalArn", "", map[string]string{"eks-workshop:accessEntries": `[{"principalArn":"alice","policy":"Admin"}]`}, []string{`accessEntries[0].principalArn = "alice"`, "IAM role or user ARN"}},
	{"principal listed twice", "EKSClusterArgs.accessEntries.principalArn", "", map[string]string{"eks-workshop:accessEntries": `[{"principalArn":"arn:aws:iam::123456789012:role/Dev","policy":"View"},{"principalArn":"arn:aws:iam::123456789012:role/Dev","policy":"Edit"}]`}, []string{`accessEntries[1].principalArn = "arn:aws:iam::123456789012:role/Dev"`, "one access entry per principal"}},
	{"team principal also an access entry", "EKSClusterArgs.accessEntries.principalArn", "", map[string]string{"eks-workshop:accessEntries": `[{"principalArn":"arn:aws:iam::123456789012:role/Dev","policy":"View"}]`, "eks-workshop:teamPrincipalArn": "arn:aws:iam::123456789012:role/Dev"}, []string{`teamPrincipalArn = "arn:aws:iam::123456789012:role/Dev"`, "one access entry per principal"}},
	{"access policy", "EKSClusterArgs.accessEntries.policy", "", map[string]string{"eks-workshop:accessEntries": `[{"principalArn":"arn:aws:iam::123456789012:role/Dev","policy":"Owner"}]`}, []string{`accessEntries[0].policy = "Owner"`, "ClusterAdmin, Admin, Edit, View"}},
	{"access entry namespace", "EKSClusterArgs.accessEntries.namespaces", "", map[string]string{"eks-workshop:accessEntries": `[{"principalArn":"arn:aws:iam::123456789012:role/Dev","policy":"Edit","namespaces":["Dev"]}]`}, []string{`accessEntries[0].namespaces = "Dev"`, "RFC 1123"}},
	{"access entry system group", "EKSClusterArgs.accessEntries.kubernetesGroups", "", map[string]string{"eks-workshop:accessEntries": `[{"principalArn":"arn:aws:iam::123456789012:role/Dev","policy":"View","kubernetesGroups":["system:masters"]}]`}, []string{`accessEntries[0].kubernetesGroups = "system:masters"`, "starting with system:"}},

	{"instance type", "ManagedNodeGroupArgs.instanceTypes", "", map[string]string{"eks-workshop:instanceTypes": `["m5large"]`}, []string{`instanceTypes = "m5large"`, "EC2 instance type"}},
	{"instance types set empty", "Config.setToZero", "", map[string]string{"eks-workshop:instanceTypes": `[]`}, []string{"instanceTypes = []", "at least one EC2 instance type", "1 problems"}},
	{"instance types of two architectures", "ManagedNodeGroupArgs.instanceTypes", "", map[string]string{"eks-workshop:instanceTypes": `["m5.large","m7g.large"]`}, []string{`instanceTypes = ["m5.large" "m7g.large"]`, "mixes amd64"}},
	{"scaling bounds", "ManagedNodeGroupArgs.desiredSize", "", map[string]string{"eks-workshop:desiredSize": "7", "eks-workshop:maxSize": "5"}, []string{"desiredSize = 7", "minSize <= desiredSize <= maxSize"}},
	{"negative minimum", "ManagedNodeGroupArgs.minSize", "", map[string]string{"eks-workshop:minSize": "-1"}, []string{"minSize = -1", "want 0 or more"}},
	{"maximum over the EKS quota", "ManagedNodeGroupArgs.maxSize", "", map[string]string{"eks-workshop:maxSize": "451"}, []string{"maxSize = 451", "want 1 to 450"}},
	{"disk size", "ManagedNodeGroupArgs.diskSize", "", map[string]string{"eks-workshop:diskSize": "10"}, []string{"diskSize = 10", "20 to 16384"}},
	{"disk size set to zero", "Config.setToZero", "", map[string]string{"eks-workshop:diskSize": "0"}, []string{"diskSize = 0", "20 to 16384", "1 problems"}},
	{"disk size over EBS's", "ManagedNodeGroupArgs.diskSize", "", map[string]string{"eks-workshop:diskSize": "20000"}, []string{"diskSize = 20000", "20 to 16384"}},
	{"node label", "ManagedNodeGroupArgs.nodeLabels", "", map[string]string{"eks-workshop:nodeLabels": `{"bad key!":"x"}`}, []string{`nodeLabels = "bad key!=x"`, "Kubernetes label"}},
	{"taint effect", "ManagedNodeGroupArgs.nodeTaints", "", map[string]string{"eks-workshop:nodeTaints": `[{"key":"dedicated","value":"web","effect":"Never"}]`}, []string{`nodeTaints = "Never"`, "NoSchedule, PreferNoSchedule or NoExecute"}},
	{"too many taints", "ManagedNodeGroupArgs.nodeTaints", "", map[string]string{"eks-workshop:nodeTaints": manyTaints(51)}, []string{"nodeTaints = 51", "EKS allows 50 taints per node group"}},
	{"taint key", "ManagedNodeGroupArgs.nodeTaints", "", map[string]string{"eks-workshop:nodeTaints": `[{"key":"-x","effect":"NoSchedule"}]`}, []string{`nodeTaints = "-x="`, "taint key and value"}},

	{"repository name", "ECRImageArgs.repositoryName", "", map[string]string{"eks-workshop:flaskRepositoryName": "Demo Flask"}, []string{`eks-workshop:flaskRepositoryName = "Demo Flask"`, "lowercase"}},
	{"repository name set empty", "ECRImageArgs.repositoryName", "", map[string]string{"eks-workshop:nginxRepositoryName": ""}, []string{`eks-workshop:nginxRepositoryName = ""`, "2-256 lowercase"}},
	{"both apps in one repository", "Config.sameName", "", map[string]string{"eks-workshop:nginxRepositoryName": "demo-flask-backend"}, []string{`nginxRepositoryName = "demo-flask-backend"`, "same ECR repository as flaskRepositoryName"}},
	{"a repository name prod derives", "Config.accountNames", "", map[string]string{"eks-workshop:flaskRepositoryName": "demo-flask-backend-prod"}, []string{`flaskRepositoryName = "demo-flask-backend-prod"`, `stack "prod"'s`}},
	{"a cluster name staging derives", "Config.accountNames", "prod", map[string]string{"eks-workshop:clusterName": "eks-demo-staging"}, []string{`clusterName = "eks-demo-staging"`, `stack "staging"'s`}},
	{"a stack name ECR cannot take", "ECRImageArgs.repositoryName", "QA", nil, []string{`flaskRepositoryName = "demo-flask-backend-QA"`, "lowercase", `nginxRepositoryName = "demo-nginx-QA"`}},
	{"apps directory", "ImageBuild.context", "", map[string]string{"eks-workshop:appsDir": "/nonexistent"}, []string{`eks-workshop:appsDir = "/nonexistent/flask"`, "build context"}},

	{"prebuilt image without tag or digest", "Config.imageReference", "", map[string]string{"eks-workshop:flaskImage": "ghcr.io/acme/flask"}, []string{`eks-workshop:flaskImage = "ghcr.io/acme/flask"`, "tag or digest", "1 problems"}},
	{"prebuilt image reference", "Config.imageReference", "", map[string]string{"eks-workshop:target": "local", "eks-workshop:nginxImage": "ghcr.io/Acme/nginx:1"}, []string{`eks-workshop:nginxImage = "ghcr.io/Acme/nginx:1"`, "full image reference", "1 problems"}},
	{"metrics-server left out on eks", "Config.metricsServer", "", map[string]string{"eks-workshop:metricsServer": "false"}, []string{"eks-workshop:metricsServer = false", "only the local target", "1 problems"}},
	{"local metrics-server unpinned", "MetricsServerArgs.version", "", map[string]string{"eks-workshop:target": "local", "eks-workshop:addonVersions": `{"metricsServer":""}`}, []string{`eks-workshop:addonVersions.metricsServer = ""`, "pinned to a version", "1 problems"}},

	{"reserved tag key", "ValidateTags.reserved", "", map[string]string{"eks-workshop:tags": `{"aws:owner":"me"}`}, []string{`tags = "aws:owner"`, "reserved for AWS"}},
	{"tag key too long", "ValidateTags.keyLength", "", map[string]string{"eks-workshop:tags": `{"` + strings.Repeat("k", 129) + `":"v"}`}, []string{`tags = "kkk`, "1 to 128 characters"}},
	{"tag value too long", "ValidateTags.valueLength", "", map[string]string{"eks-workshop:tags": `{"team":"` + strings.Repeat("v", 257) + `"}`}, []string{`tags = "team=vvv`, "at most 256 characters"}},
	{"tag characters", "ValidateTags.characters", "", map[string]string{"eks-workshop:tags": `{"team#1":"web"}`}, []string{`tags = "team#1"`, "letters, digits, spaces"}},
	{"too many tags", "ValidateTags.count", "", map[string]string{"eks-workshop:tags": manyTags(45)}, []string{"tags = 45", "AWS allows 50 tags", "may take 44"}},

	{"add-on version missing", "ClusterAddonsArgs.addonVersions", "", map[string]string{"eks-workshop:addonVersions": `{"metricsServer":""}`}, []string{`addonVersions.metricsServer = ""`, "every add-on is pinned"}},
	{"EKS add-on version", "ClusterAddonsArgs.addonVersions", "", map[string]string{"eks-workshop:addonVersions": `{"ebsCsiDriver":"1.56"}`}, []string{`addonVersions.ebsCsiDriver = "1.56"`, "EKS add-on version such as v1.45.0-eksbuild.1"}},
	{"chart version", "ClusterAddonsArgs.addonVersions", "", map[string]string{"eks-workshop:addonVersions": `{"awsLoadBalancerController":"latest"}`}, []string{`addonVersions.awsLoadBalancerController = "latest"`, "version such as 1.2.3"}},
	{"autoscaler of another minor version", "Config.autoscalerVersion", "", map[string]string{"eks-workshop:addonVersions": `{"clusterAutoscalerImage":"v1.33.3"}`}, []string{`addonVersions.clusterAutoscalerImage = "v1.33.3"`, "want v1.36.x"}},

	{"namespace", "AppArgs.namespace", "", map[string]string{"eks-workshop:namespace": "Dev"}, []string{`eks-workshop:namespace = "Dev"`, "RFC 1123", "1 problems"}},
	{"namespace of the system", "Config.namespace", "", map[string]string{"eks-workshop:namespace": "kube-system"}, []string{`namespace = "kube-system"`, "namespace of the environment's own"}},
	{"ingress group name", "AppArgs.ingress.groupName", "", map[string]string{"eks-workshop:ingressGroupName": "EKS_demo"}, []string{`eks-workshop:ingressGroupName = "EKS_demo"`, "up to 63 lowercase letters", "1 problems"}},
	{"ingress group name set empty", "Config.setToZero", "", map[string]string{"eks-workshop:ingressGroupName": ""}, []string{`ingressGroupName = ""`, "one ALB", "1 problems"}},
	{"target", "Config.target", "", map[string]string{"eks-workshop:target": "aws"}, []string{`target = "aws"`, "want eks or local"}},
	{"local registry", "Config.imageRegistry", "", map[string]string{"eks-workshop:target": "local", "eks-workshop:imageRegistry": "my registry"}, []string{`imageRegistry = "my registry"`, "registry host[:port]"}},
	{"wrong type", "decode", "", map[string]string{"eks-workshop:desiredSize": "three"}, []string{`eks-workshop:desiredSize = "three"`, "want an integer"}},
	{"unknown object field", "decode", "", map[string]string{"eks-workshop:nodeRoleAddonPolicies": `{"imageBuilder":true,"albIngress":true}`}, []string{"eks-workshop:nodeRoleAddonPolicies", "albIngress"}},
	// cert-manager is no longer installed: a stack still pinning it learns so at once.
	{"retired cert-manager pin", "decode", "", map[string]string{"eks-workshop:addonVersions": `{"certManager":"v1.17.2"}`}, []string{"eks-workshop:addonVersions", `unknown field "certManager"`}},
	{"several at once", "all at once", "", map[string]string{"eks-workshop:natGateway": "x", "eks-workshop:diskSize": "1", "eks-workshop:kubernetesVersion": "2.0"}, []string{"natGateway", "diskSize", "kubernetesVersion", "3 problems"}},
	{"an aws: key refused beside the rest", "all at once", "", map[string]string{"aws:token": "t", "eks-workshop:publicAccessCidrs": "[]"}, []string{"aws:token", "publicAccessCidrs = []", "2 problems"}},
}

// manyTags is a tags object of n valid tags.
func manyTags(n int) string {
	tags := map[string]string{}
	for i := range n {
		tags[fmt.Sprintf("tag%02d", i)] = "v"
	}
	raw, _ := json.Marshal(tags)
	return string(raw)
}

// manyTaints is a nodeTaints list of n valid taints.
func manyTaints(n int) string {
	taints := make([]map[string]string, n)
	for i := range taints {
		taints[i] = map[string]string{"key": fmt.Sprintf("taint%02d", i), "effect": "NoSchedule"}
	}
	raw, _ := json.Marshal(taints)
	return string(raw)
}

func TestBadConfigurationIsRejectedBeforeAnythingIsRegistered(t *testing.T) {
	for _, tc := range badConfigurations {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case runs the program under a monitor of its own
			stack := tc.stack
			if stack == "" {
				stack = "dev"
			}
			cfg := stackConfig(t, "dev")
			for k, v := range tc.set {
				cfg[k] = v
			}
			m := mocktest.New()
			err := m.Run(stack, cfg, Run)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			var configErr *config.ConfigError
			if !errors.As(err, &configErr) {
				t.Fatalf("%v is not a config.ConfigError", err)
			}
			for _, problem := range configErr.Problems {
				if !regexp.MustCompile(`^[a-z]+(-[a-z]+)?:\S+ = .+: .+`).MatchString(problem) {
					t.Errorf("problem %q does not say key = value: allowed", problem)
				}
			}
			if n := len(m.Resources()); n != 0 {
				t.Errorf("registered %d resources before rejecting the config", n)
			}
		})
	}
}

// Every rule a component checks on a value the configuration sets has a
// case above: the component's rule fires with zero registrations.
func TestEveryComponentRuleReachableFromConfigHasABadConfiguration(t *testing.T) {
	reachable := []string{
		"NetworkArgs.vpcCidr", "NetworkArgs.availabilityZones", "NetworkArgs.availabilityZoneCount", "NetworkArgs.natGateway",
		"EKSClusterArgs.clusterName", "EKSClusterArgs.kubernetesVersion", "EKSClusterArgs.enabledClusterLogTypes",
		"EKSClusterArgs.logRetentionDays", "EKSClusterArgs.endpointPrivateAccess", "EKSClusterArgs.publicAccessCidrs",
		"EKSClusterArgs.accessEntries.principalArn", "EKSClusterArgs.accessEntries.policy", "EKSClusterArgs.accessEntries.namespaces",
		"EKSClusterArgs.accessEntries.kubernetesGroups", "EKSClusterArgs.PhysicalNames",
		"ManagedNodeGroupArgs.nodeGroupName", "ManagedNodeGroupArgs.instanceTypes", "ManagedNodeGroupArgs.minSize",
		"ManagedNodeGroupArgs.maxSize", "ManagedNodeGroupArgs.desiredSize", "ManagedNodeGroupArgs.diskSize",
		"ManagedNodeGroupArgs.nodeLabels", "ManagedNodeGroupArgs.nodeTaints", "ManagedNodeGroupArgs.PhysicalNames",
		"ClusterAddonsArgs.region", "ClusterAddonsArgs.addonVersions", "ClusterAddonsArgs.PhysicalNames",
		"ECRImageArgs.repositoryName", "ImageBuild.context", "MetricsServerArgs.version",
		"AppArgs.namespace", "AppArgs.ingress.groupName",
		"ValidateTags.reserved", "ValidateTags.keyLength", "ValidateTags.valueLength", "ValidateTags.characters", "ValidateTags.count",
	}
	covered := map[string]bool{}
	for _, tc := range badConfigurations {
		covered[tc.rule] = true
	}
	for _, rule := range reachable {
		if !covered[rule] {
			t.Errorf("no bad configuration reaches %s", rule)
		}
	}
	if len(badConfigurations) < 40 {
		t.Errorf("%d bad configurations, want at least 40", len(badConfigurations))
	}
}

func TestProgramValidatesConfigBuiltInGo(t *testing.T) {
	cfg := config.DefaultConfig()
	cfg.Region = "ap-northeast-2"
	cfg.AppsDir = "../apps"
	cfg.MinSize = 9
	cfg.DiskSize = 0 // a value set in Go is validated as given, too
	m := mocktest.New()
	err := m.Run("embedded", nil, Program(cfg))
	var configErr *config.ConfigError
	if !errors.As(err, &configErr) || !strings.Contains(err.Error(), "desiredSize = 3") || !strings.Contains(err.Error(), "diskSize = 0") {
		t.Fatalf("err = %v, want a config.ConfigError about desiredSize and diskSize", err)
	}
	if n := len(m.Resources()); n != 0 {
		t.Errorf("registered %d resources", n)
	}
}

// lookup adapts a CLI-style config map to config.ParseStackConfig.
func lookup(cfg map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		if !strings.Contains(key, ":") {
			key = config.ProjectName + ":" + key
		}
		v, ok := cfg[key]
		return v, ok
	}
}
