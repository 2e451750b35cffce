package room

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"mvdan.cc/sh/v3/syntax"

	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// CommandHandout writes each participant's handout.
const CommandHandout = "handout"

// Handout is what a participant is given: where their environment is and
// how to reach it with their own identity, and when it ends. It holds no
// secret: no kubeconfig, token or passphrase; only names, commands and URLs.
type Handout struct {
	Participant, Namespace string
	// Access are the commands (or, on a cluster the room does not build,
	// the steps) that give the participant's kubectl their namespace.
	Access []string
	// URL is the participant's own ALB, which a browser opens (empty when
	// the room makes none: an existing cluster, Auto Mode, or not up yet).
	URL string
	// Open are the commands that open each app and the URL each then serves.
	Open []Opening
	// Expiry says when the environment is destroyed (StackExpiry.TimeLeft).
	Expiry string
}

// Opening is one app as a participant opens it.
type Opening struct {
	App, Command, URL string
}

// Handout is name's handout; expiry is their stack's, now the clock's.
func (p *Plan) Handout(name string, expiry StackExpiry, now time.Time) (Handout, error) {
	i := slices.IndexFunc(p.Participants, func(part Participant) bool { return part.Name == name })
	if i < 0 {
		return Handout{}, fmt.Errorf("participant %q: not in the plan", name)
	}
	part := p.Participants[i]
	ns := part.EnvironmentNamespace()
	h := Handout{Participant: name, Namespace: ns, Access: p.access(part), Expiry: expiry.TimeLeft(now)}
	// The participant's own kubectl: their kubeconfig, not the organizer's.
	cfg := config.DefaultConfig()
	cfg.Namespace = ns
	for _, w := range cfg.Workloads() {
		h.Open = append(h.Open, Opening{App: w.Name, Command: w.PortForward(cfg), URL: w.LocalURL()})
	}
	return h, nil
}

// access are the steps that reach the namespace as the participant.
func (p *Plan) access(part Participant) []string {
	ns := part.EnvironmentNamespace()
	setNamespace := "kubectl config set-context --current --namespace " + shellQuote(ns)
	if p.Existing != nil {
		return []string{
			"# The room runs on a cluster it does not build: the organizer gives you its",
			"# kubeconfig with credentials in the Kubernetes group " + config.TeamGroup(ns) + ",",
			"# which may edit the namespace " + ns + " and nothing else.",
			setNamespace,
		}
	}
	if part.PrincipalArn == "" {
		return []string{"# You have no access entry: give the organizer your IAM role or user ARN (principalArn) and ask for an up."}
	}
	cmd := fmt.Sprintf("aws eks update-kubeconfig --region %s --name %s --alias %s",
		shellQuote(p.Cluster.Region), shellQuote(p.Cluster.EKSClusterName()), shellQuote(part.Name))
	if strings.Contains(part.PrincipalArn, ":role/") {
		cmd += " --role-arn " + shellQuote(part.PrincipalArn) // kubectl then assumes it for every call
	}
	return []string{
		"# As " + part.PrincipalArn + " (its credentials in your AWS CLI):",
		cmd,
		setNamespace,
	}
}

// Text is the handout as the participant reads and pastes it.
func (h Handout) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Workshop environment of %s\n\nNamespace: %s\nExpires:   %s\n\n", h.Participant, h.Namespace, h.Expiry)
	b.WriteString("Reach your namespace:\n")
	for _, line := range h.Access {
		fmt.Fprintf(&b, "  %s\n", line)
	}
	if h.URL != "" {
		fmt.Fprintf(&b, "\nIn your browser: %s (nginx; flask answers under /contents/)\n", h.URL)
	}
	b.WriteString("\nOpen the apps (each command runs until Ctrl-C; open the URL meanwhile):\n")
	for _, o := range h.Open {
		fmt.Fprintf(&b, "  %s\n    %s\n    %s\n", o.App, o.Command, o.URL)
	}
	return b.String()
}

// WriteHandout writes h to dir/<participant>.txt, readable by its owner's
// group too (it holds no secret), and returns the path.
func WriteHandout(dir string, h Handout) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, h.Participant+".txt")
	return path, os.WriteFile(path, []byte(h.Text()), 0o644)
}

// shellQuote quotes s as one shell word; names and ARNs never hold the NUL
// byte that alone cannot be quoted.
func shellQuote(s string) string {
	q, _ := syntax.Quote(s, syntax.LangBash)
	return q
}
