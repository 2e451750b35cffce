package synth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"gopkg.in/yaml.v3"
)

// SettingsFile, relative to the repository root, holds what an operator
// sets before a stack's first `pulumi up` where the committed stack file
// leaves it to them on purpose (prod's publicAccessCidrs: the operator's
// own egress address, which no repository can know). Run and RunAll apply
// it over the stack's configuration, so the synth and its snapshots show
// the stack as deployed; StackConfig does not, so a test can show that the
// file as committed is refused. Format: stack -> "project:key" -> value
// (arrays and objects as YAML, passed on JSON-encoded as the CLI does).
const SettingsFile = "testdata/synth/settings.yaml"

// Settings reads SettingsFile under root for stack: nil when it has none.
func Settings(root, stack string) (map[string]string, error) {
	raw, err := os.ReadFile(filepath.Join(root, SettingsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var all map[string]map[string]any
	if err := yaml.Unmarshal(raw, &all); err != nil {
		return nil, fmt.Errorf("%s: %w", SettingsFile, err)
	}
	out := map[string]string{}
	for key, value := range all[stack] {
		if s, ok := value.(string); ok {
			out[key] = s
			continue
		}
		encoded, err := json.Marshal(value)
		if err != nil {
			return nil, fmt.Errorf("%s: %s.%s: %w", SettingsFile, stack, key, err)
		}
		out[key] = string(encoded)
	}
	return out, nil
}

// settingsNote names the settings a synth applied, for its summary.
func settingsNote(settings map[string]string) string {
	if len(settings) == 0 {
		return ""
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("  with the operator's settings from %s: %v\n", SettingsFile, keys)
}
