package spec

import (
	"encoding/json"
	"reflect"
	"testing"
)

// The profile goes to `aws eks get-token` as pulumi-eks gives its own
// provider; another exec plugin is left alone.
func TestKubeconfigWithProfile(t *testing.T) {
	in := `{"kind":"Config","users":[` +
		`{"name":"aws","user":{"exec":{"command":"aws","args":["eks","get-token","--cluster-name","c","--role","r"]}}},` +
		`{"name":"other","user":{"exec":{"command":"kubelogin","args":["get-token"]}}}]}`
	out, err := KubeconfigWithProfile(in, "prod-admin")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Kind  string `json:"kind"`
		Users []struct {
			User struct {
				Exec struct {
					Args []string `json:"args"`
				} `json:"exec"`
			} `json:"user"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if want := []string{"eks", "get-token", "--cluster-name", "c", "--role", "r", "--profile", "prod-admin"}; !reflect.DeepEqual(doc.Users[0].User.Exec.Args, want) {
		t.Errorf("aws args = %v, want %v", doc.Users[0].User.Exec.Args, want)
	}
	if got := doc.Users[1].User.Exec.Args; !reflect.DeepEqual(got, []string{"get-token"}) || doc.Kind != "Config" {
		t.Errorf("another plugin's args = %v, kind %q", got, doc.Kind)
	}
	if _, err := KubeconfigWithProfile("not json", "p"); err == nil {
		t.Error("a kubeconfig that is not JSON was accepted")
	}
}
