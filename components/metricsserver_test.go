package components

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

func runMetricsServer(t *testing.T, args spec.MetricsServerArgs) *mocktest.Monitor {
	t.Helper()
	m := mocktest.New()
	m.MustRun(t, "test", nil, func(ctx *pulumi.Context) error {
		k8s, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		_, err = NewMetricsServer(ctx, "local", &MetricsServerArgs{MetricsServerArgs: args, KubernetesProvider: k8s})
		return err
	})
	return m
}

func TestMetricsServerSkipsKubeletCertificateChecksOnlyWhenAsked(t *testing.T) {
	m := runMetricsServer(t, spec.MetricsServerArgs{Version: "3.13.1", KubeletInsecureTLS: true})
	chart := m.Get(t, chartType, "local-metrics-server")
	component := m.Get(t, "eks-workshop:index:MetricsServer", "local")
	if chart.Parent != component.URN || !strings.HasPrefix(chart.Provider, m.Get(t, "pulumi:providers:kubernetes", "k8s").URN+"::") {
		t.Errorf("chart parent %s, provider %s", chart.Parent, chart.Provider)
	}
	if chart.Input("version") != "3.13.1" || chart.Input("namespace") != "kube-system" || chart.Input("chart") != "metrics-server" {
		t.Errorf("chart = %v", chart.Plain())
	}
	args, _ := chart.Input("values.args").([]any)
	if !slices.Contains(args, any("--kubelet-insecure-tls")) {
		t.Errorf("args = %v, want --kubelet-insecure-tls", args)
	}

	verified := runMetricsServer(t, spec.MetricsServerArgs{Version: "3.13.1"}).Get(t, chartType, "local-metrics-server")
	if args := verified.Input("values.args"); args != nil {
		t.Errorf("args = %v without KubeletInsecureTLS, want the chart's defaults", args)
	}
}

func TestMetricsServerNeedsAPinnedVersion(t *testing.T) {
	fields := spec.FieldErrors(spec.MetricsServerArgs{}.Validate())
	if len(fields) != 1 || fields[0].Field != "version" {
		t.Errorf("problems = %v, want one about version", fields)
	}
	if err := (spec.MetricsServerArgs{Version: "3.13.1"}).Validate(); err != nil {
		t.Errorf("pinned version rejected: %v", err)
	}
}
