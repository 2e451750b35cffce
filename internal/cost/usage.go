package cost

import (
	"bytes"
	"fmt"
	"math/big"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Usage is what usage-based prices assume: a value per resource type and
// attribute, and per resource (by name) overriding it. A usage file sets
// either, in the manner of Infracost's usage file:
//
//	version: 1
//	defaults:                        # every resource of the type
//	  aws:ec2/natGateway:NatGateway:
//	    monthlyDataProcessedGB: 50
//	resources:                       # one resource, by name
//	  eks-demo-logs:
//	    monthlyIngestedGB: 90
type Usage struct {
	defaults  map[string]map[string]*big.Rat
	resources map[string]map[string]*big.Rat
}

// The usage attributes, each of one resource type, with the workshop's
// assumption (its traffic is small: a room browsing two pages, images pulled
// once per node).
var usageAttributes = []struct {
	typ, attr, value, why string
}{
	{typeNATGateway, "monthlyDataProcessedGB", "10", "GB through each NAT gateway per 30 days: image pulls for new nodes and the flask app's calls to Hacker News"},
	{typeIngress, "lcuPerHour", "1", "ALB capacity units per hour: one LCU is 25 new connections a second or 1 GB an hour, more than a workshop room sends"},
	{typeLogGroup, "monthlyIngestedGB", "30", "GB ingested into each log group per 30 days: about 1 GB a day, as all five control-plane log types send on a quiet cluster; Container Insights' four groups are assumed alike"},
}

// DefaultUsage is the stated assumptions, with no file.
func DefaultUsage() *Usage {
	u := &Usage{defaults: map[string]map[string]*big.Rat{}, resources: map[string]map[string]*big.Rat{}}
	for _, a := range usageAttributes {
		v, _ := new(big.Rat).SetString(a.value)
		set(u.defaults, a.typ, a.attr, v)
	}
	return u
}

// ReadUsage reads a usage file over DefaultUsage; every problem in it is
// reported at once, naming the key, the value and what is allowed.
func ReadUsage(path string) (*Usage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Version   int                       `yaml:"version"`
		Defaults  map[string]map[string]any `yaml:"defaults"`
		Resources map[string]map[string]any `yaml:"resources"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("usage file %s: %w (want version, defaults, resources)", path, err)
	}
	u := DefaultUsage()
	var problems []string
	if file.Version != 1 {
		problems = append(problems, fmt.Sprintf("version = %d: want 1", file.Version))
	}
	for typ, attrs := range file.Defaults {
		for attr, v := range attrs {
			problems = u.add(problems, u.defaults, "defaults."+typ+"."+attr, typ, attr, v, func(a string) bool { return attributeOf(a) == typ })
		}
	}
	for name, attrs := range file.Resources {
		for attr, v := range attrs {
			problems = u.add(problems, u.resources, "resources."+name+"."+attr, name, attr, v, func(a string) bool { return attributeOf(a) != "" })
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("usage file %s (%d problems):\n  - %s", path, len(problems), strings.Join(problems, "\n  - "))
	}
	return u, nil
}

func (u *Usage) add(problems []string, into map[string]map[string]*big.Rat, key, owner, attr string, v any, known func(string) bool) []string {
	if !known(attr) {
		return append(problems, fmt.Sprintf("%s: unknown; want one of %s", key, attributeList()))
	}
	r, ok := new(big.Rat).SetString(fmt.Sprint(v))
	if !ok || r.Sign() < 0 {
		return append(problems, fmt.Sprintf("%s = %v: want a number of 0 or more", key, v))
	}
	set(into, owner, attr, r)
	return problems
}

func set(m map[string]map[string]*big.Rat, owner, attr string, v *big.Rat) {
	if m[owner] == nil {
		m[owner] = map[string]*big.Rat{}
	}
	m[owner][attr] = v
}

// attributeOf is the resource type an attribute belongs to ("" if none).
func attributeOf(attr string) string {
	for _, a := range usageAttributes {
		if a.attr == attr {
			return a.typ
		}
	}
	return ""
}

func attributeList() string {
	var out []string
	for _, a := range usageAttributes {
		out = append(out, a.typ+"."+a.attr)
	}
	return strings.Join(out, ", ")
}

// value is the usage of resource name (of type typ) for attr, and whether a
// file set it for that resource.
func (u *Usage) value(typ, name, attr string) (*big.Rat, bool) {
	if v := u.resources[name][attr]; v != nil {
		return v, true
	}
	return u.defaults[typ][attr], false
}

// Assumptions are the usage values in force, as lines: per type (the
// stated assumption, or the usage file's value), then per resource.
func (u *Usage) Assumptions() []string {
	var out []string
	for _, a := range usageAttributes {
		v := u.defaults[a.typ][a.attr]
		why := a.why
		if stated, _ := new(big.Rat).SetString(a.value); v.Cmp(stated) != 0 {
			why = "usage file; assumed " + a.value
		}
		out = append(out, fmt.Sprintf("%s %s = %s (%s)", a.typ, a.attr, trim(v), why))
	}
	names := make([]string, 0, len(u.resources))
	for name := range u.resources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, a := range usageAttributes {
			if v := u.resources[name][a.attr]; v != nil {
				out = append(out, fmt.Sprintf("%s %s = %s (usage file)", name, a.attr, trim(v)))
			}
		}
	}
	return out
}
