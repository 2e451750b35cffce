// Package stacks composes the components into the workshop environment. Its
// public contract is Config, LoadConfig, Program and Run: `pulumi up` calls
// Run; Automation API callers build a Config in Go and run Program(cfg).
package stacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/eks-workshop/eks-workshop/components"
)

// ProjectName namespaces this program's config keys ("eks-workshop:clusterName").
const ProjectName = "eks-workshop"

// Config is every setting of an environment. Each field's json name is its
// config key; Pulumi.yaml declares the same keys with the same defaults.
type Config struct {
	// Region is the AWS region, from the provider's `aws:region` key.
	Region string `json:"-"`

	// Network (eksctl's vpc: block).
	VpcCidr               string                    `json:"vpcCidr"`
	AvailabilityZones     []string                  `json:"availabilityZones"`
	AvailabilityZoneCount int                       `json:"availabilityZoneCount"`
	NatGateway            components.NatGatewayMode `json:"natGateway"`

	// Control plane.
	ClusterName            string                   `json:"clusterName"`
	KubernetesVersion      string                   `json:"kubernetesVersion"`
	EnabledClusterLogTypes []string                 `json:"enabledClusterLogTypes"`
	LogRetentionDays       int                      `json:"logRetentionDays"`
	EndpointPublicAccess   bool                     `json:"endpointPublicAccess"`
	EndpointPrivateAccess  bool                     `json:"endpointPrivateAccess"`
	PublicAccessCidrs      []string                 `json:"publicAccessCidrs"`
	SecretsEncryption      bool                     `json:"secretsEncryption"`
	AccessEntries          []components.AccessEntry `json:"accessEntries"`

	// Managed node group.
	NodeGroupName         string                   `json:"nodeGroupName"`
	InstanceTypes         []string                 `json:"instanceTypes"`
	DesiredSize           int                      `json:"desiredSize"`
	MinSize               int                      `json:"minSize"`
	MaxSize               int                      `json:"maxSize"`
	DiskSize              int                      `json:"diskSize"`
	NodeLabels            map[string]string        `json:"nodeLabels"`
	NodeTaints            []components.Taint       `json:"nodeTaints"`
	RequireImdsv2         bool                     `json:"requireImdsv2"`
	NodeRoleAddonPolicies components.AddonPolicies `json:"nodeRoleAddonPolicies"`
	ClusterAutoscaler     bool                     `json:"clusterAutoscaler"`

	// Container images (issue: apps/ built and pushed to ECR).
	AppsDir             string `json:"appsDir"`
	FlaskRepositoryName string `json:"flaskRepositoryName"`
	NginxRepositoryName string `json:"nginxRepositoryName"`
	EcrForceDelete      bool   `json:"ecrForceDelete"`

	// Workloads and platform.
	// Target is "eks" (this program builds the cluster) or "local" (any
	// cluster a kubeconfig reaches: EKS Anywhere, kind, minikube; no AWS).
	Target string `json:"target"`
	// Kubeconfig and KubeContext select the local target's cluster; empty means the ambient kubeconfig.
	Kubeconfig  string `json:"kubeconfig"`
	KubeContext string `json:"kubeContext"`
	// ImageRegistry is where the local target pushes images; PushImages false
	// builds them into a Docker daemon the cluster shares instead.
	ImageRegistry string `json:"imageRegistry"`
	PushImages    bool   `json:"pushImages"`
	// Namespace is the environment's namespace for the workloads.
	Namespace string `json:"namespace"`
	// TeamPrincipalArn, when set, may edit the namespace and nothing else.
	TeamPrincipalArn         string                   `json:"teamPrincipalArn"`
	NetworkPolicyEnforcement bool                     `json:"networkPolicyEnforcement"`
	PodIdentity              bool                     `json:"podIdentity"`
	AddonVersions            components.AddonVersions `json:"addonVersions"`
	IngressGroupName         string                   `json:"ingressGroupName"`
	// RenderYamlToDirectory writes the Kubernetes manifests there instead of
	// applying them, for a GitOps tool to sync.
	RenderYamlToDirectory string `json:"renderYamlToDirectory"`

	// Protect marks the VPC and the cluster (and everything under them) protected,
	// so `pulumi destroy` or a replacing change cannot delete them.
	Protect bool `json:"protect"`
	// Tags go on every AWS resource (as provider default tags).
	Tags map[string]string `json:"tags"`
}

// DefaultConfig is the configuration a key takes when a stack does not set
// it; Pulumi.yaml declares the same defaults (a test keeps them equal).
func DefaultConfig() Config {
	return Config{
		VpcCidr:                  "10.0.0.0/16",
		AvailabilityZones:        []string{},
		AvailabilityZoneCount:    3,
		NatGateway:               components.NatHighlyAvailable,
		ClusterName:              "eks-demo",
		KubernetesVersion:        "1.33",
		EnabledClusterLogTypes:   []string{"*"},
		LogRetentionDays:         90,
		EndpointPublicAccess:     true,
		EndpointPrivateAccess:    true,
		PublicAccessCidrs:        []string{"0.0.0.0/0"},
		SecretsEncryption:        true,
		AccessEntries:            []components.AccessEntry{},
		NodeGroupName:            "node-group",
		InstanceTypes:            []string{"m5.large"},
		DesiredSize:              3,
		MinSize:                  3,
		MaxSize:                  5,
		DiskSize:                 20,
		NodeLabels:               map[string]string{},
		NodeTaints:               []components.Taint{},
		RequireImdsv2:            true,
		ClusterAutoscaler:        true,
		AppsDir:                  "apps",
		FlaskRepositoryName:      "demo-flask-backend",
		NginxRepositoryName:      "demo-nginx",
		EcrForceDelete:           false,
		Target:                   TargetEKS,
		Kubeconfig:               "",
		KubeContext:              "",
		ImageRegistry:            "localhost:5000",
		PushImages:               true,
		Namespace:                "workshop",
		TeamPrincipalArn:         "",
		NetworkPolicyEnforcement: true,
		PodIdentity:              true,
		AddonVersions:            defaultAddonVersions,
		IngressGroupName:         "eks-demo-group",
		RenderYamlToDirectory:    "",
		Protect:                  false,
		Tags:                     map[string]string{},
	}
}

// The targets a stack can deploy to.
const (
	TargetEKS   = "eks"
	TargetLocal = "local"
)

// defaultAddonVersions are versions verified to exist and to support
// Kubernetes 1.33; raise them together with kubernetesVersion (the
// autoscaler's minor version must equal the cluster's).
var defaultAddonVersions = components.AddonVersions{
	MetricsServer:           "3.13.1", // app 0.8.1
	CertManager:             "v1.17.2",
	LoadBalancerController:  "1.17.1", // app v2.17.1
	ClusterAutoscaler:       "9.51.0",
	ClusterAutoscalerImage:  "v1.33.0",
	CloudWatchObservability: "v4.10.1-eksbuild.1",
	EbsCsiDriver:            "v1.56.0-eksbuild.1",
	PodIdentityAgent:        "v1.3.10-eksbuild.2",
}

// ConfigError lists every problem found in a stack's configuration.
type ConfigError struct {
	Problems []string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("invalid configuration (%d problems):\n  - %s", len(e.Problems), strings.Join(e.Problems, "\n  - "))
}

// LoadConfig reads and validates the stack's configuration. It registers
// nothing, so a bad configuration fails before any resource exists.
func LoadConfig(ctx *pulumi.Context) (Config, error) {
	project := config.New(ctx, "")
	aws := config.New(ctx, "aws")
	return ParseConfig(func(key string) (string, bool) {
		if key == "aws:region" {
			return aws.Get("region"), aws.Get("region") != ""
		}
		v := project.Get(key)
		return v, v != ""
	})
}

// ParseConfig builds a Config from raw config values (as the CLI passes them:
// strings, with arrays and objects JSON-encoded), applying DefaultConfig for
// absent keys, and validates it. Keys are unqualified, except "aws:region".
func ParseConfig(get func(key string) (string, bool)) (Config, error) {
	cfg := DefaultConfig()
	if region, ok := get("aws:region"); ok {
		cfg.Region = region
	}
	var problems []string
	target := reflect.ValueOf(&cfg).Elem()
	for _, f := range configFields() {
		value, ok := get(f.key)
		if !ok {
			continue
		}
		if err := decodeValue(target.Field(f.index), value); err != nil {
			problems = append(problems, fmt.Sprintf("%s:%s = %q: %v", ProjectName, f.key, value, err))
		}
	}
	if len(problems) > 0 {
		return cfg, &ConfigError{Problems: problems}
	}
	return cfg, cfg.Validate()
}

type configField struct {
	key   string
	index int
}

// configFields lists every config key with its Config field, in field order.
func configFields() []configField {
	var fields []configField
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		if key := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]; key != "" && key != "-" {
			fields = append(fields, configField{key: key, index: i})
		}
	}
	return fields
}

// decodeValue sets one field from its raw value: strings as they are, other
// types as JSON, strictly (an unknown object key is an error). Objects are
// decoded over the default, so the fields a stack leaves out keep it
// (`pulumi config set --path addonVersions.metricsServer ...` pins just one).
func decodeValue(field reflect.Value, value string) error {
	if field.Kind() == reflect.String {
		field.SetString(value)
		return nil
	}
	decoded := reflect.New(field.Type())
	if field.Kind() == reflect.Struct {
		decoded.Elem().Set(field)
	}
	dec := json.NewDecoder(strings.NewReader(value))
	dec.DisallowUnknownFields()
	if err := dec.Decode(decoded.Interface()); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fmt.Errorf("want %s", describeType(field.Type(), typeErr))
		}
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			return fmt.Errorf("want %s", describeKind(field.Type()))
		}
		return err
	}
	if dec.More() {
		return fmt.Errorf("want %s, got trailing data", describeKind(field.Type()))
	}
	field.Set(decoded.Elem())
	return nil
}

func describeType(t reflect.Type, e *json.UnmarshalTypeError) string {
	if e.Field != "" && e.Type != t {
		return fmt.Sprintf("%s at %s, not %s", describeKind(e.Type), e.Field, e.Value)
	}
	return fmt.Sprintf("%s, not %s", describeKind(t), e.Value)
}

func describeKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int:
		return "an integer"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(describeKind(t.Elem()), "a ")
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		return "a string"
	}
	return t.String()
}

// Validate reports every problem in the configuration at once, each naming
// its key, the value and what is allowed. The rules are the components'
// own; this maps their fields to config keys.
func (c Config) Validate() error {
	var problems []string
	add := func(key string, value any, allowed string) {
		problems = append(problems, (&components.FieldError{Field: key, Value: value, Allowed: allowed}).Error())
	}
	// fieldErrors reports a component's problems under the config keys that
	// set them: configKey maps an Args field to its key (nil: the same name).
	fieldErrors := func(err error, configKey func(field string) string) {
		for _, fe := range components.FieldErrors(err) {
			key := fe.Field
			if configKey != nil {
				key = configKey(fe.Field)
			}
			if !strings.Contains(key, ":") {
				key = ProjectName + ":" + key
			}
			add(key, fe.Value, fe.Allowed)
		}
	}

	switch c.Target {
	case TargetEKS:
		for _, z := range c.AvailabilityZones {
			if c.Region != "" && !strings.HasPrefix(z, c.Region) {
				add(ProjectName+":availabilityZones", z, "zone is not in region "+c.Region)
			}
		}
		fieldErrors(c.networkArgs().Validate(), nil)
		// The team's entry is the last one clusterArgs adds.
		teamEntry := fmt.Sprintf("accessEntries[%d].", len(c.AccessEntries))
		fieldErrors(c.clusterArgs().Validate(), func(field string) string {
			if c.TeamPrincipalArn != "" && strings.HasPrefix(field, teamEntry) {
				return "teamPrincipalArn"
			}
			return field
		})
		fieldErrors(c.nodeGroupArgs().Validate(), nil)
		fieldErrors(c.addonArgs().Validate(), func(field string) string {
			if field == "region" {
				return "aws:region"
			}
			return field
		})
	case TargetLocal:
		if !registryPattern.MatchString(c.ImageRegistry) {
			add(ProjectName+":imageRegistry", c.ImageRegistry, "want a registry host[:port][/path], e.g. localhost:5000")
		}
	default:
		add(ProjectName+":target", c.Target, "want eks or local")
	}
	if !components.ValidKubernetesName(c.Namespace) {
		add(ProjectName+":namespace", c.Namespace, "want a Kubernetes namespace name (lowercase RFC 1123 label)")
	}
	for _, w := range c.workloads() {
		err := w.imageBuild(c).Validate()
		if c.Target == TargetEKS {
			err = w.ecrImageArgs(c).Validate()
		}
		fieldErrors(err, func(field string) string {
			switch field {
			case "repositoryName":
				return w.repositoryKey
			case "context", "dockerfile", "platform":
				return "appsDir" // the build context is <appsDir>/<app>
			}
			return field
		})
	}
	if len(problems) > 0 {
		return &ConfigError{Problems: problems}
	}
	return nil
}

// registryPattern is a registry host with optional port and path.
var registryPattern = regexp.MustCompile(`^[a-zA-Z0-9.-]+(:\d{1,5})?(/[a-z0-9._/-]+)?$`)
