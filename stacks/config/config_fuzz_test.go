package config

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseConfig: what ParseConfig accepts is what the stack said (each
// value given is the value held), and it survives a round trip: the whole
// Config, rendered back as the CLI passes values, parses to a Config that
// renders the same (an empty list and none are one to JSON). What it
// rejects names the key and the value.
func FuzzParseConfig(f *testing.F) {
	f.Add("vpcCidr", "10.1.0.0/16", "accessEntries", `[{"principalArn":"arn:aws:iam::123456789012:role/A","policy":"View","namespaces":["dev"]}]`)
	f.Add("desiredSize", "4", "nodeTaints", `[{"key":"a","effect":"NoSchedule"}]`)
	f.Add("nodeLabels", `{"team":"web"}`, "addonVersions", `{"metricsServer":"3.13.0"}`)
	f.Add("availabilityZones", `["ap-northeast-2a","ap-northeast-2c"]`, "tags", `{"owner":"platform team"}`)
	f.Add("clusterName", "workshop", "natGateway", "Single")
	f.Add("kubeconfig", " ~/.kube/config ", "minSize", " 2 ")
	f.Add("desiredSize", "-1", "publicAccessCidrs", `["::/0"]`)
	f.Add("kubernetesVersion", "1.999999999999999999999", "nodeLabels", `{"a":1}`)
	// Found by the fuzzer: accepted, trailing bracket and all.
	f.Add("accessEntries", "[] ]", "nodeLabels", `{} }`)
	f.Add("accessEntries", `[{"principalArn":"arn:aws:iam::000000000000:role/0","policy":"View","namespaces":[]}]`, "", "")
	f.Fuzz(func(t *testing.T, key1, value1, key2, value2 string) {
		settings := map[string]string{"aws:region": "ap-northeast-2", ProjectName + ":appsDir": "../../apps"}
		settings[ProjectName+":"+key1] = value1
		settings[ProjectName+":"+key2] = value2
		c, err := ParseConfig(lookup(settings))
		if err != nil {
			if !strings.Contains(err.Error(), " = ") {
				t.Fatalf("error names no key and value: %v", err)
			}
			return
		}
		if key1 != key2 { // else the second value is the one set
			checkHeld(t, c, key1, value1)
		}
		checkHeld(t, c, key2, value2)
		rendered := render(t, c)
		again, err := ParseConfig(lookup(rendered))
		if err != nil {
			t.Fatalf("the accepted configuration, rendered back, is rejected: %v", err)
		}
		for key, value := range render(t, again) {
			if value != rendered[key] {
				t.Fatalf("the round trip changed %s from %s to %s", key, rendered[key], value)
			}
		}
	})
}

// render is c as the Pulumi CLI passes it: every key, strings as they
// are, everything else JSON-encoded.
func render(t *testing.T, c Config) map[string]string {
	t.Helper()
	out := map[string]string{"aws:region": c.Region}
	v := reflect.ValueOf(c)
	for _, f := range configFields() {
		out[ProjectName+":"+f.key] = cliValue(t, v.Field(f.index))
	}
	return out
}

func cliValue(t *testing.T, field reflect.Value) string {
	t.Helper()
	if field.Kind() == reflect.String {
		return field.String()
	}
	raw, err := json.Marshal(field.Interface())
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// checkHeld: the Config holds what value said for key: a string exactly,
// JSON as the same values (an object's keys left out keep their
// defaults).
func checkHeld(t *testing.T, c Config, key, value string) {
	t.Helper()
	for _, f := range configFields() {
		if f.key != key {
			continue
		}
		held := cliValue(t, reflect.ValueOf(c).Field(f.index))
		if reflect.ValueOf(c).Field(f.index).Kind() == reflect.String {
			if held != value {
				t.Fatalf("%s = %q accepted as %q", key, value, held)
			}
			return
		}
		var given, got any
		if json.Unmarshal([]byte(value), &given) != nil || json.Unmarshal([]byte(held), &got) != nil {
			t.Fatalf("%s = %q accepted, held as %s", key, value, held)
		}
		if !covers(got, given) {
			t.Fatalf("%s = %s accepted as %s", key, value, held)
		}
	}
}

// covers reports whether held has every value given has. Object keys match
// as encoding/json matches them (exactly, else ignoring case); JSON null
// leaves a value as it was; an empty list may be held as none (omitempty).
func covers(held, given any) bool {
	switch g := given.(type) {
	case nil:
		return true
	case []any:
		h, _ := held.([]any)
		if len(h) != len(g) || (held != nil && h == nil) {
			return false
		}
		for i := range g {
			if !covers(h[i], g[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		h, ok := held.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range g {
			if !covers(h[matchingKey(h, k)], v) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(held, given)
}

func matchingKey(m map[string]any, key string) string {
	if _, ok := m[key]; ok {
		return key
	}
	for k := range m {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	return key
}
