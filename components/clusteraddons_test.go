package components

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

const (
	chartType       = "kubernetes:helm.sh/v4:Chart"
	addonType       = "aws:eks/addon:Addon"
	associationType = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
)

var testAddonVersions = AddonVersions{
	MetricsServer: "3.12.2", LoadBalancerController: "1.13.4", ClusterAutoscaler: "9.47.0", ClusterAutoscalerImage: "v1.33.0",
	CloudWatchObservability: "v4.1.0-eksbuild.1", EbsCsiDriver: "v1.45.0-eksbuild.2", PodIdentityAgent: "v1.3.7-eksbuild.2",
}

func runAddons(t *testing.T, podIdentity bool) *mocktest.Monitor {
	t.Helper()
	m := mocktest.New()
	m.MustRun(t, "test", nil, func(ctx *pulumi.Context) error {
		cluster, err := newTestCluster(ctx)
		if err != nil {
			return err
		}
		k8s, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{Kubeconfig: cluster.KubeconfigJson})
		if err != nil {
			return err
		}
		nodes, err := NewManagedNodeGroup(ctx, "eks-demo-node-group", &ManagedNodeGroupArgs{
			ManagedNodeGroupArgs: spec.ManagedNodeGroupArgs{NodeGroupName: "node-group"},
			Cluster:              cluster,
			SubnetIDs:            pulumi.ToStringArray([]string{"subnet-priv-a", "subnet-priv-b"}),
		})
		if err != nil {
			return err
		}
		_, err = NewClusterAddons(ctx, "eks-demo", &ClusterAddonsArgs{
			ClusterAddonsArgs: spec.ClusterAddonsArgs{Region: "ap-northeast-2", Versions: testAddonVersions, ClusterAutoscaler: true, PodIdentity: podIdentity},
			Cluster:           cluster, VpcID: pulumi.ID("vpc-1"), KubernetesProvider: k8s, Nodes: nodes.Nodes,
		})
		return err
	})
	return m
}

func TestClusterAddonsInstallWhatTheWorkshopInstalls(t *testing.T) {
	m := runAddons(t, false)
	provider := m.Get(t, "pulumi:providers:kubernetes", "k8s")

	for name, want := range map[string]struct{ chart, version, repo string }{
		"eks-demo-metrics-server":               {"metrics-server", "3.12.2", "https://kubernetes-sigs.github.io/metrics-server/"},
		"eks-demo-aws-load-balancer-controller": {"aws-load-balancer-controller", "1.13.4", "https://aws.github.io/eks-charts"},
		"eks-demo-cluster-autoscaler":           {"cluster-autoscaler", "9.47.0", "https://kubernetes.github.io/autoscaler"},
	} {
		chart := m.Get(t, chartType, name)
		if chart.Input("chart") != want.chart || chart.Input("version") != want.version || chart.Input("repositoryOpts.repo") != want.repo {
			t.Errorf("%s = %v, want %+v", name, chart.Plain(), want)
		}
		if !strings.HasPrefix(chart.Provider, provider.URN+"::") {
			t.Errorf("%s does not use the cluster's kubernetes provider", name)
		}
	}
	lbc := m.Get(t, chartType, "eks-demo-aws-load-balancer-controller")
	if lbc.Input("values.clusterName") != "eks-demo" || lbc.Input("values.ingressClass") != "alb" ||
		lbc.Input("values.createIngressClassResource") != true || lbc.Input("values.region") != "ap-northeast-2" || lbc.Input("values.vpcId") != "vpc-1" {
		t.Errorf("load balancer controller values = %v", lbc.Input("values"))
	}
	// cert-manager is not installed: the controller's certificate, the one
	// thing the workshop installs it for, comes from the tls provider.
	if len(m.ByType(chartType)) != 3 || lbc.Input("values.enableCertManager") != nil {
		t.Errorf("charts = %d (want metrics-server, the controller, the autoscaler), enableCertManager = %v",
			len(m.ByType(chartType)), lbc.Input("values.enableCertManager"))
	}
	// The Service webhook is off (see TestNoCreateRacesTheLoadBalancerControllersWebhooks in stacks).
	if rendered, _ := spec.LoadBalancerControllerWebhooks[0].Rendered(lbc.Input("values").(map[string]any)); rendered ||
		spec.LoadBalancerControllerWebhooks[0].Resource != "services" {
		t.Errorf("the controller's values render its Service webhook: %v", lbc.Input("values"))
	}
	checkWebhookCertificate(t, m, lbc)
	ca := m.Get(t, chartType, "eks-demo-cluster-autoscaler")
	if ca.Input("values.autoDiscovery.clusterName") != "eks-demo" || ca.Input("values.image.tag") != "v1.33.0" || ca.Input("values.cloudProvider") != "aws" {
		t.Errorf("cluster autoscaler values = %v", ca.Input("values"))
	}
	addons := map[string]string{}
	for _, a := range m.ByType(addonType) {
		addons[a.Input("addonName").(string)] = a.Input("addonVersion").(string)
		if a.Input("clusterName") != "eks-demo" {
			t.Errorf("%s on cluster %v", a.Name, a.Input("clusterName"))
		}
	}
	if addons["amazon-cloudwatch-observability"] != "v4.1.0-eksbuild.1" || addons["aws-ebs-csi-driver"] != "v1.45.0-eksbuild.2" {
		t.Errorf("EKS add-ons = %v", addons)
	}
	checkContainerInsightsLogGroups(t, m)
	if _, ok := addons["eks-pod-identity-agent"]; ok || len(m.ByType(associationType)) != 0 {
		t.Errorf("node-role permissions mode installed Pod Identity")
	}
}

func TestClusterAddonsWithPodIdentityGiveEachControllerItsOwnRole(t *testing.T) {
	m := runAddons(t, true)
	agent := m.Get(t, addonType, "eks-demo-pod-identity-agent")
	if agent.Input("addonName") != "eks-pod-identity-agent" {
		t.Errorf("agent add-on = %v", agent.Plain())
	}
	want := map[string]string{
		"kube-system/aws-load-balancer-controller": "eks-demo-load-balancer-controller",
		"kube-system/cluster-autoscaler":           "eks-demo-cluster-autoscaler",
		"kube-system/ebs-csi-controller-sa":        "eks-demo-ebs-csi",
		"amazon-cloudwatch/cloudwatch-agent":       "eks-demo-cloudwatch",
	}
	for _, assoc := range m.ByType(associationType) {
		sa := assoc.Input("namespace").(string) + "/" + assoc.Input("serviceAccount").(string)
		roleName, ok := want[sa]
		if !ok {
			t.Errorf("unexpected association for %s", sa)
			continue
		}
		delete(want, sa)
		role := m.Get(t, roleType, roleName)
		if !strings.HasSuffix(assoc.Input("roleArn").(string), ":role/"+roleName) {
			t.Errorf("%s uses role %v, want %s", sa, assoc.Input("roleArn"), roleName)
		}
		var trust PolicyDocument
		_ = json.Unmarshal([]byte(role.Input("assumeRolePolicy").(string)), &trust)
		if !slices.Contains(trust.Statement[0].Principal["Service"], "pods.eks.amazonaws.com") || !slices.Contains(trust.Statement[0].Action, "sts:TagSession") {
			t.Errorf("%s trust policy = %+v, want pods.eks.amazonaws.com with sts:TagSession", roleName, trust)
		}
		// This cluster's pods only (the mock's cluster ARN and account).
		condition := trust.Statement[0].Condition
		if condition["StringEquals"]["aws:SourceAccount"] != mocktest.AccountID ||
			condition["ArnEquals"]["aws:SourceArn"] != "arn:aws:eks:ap-northeast-2:"+mocktest.AccountID+":cluster/eks-demo" {
			t.Errorf("%s trust policy condition = %v, want this account and cluster", roleName, condition)
		}
	}
	if len(want) != 0 {
		t.Errorf("no Pod Identity association for %v", want)
	}

	var scaling PolicyStatement
	for _, p := range m.ByType(policyType) {
		if p.Name != "eks-demo-cluster-autoscaler" {
			continue
		}
		var doc PolicyDocument
		_ = json.Unmarshal([]byte(p.Input("policy").(string)), &doc)
		for _, s := range doc.Statement {
			if slices.Contains(s.Action, "autoscaling:SetDesiredCapacity") {
				scaling = s
			}
		}
	}
	if scaling.Condition["StringEquals"]["aws:ResourceTag/k8s.io/cluster-autoscaler/eks-demo"] != "owned" {
		t.Errorf("autoscaler may scale any group: %+v", scaling)
	}

	// Controllers start only once the agent and their roles exist.
	lbc := m.Get(t, chartType, "eks-demo-aws-load-balancer-controller")
	if !slices.Contains(lbc.Dependencies, agent.URN) {
		t.Errorf("load balancer controller does not wait for the Pod Identity agent")
	}
	for _, assoc := range m.ByType(associationType) {
		if !slices.Contains(lbc.Dependencies, assoc.URN) {
			t.Errorf("load balancer controller does not wait for %s", assoc.Name)
		}
	}
}

// checkWebhookCertificate proves the controller's webhookTLS values are the
// tls provider's CA, serving certificate and key, the certificate is signed
// by that CA for every name the chart's webhook Service is reached by, and
// the key stays secret.
func checkWebhookCertificate(t *testing.T, m *mocktest.Monitor, lbc mocktest.Resource) {
	t.Helper()
	ca := m.Get(t, "tls:index/selfSignedCert:SelfSignedCert", "eks-demo-lbc-webhook-ca")
	cert := m.Get(t, "tls:index/locallySignedCert:LocallySignedCert", "eks-demo-lbc-webhook")
	request := m.Get(t, "tls:index/certRequest:CertRequest", "eks-demo-lbc-webhook")
	key := m.Get(t, "tls:index/privateKey:PrivateKey", "eks-demo-lbc-webhook")
	if ca.Input("isCaCertificate") != true || cert.Input("caCertPem") == nil || cert.Input("caCertPem") != mocktest.MockPEM("CERTIFICATE", ca.Name) {
		t.Errorf("serving certificate is not signed by the CA: %v", cert.Plain())
	}
	if !slices.Contains(cert.Input("allowedUses").([]any), "server_auth") {
		t.Errorf("serving certificate uses = %v", cert.Input("allowedUses"))
	}
	var names []string
	for _, n := range request.Input("dnsNames").([]any) {
		names = append(names, n.(string))
	}
	// The chart's webhook Service (aws-load-balancer-controller 1.17.1, _helpers.tpl webhookService).
	for _, want := range []string{"aws-load-balancer-webhook-service.kube-system.svc", "aws-load-balancer-webhook-service.kube-system.svc.cluster.local"} {
		if !slices.Contains(names, want) {
			t.Errorf("certificate names %v lack %s", names, want)
		}
	}
	for field, want := range map[string]string{
		"caCert": mocktest.MockPEM("CERTIFICATE", ca.Name),
		"cert":   mocktest.MockPEM("CERTIFICATE", cert.Name),
		"key":    mocktest.MockPEM("PRIVATE KEY", key.Name),
	} {
		if got := lbc.Input("values.webhookTLS." + field); got != want {
			t.Errorf("webhookTLS.%s = %v, want the tls provider's %q", field, got, want)
		}
	}
	if !lbc.IsSecret("values.webhookTLS.key") {
		t.Errorf("webhook key is not secret")
	}
}

// checkContainerInsightsLogGroups: the stack owns the log groups the
// CloudWatch add-on's agents write to, with its retention, and the add-on
// and the node group its agents run on wait for them (so they are never
// created by the agents, with no retention, and `pulumi destroy` deletes
// them only once nothing can write to them: TestLogGroupsAreDeletedLast).
// The EBS CSI driver, which writes no logs there, does not wait (negative
// control).
func checkContainerInsightsLogGroups(t *testing.T, m *mocktest.Monitor) {
	t.Helper()
	cloudwatch := m.Get(t, addonType, "eks-demo-amazon-cloudwatch-observability")
	nodes := m.Get(t, nodeGroupType, "eks-demo-node-group-nodes")
	ebs := m.Get(t, addonType, "eks-demo-aws-ebs-csi-driver")
	want := spec.ContainerInsightsLogGroups("eks-demo")
	groups := map[string]bool{}
	for _, g := range m.ByType("aws:cloudwatch/logGroup:LogGroup") {
		if !strings.HasPrefix(g.Input("name").(string), "/aws/containerinsights/") {
			continue // the control plane's
		}
		groups[g.Input("name").(string)] = true
		if g.Input("retentionInDays") != float64(spec.DefaultLogRetentionDays) {
			t.Errorf("%s retention = %v, want %d", g.Name, g.Input("retentionInDays"), spec.DefaultLogRetentionDays)
		}
		if !slices.Contains(cloudwatch.Dependencies, g.URN) || !slices.Contains(nodes.Dependencies, g.URN) {
			t.Errorf("the CloudWatch add-on or the node group does not wait for %s", g.Input("name"))
		}
		if slices.Contains(ebs.Dependencies, g.URN) {
			t.Errorf("the EBS CSI driver waits for %s", g.Input("name"))
		}
	}
	for _, name := range want {
		if !groups[name] {
			t.Errorf("no log group %s; have %v", name, groups)
		}
	}
	if len(groups) != len(want) {
		t.Errorf("log groups = %v, want %v", groups, want)
	}
}
