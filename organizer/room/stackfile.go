package room

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// ReadStackConfig reads an environment from a stack settings file, e.g. the
// repository's Pulumi.dev.yaml, exactly as `pulumi up` would read it
// (config.ParseConfig: defaults for absent keys, every problem at once).
// appsDir, relative in the file, is taken relative to the file's directory,
// the project's, so the images build from the same sources wherever the
// organizer runs. Secret values are refused: the organizer has no way to
// decrypt them, and an environment's settings need none.
func ReadStackConfig(path string) (config.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return config.Config{}, err
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return config.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	values := map[string]string{}
	var problems []string
	for key, value := range file.Config {
		name, ok := strings.CutPrefix(key, config.ProjectName+":")
		if !ok && key != "aws:region" {
			problems = append(problems, fmt.Sprintf("%s: want %s:<key> or aws:region", key, config.ProjectName))
			continue
		}
		if key == "aws:region" {
			name = key
		}
		if v, ok := value.(string); ok {
			values[name] = v
			continue
		}
		if m, ok := value.(map[string]any); ok && len(m) == 1 && m["secure"] != nil {
			problems = append(problems, fmt.Sprintf("%s: a secret; the organizer reads plain settings only", key))
			continue
		}
		encoded, err := json.Marshal(value)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", key, err))
			continue
		}
		values[name] = string(encoded)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return config.Config{}, fmt.Errorf("%s:\n  - %s", path, strings.Join(problems, "\n  - "))
	}
	appsDir, ok := values["appsDir"]
	if !ok {
		appsDir = config.DefaultConfig().AppsDir
	}
	if !filepath.IsAbs(appsDir) {
		dir, err := filepath.Abs(filepath.Dir(path))
		if err != nil {
			return config.Config{}, err
		}
		values["appsDir"] = filepath.Join(dir, appsDir)
	}
	cfg, err := config.ParseConfig(func(key string) (string, bool) {
		v, ok := values[key]
		return v, ok
	})
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}
