package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// AWSSettings are the stack's aws: settings. The program's AWS provider is
// explicit (for its default tags and a region Automation API callers can
// set in Go), and an explicit provider reads no aws: stack setting by
// itself: each one honoured here is handed to it, and those that decide who
// the program is (profile, assumeRole) to the kubeconfig's `aws eks
// get-token` too, so the Kubernetes side acts as the same identity.
type AWSSettings struct {
	Profile             string      `json:"profile,omitempty"`
	AllowedAccountIds   []string    `json:"allowedAccountIds,omitempty"`
	ForbiddenAccountIds []string    `json:"forbiddenAccountIds,omitempty"`
	AssumeRole          *AssumeRole `json:"assumeRole,omitempty"`
	MaxRetries          *int        `json:"maxRetries,omitempty"`
	RetryMode           string      `json:"retryMode,omitempty"`

	// refused are the problems of the aws: keys read, reported by Plan
	// with every other problem.
	refused []string
}

// AssumeRole is the part of aws:assumeRole the kubeconfig can repeat:
// `aws eks get-token --role-arn` assumes the role with no external ID,
// session policy or tags, so those are rejected rather than dropped there.
type AssumeRole struct {
	RoleArn     string `json:"roleArn"`
	SessionName string `json:"sessionName,omitempty"`
	Duration    string `json:"duration,omitempty"`
}

// awsKeys are the aws: settings the pinned pulumi-aws (v6.83.4) provider
// reads (its ProviderArgs; a test keeps the list complete): the honoured
// ones with "", the others with why they are rejected.
var awsKeys = map[string]string{
	"region":              "",
	"profile":             "",
	"allowedAccountIds":   "",
	"forbiddenAccountIds": "",
	"assumeRole":          "",
	"maxRetries":          "",
	"retryMode":           "",

	"accessKey": envCredentials, "secretKey": envCredentials, "token": envCredentials,
	"assumeRoleWithWebIdentity": "the kubeconfig's `aws eks get-token` cannot repeat it; set AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE in the environment, which both read",
	"sharedConfigFiles":         "the kubeconfig's `aws eks get-token` would not read them; set AWS_CONFIG_FILE in the environment, which both read",
	"sharedCredentialsFiles":    "the kubeconfig's `aws eks get-token` would not read them; set AWS_SHARED_CREDENTIALS_FILE in the environment, which both read",
	"defaultTags":               "the stack sets the provider's default tags itself; put yours in " + ProjectName + ":tags",
	"ignoreTags":                notHonoured, "customCaBundle": notHonoured, "ec2MetadataServiceEndpoint": notHonoured,
	"ec2MetadataServiceEndpointMode": notHonoured, "endpoints": notHonoured, "httpProxy": notHonoured,
	"httpsProxy": notHonoured, "noProxy": notHonoured, "insecure": notHonoured, "s3UsEast1RegionalEndpoint": notHonoured,
	"s3UsePathStyle": notHonoured, "skipCredentialsValidation": notHonoured, "skipMetadataApiCheck": notHonoured,
	"skipRegionValidation": notHonoured, "skipRequestingAccountId": notHonoured, "stsRegion": notHonoured,
	"tokenBucketRateLimiterCapacity": notHonoured, "useDualstackEndpoint": notHonoured, "useFipsEndpoint": notHonoured,
}

const (
	envCredentials = "keys in stack config would reach the provider but not the kubeconfig's `aws eks get-token`; " +
		"use aws:profile or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN environment, which both read"
	notHonoured = "this program's AWS provider does not take it (its aws: settings are region, profile, allowedAccountIds, " +
		"forbiddenAccountIds, assumeRole, maxRetries, retryMode); remove it, or use its AWS_* environment variable"
)

// AWSProviderKeys lists every aws: key the program looks at, for the test
// that keeps it equal to the provider's inputs.
func AWSProviderKeys() []string {
	return slices.Sorted(maps.Keys(awsKeys))
}

// parseAWS reads the aws: settings (all but region, which Config.Region
// holds); what it refuses, Plan reports.
func parseAWS(get func(key string) (string, bool)) AWSSettings {
	var p problems
	s := readAWS(get, &p)
	s.refused = p.list
	return s
}

func readAWS(get func(key string) (string, bool), p *problems) AWSSettings {
	raw := map[string]json.RawMessage{}
	for _, key := range slices.Sorted(maps.Keys(awsKeys)) {
		value, ok := get("aws:" + key)
		if !ok || key == "region" {
			continue
		}
		if why := awsKeys[key]; why != "" {
			p.add("aws:"+key, value, "not supported: "+why)
			continue
		}
		if key == "profile" || key == "retryMode" {
			quoted, _ := json.Marshal(value) // strings come unquoted
			value = string(quoted)
		}
		if !json.Valid([]byte(value)) {
			p.add("aws:"+key, value, "want a JSON value, as `pulumi config set --path` stores it")
			continue
		}
		raw[key] = json.RawMessage(value)
	}
	var s AWSSettings
	for key, value := range raw {
		one, _ := json.Marshal(map[string]json.RawMessage{key: value})
		dec := json.NewDecoder(strings.NewReader(string(one)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			p.add("aws:"+key, string(value), fmt.Sprintf("cannot be read (%v); assumeRole takes only roleArn, sessionName and duration here: "+
				"`aws eks get-token --role-arn` cannot repeat an external ID, session policy or tags", err))
		}
	}
	return s
}

var accountID = regexp.MustCompile(`^\d{12}$`)

// checkAWS reports the aws: keys refused and applies the rules of those
// the program honours.
func (c Config) checkAWS(p *problems) {
	p.list = append(p.list, c.AWS.refused...)
	for key, ids := range map[string][]string{"aws:allowedAccountIds": c.AWS.AllowedAccountIds, "aws:forbiddenAccountIds": c.AWS.ForbiddenAccountIds} {
		for _, id := range ids {
			if !accountID.MatchString(id) {
				p.add(key, id, "want 12-digit AWS account IDs")
			}
		}
	}
	if len(c.AWS.AllowedAccountIds) > 0 && len(c.AWS.ForbiddenAccountIds) > 0 {
		p.add("aws:forbiddenAccountIds", c.AWS.ForbiddenAccountIds, "set either aws:allowedAccountIds or aws:forbiddenAccountIds, not both (the provider rejects both)")
	}
	if r := c.AWS.AssumeRole; r != nil {
		if !spec.ValidIAMPrincipalArn(r.RoleArn) || !strings.Contains(r.RoleArn, ":role/") {
			p.add("aws:assumeRole", r.RoleArn, "want roleArn, an IAM role ARN such as arn:aws:iam::123456789012:role/deploy")
		}
		if d, err := time.ParseDuration(r.Duration); r.Duration != "" && (err != nil || d < 15*time.Minute || d > 12*time.Hour) {
			p.add("aws:assumeRole", r.Duration, "want duration between 15m and 12h, e.g. 1h")
		}
	}
	if m := c.AWS.RetryMode; m != "" && m != "standard" && m != "adaptive" {
		p.add("aws:retryMode", m, "want standard or adaptive")
	}
}

// kubeconfigIdentity is the provider's identity, for the kubeconfig.
func (s AWSSettings) kubeconfigIdentity() spec.KubeconfigIdentity {
	id := spec.KubeconfigIdentity{ProfileName: s.Profile}
	if s.AssumeRole != nil {
		id.RoleArn = s.AssumeRole.RoleArn
	}
	return id
}

// UpdateKubeconfigArgs are the identity flags of `aws eks update-kubeconfig`
// that give kubectl the same identity as the stack ("" for the ambient one).
func (s AWSSettings) UpdateKubeconfigArgs() string {
	var args string
	if s.Profile != "" {
		args += " --profile " + shellWord(s.Profile)
	}
	if s.AssumeRole != nil {
		args += " --role-arn " + s.AssumeRole.RoleArn
	}
	return args
}
