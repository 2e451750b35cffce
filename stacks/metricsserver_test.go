package stacks

import (
	"slices"

	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

const chartType = "kubernetes:helm.sh/v4:Chart"

func TestLocalStackInstallsMetricsServerForTheHPAs(t *testing.T) {
	t.Parallel()
	run := runStack(t, "local", nil)
	chart := run.Get(t, chartType, "local-metrics-server")
	if chart.Input("chart") != "metrics-server" || chart.Input("version") != config.DefaultConfig().AddonVersions.MetricsServer ||
		chart.Input("namespace") != "kube-system" || chart.Input("repositoryOpts.repo") != "https://kubernetes-sigs.github.io/metrics-server/" {
		t.Errorf("metrics-server chart = %v", chart.Plain())
	}
	// kind's (and minikube's, EKS Anywhere's) kubelets serve self-signed certificates.
	args, _ := chart.Input("values.args").([]any)
	if !slices.Contains(args, any("--kubelet-insecure-tls")) {
		t.Errorf("metrics-server args = %v, want --kubelet-insecure-tls", args)
	}
	provider := run.Get(t, "pulumi:providers:kubernetes", "k8s")
	if !strings.HasPrefix(chart.Provider, provider.URN+"::") {
		t.Errorf("metrics-server does not use the stack's kubernetes provider")
	}

	pinned := runStack(t, "local", map[string]string{"eks-workshop:addonVersions": `{"metricsServer":"3.12.2"}`})
	if v := pinned.Get(t, chartType, "local-metrics-server").Input("version"); v != "3.12.2" {
		t.Errorf("addonVersions.metricsServer ignored: version %v", v)
	}

	without := runStack(t, "local", map[string]string{"eks-workshop:metricsServer": "false"})
	if charts := without.ByType(chartType); len(charts) != 0 {
		t.Errorf("metricsServer false still registers %d charts", len(charts))
	}
}

// On EKS, ClusterAddons installs it, verifying the kubelets' certificates.
func TestEKSStackKeepsItsOwnMetricsServer(t *testing.T) {
	t.Parallel()
	run := runStack(t, "dev", nil)
	chart := run.Get(t, chartType, "eks-demo-metrics-server")
	if args := chart.Input("values.args"); args != nil {
		t.Errorf("EKS metrics-server args = %v, want the chart's defaults", args)
	}
	if n := len(run.ByType("eks-workshop:index:MetricsServer")); n != 0 {
		t.Errorf("eks target registers %d MetricsServer components besides ClusterAddons'", n)
	}
}

// The table in config_test.go rejects an unpinned chart; without
// metrics-server no version is needed.
func TestLocalStackWithoutMetricsServerNeedsNoChartVersion(t *testing.T) {
	cfg := stackConfig(t, "local")
	cfg["eks-workshop:addonVersions"] = `{"metricsServer":""}`
	cfg["eks-workshop:metricsServer"] = "false"
	if err := mocktest.New().Run("local", cfg, Run); err != nil {
		t.Errorf("metricsServer false still needs a chart version: %v", err)
	}
}
