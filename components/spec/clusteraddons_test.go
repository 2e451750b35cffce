package spec

import (
	"strings"
	"testing"
)

func TestClusterAddonsRequirePinnedVersions(t *testing.T) {
	err := ClusterAddonsArgs{Region: "ap-northeast-2", PodIdentity: true, ClusterAutoscaler: true}.Validate()
	for _, key := range []string{"metricsServer", "awsLoadBalancerController", "clusterAutoscaler", "clusterAutoscalerImage",
		"cloudwatchObservability", "ebsCsiDriver", "podIdentityAgent"} {
		if err == nil || !strings.Contains(err.Error(), "addonVersions."+key+` = ""`) {
			t.Errorf("unpinned %s accepted: %v", key, err)
		}
	}
}
