package room

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// ClusterStack is the shared cluster's stack; no participant may take the
// name. Outside the dev stack, account-wide names get the stack's name
// appended (stacks' accountName), so this cluster is eks-demo-workshop and
// never collides with a dev stack in the same account and region.
const ClusterStack = "workshop"

// Plan is a validated room: the shared cluster's configuration, with an
// access entry for every participant who named a principal, and the
// participants whose environments run on it.
type Plan struct {
	Cluster      config.Config
	Participants []Participant
	// Existing, when set, is the cluster the room runs on without building
	// it (NewExistingClusterPlan): there is no cluster stack, and Cluster is
	// unused.
	Existing *ClusterOutputs
}

// NewPlan checks the cluster's configuration and the participants together
// and reports every problem at once, each naming the participant, the field,
// the value and what is allowed. Nothing runs before a plan exists.
func NewPlan(cluster config.Config, participants []Participant) (*Plan, error) {
	cluster.Stack = ClusterStack // its names derive from it, as Program will
	var problems []string
	add := func(field string, value any, allowed string) {
		problems = append(problems, (&spec.FieldError{Field: field, Value: value, Allowed: allowed}).Error())
	}
	if cluster.Target != config.TargetEKS {
		add("cluster "+config.ProjectName+":target", cluster.Target, "want eks: participants deploy to the cluster the cluster stack builds")
	}
	var invalid *config.ConfigError
	if err := cluster.Validate(); errors.As(err, &invalid) {
		for _, p := range invalid.Problems {
			problems = append(problems, "cluster "+p)
		}
	} else if err != nil {
		return nil, err
	}

	// Namespaces that are taken before any participant arrives.
	reserved := map[string]string{"default": "Kubernetes", cluster.Namespace: "the cluster stack's own workloads"}
	for _, ns := range spec.AddonNamespaces() {
		reserved[ns] = "the cluster add-ons"
	}
	principals := map[string]string{}
	for _, e := range cluster.AccessEntries {
		principals[e.PrincipalArn] = "the cluster's accessEntries"
	}
	if cluster.TeamPrincipalArn != "" {
		principals[cluster.TeamPrincipalArn] = "the cluster's teamPrincipalArn"
	}
	problems = append(problems, checkParticipants(participants, reserved, principals)...)
	if len(problems) > 0 {
		return nil, &config.ConfigError{Problems: problems}
	}

	plan := &Plan{Cluster: cluster, Participants: participants}
	plan.Cluster.AccessEntries = append([]spec.AccessEntry(nil), cluster.AccessEntries...)
	for _, p := range participants {
		if p.PrincipalArn != "" {
			plan.Cluster.AccessEntries = append(plan.Cluster.AccessEntries, config.TeamAccessEntry(p.PrincipalArn, p.EnvironmentNamespace()))
		}
	}
	return plan, nil
}

// A participant's own ALB is the IngressGroup room-<namespace>: a prefix no
// namespace-less group of the cluster's (its ingressGroupName) shares by
// accident, within the AWS Load Balancer Controller's limit on a group's
// name (63 characters, as a Kubernetes label value; v2.13 annotations
// guide, read 2026-12-07).
const (
	participantIngressGroupPrefix = "room-"
	maxIngressGroupName           = 63
)

// ParticipantIngressGroup is the IngressGroup of the participant whose
// namespace is namespace.
func ParticipantIngressGroup(namespace string) string {
	return participantIngressGroupPrefix + namespace
}

// checkParticipants reports every problem in the participants: names,
// namespaces (reserved maps those taken to their owner) and principals
// (principals maps those taken; nil when the room grants no access entries).
func checkParticipants(participants []Participant, reserved, principals map[string]string) []string {
	var problems []string
	add := func(field string, value any, allowed string) {
		problems = append(problems, (&spec.FieldError{Field: field, Value: value, Allowed: allowed}).Error())
	}
	names, namespaces, keys := map[string]string{}, map[string]string{}, map[string]string{}
	for arn, owner := range principals {
		keys[spec.AccessEntryKey(arn)] = owner
	}
	for i, p := range participants {
		field := fmt.Sprintf("participants[%d]", i)
		if p.Name != "" {
			field = fmt.Sprintf("participants[%d] (%s)", i, p.Name)
		}
		switch {
		case !spec.ValidKubernetesName(p.Name):
			add(field+".name", p.Name, "want a lowercase RFC 1123 label (a-z, 0-9, '-', at most 63), e.g. alice: it names the stack and the namespace")
		case p.Name == ClusterStack:
			add(field+".name", p.Name, "taken by the shared cluster's stack")
		case isTeamStack(p.Name):
			add(field+".name", p.Name, fmt.Sprintf("taken by the team's stacks %v of project %s; choose another", TeamStacks, config.ProjectName))
		case names[p.Name] != "":
			add(field+".name", p.Name, "already used by "+names[p.Name])
		default:
			names[p.Name] = field
		}

		ns := p.EnvironmentNamespace()
		nsField := field + ".namespace"
		if p.Namespace == "" {
			nsField = field + ".name" // the namespace is the name
		}
		switch {
		case p.Namespace != "" && !spec.ValidKubernetesName(p.Namespace):
			add(nsField, p.Namespace, "want a Kubernetes namespace name (lowercase RFC 1123 label)")
		case !spec.ValidKubernetesName(ns):
			// Reported as the name above.
		case strings.HasPrefix(ns, "kube-") || reserved[ns] != "":
			owner := reserved[ns]
			if owner == "" {
				owner = "Kubernetes"
			}
			add(nsField, ns, "namespace reserved for "+owner+"; choose another")
		case namespaces[ns] != "":
			add(nsField, ns, "namespace already used by "+namespaces[ns])
		case principals != nil && len(ParticipantIngressGroup(ns)) > maxIngressGroupName:
			add(nsField, ns, fmt.Sprintf("want at most %d characters on a room that builds its cluster: the participant's ALB is the IngressGroup %s<namespace>, at most %d",
				maxIngressGroupName-len(participantIngressGroupPrefix), participantIngressGroupPrefix, maxIngressGroupName))
		default:
			namespaces[ns] = field
		}

		if p.PrincipalArn == "" {
			continue
		}
		switch {
		case principals == nil:
			add(field+".principalArn", p.PrincipalArn, "want none on a cluster the room does not build: an access entry is the EKS cluster stack's; give the participant the group "+config.TeamGroup(p.EnvironmentNamespace())+" in the cluster's own authentication, which the namespace's RoleBinding lets edit it")
		case !spec.ValidIAMPrincipalArn(p.PrincipalArn):
			add(field+".principalArn", p.PrincipalArn, "want an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/alice (for an SSO user, its role, not the sts session ARN)")
		case principals[p.PrincipalArn] != "":
			add(field+".principalArn", p.PrincipalArn, "already used by "+principals[p.PrincipalArn]+"; EKS allows one access entry per principal")
		case keys[spec.AccessEntryKey(p.PrincipalArn)] != "":
			add(field+".principalArn", p.PrincipalArn, fmt.Sprintf("its access entry's resource name %q is also that of %s's principal: the cluster names an entry by the role or user name alone; give one of them another role", spec.AccessEntryKey(p.PrincipalArn), keys[spec.AccessEntryKey(p.PrincipalArn)]))
		default:
			principals[p.PrincipalArn] = field
			keys[spec.AccessEntryKey(p.PrincipalArn)] = field
		}
	}
	return problems
}

// ClusterOutputs are what every participant's environment takes from the
// cluster stack, or from the command line on an existing cluster: where the
// cluster is and the images to run.
type ClusterOutputs struct {
	// Kubeconfig is the kubeconfig's contents or its path.
	Kubeconfig string
	// KubeContext is the context to use in it; empty: its current context.
	KubeContext            string
	FlaskImage, NginxImage string
}

// ParticipantConfig is the participant's environment: the local target
// pointed at the shared cluster, in their namespace, running the images the
// cluster stack built or the command line named (participants build
// nothing). Participants install no metrics-server: it serves the whole
// cluster, which the cluster stack gives one and an existing cluster has or
// not. name is the participant's.
func (p *Plan) ParticipantConfig(name string, cluster ClusterOutputs) (config.Config, error) {
	i := slices.IndexFunc(p.Participants, func(part Participant) bool { return part.Name == name })
	if i < 0 {
		return config.Config{}, fmt.Errorf("participant %q: not in the plan", name)
	}
	if err := p.CheckImages(); err != nil {
		return config.Config{}, err
	}
	part := p.Participants[i]
	cfg := config.DefaultConfig()
	cfg.Target = config.TargetLocal
	cfg.Region = p.Cluster.Region
	cfg.Kubeconfig, cfg.KubeContext = cluster.Kubeconfig, cluster.KubeContext
	cfg.Namespace = part.EnvironmentNamespace()
	cfg.FlaskImage, cfg.NginxImage = cluster.FlaskImage, cluster.NginxImage
	cfg.MetricsServer = false
	// On a cluster the room builds, an ALB of the participant's own; not on
	// Auto Mode, whose IngressClassParams put every Ingress in one group.
	if p.Existing == nil && !p.Cluster.AutoMode() {
		cfg.RoomIngress = &config.RoomIngress{GroupName: ParticipantIngressGroup(cfg.Namespace), FromCIDRs: p.Cluster.PublicSubnetCidrs()}
	}
	guard, err := participantGuard(cfg)
	if err != nil {
		return config.Config{}, err
	}
	cfg.Guard = &guard
	return cfg, nil
}
