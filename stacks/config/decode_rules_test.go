package config

import (
	"strings"
	"testing"
)

// A value of the wrong JSON type is named with the type wanted, and for a
// field inside an object or list, where it is.
func TestDecodeErrorsSayWhatIsWanted(t *testing.T) {
	for key, tc := range map[string]struct{ value, says string }{
		"desiredSize":   {"three", `eks-workshop:desiredSize = "three": want an integer`},
		"minSize":       {`"3"`, "want an integer, not string"},
		"nodeTaints":    {`[{"key":1,"effect":"NoSchedule"}]`, "want a string at key, not number"},
		"instanceTypes": {`"m5.large"`, "want a list of string, not string"},
		"protect":       {"yes", "want true or false"},
		"addonVersions": {`{"metricsServer":"1.0.0"} x`, "want an object, got trailing data"},
	} {
		_, err := ParseConfig(lookup(map[string]string{"aws:region": "ap-northeast-2", ProjectName + ":appsDir": "../../apps", ProjectName + ":" + key: tc.value}))
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s = %s: %v, want it to say %q", key, tc.value, err, tc.says)
		}
	}
}
