// Package config is the workshop environment's configuration: Config, its
// defaults, how the Pulumi CLI's stack config parses into it (ParseConfig,
// ParseStackConfig) and the Plan it validates into, every component's
// arguments. It registers nothing and imports no Pulumi package, so the
// organizer and the tests that only validate stay light; package stacks
// reads it from the Pulumi context (LoadConfig) and registers the Plan.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// ProjectName namespaces this program's config keys ("eks-workshop:clusterName").
const ProjectName = "eks-workshop"

// Config is every setting of an environment. Each field's json name is its
// config key; Pulumi.yaml declares the same keys with the same defaults.
type Config struct {
	// Region is the AWS region, from the provider's `aws:region` key.
	Region string `json:"-"`
	// Stack is the environment's name (the Pulumi stack; Program sets it).
	// Outside the workshop's stack, account-wide names left at their
	// defaults get "-<stack>" appended (see accountName).
	Stack string `json:"-"`
	// AWS are the stack's other aws: settings (profile, assumeRole, ...),
	// for the provider and the kubeconfig.
	AWS AWSSettings `json:"-"`
	// Today dates the Kubernetes version checks (spec.KubernetesCalendar);
	// zero means the day the program runs.
	Today time.Time `json:"-"`
	// Guard, set by the organizer for a participant, bounds the namespace
	// on the room's shared cluster (components.NamespaceGuard); no stack
	// setting sets it.
	Guard *spec.NamespaceGuardArgs `json:"-"`
	// RoomIngress, set by the organizer for a participant of a room whose
	// cluster it builds, puts the participant's apps on an internet-facing
	// ALB of their own; no stack setting sets it.
	RoomIngress *RoomIngress `json:"-"`

	// Network (eksctl's vpc: block).
	VpcCidr               string              `json:"vpcCidr"`
	AvailabilityZones     []string            `json:"availabilityZones"`
	AvailabilityZoneCount int                 `json:"availabilityZoneCount"`
	NatGateway            spec.NatGatewayMode `json:"natGateway"`

	// Control plane.
	ClusterName            string   `json:"clusterName"`
	KubernetesVersion      string   `json:"kubernetesVersion"`
	EnabledClusterLogTypes []string `json:"enabledClusterLogTypes"`
	// SupportType is what EKS does at the end of the version's standard
	// support: STANDARD upgrades the cluster, EXTENDED keeps it at the
	// extended rate.
	SupportType           spec.SupportType `json:"supportType"`
	LogRetentionDays      int              `json:"logRetentionDays"`
	EndpointPublicAccess  bool             `json:"endpointPublicAccess"`
	EndpointPrivateAccess bool             `json:"endpointPrivateAccess"`
	PublicAccessCidrs     []string         `json:"publicAccessCidrs"`
	SecretsEncryption     bool             `json:"secretsEncryption"`
	// SecretsKeyDeletionWindowDays is how long KMS waits before deleting the
	// secrets key that `pulumi destroy` scheduled for deletion, 7 to 30.
	SecretsKeyDeletionWindowDays int                `json:"secretsKeyDeletionWindowDays"`
	AccessEntries                []spec.AccessEntry `json:"accessEntries"`
	// DeployRoleArn is CI's deploy role, made cluster admin by an access
	// entry so that CI can update a cluster a person created (docs/security.md).
	DeployRoleArn string `json:"deployRoleArn"`

	// Compute: the workshop's managed node group, or EKS Auto Mode (no node
	// group: the keys below keep their defaults, see checkAutoMode).
	ComputeMode spec.ComputeMode `json:"computeMode"`

	// Managed node group.
	NodeGroupName         string             `json:"nodeGroupName"`
	InstanceTypes         []string           `json:"instanceTypes"`
	DesiredSize           int                `json:"desiredSize"`
	MinSize               int                `json:"minSize"`
	MaxSize               int                `json:"maxSize"`
	DiskSize              int                `json:"diskSize"`
	NodeLabels            map[string]string  `json:"nodeLabels"`
	NodeTaints            []spec.Taint       `json:"nodeTaints"`
	RequireImdsv2         bool               `json:"requireImdsv2"`
	NodeRoleAddonPolicies spec.AddonPolicies `json:"nodeRoleAddonPolicies"`
	ClusterAutoscaler     bool               `json:"clusterAutoscaler"`

	// Container images (issue: apps/ built and pushed to ECR).
	AppsDir             string `json:"appsDir"`
	FlaskRepositoryName string `json:"flaskRepositoryName"`
	NginxRepositoryName string `json:"nginxRepositoryName"`
	EcrForceDelete      bool   `json:"ecrForceDelete"`
	// FlaskImage and NginxImage, when set, are images built elsewhere (a CI
	// pipeline, a public registry): the stack builds nothing for that app and
	// deploys exactly this reference, on either target.
	FlaskImage string `json:"flaskImage"`
	NginxImage string `json:"nginxImage"`

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
	// MetricsServer installs metrics-server on the local target so the HPAs
	// get CPU metrics; the eks target always installs it (ClusterAddons).
	MetricsServer bool `json:"metricsServer"`
	// Namespace is the environment's namespace for the workloads.
	Namespace string `json:"namespace"`
	// TeamPrincipalArn, when set, may edit the namespace and nothing else.
	TeamPrincipalArn         string             `json:"teamPrincipalArn"`
	NetworkPolicyEnforcement bool               `json:"networkPolicyEnforcement"`
	PodIdentity              bool               `json:"podIdentity"`
	AddonVersions            spec.AddonVersions `json:"addonVersions"`
	IngressGroupName         string             `json:"ingressGroupName"`
	// CertificateArn, an ACM certificate in the stack's region, puts the
	// apps' ALB on HTTPS with HTTP redirected to it; RequireHTTPS refuses
	// a plan without one (prod).
	CertificateArn string `json:"certificateArn"`
	RequireHTTPS   bool   `json:"requireHttps"`
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
		VpcCidr:                      spec.DefaultVpcCidr,
		AvailabilityZones:            []string{},
		AvailabilityZoneCount:        spec.DefaultAvailabilityZoneCount,
		NatGateway:                   spec.DefaultNatGateway,
		ClusterName:                  DefaultClusterName,
		KubernetesVersion:            DefaultKubernetesVersion,
		SupportType:                  DefaultSupportType,
		EnabledClusterLogTypes:       []string{"*"},
		LogRetentionDays:             spec.DefaultLogRetentionDays,
		EndpointPublicAccess:         spec.DefaultEndpointPublicAccess,
		EndpointPrivateAccess:        true,
		PublicAccessCidrs:            []string{spec.DefaultPublicAccessCidr},
		SecretsEncryption:            true,
		SecretsKeyDeletionWindowDays: spec.DefaultSecretsKeyDeletionWindowDays,
		AccessEntries:                []spec.AccessEntry{},
		DeployRoleArn:                "",
		ComputeMode:                  spec.DefaultComputeMode,
		NodeGroupName:                DefaultNodeGroupName,
		InstanceTypes:                []string{spec.DefaultInstanceType},
		DesiredSize:                  spec.DefaultDesiredSize,
		MinSize:                      spec.DefaultDesiredSize,
		MaxSize:                      DefaultMaxSize,
		DiskSize:                     spec.DefaultDiskSize,
		NodeLabels:                   map[string]string{},
		NodeTaints:                   []spec.Taint{},
		RequireImdsv2:                true,
		ClusterAutoscaler:            true,
		AppsDir:                      DefaultAppsDir,
		FlaskRepositoryName:          DefaultFlaskRepositoryName,
		NginxRepositoryName:          DefaultNginxRepositoryName,
		EcrForceDelete:               false,
		FlaskImage:                   "",
		NginxImage:                   "",
		Target:                       TargetEKS,
		Kubeconfig:                   "",
		KubeContext:                  "",
		ImageRegistry:                DefaultImageRegistry,
		PushImages:                   true,
		MetricsServer:                true,
		Namespace:                    DefaultNamespace,
		TeamPrincipalArn:             "",
		NetworkPolicyEnforcement:     true,
		PodIdentity:                  true,
		AddonVersions:                defaultAddonVersions,
		IngressGroupName:             DefaultIngressGroupName,
		CertificateArn:               "",
		RequireHTTPS:                 false,
		RenderYamlToDirectory:        "",
		Protect:                      false,
		Tags:                         map[string]string{},
	}
}

// The targets a stack can deploy to.
const (
	TargetEKS   = "eks"
	TargetLocal = "local"
)

// ConfigError lists every problem found in a stack's configuration.
type ConfigError struct {
	Problems []string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("invalid configuration (%d problems):\n  - %s", len(e.Problems), strings.Join(e.Problems, "\n  - "))
}

// ParseConfig builds a Config from raw config values (as the CLI passes them:
// strings, with arrays and objects JSON-encoded), applying DefaultConfig for
// absent keys (get reports whether a key is set), and validates it. Keys are
// unqualified, except "aws:region". Set Stack and call Validate again for
// another environment than the workshop's.
func ParseConfig(get func(key string) (string, bool)) (Config, error) {
	return ParseStackConfig("", get)
}

// ParseStackConfig is ParseConfig for the stack named, whose account-wide
// names derive from it (stacks.LoadConfig, under `pulumi up`). A key the
// stack does not set takes its default; a key set to anything, even "" or
// [], keeps that value and is validated as given.
func ParseStackConfig(stack string, get func(key string) (string, bool)) (Config, error) {
	cfg, problems := parseConfig(get)
	cfg.Stack = stack
	if len(problems) > 0 {
		return cfg, &ConfigError{Problems: problems}
	}
	return cfg, cfg.Validate()
}

func parseConfig(get func(key string) (string, bool)) (Config, []string) {
	cfg := DefaultConfig()
	if region, ok := get("aws:region"); ok {
		cfg.Region = region
	}
	cfg.AWS = parseAWS(get)
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
	return cfg, problems
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
	// Only whitespace may follow (dec.More alone misses a stray ] or }).
	if _, err := dec.Token(); err != io.EOF {
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
// its key, the value and what is allowed: it builds the plan, every
// component's arguments, and runs the components' own rules on them.
func (c Config) Validate() error {
	_, err := c.Plan()
	return err
}

// registryPattern is a registry host with optional port and path.
var registryPattern = regexp.MustCompile(`^[a-zA-Z0-9.-]+(:\d{1,5})?(/[a-z0-9._/-]+)?$`)

// RoomIngress is a room participant's own ALB: an IngressGroup of theirs,
// so that no participant's routes shadow another's on a shared one.
type RoomIngress struct {
	GroupName string
	// FromCIDRs are the subnets the ALB sits in (the cluster's public
	// ones): the apps' NetworkPolicies admit them.
	FromCIDRs []string
}
