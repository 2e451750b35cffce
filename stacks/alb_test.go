package stacks

import (
	"strings"
	"testing"
)

// albUrl is the flask Ingress's load balancer, which the mock names after
// the Ingress's group.name annotation as the AWS Load Balancer Controller
// does: the stack's ingressGroupName shows in it.
func TestAlbUrlIsTheIngressGroupsLoadBalancer(t *testing.T) {
	t.Parallel()
	for group, prefix := range map[string]string{"": "http://k8s-eksdemogroup-", "shop.web": "http://k8s-shopweb-"} {
		overrides := map[string]string{}
		if group != "" {
			overrides["eks-workshop:ingressGroupName"] = group
		}
		run := runStack(t, "dev", overrides)
		if url, _ := run.Outputs["albUrl"].(string); !strings.HasPrefix(url, prefix) || !strings.HasSuffix(url, ".ap-northeast-2.elb.amazonaws.com") {
			t.Errorf("ingressGroupName %q: albUrl = %q, want %s…", group, url, prefix)
		}
	}
}
