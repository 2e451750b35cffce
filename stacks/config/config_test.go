package config

import (
	"reflect"
	"strings"
	"testing"
)

// lookup adapts a CLI-style config map to ParseConfig.
func lookup(cfg map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		if !strings.Contains(key, ":") {
			key = ProjectName + ":" + key
		}
		v, ok := cfg[key]
		return v, ok
	}
}

func TestObjectKeysLeftOutKeepTheirDefaults(t *testing.T) {
	cfg, err := ParseConfig(lookup(map[string]string{
		"aws:region": "ap-northeast-2", ProjectName + ":appsDir": "../../apps",
		ProjectName + ":addonVersions": `{"metricsServer":"3.13.0"}`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig().AddonVersions
	want.MetricsServer = "3.13.0"
	if cfg.AddonVersions != want {
		t.Errorf("addonVersions = %+v, want %+v", cfg.AddonVersions, want)
	}
}

func TestDefaultConfigWithARegionIsValid(t *testing.T) {
	cfg, err := ParseConfig(lookup(map[string]string{"aws:region": "eu-west-1", ProjectName + ":appsDir": "../../apps"}))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.InstanceTypes, []string{"m5.large"}) || cfg.Region != "eu-west-1" {
		t.Errorf("cfg = %+v", cfg)
	}
}

// With the Cluster Autoscaler on, the plan warns that desiredSize only sizes
// the node group at creation; with it off (negative control) desiredSize is
// applied on every update and there is nothing to warn about.
func TestPlanWarnsThatTheAutoscalerOwnsTheDesiredSize(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Region, cfg.AppsDir, cfg.DesiredSize = "ap-northeast-2", "../../apps", 4
	p, err := cfg.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "eks-workshop:desiredSize = 4") || !strings.Contains(p.Warnings[0], "ignored") {
		t.Errorf("warnings = %q, want one on desiredSize = 4 being ignored after creation", p.Warnings)
	}
	cfg.ClusterAutoscaler = false
	if p, err := cfg.Plan(); err != nil || len(p.Warnings) != 0 {
		t.Errorf("without the autoscaler: warnings = %q, %v; want none", p.Warnings, err)
	}
}
