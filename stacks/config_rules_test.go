package stacks

import (
	"errors"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// componentRules are the components' validators a bad configuration's rule
// can name ("EKSClusterArgs.clusterName"), each run on the plan the
// configuration gives. PhysicalNames rules are the limits on the AWS names
// a component derives.
var componentRules = map[string]func(c config.Config, p config.Plan) error{
	"NetworkArgs":          func(_ config.Config, p config.Plan) error { return p.Network.Validate() },
	"EKSClusterArgs":       func(_ config.Config, p config.Plan) error { return p.Cluster.Validate() },
	"ManagedNodeGroupArgs": func(_ config.Config, p config.Plan) error { return p.Nodes.Validate() },
	"ClusterAddonsArgs":    func(_ config.Config, p config.Plan) error { return p.Addons.Validate() },
	"MetricsServerArgs": func(_ config.Config, p config.Plan) error {
		if p.MetricsServer == nil {
			return nil
		}
		return p.MetricsServer.Validate()
	},
	"ECRImageArgs": func(_ config.Config, p config.Plan) error {
		var errs []error
		for _, image := range p.Images {
			errs = append(errs, image.Validate())
		}
		return errors.Join(errs...)
	},
	"ImageBuild": func(c config.Config, _ config.Plan) error {
		var errs []error
		for _, w := range c.Workloads() {
			errs = append(errs, w.ImageBuild(c).Validate())
		}
		return errors.Join(errs...)
	},
	"AppArgs": func(_ config.Config, p config.Plan) error {
		var errs []error
		for _, app := range p.Apps {
			errs = append(errs, app.Validate())
		}
		return errors.Join(errs...)
	},
	// The stack's tags share a resource's MaxTags with the default tags and
	// the component's own.
	"ValidateTags": func(c config.Config, _ config.Plan) error {
		return spec.ValidateTags(c.Tags, spec.MaxTags-spec.ComponentTags-len(c.DefaultTags()))
	},
	"EKSClusterArgs.PhysicalNames": func(c config.Config, p config.Plan) error {
		return spec.PhysicalNameError("clusterName", c.EKSClusterName(), p.Cluster.PhysicalNames(c.EKSClusterName()))
	},
	"ManagedNodeGroupArgs.PhysicalNames": func(c config.Config, p config.Plan) error {
		return spec.PhysicalNameError("nodeGroupName", c.NodeGroupName, p.Nodes.PhysicalNames(c.NodeGroupComponent()))
	},
	"ClusterAddonsArgs.PhysicalNames": func(c config.Config, p config.Plan) error {
		return spec.PhysicalNameError("clusterName", c.EKSClusterName(), p.Addons.PhysicalNames(c.EKSClusterName()))
	},
}

// index is a list index in a field path ("accessEntries[1].policy").
var index = regexp.MustCompile(`\[\d+\]`)

// ruleOf returns the validator and the field a case's rule names: the
// field is what follows the validator's name ("clusterName"); for
// ValidateTags, whose rules are the kinds of tag problem, it is "tags";
// for PhysicalNames, any field.
func ruleOf(rule string) (validate func(config.Config, config.Plan) error, field string, ok bool) {
	if validate, ok := componentRules[rule]; ok {
		return validate, "", true
	}
	name, field, _ := strings.Cut(rule, ".")
	if name == "ValidateTags" {
		field = "tags"
	}
	validate, ok = componentRules[name]
	return validate, field, ok
}

// Each bad configuration that names a component rule reaches it: the
// component's own validator, on the arguments the configuration plans,
// reports the field the rule names (an index left out; a field under it,
// such as addonVersions.metricsServer under addonVersions, counts). The
// whole-configuration rules ("Config.…", "decode") have the error text of
// their cases to prove them.
func TestEveryBadConfigurationReachesTheRuleItNames(t *testing.T) {
	checked := 0
	for _, tc := range badConfigurations {
		validate, field, ok := ruleOf(tc.rule)
		if !ok {
			if !strings.HasPrefix(tc.rule, "Config.") && tc.rule != "decode" && tc.rule != "all at once" {
				t.Errorf("%s: rule %q names no validator", tc.name, tc.rule)
			}
			continue
		}
		checked++
		stack := tc.stack
		if stack == "" {
			stack = "dev"
		}
		settings := maps.Clone(stackConfig(t, "dev"))
		maps.Copy(settings, tc.set)
		cfg, err := config.ParseStackConfig(stack, lookup(settings))
		if err == nil {
			t.Errorf("%s: the configuration is accepted", tc.name)
			continue
		}
		plan, _ := cfg.Plan()
		var fields []string
		for _, fe := range spec.FieldErrors(validate(cfg, plan)) {
			fields = append(fields, index.ReplaceAllString(fe.Field, ""))
		}
		if !reportsField(fields, field) {
			t.Errorf("%s: %s reports %v, not the rule's field %q", tc.name, tc.rule, fields, field)
		}
	}
	if checked < 40 {
		t.Errorf("%d cases name a component rule, want at least 40", checked)
	}
}

// reportsField: one of fields is field or lies under it; with field "",
// there is at least one.
func reportsField(fields []string, field string) bool {
	for _, f := range fields {
		if field == "" || f == field || strings.HasPrefix(f, field+".") {
			return true
		}
	}
	return false
}
