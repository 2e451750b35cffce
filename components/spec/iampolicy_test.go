package spec

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// allPolicies lists every document this file builds, by name.
func allPolicies() map[string]PolicyDocument {
	return map[string]PolicyDocument{
		"ServiceTrustPolicy":                 ServiceTrustPolicy("ec2.amazonaws.com"),
		"PodIdentityTrustPolicy":             PodIdentityTrustPolicy(testAccount, testClusterArn),
		"AutoScalerPolicy":                   AutoScalerPolicy(),
		"ScopedAutoScalerPolicy":             ScopedAutoScalerPolicy("eks-demo"),
		"LoadBalancerControllerPolicy":       LoadBalancerControllerPolicy(),
		"ScopedLoadBalancerControllerPolicy": ScopedLoadBalancerControllerPolicy("eks-demo"),
	}
}

// roundTrip renders doc, failing the test on any encoding error, and decodes
// it back into a generic map as IAM would see it.
func roundTrip(t *testing.T, doc PolicyDocument) (string, map[string]any) {
	t.Helper()
	s, err := doc.marshal()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if got := doc.JSON(); got != s {
		t.Fatalf("JSON() = %q, marshal() = %q", got, s)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("unmarshal %s: %v", s, err)
	}
	return s, m
}

func genericStatements(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	raw, ok := m["Statement"].([]any)
	if !ok || len(raw) == 0 {
		t.Fatalf("Statement = %#v, want a non-empty list", m["Statement"])
	}
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		s, ok := r.(map[string]any)
		if !ok {
			t.Fatalf("Statement[%d] = %#v, want an object", i, r)
		}
		out[i] = s
	}
	return out
}

func stringList(t *testing.T, v any) []string {
	t.Helper()
	raw, ok := v.([]any)
	if !ok {
		t.Fatalf("%#v is not a list", v)
	}
	out := make([]string, len(raw))
	for i, r := range raw {
		s, ok := r.(string)
		if !ok {
			t.Fatalf("%#v is not a string", r)
		}
		out[i] = s
	}
	return out
}

// actionSet is the set of actions over all statements of doc.
func actionSet(doc PolicyDocument) map[string]bool {
	set := map[string]bool{}
	for _, s := range doc.Statement {
		for _, a := range s.Action {
			set[a] = true
		}
	}
	return set
}

func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var sidPattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)

func TestPoliciesRoundTrip(t *testing.T) {
	for name, doc := range allPolicies() {
		t.Run(name, func(t *testing.T) {
			s, m := roundTrip(t, doc)
			if m["Version"] != "2012-10-17" {
				t.Errorf("Version = %v, want 2012-10-17", m["Version"])
			}
			if strings.Contains(s, "\n") || strings.Contains(s, ": ") {
				t.Errorf("JSON is not compact: %s", s)
			}
			if again := doc.JSON(); again != s {
				t.Errorf("JSON is not deterministic:\n%s\n%s", s, again)
			}
			sids := map[string]bool{}
			for i, st := range genericStatements(t, m) {
				if st["Effect"] != "Allow" {
					t.Errorf("Statement[%d].Effect = %v, want Allow", i, st["Effect"])
				}
				actions := stringList(t, st["Action"])
				if len(actions) == 0 {
					t.Errorf("Statement[%d] has no actions", i)
				}
				for _, a := range actions {
					if a == "*" || !strings.Contains(a, ":") {
						t.Errorf("Statement[%d] has action %q, want service:Action", i, a)
					}
				}
				sid, _ := st["Sid"].(string)
				if !sidPattern.MatchString(sid) {
					t.Errorf("Statement[%d].Sid = %q, want a non-empty alphanumeric Sid", i, sid)
				}
				if sids[sid] {
					t.Errorf("Sid %q is used twice", sid)
				}
				sids[sid] = true
				// A trust policy names a principal and no resource; an
				// identity policy names resources and no principal.
				_, hasPrincipal := st["Principal"]
				_, hasResource := st["Resource"]
				if hasPrincipal == hasResource {
					t.Errorf("Statement[%d]: Principal present %v, Resource present %v; want exactly one", i, hasPrincipal, hasResource)
				}
				if hasResource && len(stringList(t, st["Resource"])) == 0 {
					t.Errorf("Statement[%d] has an empty Resource list", i)
				}
			}
		})
	}
}

func TestJSONReportsEncodingErrors(t *testing.T) {
	doc := newPolicyDocument(PolicyStatement{
		Effect:    effectAllow,
		Action:    []string{"s3:GetObject"},
		Resource:  []string{resourceAll},
		Condition: map[string]map[string]any{"Bool": {"bad": func() {}}},
	})
	if _, err := doc.marshal(); err == nil {
		t.Fatal("marshal of an unencodable condition succeeded")
	}
	if got := doc.JSON(); got != "" {
		t.Errorf("JSON() = %q, want \"\" on error", got)
	}
}

func TestJSONShape(t *testing.T) {
	got := ServiceTrustPolicy("ec2.amazonaws.com").JSON()
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"AllowServiceToAssumeRole","Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}`
	if got != want {
		t.Errorf("ServiceTrustPolicy JSON =\n%s\nwant\n%s", got, want)
	}
}

func checkTrustPolicy(t *testing.T, doc PolicyDocument, service string, actions ...string) {
	t.Helper()
	m := checkTrustPrincipal(t, doc, service, actions...)
	st := genericStatements(t, m)
	if _, ok := st[0]["Condition"]; ok {
		t.Errorf("unexpected Condition %v", st[0]["Condition"])
	}
}

// checkTrustPrincipal checks a trust policy's one statement's principal and
// actions, and returns the policy as IAM reads it.
func checkTrustPrincipal(t *testing.T, doc PolicyDocument, service string, actions ...string) map[string]any {
	t.Helper()
	_, m := roundTrip(t, doc)
	st := genericStatements(t, m)
	if len(st) != 1 {
		t.Fatalf("got %d statements, want 1", len(st))
	}
	principal, ok := st[0]["Principal"].(map[string]any)
	if !ok || len(principal) != 1 {
		t.Fatalf("Principal = %#v, want only a Service principal", st[0]["Principal"])
	}
	if got := stringList(t, principal["Service"]); !slices.Equal(got, []string{service}) {
		t.Errorf("Principal.Service = %v, want [%s]", got, service)
	}
	if got := stringList(t, st[0]["Action"]); !slices.Equal(got, actions) {
		t.Errorf("Action = %v, want %v", got, actions)
	}
	return m
}

func TestServiceTrustPolicy(t *testing.T) {
	for _, service := range []string{"ec2.amazonaws.com", "eks.amazonaws.com", "ec2.amazonaws.com.cn"} {
		t.Run(service, func(t *testing.T) {
			checkTrustPolicy(t, ServiceTrustPolicy(service), service, "sts:AssumeRole")
		})
	}
}

func TestAutoScalerPolicy(t *testing.T) {
	// eksctl's autoScalerStatements (pkg/cfn/builder/statement.go). It adds
	// ec2:GetInstanceTypesFromInstanceRequirements to the list in the eksctl
	// docs, for node groups defined by instance requirements.
	want := []string{
		"autoscaling:DescribeAutoScalingGroups",
		"autoscaling:DescribeAutoScalingInstances",
		"autoscaling:DescribeLaunchConfigurations",
		"autoscaling:DescribeScalingActivities",
		"autoscaling:DescribeTags",
		"autoscaling:SetDesiredCapacity",
		"autoscaling:TerminateInstanceInAutoScalingGroup",
		"ec2:DescribeImages",
		"ec2:DescribeInstanceTypes",
		"ec2:DescribeLaunchTemplateVersions",
		"ec2:GetInstanceTypesFromInstanceRequirements",
		"eks:DescribeNodegroup",
	}
	doc := AutoScalerPolicy()
	if got := sortedSet(actionSet(doc)); !slices.Equal(got, want) {
		t.Errorf("actions =\n%v\nwant\n%v", got, want)
	}
	for _, st := range doc.Statement {
		if !slices.Equal(st.Resource, []string{"*"}) {
			t.Errorf("%s: Resource = %v, want [*]", st.Sid, st.Resource)
		}
		if st.Condition != nil {
			t.Errorf("%s: unexpected Condition %v (eksctl grants these unconditionally)", st.Sid, st.Condition)
		}
	}
}

func TestLoadBalancerControllerPolicy(t *testing.T) {
	doc := LoadBalancerControllerPolicy()
	s, m := roundTrip(t, doc)
	if strings.Contains(s, `"Action":"*"`) || strings.Contains(s, `"Action":["*"]`) {
		t.Errorf("policy grants every action: %s", s)
	}

	actions := actionSet(doc)
	for _, a := range []string{
		"elasticloadbalancing:CreateLoadBalancer",
		"elasticloadbalancing:CreateTargetGroup",
		"elasticloadbalancing:AddListenerCertificates",
		"elasticloadbalancing:RegisterTargets",
		"ec2:AuthorizeSecurityGroupIngress",
		"ec2:CreateSecurityGroup",
		"ec2:DescribeRouteTables",
		"wafv2:AssociateWebACL",
		"waf-regional:AssociateWebACL",
		"shield:CreateProtection",
		"acm:DescribeCertificate",
		"cognito-idp:DescribeUserPoolClient",
		"iam:CreateServiceLinkedRole",
	} {
		if !actions[a] {
			t.Errorf("missing action %s", a)
		}
	}

	// Find statements in the decoded form, as IAM sees them.
	find := func(action string) []map[string]any {
		var out []map[string]any
		for _, st := range genericStatements(t, m) {
			if slices.Contains(stringList(t, st["Action"]), action) {
				out = append(out, st)
			}
		}
		return out
	}

	slr := find("iam:CreateServiceLinkedRole")
	if len(slr) != 1 {
		t.Fatalf("iam:CreateServiceLinkedRole is in %d statements, want 1", len(slr))
	}
	cond, _ := slr[0]["Condition"].(map[string]any)
	eq, _ := cond["StringEquals"].(map[string]any)
	if eq["iam:AWSServiceName"] != "elasticloadbalancing.amazonaws.com" {
		t.Errorf("iam:CreateServiceLinkedRole Condition = %v, want StringEquals iam:AWSServiceName = elasticloadbalancing.amazonaws.com", slr[0]["Condition"])
	}
	if got := stringList(t, slr[0]["Action"]); len(got) != 1 {
		t.Errorf("iam:CreateServiceLinkedRole shares its statement with %v", got)
	}

	// Creating load balancers and target groups requires the cluster tag.
	create := find("elasticloadbalancing:CreateLoadBalancer")
	if len(create) != 1 {
		t.Fatalf("elasticloadbalancing:CreateLoadBalancer is in %d statements, want 1", len(create))
	}
	cond, _ = create[0]["Condition"].(map[string]any)
	null, _ := cond["Null"].(map[string]any)
	if null["aws:RequestTag/elbv2.k8s.aws/cluster"] != "false" {
		t.Errorf("CreateLoadBalancer Condition = %v, want Null aws:RequestTag/elbv2.k8s.aws/cluster = false", create[0]["Condition"])
	}

	// Deleting is only allowed on resources the controller tagged.
	for _, a := range []string{"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup", "ec2:DeleteSecurityGroup"} {
		for _, st := range find(a) {
			cond, _ := st["Condition"].(map[string]any)
			null, _ := cond["Null"].(map[string]any)
			if null["aws:ResourceTag/elbv2.k8s.aws/cluster"] != "false" {
				t.Errorf("%s (%v) is not scoped to resources tagged elbv2.k8s.aws/cluster", a, st["Sid"])
			}
		}
	}

	// The multi-valued condition renders as a JSON list.
	tagOnCreate := false
	for _, st := range genericStatements(t, m) {
		cond, _ := st["Condition"].(map[string]any)
		eq, _ := cond["StringEquals"].(map[string]any)
		if v, ok := eq["elasticloadbalancing:CreateAction"]; ok {
			tagOnCreate = true
			if got := stringList(t, v); !slices.Equal(got, []string{"CreateTargetGroup", "CreateLoadBalancer"}) {
				t.Errorf("elasticloadbalancing:CreateAction = %v", got)
			}
		}
	}
	if !tagOnCreate {
		t.Error("no statement lets the controller tag load balancers and target groups on creation")
	}

	// Scoped resources are ARNs in the aws partition, as in the upstream policy.
	for _, st := range doc.Statement {
		for _, r := range st.Resource {
			if r != "*" && !strings.HasPrefix(r, "arn:aws:ec2:") && !strings.HasPrefix(r, "arn:aws:elasticloadbalancing:") {
				t.Errorf("%s: unexpected Resource %q", st.Sid, r)
			}
		}
	}
}
