package components

import (
	"regexp"
	"testing"
)

// The App's ingressHostname is its Ingress's load balancer, which the mock
// names after the Ingress's group as the AWS Load Balancer Controller does:
// a different group, or none, shows in the hostname.
func TestAppIngressHostnameFollowsItsGroup(t *testing.T) {
	for _, tc := range []struct {
		name  string
		group string
		want  string
	}{
		{"the workshop's group", "eks-demo-group", `^k8s-eksdemogroup-[0-9a-f]{10}\.ap-northeast-2\.elb\.amazonaws\.com$`},
		{"another group", "shop.web", `^k8s-shopweb-[0-9a-f]{10}\.`},
		{"a group name over 17 characters", "a-very-long-group-name", `^k8s-averylonggroupnam-[0-9a-f]{10}\.`},
		{"an ALB of its own", "", `^k8s-workshop-demoflas-[0-9a-f]{10}\.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, outputs := runApp(t, func(a *AppArgs) {
				a.Ingress.GroupName = tc.group
				if tc.group == "" {
					a.Ingress.GroupOrder = 0 // an order needs a group
				}
			})
			if hostname, _ := outputs["ingressHostname"].(string); !regexp.MustCompile(tc.want).MatchString(hostname) {
				t.Errorf("ingressHostname = %q, want %s", hostname, tc.want)
			}
		})
	}
}
