package critical

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/eks-workshop/eks-workshop/internal/mocktest/recorded"
)

// Latency is how long creating one resource of a type takes, and why we think so.
type Latency struct {
	Seconds float64
	Source  string
}

// Table assigns a creation time to each resource type.
type Table struct {
	// ByType holds the slow types, by type token.
	ByType map[string]Latency
	// Default is what any other custom resource takes ("a few seconds").
	Default Latency
}

// Where the figures come from. They are typical, not measured here: there is
// no cloud to measure against. Override them (Table.Override) with your own.
const (
	sourceTypical = "typical AWS creation time, not a measurement"
	// Resources that cost nothing in a deploy.
	sourceNoWork = "no cloud call: Pulumi registers it at once"
)

// Type tokens the table and the unavoidable chain refer to.
const (
	TypeVpc            = "aws:ec2/vpc:Vpc"
	TypeSubnet         = "aws:ec2/subnet:Subnet"
	TypeNatGateway     = "aws:ec2/natGateway:NatGateway"
	TypeEKSCluster     = "eks:index:Cluster"
	TypeNodeGroup      = "eks:index:ManagedNodeGroup"
	TypeEKSAddon       = "aws:eks/addon:Addon"
	TypeHelmChart      = "kubernetes:helm.sh/v4:Chart"
	TypeIngress        = "kubernetes:networking.k8s.io/v1:Ingress"
	TypeDockerImage    = "docker:index/image:Image"
	providerTypePrefix = "pulumi:providers:"
)

// DefaultTable is the table of typical AWS creation times. pulumi-eks's Cluster and
// ManagedNodeGroup and the Helm v4 Chart are remote components: their
// provider creates the children and answers when all of them are done, so
// each counts as one unit.
func DefaultTable() Table {
	return Table{
		ByType: map[string]Latency{
			TypeEKSCluster:  {600, sourceTypical + " (EKS control plane; pulumi-eks also adds its IAM role, security groups and OIDC provider, seconds each)"},
			TypeNodeGroup:   {150, sourceTypical + " (managed node group until its nodes are Ready)"},
			TypeNatGateway:  {110, sourceTypical + " (NAT gateway until available)"},
			TypeHelmChart:   {60, sourceTypical + " (Helm release; Chart v4 waits for its workloads to be ready)"},
			TypeEKSAddon:    {60, sourceTypical + " (EKS add-on until ACTIVE)"},
			TypeIngress:     {150, sourceTypical + " (Ingress until its ALB is provisioned and has an address)"},
			TypeDockerImage: {90, sourceTypical + " (image build and push)"},
		},
		Default: Latency{5, sourceTypical + " (most others: a few seconds)"},
	}
}

// Of returns the creation time of one recorded resource.
func (t Table) Of(n recorded.Resource) float64 {
	switch {
	case n.Standin:
		return 0 // part of its remote component, which is counted whole
	case strings.HasPrefix(n.Type, providerTypePrefix):
		return 0 // a provider is configured in-process
	}
	if l, ok := t.ByType[n.Type]; ok {
		return l.Seconds
	}
	if !n.Custom && !n.Remote {
		return 0 // a local component only groups its children
	}
	return t.Default.Seconds
}

// Override sets the latency of types from "type=seconds" lines ("#" starts a
// comment; the type "default" sets Default), as read from a file or flags.
func (t *Table) Override(source string, lines []string) error {
	for i, line := range lines {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		typ, value, ok := strings.Cut(line, "=")
		seconds, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if !ok || err != nil || seconds < 0 || strings.TrimSpace(typ) == "" {
			return fmt.Errorf("%s:%d: %q: want TYPE=SECONDS, e.g. %s=900", source, i+1, line, TypeEKSCluster)
		}
		l := Latency{seconds, "override from " + source}
		if typ = strings.TrimSpace(typ); typ == "default" {
			t.Default = l
			continue
		}
		if t.ByType == nil {
			t.ByType = map[string]Latency{}
		}
		t.ByType[typ] = l
	}
	return nil
}

// OverrideFile applies Override to the lines of a file.
func (t *Table) OverrideFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	lines, err := readLines(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return t.Override(path, lines)
}

func readLines(r io.Reader) ([]string, error) {
	var lines []string
	s := bufio.NewScanner(r)
	for s.Scan() {
		lines = append(lines, s.Text())
	}
	return lines, s.Err()
}

// Write prints the table, one type a line, slowest first.
func (t Table) Write(w io.Writer) {
	types := make([]string, 0, len(t.ByType))
	for typ := range t.ByType {
		types = append(types, typ)
	}
	sort.Slice(types, func(i, j int) bool {
		a, b := t.ByType[types[i]], t.ByType[types[j]]
		if a.Seconds != b.Seconds {
			return a.Seconds > b.Seconds
		}
		return types[i] < types[j]
	})
	for _, typ := range types {
		fmt.Fprintf(w, "  %6.0f s  %-42s %s\n", t.ByType[typ].Seconds, typ, t.ByType[typ].Source)
	}
	fmt.Fprintf(w, "  %6.0f s  %-42s %s\n", t.Default.Seconds, "any other resource", t.Default.Source)
	fmt.Fprintf(w, "  %6.0f s  %-42s %s\n", 0.0, "components, providers", sourceNoWork)
}
