package config

import (
	"reflect"
	"testing"
)

func TestImageReferencesAreParsedAsTheRuntimeDoes(t *testing.T) {
	for _, ok := range []string{
		// Digests and tags as a CI pipeline would hand them over.
		"ghcr.io/acme/demo-flask-backend@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"registry.example.com:5443/web/demo-nginx:1.2.3",
		"nginx:1.27", "localhost:5000/demo-nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"} {
		if err := checkImageReference(ok); err != nil {
			t.Errorf("%s rejected: %v", ok, err)
		}
	}
	for _, bad := range []string{"ghcr.io/acme/flask", "ghcr.io/Acme/flask:1", "flask:", "flask@sha256:123", "http://ghcr.io/acme/flask:1", " nginx:1"} {
		if err := checkImageReference(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// AppArgs, which the organizer sizes a room by, are the Apps Plan registers.
func TestAppArgsAreThePlansApps(t *testing.T) {
	for _, target := range []string{TargetEKS, TargetLocal} {
		c := DefaultConfig()
		c.Target, c.AppsDir, c.MetricsServer, c.Region = target, "../../apps", true, "ap-northeast-2"
		plan, err := c.Plan()
		if err != nil {
			t.Fatal(err)
		}
		if got := c.AppArgs(); !reflect.DeepEqual(got, plan.Apps) || len(got) != 2 {
			t.Errorf("%s: AppArgs %+v\nPlan.Apps %+v", target, got, plan.Apps)
		}
	}
}
