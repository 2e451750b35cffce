package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// PolicyVersion is the current IAM policy language version.
const PolicyVersion = "2012-10-17"

const (
	effectAllow = "Allow"
	resourceAll = "*"

	// The AWS Load Balancer Controller tags every resource it creates with
	// elbv2.k8s.aws/cluster; its IAM policy scopes mutations to resources
	// (or requests) that carry that tag.
	requestTagELBCluster  = "aws:RequestTag/elbv2.k8s.aws/cluster"
	resourceTagELBCluster = "aws:ResourceTag/elbv2.k8s.aws/cluster"
)

// PolicyDocument is an IAM policy document, built from Go values so that it
// is checked by the compiler and rendered by encoding/json rather than by
// string templates.
type PolicyDocument struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// PolicyStatement is one statement of a PolicyDocument. Principal is only set
// in trust (assume-role) policies, Resource only in identity policies.
type PolicyStatement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal map[string][]string       `json:"Principal,omitempty"`
	Action    []string                  `json:"Action"`
	Resource  []string                  `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// JSON renders the document as compact JSON. The output is deterministic:
// struct fields keep their declared order and encoding/json sorts map keys.
// It never panics; the documents built in this package always render (see
// marshal, which the tests call to surface any error), so an error can only
// come from a caller putting an unencodable value in a Condition, in which
// case JSON returns "" and IAM rejects the empty policy loudly.
func (d PolicyDocument) JSON() string {
	s, err := d.marshal()
	if err != nil {
		return ""
	}
	return s
}

// marshal renders the document, reporting any encoding error. HTML escaping
// is off so that characters such as & in condition values reach IAM as is.
func (d PolicyDocument) marshal() (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return "", fmt.Errorf("rendering IAM policy document: %w", err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

func newPolicyDocument(statements ...PolicyStatement) PolicyDocument {
	return PolicyDocument{Version: PolicyVersion, Statement: statements}
}

// ServiceTrustPolicy lets the given AWS service principal (e.g.
// "ec2.amazonaws.com") assume a role (sts:AssumeRole).
func ServiceTrustPolicy(service string) PolicyDocument {
	return newPolicyDocument(PolicyStatement{
		Sid:       "AllowServiceToAssumeRole",
		Effect:    effectAllow,
		Principal: map[string][]string{"Service": {service}},
		Action:    []string{"sts:AssumeRole"},
	})
}

// PodIdentityTrustPolicy is the trust policy EKS Pod Identity needs: the
// service principal "pods.eks.amazonaws.com" may assume the role and tag the
// session (the agent passes the cluster, namespace and service account as
// session tags), on behalf of one cluster only. Without the aws:SourceAccount
// and aws:SourceArn conditions any cluster, in any account, could be
// associated with the role (the confused deputy the EKS user guide's
// pod-id-role page guards against with the same two conditions).
func PodIdentityTrustPolicy(account, clusterArn string) PolicyDocument {
	return newPolicyDocument(PolicyStatement{
		Sid:       "AllowEksAuthToAssumeRoleForPodIdentity",
		Effect:    effectAllow,
		Principal: map[string][]string{"Service": {"pods.eks.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole", "sts:TagSession"},
		Condition: map[string]map[string]any{
			"StringEquals": {"aws:SourceAccount": account},
			"ArnEquals":    {"aws:SourceArn": clusterArn},
		},
	})
}

// AccountOfArn is the account field of an ARN
// (arn:partition:service:region:account:resource), "" if arn has none.
func AccountOfArn(arn string) string {
	fields := strings.SplitN(arn, ":", 6)
	if len(fields) < 6 || fields[0] != "arn" {
		return ""
	}
	return fields[4]
}

// AutoScalerPolicy is what eksctl's `withAddonPolicies.autoScaler` grants the
// node role (autoScalerStatements in eksctl's pkg/cfn/builder/statement.go):
// read access to Auto Scaling groups and the EC2 data the Cluster Autoscaler
// uses to build node templates, plus the right to resize groups and
// terminate their instances. eksctl does not scope the mutating actions by a
// k8s.io/cluster-autoscaler tag condition; neither does this policy.
func AutoScalerPolicy() PolicyDocument {
	return newPolicyDocument(
		PolicyStatement{
			Sid:    "ClusterAutoscalerDiscovery",
			Effect: effectAllow,
			Action: []string{
				"autoscaling:DescribeAutoScalingGroups",
				"autoscaling:DescribeAutoScalingInstances",
				"autoscaling:DescribeLaunchConfigurations",
				"autoscaling:DescribeScalingActivities",
				"autoscaling:DescribeTags",
				"ec2:DescribeInstanceTypes",
				"ec2:DescribeLaunchTemplateVersions",
			},
			Resource: []string{resourceAll},
		},
		PolicyStatement{
			Sid:    "ClusterAutoscalerScaling",
			Effect: effectAllow,
			Action: []string{
				"autoscaling:SetDesiredCapacity",
				"autoscaling:TerminateInstanceInAutoScalingGroup",
				"ec2:DescribeImages",
				"ec2:GetInstanceTypesFromInstanceRequirements",
				"eks:DescribeNodegroup",
			},
			Resource: []string{resourceAll},
		},
	)
}

// LoadBalancerControllerPolicy is what eksctl's
// `withAddonPolicies.awsLoadBalancerController` grants
// (loadBalancerControllerStatements in eksctl's
// pkg/cfn/builder/statement.go), which is the AWS Load Balancer Controller's
// own IAM policy (docs/install/iam_policy.json in
// kubernetes-sigs/aws-load-balancer-controller): read access to ELB, EC2,
// ACM, Cognito, WAF, WAFv2 and Shield, the ELB service-linked role, and
// mutations of security groups, load balancers and target groups scoped by
// the elbv2.k8s.aws/cluster tag. ARNs are in the "aws" partition, as in the
// upstream policy.
func LoadBalancerControllerPolicy() PolicyDocument {
	return loadBalancerControllerPolicy("aws")
}

func loadBalancerControllerPolicy(partition string) PolicyDocument {
	arn := func(rest string) string { return "arn:" + partition + ":" + rest }
	statements := lbcLookupStatements()
	statements = append(statements, lbcSecurityGroupStatements([]string{arn("ec2:*:*:security-group/*")})...)
	statements = append(statements, lbcLoadBalancerStatements(arn)...)
	return newPolicyDocument(statements...)
}

// lbcLookupStatements let the controller read the account's network, load
// balancers and certificates, and attach WAF and Shield.
func lbcLookupStatements() []PolicyStatement {
	all := []string{resourceAll}
	return []PolicyStatement{
		PolicyStatement{
			Sid:      "CreateElbServiceLinkedRole",
			Effect:   effectAllow,
			Action:   []string{"iam:CreateServiceLinkedRole"},
			Resource: all,
			Condition: map[string]map[string]any{
				"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"},
			},
		},
		PolicyStatement{
			Sid:    "DescribeEc2AndElb",
			Effect: effectAllow,
			Action: []string{
				"ec2:DescribeAccountAttributes",
				"ec2:DescribeAddresses",
				"ec2:DescribeAvailabilityZones",
				"ec2:DescribeInternetGateways",
				"ec2:DescribeVpcs",
				"ec2:DescribeVpcPeeringConnections",
				"ec2:DescribeSubnets",
				"ec2:DescribeSecurityGroups",
				"ec2:DescribeInstances",
				"ec2:DescribeNetworkInterfaces",
				"ec2:DescribeTags",
				"ec2:GetCoipPoolUsage",
				"ec2:DescribeCoipPools",
				"ec2:GetSecurityGroupsForVpc",
				"ec2:DescribeIpamPools",
				"ec2:DescribeRouteTables",
				"elasticloadbalancing:DescribeLoadBalancers",
				"elasticloadbalancing:DescribeLoadBalancerAttributes",
				"elasticloadbalancing:DescribeListeners",
				"elasticloadbalancing:DescribeListenerCertificates",
				"elasticloadbalancing:DescribeSSLPolicies",
				"elasticloadbalancing:DescribeRules",
				"elasticloadbalancing:DescribeTargetGroups",
				"elasticloadbalancing:DescribeTargetGroupAttributes",
				"elasticloadbalancing:DescribeTargetHealth",
				"elasticloadbalancing:DescribeTags",
				"elasticloadbalancing:DescribeTrustStores",
				"elasticloadbalancing:DescribeListenerAttributes",
				"elasticloadbalancing:DescribeCapacityReservation",
			},
			Resource: all,
		},
		PolicyStatement{
			Sid:    "CertificatesCognitoWafShield",
			Effect: effectAllow,
			Action: []string{
				"cognito-idp:DescribeUserPoolClient",
				"acm:ListCertificates",
				"acm:DescribeCertificate",
				"iam:ListServerCertificates",
				"iam:GetServerCertificate",
				"waf-regional:GetWebACL",
				"waf-regional:GetWebACLForResource",
				"waf-regional:AssociateWebACL",
				"waf-regional:DisassociateWebACL",
				"wafv2:GetWebACL",
				"wafv2:GetWebACLForResource",
				"wafv2:AssociateWebACL",
				"wafv2:DisassociateWebACL",
				"shield:GetSubscriptionState",
				"shield:DescribeProtection",
				"shield:CreateProtection",
				"shield:DeleteProtection",
			},
			Resource: all,
		},
	}
}

// lbcSecurityGroupStatements let the controller make security groups and
// change those it tagged as its own.
func lbcSecurityGroupStatements(securityGroups []string) []PolicyStatement {
	all := []string{resourceAll}
	return []PolicyStatement{
		PolicyStatement{
			Sid:    "ManageSecurityGroupIngress",
			Effect: effectAllow,
			Action: []string{
				"ec2:AuthorizeSecurityGroupIngress",
				"ec2:RevokeSecurityGroupIngress",
			},
			Resource: all,
		},
		PolicyStatement{
			Sid:      "CreateSecurityGroup",
			Effect:   effectAllow,
			Action:   []string{"ec2:CreateSecurityGroup"},
			Resource: all,
		},
		PolicyStatement{
			Sid:      "TagNewSecurityGroup",
			Effect:   effectAllow,
			Action:   []string{"ec2:CreateTags"},
			Resource: securityGroups,
			Condition: map[string]map[string]any{
				"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
				"Null":         {requestTagELBCluster: "false"},
			},
		},
		PolicyStatement{
			Sid:    "RetagOwnedSecurityGroup",
			Effect: effectAllow,
			Action: []string{
				"ec2:CreateTags",
				"ec2:DeleteTags",
			},
			Resource: securityGroups,
			Condition: map[string]map[string]any{
				"Null": {
					requestTagELBCluster:  "true",
					resourceTagELBCluster: "false",
				},
			},
		},
		PolicyStatement{
			Sid:    "ManageOwnedSecurityGroup",
			Effect: effectAllow,
			Action: []string{
				"ec2:AuthorizeSecurityGroupIngress",
				"ec2:RevokeSecurityGroupIngress",
				"ec2:DeleteSecurityGroup",
			},
			Resource: all,
			Condition: map[string]map[string]any{
				"Null": {resourceTagELBCluster: "false"},
			},
		},
	}
}

// lbcLoadBalancerStatements let the controller make load balancers and
// target groups and change those it tagged as its own; arn makes an ARN of
// the policy's partition.
func lbcLoadBalancerStatements(arn func(string) string) []PolicyStatement {
	targetGroups := arn("elasticloadbalancing:*:*:targetgroup/*/*")
	balancersAndTargetGroups := []string{
		targetGroups,
		arn("elasticloadbalancing:*:*:loadbalancer/net/*/*"),
		arn("elasticloadbalancing:*:*:loadbalancer/app/*/*"),
	}
	listenersAndRules := []string{
		arn("elasticloadbalancing:*:*:listener/net/*/*/*"),
		arn("elasticloadbalancing:*:*:listener/app/*/*/*"),
		arn("elasticloadbalancing:*:*:listener-rule/net/*/*/*"),
		arn("elasticloadbalancing:*:*:listener-rule/app/*/*/*"),
	}
	all := []string{resourceAll}
	return []PolicyStatement{
		PolicyStatement{
			Sid:    "CreateTaggedLoadBalancerAndTargetGroup",
			Effect: effectAllow,
			Action: []string{
				"elasticloadbalancing:CreateLoadBalancer",
				"elasticloadbalancing:CreateTargetGroup",
			},
			Resource: all,
			Condition: map[string]map[string]any{
				"Null": {requestTagELBCluster: "false"},
			},
		},
		PolicyStatement{
			Sid:    "ManageListenersAndRules",
			Effect: effectAllow,
			Action: []string{
				"elasticloadbalancing:CreateListener",
				"elasticloadbalancing:DeleteListener",
				"elasticloadbalancing:CreateRule",
				"elasticloadbalancing:DeleteRule",
			},
			Resource: all,
		},
		PolicyStatement{
			Sid:    "RetagOwnedLoadBalancerAndTargetGroup",
			Effect: effectAllow,
			Action: []string{
				"elasticloadbalancing:AddTags",
				"elasticloadbalancing:RemoveTags",
			},
			Resource: balancersAndTargetGroups,
			Condition: map[string]map[string]any{
				"Null": {
					requestTagELBCluster:  "true",
					resourceTagELBCluster: "false",
				},
			},
		},
		PolicyStatement{
			Sid:    "TagListenersAndRules",
			Effect: effectAllow,
			Action: []string{
				"elasticloadbalancing:AddTags",
				"elasticloadbalancing:RemoveTags",
			},
			Resource: listenersAndRules,
		},
		PolicyStatement{
			Sid:    "ModifyOwnedLoadBalancerAndTargetGroup",
			Effect: effectAllow,
			Action: []string{
				"elasticloadbalancing:ModifyLoadBalancerAttributes",
				"elasticloadbalancing:SetIpAddressType",
				"elasticloadbalancing:SetSecurityGroups",
				"elasticloadbalancing:SetSubnets",
				"elasticloadbalancing:DeleteLoadBalancer",
				"elasticloadbalancing:ModifyTargetGroup",
				"elasticloadbalancing:ModifyTargetGroupAttributes",
				"elasticloadbalancing:DeleteTargetGroup",
				"elasticloadbalancing:ModifyListenerAttributes",
				"elasticloadbalancing:ModifyCapacityReservation",
				"elasticloadbalancing:ModifyIpPools",
			},
			Resource: all,
			Condition: map[string]map[string]any{
				"Null": {resourceTagELBCluster: "false"},
			},
		},
		PolicyStatement{
			Sid:      "TagOnCreateLoadBalancerAndTargetGroup",
			Effect:   effectAllow,
			Action:   []string{"elasticloadbalancing:AddTags"},
			Resource: balancersAndTargetGroups,
			Condition: map[string]map[string]any{
				"StringEquals": {
					"elasticloadbalancing:CreateAction": []string{"CreateTargetGroup", "CreateLoadBalancer"},
				},
				"Null": {requestTagELBCluster: "false"},
			},
		},
		PolicyStatement{
			Sid:    "RegisterTargets",
			Effect: effectAllow,
			Action: []string{
				"elasticloadbalancing:RegisterTargets",
				"elasticloadbalancing:DeregisterTargets",
			},
			Resource: []string{targetGroups},
		},
		PolicyStatement{
			Sid:    "ModifyListenersRulesAndWebAcl",
			Effect: effectAllow,
			Action: []string{
				"elasticloadbalancing:SetWebAcl",
				"elasticloadbalancing:ModifyListener",
				"elasticloadbalancing:AddListenerCertificates",
				"elasticloadbalancing:RemoveListenerCertificates",
				"elasticloadbalancing:ModifyRule",
				"elasticloadbalancing:SetRulePriorities",
			},
			Resource: all,
		},
	}
}

// ScopedAutoScalerPolicy is AutoScalerPolicy for one controller with its own
// role: it may change only the Auto Scaling groups EKS tags as this
// cluster's (k8s.io/cluster-autoscaler/<cluster> = owned), not every group
// in the account.
func ScopedAutoScalerPolicy(clusterName string) PolicyDocument {
	scaling := []string{"autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"}
	var describe []string
	for _, s := range AutoScalerPolicy().Statement {
		for _, action := range s.Action {
			if !slices.Contains(scaling, action) {
				describe = append(describe, action)
			}
		}
	}
	return newPolicyDocument(
		PolicyStatement{Sid: "ClusterAutoscalerDiscovery", Effect: effectAllow, Action: describe, Resource: []string{resourceAll}},
		PolicyStatement{
			Sid: "ClusterAutoscalerScalingOwnGroups", Effect: effectAllow, Action: scaling, Resource: []string{resourceAll},
			Condition: map[string]map[string]any{
				"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/" + clusterName: "owned"},
			},
		},
	)
}

// ScopedLoadBalancerControllerPolicy is LoadBalancerControllerPolicy for one
// cluster's controller. Upstream's conditions only ask that the
// elbv2.k8s.aws/cluster tag exist, so any cluster's controller in the
// account may change or delete every other cluster's load balancers,
// target groups and security groups. Here each such condition asks for
// this cluster's value of the tag, the value the controller itself writes
// (its --cluster-name). What upstream grants unconditioned stays so:
// listeners and rules, which the controller finds on its load balancers
// rather than by tag, and ingress rules on the security groups EKS made.
func ScopedLoadBalancerControllerPolicy(clusterName string) PolicyDocument {
	doc := LoadBalancerControllerPolicy()
	for i, st := range doc.Statement {
		doc.Statement[i].Condition = scopeTagCondition(st.Condition, clusterName)
	}
	return doc
}

// scopeTagCondition turns each Null check that an elbv2.k8s.aws/cluster tag
// is present into a StringEquals on cluster, and keeps the rest.
func scopeTagCondition(condition map[string]map[string]any, cluster string) map[string]map[string]any {
	if condition == nil {
		return nil
	}
	out := map[string]map[string]any{}
	for operator, keys := range condition {
		out[operator] = maps.Clone(keys)
	}
	for _, tag := range []string{requestTagELBCluster, resourceTagELBCluster} {
		if out["Null"][tag] != "false" {
			continue
		}
		delete(out["Null"], tag)
		if out["StringEquals"] == nil {
			out["StringEquals"] = map[string]any{}
		}
		out["StringEquals"][tag] = cluster
	}
	if len(out["Null"]) == 0 {
		delete(out, "Null")
	}
	return out
}
