package spec

import (
	"strings"
	"testing"
)

func TestPhysicalNamesOfTheWorkshopFit(t *testing.T) {
	addons := ClusterAddonsArgs{PodIdentity: true, ClusterAutoscaler: true}
	nodes := ManagedNodeGroupArgs{AddonPolicies: AddonPolicies{AutoScaler: true, AwsLoadBalancerController: true}}
	cluster := EKSClusterArgs{ClusterName: "eks-demo"}
	names := append(append(cluster.PhysicalNames("eks-demo"), addons.PhysicalNames("eks-demo")...), nodes.PhysicalNames("eks-demo-node-group")...)
	if len(names) != 4+4+8+4 {
		t.Errorf("%d names, want the cluster's 4, the add-ons' 4 log groups and 4 roles and policies, the node group's 4", len(names))
	}
	if worst, over := LongestPhysicalName(names); over {
		t.Errorf("the workshop's names do not fit: %s", worst)
	}
	if err := PhysicalNameError("clusterName", "eks-demo", names); err != nil {
		t.Error(err)
	}
}

func TestValidateTags(t *testing.T) {
	if err := ValidateTags(map[string]string{"team": "web", "cost-center": "CC 1234/a+b=c@d.e:f_g", "empty": ""}, 3); err != nil {
		t.Errorf("valid tags rejected: %v", err)
	}
	for _, tc := range []struct {
		tags   map[string]string
		budget int
		want   string
	}{
		{map[string]string{"aws:cloudformation:stack": "x"}, 5, `tags = "aws:cloudformation:stack": keys starting with aws: are reserved`},
		{map[string]string{"AWS:x": "x"}, 5, "reserved for AWS"},
		{map[string]string{"": "x"}, 5, `tags = "": want a tag key of 1 to 128`},
		{map[string]string{strings.Repeat("k", 129): "x"}, 5, "1 to 128 characters"},
		{map[string]string{"k": strings.Repeat("v", 257)}, 5, "at most 256 characters"},
		{map[string]string{"k!": "v"}, 5, `tags = "k!": want a tag key of letters`},
		{map[string]string{"k": "v;"}, 5, `tags = "k=v;": want a tag value of letters`},
		{map[string]string{"a": "1", "b": "2"}, 1, "tags = 2: AWS allows 50 tags on a resource; these tags may take 1"},
	} {
		err := ValidateTags(tc.tags, tc.budget)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ValidateTags(%v) = %v, want %q", tc.tags, err, tc.want)
		}
	}
}
