package config

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const deployRole = "arn:aws:iam::123456789012:role/deploy"

// problemsWith parses the workshop's stack with settings over the defaults
// (keys as the CLI passes them, "aws:..." or unqualified) and returns its
// problems, exactly; nil when it is valid.
func problemsWith(t *testing.T, settings map[string]string) []string {
	t.Helper()
	_, err := problemKeys(t, "", settings)
	var configErr *ConfigError
	if errors.As(err, &configErr) {
		return configErr.Problems
	}
	if err != nil {
		t.Fatal(err)
	}
	return nil
}

// The aws: settings the program honours are read as the provider reads
// them: profile and retryMode as the plain strings the CLI passes, the
// others as JSON; none is refused.
func TestAWSSettingsAreRead(t *testing.T) {
	cfg, err := ParseStackConfig("prod", lookup(map[string]string{
		"aws:region": "ap-northeast-2", ProjectName + ":appsDir": "../../apps",
		"aws:profile":           "prod-admin",
		"aws:retryMode":         "adaptive",
		"aws:maxRetries":        "3",
		"aws:allowedAccountIds": `["123456789012"]`,
		"aws:assumeRole":        `{"roleArn":"` + deployRole + `","sessionName":"pulumi-prod","duration":"1h"}`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	three := 3
	want := AWSSettings{Profile: "prod-admin", RetryMode: "adaptive", MaxRetries: &three, AllowedAccountIds: []string{"123456789012"},
		AssumeRole: &AssumeRole{RoleArn: deployRole, SessionName: "pulumi-prod", Duration: "1h"}}
	if !reflect.DeepEqual(cfg.AWS, want) {
		t.Errorf("aws settings = %+v, want %+v", cfg.AWS, want)
	}
	// Negative control: none set, none held.
	plain, err := ParseConfig(lookup(map[string]string{"aws:region": "ap-northeast-2", ProjectName + ":appsDir": "../../apps"}))
	if err != nil || !reflect.DeepEqual(plain.AWS, AWSSettings{}) {
		t.Errorf("without aws: settings: %+v, %v", plain.AWS, err)
	}
}

// Every aws: setting the plan refuses names the key, the value and what is
// allowed; each case beside a value of the same key that is accepted.
func TestAWSSettingsRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  map[string]string
		want []string // the problems, exactly; nil: accepted
	}{
		{"default tags", map[string]string{"aws:defaultTags": `{"tags":{"team":"web"}}`},
			[]string{`aws:defaultTags = "{\"tags\":{\"team\":\"web\"}}": not supported: the stack sets the provider's default tags itself; put yours in eks-workshop:tags`}},
		{"a static key", map[string]string{"aws:accessKey": "AKIAEXAMPLE"},
			[]string{`aws:accessKey = "AKIAEXAMPLE": not supported: keys in stack config would reach the provider but not the kubeconfig's ` +
				"`aws eks get-token`; use aws:profile or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN environment, which both read"}},
		{"a setting the provider is not given", map[string]string{"aws:insecure": "true"},
			[]string{`aws:insecure = "true": not supported: this program's AWS provider does not take it (its aws: settings are region, profile, ` +
				"allowedAccountIds, forbiddenAccountIds, assumeRole, maxRetries, retryMode); remove it, or use its AWS_* environment variable"}},

		{"retries", map[string]string{"aws:maxRetries": "5"}, nil},
		{"retries not JSON", map[string]string{"aws:maxRetries": "five"},
			[]string{`aws:maxRetries = "five": want a JSON value, as ` + "`pulumi config set --path` stores it"}},
		{"retries as a JSON string", map[string]string{"aws:maxRetries": `"5"`},
			[]string{`aws:maxRetries = "\"5\"": cannot be read (json: cannot unmarshal string into Go struct field AWSSettings.maxRetries of type int); ` +
				"assumeRole takes only roleArn, sessionName and duration here: `aws eks get-token --role-arn` cannot repeat an external ID, session policy or tags"}},

		{"a role", map[string]string{"aws:assumeRole": `{"roleArn":"` + deployRole + `"}`}, nil},
		{"a role with an external ID", map[string]string{"aws:assumeRole": `{"roleArn":"` + deployRole + `","externalId":"x"}`},
			[]string{`aws:assumeRole = "{\"roleArn\":\"` + deployRole + `\",\"externalId\":\"x\"}": cannot be read (json: unknown field "externalId"); ` +
				"assumeRole takes only roleArn, sessionName and duration here: `aws eks get-token --role-arn` cannot repeat an external ID, session policy or tags"}},
		{"a user for a role", map[string]string{"aws:assumeRole": `{"roleArn":"arn:aws:iam::123456789012:user/deploy"}`},
			[]string{`aws:assumeRole = "arn:aws:iam::123456789012:user/deploy": want roleArn, an IAM role ARN such as arn:aws:iam::123456789012:role/deploy`}},
		// The duration STS accepts: 15 minutes to 12 hours, both included.
		{"the shortest session", map[string]string{"aws:assumeRole": `{"roleArn":"` + deployRole + `","duration":"15m"}`}, nil},
		{"the longest session", map[string]string{"aws:assumeRole": `{"roleArn":"` + deployRole + `","duration":"12h"}`}, nil},
		{"a session too short", map[string]string{"aws:assumeRole": `{"roleArn":"` + deployRole + `","duration":"14m59s"}`},
			[]string{`aws:assumeRole = "14m59s": want duration between 15m and 12h, e.g. 1h`}},
		{"a session too long", map[string]string{"aws:assumeRole": `{"roleArn":"` + deployRole + `","duration":"12h0m1s"}`},
			[]string{`aws:assumeRole = "12h0m1s": want duration between 15m and 12h, e.g. 1h`}},
		{"a session of no duration", map[string]string{"aws:assumeRole": `{"roleArn":"` + deployRole + `","duration":"an hour"}`},
			[]string{`aws:assumeRole = "an hour": want duration between 15m and 12h, e.g. 1h`}},

		{"allowed accounts", map[string]string{"aws:allowedAccountIds": `["123456789012"]`}, nil},
		{"forbidden accounts", map[string]string{"aws:forbiddenAccountIds": `["123456789012"]`}, nil},
		{"allowed and forbidden accounts", map[string]string{"aws:allowedAccountIds": `["123456789012"]`, "aws:forbiddenAccountIds": `["210987654321"]`},
			[]string{`aws:forbiddenAccountIds = ["210987654321"]: set either aws:allowedAccountIds or aws:forbiddenAccountIds, not both (the provider rejects both)`}},
		{"an account ID too short", map[string]string{"aws:forbiddenAccountIds": `["12345678901"]`},
			[]string{`aws:forbiddenAccountIds = "12345678901": want 12-digit AWS account IDs`}},

		{"standard retries", map[string]string{"aws:retryMode": "standard"}, nil},
		{"adaptive retries", map[string]string{"aws:retryMode": "adaptive"}, nil},
		{"legacy retries", map[string]string{"aws:retryMode": "legacy"}, []string{`aws:retryMode = "legacy": want standard or adaptive`}},
	} {
		if got := problemsWith(t, tc.set); !slices.Equal(got, tc.want) {
			t.Errorf("%s: problems\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
}

// Every aws: key refused is reported, each once, with the rest of the
// configuration's problems.
func TestAWSKeysRefusedAreAllReported(t *testing.T) {
	got := problemsWith(t, map[string]string{"aws:token": "t", "aws:maxRetries": "x", "vpcCidr": ""})
	var keys []string
	for _, p := range got {
		key, _, _ := strings.Cut(p, " = ")
		keys = append(keys, key)
	}
	// The aws: keys come in their sorted order.
	if want := []string{ProjectName + ":vpcCidr", "aws:maxRetries", "aws:token"}; !slices.Equal(keys, want) {
		t.Errorf("problems %q, want them under %v", got, want)
	}
}

// `aws eks update-kubeconfig` and the cluster's kubeconfig act as the
// provider's identity: its profile and its role, each only when set.
func TestKubeconfigActsAsTheProvidersIdentity(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       AWSSettings
		args    string
		profile string
		role    string
	}{
		{"ambient", AWSSettings{}, "", "", ""},
		{"a profile", AWSSettings{Profile: "prod-admin"}, " --profile prod-admin", "prod-admin", ""},
		{"a profile with a space", AWSSettings{Profile: "prod admin"}, " --profile 'prod admin'", "prod admin", ""},
		{"a role", AWSSettings{AssumeRole: &AssumeRole{RoleArn: deployRole}}, " --role-arn " + deployRole, "", deployRole},
		{"both", AWSSettings{Profile: "prod-admin", AssumeRole: &AssumeRole{RoleArn: deployRole, SessionName: "s"}},
			" --profile prod-admin --role-arn " + deployRole, "prod-admin", deployRole},
	} {
		if got := tc.s.UpdateKubeconfigArgs(); got != tc.args {
			t.Errorf("%s: update-kubeconfig args %q, want %q", tc.name, got, tc.args)
		}
		if id := tc.s.kubeconfigIdentity(); id.ProfileName != tc.profile || id.RoleArn != tc.role {
			t.Errorf("%s: kubeconfig identity %+v, want profile %q, role %q", tc.name, id, tc.profile, tc.role)
		}
	}
}
