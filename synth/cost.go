package synth

import (
	"errors"
	"fmt"
	"os"

	"github.com/eks-workshop/eks-workshop/internal/cost"
)

// CostResources are the registrations of a synth's resources.yaml as
// package cost prices them: a synth just run (Result.Files) and one read
// from a directory (ReadFiles) are priced alike.
func CostResources(f Files) ([]cost.Resource, error) {
	doc, err := parseResources(f)
	if err != nil {
		return nil, err
	}
	out := make([]cost.Resource, len(doc.Resources))
	for i, r := range doc.Resources {
		out[i] = cost.Resource{Type: r.Type, Name: r.Name, Inputs: r.Inputs, Component: r.Component, Remote: r.Remote, Standin: r.Standin}
	}
	return out, nil
}

// Estimate prices the synth in its stack's region (aws:region).
func (r *Result) Estimate(table *cost.Table, usage *cost.Usage, opts ...cost.Option) (*cost.Estimate, error) {
	files, err := r.Files()
	if err != nil {
		return nil, err
	}
	resources, err := CostResources(files)
	if err != nil {
		return nil, err
	}
	return cost.EstimateResources(r.Stack, r.Config["aws:region"], resources, table, usage, opts...), nil
}

// costDiffWith is the cost difference between the synth in dir (none: an
// empty stack) and current, priced alike in current's region.
func costDiffWith(dir string, current *cost.Estimate, table *cost.Table, usage *cost.Usage) (string, error) {
	var resources []cost.Resource
	files, err := ReadFiles(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return "", err
	default:
		if resources, err = CostResources(files); err != nil {
			return "", fmt.Errorf("%s: %w", dir, err)
		}
	}
	old := cost.EstimateResources(current.Stack, current.Region, resources, table, usage)
	if d := cost.Diff(old, current); d != "" {
		return d, nil
	}
	return fmt.Sprintf("cost of stack %s: unchanged (%s/h)\n", current.Stack, cost.USD(current.Hourly(), 4)), nil
}
