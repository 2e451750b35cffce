package stacks

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// The dev stack is the workshop's eksctl ClusterConfig (seed 000), setting for setting.
func TestDevStackReproducesTheWorkshop(t *testing.T) {
	t.Parallel()
	run := runStack(t, "dev", nil)

	t.Run("aws provider in ap-northeast-2 for every AWS resource", func(t *testing.T) {
		provider := run.Get(t, "pulumi:providers:aws", "aws")
		if provider.Input("region") != "ap-northeast-2" {
			t.Errorf("region = %v", provider.Input("region"))
		}
		for _, r := range run.Resources() {
			if r.Custom && !r.Standin && strings.HasPrefix(r.Type, "aws:") && !strings.HasPrefix(r.Provider, provider.URN+"::") {
				t.Errorf("%s %s uses provider %q, not the stack's", r.Type, r.Name, r.Provider)
			}
		}
	})

	t.Run("vpc: cidr 10.0.0.0/16 with DNS", func(t *testing.T) {
		vpc := run.Get(t, "aws:ec2/vpc:Vpc", "eks-demo-vpc")
		if vpc.Input("cidrBlock") != "10.0.0.0/16" || vpc.Input("enableDnsSupport") != true || vpc.Input("enableDnsHostnames") != true {
			t.Errorf("vpc = %v", vpc.Plain())
		}
	})

	t.Run("public and private subnet in each of three zones, tagged for EKS", func(t *testing.T) {
		for i, zone := range []string{"ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"} {
			for tier, role := range map[string]string{"public": "kubernetes.io/role/elb", "private": "kubernetes.io/role/internal-elb"} {
				s := run.Get(t, "aws:ec2/subnet:Subnet", fmt.Sprintf("eks-demo-%s-%d", tier, i))
				tags := s.Input("tags").(map[string]any)
				if s.Input("availabilityZone") != zone || tags[role] != "1" || tags["kubernetes.io/cluster/eks-demo"] != "shared" {
					t.Errorf("%s: zone %v tags %v", s.Name, s.Input("availabilityZone"), tags)
				}
			}
		}
	})

	t.Run("nat: HighlyAvailable, one gateway per zone", func(t *testing.T) {
		nats := run.ByType("aws:ec2/natGateway:NatGateway")
		routes := 0
		for _, r := range run.ByType("aws:ec2/route:Route") {
			if v, ok := r.Input("natGatewayId").(string); ok && v != "" {
				routes++
			}
		}
		if len(nats) != 3 || routes != 3 {
			t.Errorf("%d NAT gateways and %d private default routes, want 3 and 3", len(nats), routes)
		}
	})

	cluster := run.Get(t, "eks:index:Cluster", "eks-demo-cluster")
	// The workshop's 1.33 is past standard support: dev runs the default
	// version (README "Stacks"; 1.33 is one `pulumi config set` away).
	t.Run("cluster eks-demo, the default version, all five log types, API auth", func(t *testing.T) {
		for path, want := range map[string]any{
			"name": "eks-demo", "version": config.DefaultKubernetesVersion, "authenticationMode": "API",
			"skipDefaultNodeGroup": true, "createOidcProvider": true, "endpointPublicAccess": true,
		} {
			if got := cluster.Input(path); got != want {
				t.Errorf("%s = %v, want %v", path, got, want)
			}
		}
		if got := cluster.Input("enabledClusterLogTypes"); !reflect.DeepEqual(got, []any{"api", "audit", "authenticator", "controllerManager", "scheduler"}) {
			t.Errorf("log types = %v", got)
		}
		logs := run.Get(t, "aws:cloudwatch/logGroup:LogGroup", "eks-demo-logs")
		if logs.Input("name") != "/aws/eks/eks-demo/cluster" || logs.Input("retentionInDays") != 90.0 {
			t.Errorf("log group = %v", logs.Plain())
		}
	})

	t.Run("access entry: the deployer's role is cluster admin", func(t *testing.T) {
		if run.Outputs["clusterAdminPrincipalArn"] != mocktest.IssuerArn {
			t.Errorf("clusterAdminPrincipalArn = %v, want %s", run.Outputs["clusterAdminPrincipalArn"], mocktest.IssuerArn)
		}
	})

	group := run.Get(t, "eks:index:ManagedNodeGroup", "eks-demo-node-group-nodes")
	t.Run("node-group: m5.large x3, 20 GiB, private subnets, AL2023", func(t *testing.T) {
		for path, want := range map[string]any{
			"nodeGroupName": "node-group", "scalingConfig.desiredSize": 3.0, "operatingSystem": "AL2023",
		} {
			if got := group.Input(path); got != want {
				t.Errorf("%s = %v, want %v", path, got, want)
			}
		}
		// The node group's own launch template: 20 GiB, encrypted, and
		// eksctl's IMDSv2 with hop limit 2 (pods reach the node role, as the
		// workshop's add-ons need).
		template := run.Get(t, "aws:ec2/launchTemplate:LaunchTemplate", "eks-demo-node-group-launch-template")
		for path, want := range map[string]any{
			"blockDeviceMappings[0].ebs.volumeSize": 20.0, "blockDeviceMappings[0].ebs.encrypted": "true",
			"metadataOptions.httpTokens": "required", "metadataOptions.httpPutResponseHopLimit": 2.0,
		} {
			if got := template.Input(path); got != want {
				t.Errorf("launch template %s = %v, want %v", path, got, want)
			}
		}
		if got := group.Input("instanceTypes"); !reflect.DeepEqual(got, []any{"m5.large"}) {
			t.Errorf("instanceTypes = %v", got)
		}
		var private []any
		for i := 0; i < 3; i++ {
			private = append(private, run.Get(t, "aws:ec2/subnet:Subnet", fmt.Sprintf("eks-demo-private-%d", i)).ID)
		}
		if got := group.Input("subnetIds"); !reflect.DeepEqual(got, private) {
			t.Errorf("node subnets = %v, want the private ones %v", got, private)
		}
	})

	t.Run("node role: base policies and all five withAddonPolicies", func(t *testing.T) {
		var attached []string
		for _, a := range run.ByType("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
			arn := a.Input("policyArn").(string)
			attached = append(attached, arn[strings.LastIndex(arn, "/")+1:])
		}
		for _, want := range []string{"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly",
			"CloudWatchAgentServerPolicy", "AmazonEBSCSIDriverPolicy",
			"eks-demo-node-group-autoscaler", "eks-demo-node-group-load-balancer-controller"} {
			if !slices.Contains(attached, want) {
				t.Errorf("node role lacks %s (has %v)", want, attached)
			}
		}
		// imageBuilder, stricter than eksctl's: no push rights for every pod.
		if slices.Contains(attached, "AmazonEC2ContainerRegistryPowerUser") {
			t.Errorf("node role can push to ECR: %v", attached)
		}
	})

	t.Run("stack outputs", func(t *testing.T) {
		for _, key := range []string{"region", "vpcId", "publicSubnetIds", "privateSubnetIds", "clusterName", "clusterEndpoint", "kubeconfig", "nodeGroupName"} {
			if v, ok := run.Outputs[key]; !ok || v == "" || v == nil {
				t.Errorf("output %s missing", key)
			}
		}
		if run.Outputs["region"] != "ap-northeast-2" || run.Outputs["clusterName"] != "eks-demo" || run.Outputs["nodeGroupName"] != "node-group" {
			t.Errorf("outputs = %v", run.Outputs)
		}
		// The workshop's kubeconfig step, one copy-paste away.
		if got, want := run.Outputs["updateKubeconfigCommand"], "aws eks update-kubeconfig --region ap-northeast-2 --name eks-demo"; got != want {
			t.Errorf("updateKubeconfigCommand = %q, want %q", got, want)
		}
	})

	t.Run("nothing protected, so pulumi destroy cleans up", func(t *testing.T) {
		for _, r := range run.Resources() {
			if r.Protect {
				t.Errorf("%s %s is protected in dev", r.Type, r.Name)
			}
		}
	})
}

// Every resource a component creates is its child and carries its name as a
// prefix, so URNs and console names show where each resource comes from.
func TestComponentChildrenAreParentedAndPrefixed(t *testing.T) {
	t.Parallel()
	run := runStack(t, "dev", nil)
	components := map[string]mocktest.Resource{}
	for _, r := range run.Resources() {
		if strings.HasPrefix(r.Type, "eks-workshop:index:") {
			components[r.URN] = r
		}
	}
	if len(components) < 9 {
		t.Fatalf("only %d components registered", len(components))
	}
	for _, r := range run.Resources() {
		parent, ok := components[r.Parent]
		if !ok {
			continue
		}
		if !strings.HasPrefix(r.Name, parent.Name) {
			t.Errorf("%s %s, child of %s %s, is not prefixed with its name", r.Type, r.Name, parent.Type, parent.Name)
		}
	}
	for _, r := range run.Resources() {
		if r.Custom && !r.Standin && strings.HasPrefix(r.Type, "aws:") {
			if _, ok := components[r.Parent]; !ok {
				t.Errorf("AWS resource %s %s is not inside a component", r.Type, r.Name)
			}
		}
	}
}
