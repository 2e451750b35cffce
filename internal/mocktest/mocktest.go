// Package mocktest is the one Pulumi mock monitor of this module, used by
// every test and by cmd/synth. It records each registration (type, name,
// inputs, parent, dependencies, provider, options) and each invoke, and
// answers with plausible AWS/Kubernetes outputs so programs run end to end
// under pulumi.WithMocks. Tests override single behaviours through its
// function fields; synth sets Placeholders so that every value the cloud
// would compute reads as an obvious placeholder.
package mocktest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/mocktest/recorded"
)

// Resource is one recorded registration; Invoke is one recorded function
// call (data source). They are package recorded's, under the names tests use.
type (
	Resource = recorded.Resource
	Invoke   = recorded.Invoke
)

// Project is the Pulumi project name tests run under; it namespaces config keys.
const Project = "eks-workshop"

// Fixed identity the mocked AWS account answers with.
const (
	AccountID = "123456789012"
	Partition = "aws"
	// CallerArn is an assumed-role session, as a CI runner or SSO user has;
	// IssuerArn is the role behind it.
	CallerArn = "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/ci-session"
	IssuerArn = "arn:aws:iam::123456789012:role/PlatformAdmin"
)

// Monitor implements pulumi.MockResourceMonitor.
type Monitor struct {
	// Region the mocked AWS provider reports.
	Region string
	// AvailabilityZones answered by aws:index/getAvailabilityZones.
	AvailabilityZones []string
	// Placeholders makes every value the mock invents for a resource (ids,
	// ARNs, endpoints, digests, keys, hostnames) a stable placeholder naming
	// its origin, "<computed:NAME.ATTR>" (see Placeholder), instead of a
	// realistic-looking fake such as "vpc-0a1b2c...". Invoke answers (the
	// account, the zones) stay the fixed values documented on this package.
	Placeholders bool
	// RootDirectory is the project root the program is told it runs in
	// (ctx.RootDirectory, PULUMI_ROOT_DIRECTORY under the engine); empty
	// leaves it unset, as Pulumi's mocks do.
	RootDirectory string
	// Preview runs the program as `pulumi preview` does (RunInfo.DryRun).
	Preview bool

	// NewResourceFunc, when set, is asked first; returning handled=false
	// falls through to the defaults.
	NewResourceFunc func(args pulumi.MockResourceArgs) (id string, state resource.PropertyMap, handled bool, err error)
	// CallFunc, when set, is asked first for every invoke.
	CallFunc func(args pulumi.MockCallArgs) (result resource.PropertyMap, handled bool, err error)

	// The account as preflight sees it (see preflight.go): applied quota
	// values by quota code (missing: DefaultQuotas'), the region's Elastic
	// IP addresses, each by its tags, and the EKS add-on builds offered
	// (by add-on name, for every Kubernetes version; missing: the default
	// configuration's pins).
	Quotas      map[string]float64
	ElasticIPs  []map[string]string
	AddonBuilds map[string]string

	mu        sync.Mutex
	ctx       *pulumi.Context
	resources []Resource
	invokes   []Invoke
	standins  map[string]string // names registered by registerReferenced -> the remote component's URN
	captured  map[string]any
	pending   sync.WaitGroup // captures not yet resolved
}

// New returns a monitor for an account in ap-northeast-2 (the workshop's region).
func New() *Monitor {
	return &Monitor{
		Region:            "ap-northeast-2",
		AvailabilityZones: []string{"ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"},
	}
}

// Run runs program under the mocks with the given stack name and config
// (keys as "project:key" or "aws:region", values as the CLI passes them:
// strings, with objects and arrays JSON-encoded).
func (m *Monitor) Run(stack string, config map[string]string, program pulumi.RunFunc) error {
	return pulumi.RunErr(func(ctx *pulumi.Context) error {
		m.mu.Lock()
		m.ctx = ctx
		m.mu.Unlock()
		return program(ctx)
	}, pulumi.WithMocks(Project, stack, m), func(info *pulumi.RunInfo) {
		info.Config, info.RootDirectory, info.DryRun = config, m.RootDirectory, m.Preview
	})
}

// MustRun is Run that fails the test on error.
func (m *Monitor) MustRun(t testing.TB, stack string, config map[string]string, program pulumi.RunFunc) {
	t.Helper()
	if err := m.Run(stack, config, program); err != nil {
		t.Fatalf("program failed: %v", err)
	}
}

// Capture records the resolved value of out under key, for assertions after Run.
func (m *Monitor) Capture(key string, out pulumi.Output) {
	m.pending.Add(1)
	out.ApplyT(func(v any) any {
		defer m.pending.Done()
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.captured == nil {
			m.captured = map[string]any{}
		}
		m.captured[key] = v
		return v
	})
}

// Captured returns the values recorded by Capture. Outputs built from plain
// values are not awaited by the run, so it waits for them (at most 10s).
func (m *Monitor) Captured() map[string]any {
	done := make(chan struct{})
	go func() { m.pending.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]any{}
	for k, v := range m.captured {
		out[k] = v
	}
	return out
}

// Resources returns every registration so far, in order.
func (m *Monitor) Resources() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Resource(nil), m.resources...)
}

// Invokes returns every recorded invoke.
func (m *Monitor) Invokes() []Invoke {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Invoke(nil), m.invokes...)
}

// ByType returns the registrations of one type token, sorted by name.
func (m *Monitor) ByType(typ string) []Resource {
	var out []Resource
	for _, r := range m.Resources() {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns the registration with this type and name, failing the test if absent.
func (m *Monitor) Get(t testing.TB, typ, name string) Resource {
	t.Helper()
	for _, r := range m.Resources() {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	var names []string
	for _, r := range m.ByType(typ) {
		names = append(names, r.Name)
	}
	t.Fatalf("no %s named %q registered; have %v", typ, name, names)
	return Resource{}
}

// Shuffled returns a copy of resources in an order rng picks, each with its
// dependencies reordered and one of them listed twice (as the SDK may), so
// that a test can show what it renders does not depend on the order of
// registration.
func Shuffled(resources []Resource, rng *rand.Rand) []Resource {
	out := append([]Resource(nil), resources...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	for i := range out {
		deps := append([]string(nil), out[i].Dependencies...)
		rng.Shuffle(len(deps), func(a, b int) { deps[a], deps[b] = deps[b], deps[a] })
		if len(deps) > 0 {
			deps = append(deps, deps[0])
		}
		out[i].Dependencies = deps
	}
	return out
}

// Call implements pulumi.MockResourceMonitor (invokes).
func (m *Monitor) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	m.invokes = append(m.invokes, Invoke{Token: args.Token, Args: args.Args, Provider: args.Provider})
	m.mu.Unlock()
	if m.CallFunc != nil {
		if out, handled, err := m.CallFunc(args); handled {
			return out, err
		}
	}
	switch args.Token {
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		var ids []string
		for i := range m.AvailabilityZones {
			ids = append(ids, fmt.Sprintf("apne2-az%d", i+1))
		}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": m.Region, "names": m.AvailabilityZones, "zoneIds": ids,
		}), nil
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": AccountID, "arn": CallerArn, "userId": "AROAEXAMPLE:ci-session", "id": AccountID,
		}), nil
	case "aws:iam/getSessionContext:getSessionContext":
		arn := args.Args["arn"].StringValue()
		issuer := arn
		if arn == CallerArn {
			issuer = IssuerArn
		}
		return resource.NewPropertyMapFromMap(map[string]any{
			"arn": arn, "issuerArn": issuer, "id": arn,
		}), nil
	case "aws:index/getPartition:getPartition":
		return resource.NewPropertyMapFromMap(map[string]any{
			"partition": Partition, "dnsSuffix": "amazonaws.com", "id": Partition,
		}), nil
	case "aws:index/getRegion:getRegion":
		return resource.NewPropertyMapFromMap(map[string]any{
			"name": m.Region, "id": m.Region, "endpoint": "ec2." + m.Region + ".amazonaws.com",
		}), nil
	case "aws:servicequotas/getServiceQuota:getServiceQuota", "aws:ec2/getEips:getEips",
		"aws:ec2/getInstanceType:getInstanceType", "aws:eks/getAddonVersion:getAddonVersion":
		return m.preflightCall(args)
	case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id":            m.Region,
			"userName":      "AWS",
			"password":      "mock-ecr-password",
			"proxyEndpoint": "https://" + AccountID + ".dkr.ecr." + m.Region + ".amazonaws.com",
		}), nil
	}
	return nil, fmt.Errorf("mocktest: no mock for invoke %s", args.Token)
}

// NewResource implements pulumi.MockResourceMonitor.
func (m *Monitor) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	id, state, err := m.newResource(args)
	if err != nil {
		return "", nil, err
	}
	rec := Resource{
		Type: args.TypeToken, Name: args.Name, ID: id, Custom: args.Custom,
		Provider: args.Provider, Inputs: args.Inputs,
	}
	if rpc := args.RegisterRPC; rpc != nil {
		rec.Parent = rpc.GetParent()
		rec.Dependencies = rpc.GetDependencies()
		rec.Protect = rpc.GetProtect()
		rec.Remote = rpc.GetRemote()
		rec.URN = urnOf(args.TypeToken, args.Name, rpc.GetParent(), m.stack())
	}
	if rpc := args.ReadRPC; rpc != nil { // a read (StackReference, Get), of a custom resource
		rec.Custom = true
		rec.Parent = rpc.GetParent()
		rec.Dependencies = rpc.GetDependencies()
		rec.URN = urnOf(args.TypeToken, args.Name, rpc.GetParent(), m.stack())
	}
	m.mu.Lock()
	rec.StandinFor, rec.Standin = m.standins[args.Name]
	m.resources = append(m.resources, rec)
	m.mu.Unlock()
	return id, state, nil
}

func (m *Monitor) stack() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ctx == nil {
		return ""
	}
	return m.ctx.Stack()
}

// urnOf mirrors the mock monitor's URN scheme so recorded parents can be matched.
func urnOf(typ, name, parent, stack string) string {
	parentType := ""
	if parent != "" {
		if p := resource.URN(parent); p.QualifiedType() != resource.RootStackType {
			parentType = string(p.QualifiedType()) + "$"
		}
	}
	return fmt.Sprintf("urn:pulumi:%s::%s::%s%s::%s", stack, Project, parentType, typ, name)
}

// Placeholder is how a Placeholders monitor shows the value attr of the
// resource named name: "<computed:eks-demo-vpc.id>". It is stable (no
// hashes, no run-dependent parts) and cannot be mistaken for a real value.
func Placeholder(name, attr string) string {
	return fmt.Sprintf("<computed:%s.%s>", name, attr)
}

// computed returns realistic, or with Placeholders the placeholder for the
// attribute attr of the resource named name.
func (m *Monitor) computed(name, attr, realistic string) string {
	if m.Placeholders {
		return Placeholder(name, attr)
	}
	return realistic
}

func (m *Monitor) newResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if m.NewResourceFunc != nil {
		if id, state, handled, err := m.NewResourceFunc(args); handled {
			return id, state, err
		}
	}
	state := args.Inputs.Copy()
	id := args.Name + "-id"
	if prefix, ok := idPrefixes[args.TypeToken]; ok {
		id = prefix + shortHash(args.Name)
	}
	switch {
	case args.TypeToken == "pulumi:pulumi:StackReference":
		// A stack with no outputs yet (NewResourceFunc gives others).
		state["outputs"] = resource.NewObjectProperty(resource.PropertyMap{})
	case args.TypeToken == "eks:index:Cluster":
		return m.mockEKSCluster(args, state)
	case args.TypeToken == "eks:index:ManagedNodeGroup":
		if err := m.mockManagedNodeGroup(args, state); err != nil {
			return "", nil, err
		}
	case strings.HasPrefix(args.TypeToken, "kubernetes:"):
		m.mockKubernetesState(args, state)
	default:
		m.mockCloudState(args, state, id)
	}
	return m.computed(args.Name, "id", id), state, nil
}

// idPrefixes start the IDs AWS gives these resources; the others' are <name>-id.
var idPrefixes = map[string]string{
	"aws:ec2/vpc:Vpc":                         "vpc-",
	"aws:ec2/subnet:Subnet":                   "subnet-",
	"aws:ec2/internetGateway:InternetGateway": "igw-",
	"aws:ec2/natGateway:NatGateway":           "nat-",
	"aws:ec2/eip:Eip":                         "eipalloc-",
	"aws:ec2/routeTable:RouteTable":           "rtb-",
	"aws:kms/key:Key":                         "key-",
}

// arn is the ARN of the resource named name in the mocked account and region.
func (m *Monitor) arn(service, kind, name string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", service, m.Region, AccountID, kind, name)
}

// mockCloudState fills the outputs AWS, Docker and the tls provider compute
// for a custom resource whose ID is id.
func (m *Monitor) mockCloudState(args pulumi.MockResourceArgs, state resource.PropertyMap, id string) {
	// set records an output the cloud computes.
	set := func(k, realistic string) {
		state[resource.PropertyKey(k)] = resource.NewStringProperty(m.computed(args.Name, k, realistic))
	}
	switch args.TypeToken {
	case "aws:ec2/vpc:Vpc":
		set("arn", m.arn("ec2", "vpc", args.Name))
	case "aws:ec2/eip:Eip":
		set("publicIp", "203.0.113.10")
	case "aws:iam/role:Role", "aws:iam/policy:Policy":
		kind := strings.Split(args.TypeToken, ":")[2] // "Role" or "Policy"
		set("arn", fmt.Sprintf("arn:aws:iam::%s:%s/%s", AccountID, strings.ToLower(kind), m.iamName(args, state)))
	case "aws:ec2/launchTemplate:LaunchTemplate":
		state["latestVersion"] = resource.NewNumberProperty(1) // a new template's first version
	case "aws:kms/key:Key":
		set("arn", m.arn("kms", "key", args.Name))
		set("keyId", id)
	case "aws:cloudwatch/logGroup:LogGroup":
		set("arn", m.arn("logs", "log-group", args.Name))
	case "aws:ecr/repository:Repository":
		name := args.Inputs["name"].StringValue()
		set("arn", fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", m.Region, AccountID, name))
		set("registryId", AccountID)
		set("repositoryUrl", fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", AccountID, m.Region, name))
	case "docker:index/image:Image":
		name := args.Inputs["imageName"].StringValue()
		colon := strings.LastIndex(name, ":") // the tag follows the last colon (a registry may have a port)
		// The placeholder names the tag, a hash of the sources: a change to
		// them shows in every Deployment running the image, as it will.
		state["repoDigest"] = resource.NewStringProperty(m.computed(args.Name, "repoDigest(tag="+name[colon+1:]+")",
			name[:colon]+"@sha256:"+fullHash(name)))
	case "tls:index/privateKey:PrivateKey":
		set("privateKeyPem", MockPEM("PRIVATE KEY", args.Name))
		set("publicKeyPem", MockPEM("PUBLIC KEY", args.Name))
	case "tls:index/certRequest:CertRequest":
		set("certRequestPem", MockPEM("CERTIFICATE REQUEST", args.Name))
	case "tls:index/selfSignedCert:SelfSignedCert", "tls:index/locallySignedCert:LocallySignedCert":
		set("certPem", MockPEM("CERTIFICATE", args.Name))
	}
}

// iamName is an IAM role's or policy's name: as given, or an auto-name, to
// which the provider appends a random suffix and which state then records.
func (m *Monitor) iamName(args pulumi.MockResourceArgs, state resource.PropertyMap) string {
	if n, ok := args.Inputs["name"]; ok && n.IsString() {
		return n.StringValue()
	}
	name := m.computed(args.Name, "name", args.Name)
	state["name"] = resource.NewStringProperty(name)
	return name
}

// mockManagedNodeGroup answers pulumi-eks's remote ManagedNodeGroup
// component, whose nodeGroup output is a reference to its node group.
func (m *Monitor) mockManagedNodeGroup(args pulumi.MockResourceArgs, state resource.PropertyMap) error {
	ref, err := m.registerReferenced(args, "aws:eks/nodeGroup:NodeGroup", args.Name+"-nodeGroup", map[string]any{
		"nodeGroupName": stringInput(args.Inputs, "nodeGroupName", args.Name),
		"arn":           m.computed(args.Name+"-nodeGroup", "arn", m.arn("eks", "nodegroup", args.Name)),
	})
	if err != nil {
		return err
	}
	state["nodeGroup"] = ref
	return nil
}

// mockEKSCluster answers pulumi-eks's remote Cluster component. Its outputs
// that are resource references (eksCluster, core.cluster) resolve only if the
// referenced resource exists, so it is registered first through the captured
// context.
func (m *Monitor) mockEKSCluster(args pulumi.MockResourceArgs, state resource.PropertyMap) (string, resource.PropertyMap, error) {
	name := stringInput(args.Inputs, "name", args.Name)
	computed := func(attr, realistic string) resource.PropertyValue {
		return resource.NewStringProperty(m.computed(args.Name, attr, realistic))
	}
	endpoint := m.computed(args.Name, "endpoint", fmt.Sprintf("https://%s.gr7.%s.eks.amazonaws.com", strings.ToUpper(shortHash(name)), m.Region))
	clusterRef, err := m.registerReferenced(args, "aws:eks/cluster:Cluster", args.Name+"-eksCluster", map[string]any{
		"name":     name,
		"arn":      m.computed(args.Name+"-eksCluster", "arn", fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", m.Region, AccountID, name)),
		"endpoint": endpoint,
		"version":  stringInput(args.Inputs, "version", "1.33"),
	})
	if err != nil {
		return "", nil, err
	}
	// pulumi-eks v3.9.1 (nodejs/eks/cluster/cluster.ts, generateKubeconfig):
	// providerCredentialOpts.roleArn becomes `--role <arn>`; its profileName
	// goes only into the kubeconfig of the cluster's own internal provider,
	// not into the kubeconfigJson output (core.kubeconfig is generated
	// without the profile).
	tokenArgs := []any{"--region", m.Region, "eks", "get-token", "--cluster-name", name, "--output", "json"}
	if opts, ok := args.Inputs["providerCredentialOpts"]; ok && opts.IsObject() {
		if role := stringInput(opts.ObjectValue(), "roleArn", ""); role != "" {
			tokenArgs = append(tokenArgs, "--role", role)
		}
	}
	kubeconfig := map[string]any{
		"apiVersion":      "v1",
		"kind":            "Config",
		"current-context": "aws",
		"clusters": []any{map[string]any{"name": "kubernetes", "cluster": map[string]any{
			"server": endpoint, "certificate-authority-data": m.computed(args.Name, "certificateAuthority.data", "bW9jaw=="),
		}}},
		"contexts": []any{map[string]any{"name": "aws", "context": map[string]any{"cluster": "kubernetes", "user": "aws"}}},
		"users": []any{map[string]any{"name": "aws", "user": map[string]any{"exec": map[string]any{
			"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
			"args": tokenArgs,
		}}}},
	}
	kubeconfigJSON, _ := json.Marshal(kubeconfig)
	oidcHost := m.computed(args.Name, "oidcIssuer", fmt.Sprintf("oidc.eks.%s.amazonaws.com/id/%s", m.Region, strings.ToUpper(fullHash(name)[:32])))
	set := func(k string, v resource.PropertyValue) { state[resource.PropertyKey(k)] = v }
	set("eksCluster", clusterRef)
	set("kubeconfig", resource.NewPropertyValue(kubeconfig))
	set("kubeconfigJson", resource.MakeSecret(resource.NewStringProperty(string(kubeconfigJSON))))
	set("oidcProviderArn", computed("oidcProviderArn", fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", AccountID, oidcHost)))
	set("oidcProviderUrl", computed("oidcProviderUrl", "https://"+oidcHost))
	set("oidcIssuer", resource.NewStringProperty(oidcHost))
	set("clusterSecurityGroupId", computed("clusterSecurityGroupId", "sg-cluster"+shortHash(name)))
	set("nodeSecurityGroupId", computed("nodeSecurityGroupId", "sg-node"+shortHash(name)))
	set("core", resource.NewObjectProperty(resource.PropertyMap{
		"cluster":  clusterRef,
		"endpoint": resource.NewStringProperty(endpoint),
		"vpcId":    args.Inputs["vpcId"],
	}))
	return m.computed(args.Name, "id", args.Name+"-id"), state, nil
}

// registerReferenced registers a custom resource through the program's
// context, as a child of the remote component owner would be, and returns a
// reference to it. The owner's transforms apply to it, as the engine
// applies them to a remote component's children.
func (m *Monitor) registerReferenced(owner pulumi.MockResourceArgs, typ, name string, props map[string]any) (resource.PropertyValue, error) {
	ownerURN := urnOf(owner.TypeToken, owner.Name, owner.RegisterRPC.GetParent(), m.stack())
	m.mu.Lock()
	ctx := m.ctx
	if m.standins == nil {
		m.standins = map[string]string{}
	}
	m.standins[name] = ownerURN
	m.mu.Unlock()
	if ctx == nil {
		return resource.PropertyValue{}, fmt.Errorf("mocktest: %s needs Monitor.Run to capture the context", typ)
	}
	inputs := pulumi.Map{}
	for k, v := range props {
		inputs[k] = pulumi.Any(v)
	}
	for _, transform := range owner.Transforms {
		if out := transform(context.Background(), &pulumi.ResourceTransformArgs{Custom: true, Type: typ, Name: name, Props: inputs}); out != nil {
			inputs = out.Props
		}
	}
	var res pulumi.CustomResourceState
	if err := ctx.RegisterResource(typ, name, inputs, &res); err != nil {
		return resource.PropertyValue{}, err
	}
	urn := make(chan pulumi.URN, 1)
	res.URN().ApplyT(func(u pulumi.URN) pulumi.URN { urn <- u; return u })
	return resource.MakeCustomResourceReference(resource.URN(<-urn), resource.ID(m.computed(name, "id", name+"-id")), ""), nil
}

// mockKubernetesState fills what the provider and the API server would:
// metadata.name for auto-named objects and a load balancer hostname for
// Ingresses.
func (m *Monitor) mockKubernetesState(args pulumi.MockResourceArgs, state resource.PropertyMap) {
	meta := resource.PropertyMap{}
	if v, ok := state["metadata"]; ok && v.IsObject() {
		meta = v.ObjectValue().Copy()
	}
	if n, ok := meta["name"]; !ok || n.IsNull() {
		meta["name"] = resource.NewStringProperty(m.computed(args.Name, "metadata.name", args.Name+"-"+shortHash(args.Name)[:8]))
	}
	state["metadata"] = resource.NewObjectProperty(meta)
	if strings.HasSuffix(args.TypeToken, ":Ingress") {
		hostname := m.computed(args.Name, "status.loadBalancer.ingress[0].hostname",
			albName(meta)+"."+m.Region+".elb.amazonaws.com")
		state["status"] = resource.NewPropertyValue(map[string]any{
			"loadBalancer": map[string]any{"ingress": []any{map[string]any{"hostname": hostname}}},
		})
	}
}

// notAlphanumeric is what the AWS Load Balancer Controller drops from an
// ALB's name.
var notAlphanumeric = regexp.MustCompile(`[^a-zA-Z0-9]`)

// albName names the ALB of an Ingress (its metadata) as the AWS Load
// Balancer Controller does (buildLoadBalancerName in
// pkg/ingress/model_build_load_balancer.go, kubernetes-sigs/
// aws-load-balancer-controller at e81baf5, read 2026-12-04): an explicit group
// (the group.name annotation) as k8s-<group, 17 characters>-<hash>, an
// Ingress of its own as k8s-<namespace, 8>-<name, 8>-<hash>. The hash is
// of the group, so the Ingresses of one group share the ALB.
func albName(meta resource.PropertyMap) string {
	str := func(v resource.PropertyValue) string {
		s, _ := recorded.Plain(v).(string)
		return s
	}
	var annotations resource.PropertyMap
	if a, ok := meta["annotations"]; ok && a.IsObject() {
		annotations = a.ObjectValue()
	}
	if group := str(annotations["alb.ingress.kubernetes.io/group.name"]); group != "" {
		return fmt.Sprintf("k8s-%.17s-%.10s", notAlphanumeric.ReplaceAllString(group, ""), fullHash(group))
	}
	namespace, name := str(meta["namespace"]), str(meta["name"])
	return fmt.Sprintf("k8s-%.8s-%.8s-%.10s", notAlphanumeric.ReplaceAllString(namespace, ""),
		notAlphanumeric.ReplaceAllString(name, ""), fullHash(namespace+"/"+name))
}

func stringInput(inputs resource.PropertyMap, key, fallback string) string {
	if v, ok := inputs[resource.PropertyKey(key)]; ok {
		if p, isString := recorded.Plain(v).(string); isString && p != "" {
			return p
		}
	}
	return fallback
}

func fullHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return fmt.Sprintf("%x", sum)
}

func shortHash(s string) string { return fullHash(s)[:17] }

// MockPEM is a PEM block that names what it stands for; it is not a real key
// or certificate (the tls provider makes those), but it is stable per name.
func MockPEM(kind, name string) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: []byte("mock " + kind + " of " + name)}))
}
