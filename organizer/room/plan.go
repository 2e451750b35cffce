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
	names, namespaces := map[string]string{}, map[string]string{}

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
		default:
			namespaces[ns] = field
		}

		if p.PrincipalArn == "" {
			continue
		}
		switch {
		case !spec.ValidIAMPrincipalArn(p.PrincipalArn):
			add(field+".principalArn", p.PrincipalArn, "want an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/alice (for an SSO user, its role, not the sts session ARN)")
		case principals[p.PrincipalArn] != "":
			add(field+".principalArn", p.PrincipalArn, "already used by "+principals[p.PrincipalArn]+"; EKS allows one access entry per principal")
		default:
			principals[p.PrincipalArn] = field
		}
	}
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

// ClusterOutputs are what every participant's environment takes from the
// cluster stack: where the cluster is and the images it pushed.
type ClusterOutputs struct {
	Kubeconfig, FlaskImage, NginxImage string
}

// ParticipantConfig is the participant's environment: the local target
// pointed at the shared cluster, in their namespace, running the images the
// cluster stack built (participants build nothing). The cluster already runs
// metrics-server for every namespace. name is the participant's.
func (p *Plan) ParticipantConfig(name string, cluster ClusterOutputs) (config.Config, error) {
	i := slices.IndexFunc(p.Participants, func(part Participant) bool { return part.Name == name })
	if i < 0 {
		return config.Config{}, fmt.Errorf("participant %q: not in the plan", name)
	}
	part := p.Participants[i]
	cfg := config.DefaultConfig()
	cfg.Target = config.TargetLocal
	cfg.Region = p.Cluster.Region
	cfg.Kubeconfig = cluster.Kubeconfig
	cfg.Namespace = part.EnvironmentNamespace()
	cfg.FlaskImage, cfg.NginxImage = cluster.FlaskImage, cluster.NginxImage
	cfg.MetricsServer = false
	return cfg, nil
}
