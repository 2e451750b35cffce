package stacks

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

// Digests as a CI pipeline would hand them over.
const (
	prebuiltFlask = "ghcr.io/acme/demo-flask-backend@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	prebuiltNginx = "registry.example.com:5443/web/demo-nginx:1.2.3"
)

// imageBuilds are the docker images a run builds, by resource name.
func imageBuilds(run stackRun) []string {
	var names []string
	for _, r := range run.ByType("docker:index/image:Image") {
		names = append(names, r.Name)
	}
	return names
}

func TestLocalStackDeploysPrebuiltImagesAsGivenAndBuildsNothing(t *testing.T) {
	t.Parallel()
	// Negative control: without the keys, both apps are built.
	if built := imageBuilds(runStack(t, "local", nil)); len(built) != 2 {
		t.Fatalf("default local stack builds %v, want both apps", built)
	}

	run := runStack(t, "local", map[string]string{
		"eks-workshop:flaskImage": prebuiltFlask,
		"eks-workshop:nginxImage": prebuiltNginx,
		// A pipeline that builds elsewhere needs no sources and no registry here.
		"eks-workshop:appsDir":       "/nonexistent",
		"eks-workshop:imageRegistry": "not a registry",
	})
	if built := imageBuilds(run); len(built) != 0 {
		t.Errorf("builds %v with both images prebuilt", built)
	}
	if n := len(run.ByType("eks-workshop:index:RegistryImage")); n != 0 {
		t.Errorf("registered %d RegistryImage components", n)
	}
	objects := decodeAll(t, run)
	for name, want := range map[string]string{"demo-flask-backend": prebuiltFlask, "demo-nginx": prebuiltNginx} {
		d := get[appsv1.Deployment](t, objects, "Deployment/development/"+name)
		if got := d.Spec.Template.Spec.Containers[0].Image; got != want {
			t.Errorf("%s runs %q, want exactly %q", name, got, want)
		}
	}
	if run.Outputs["flaskImage"] != prebuiltFlask || run.Outputs["nginxImage"] != prebuiltNginx {
		t.Errorf("image outputs = %v, %v", run.Outputs["flaskImage"], run.Outputs["nginxImage"])
	}
}

func TestOnePrebuiltImageLeavesTheOtherAppBuilt(t *testing.T) {
	t.Parallel()
	run := runStack(t, "local", map[string]string{"eks-workshop:nginxImage": prebuiltNginx})
	if built := imageBuilds(run); len(built) != 1 || built[0] != "demo-flask-backend-image" {
		t.Errorf("builds %v, want only demo-flask-backend-image", built)
	}
	d := get[appsv1.Deployment](t, decodeAll(t, run), "Deployment/development/demo-flask-backend")
	if image := d.Spec.Template.Spec.Containers[0].Image; !strings.HasPrefix(image, "localhost:5001/demo-flask-backend@sha256:") {
		t.Errorf("flask runs %s, want its build", image)
	}
}

func TestEKSStackCreatesNoRepositoryForAPrebuiltImage(t *testing.T) {
	t.Parallel()
	run := runStack(t, "dev", map[string]string{"eks-workshop:flaskImage": prebuiltFlask})
	var repos []string
	for _, r := range run.ByType("aws:ecr/repository:Repository") {
		repos = append(repos, r.Name)
	}
	// nginx, still built, is the negative control.
	if len(repos) != 1 || repos[0] != "demo-nginx-repo" {
		t.Errorf("ECR repositories %v, want only demo-nginx-repo", repos)
	}
	if built := imageBuilds(run); len(built) != 1 || built[0] != "demo-nginx-image" {
		t.Errorf("builds %v, want only demo-nginx-image", built)
	}
	d := get[appsv1.Deployment](t, decodeAll(t, run), "Deployment/development/demo-flask-backend")
	if image := d.Spec.Template.Spec.Containers[0].Image; image != prebuiltFlask {
		t.Errorf("flask runs %q, want exactly %q", image, prebuiltFlask)
	}
	if _, ok := run.Outputs["flaskRepositoryUrl"]; ok {
		t.Errorf("flaskRepositoryUrl exported for an image with no repository")
	}
	if _, ok := run.Outputs["nginxRepositoryUrl"]; !ok {
		t.Errorf("nginxRepositoryUrl missing")
	}
}

// Only a Deployment whose image is pinned by digest (every built image, a
// prebuilt one given by digest) tells kube-score that pull policy Always
// does not apply; a prebuilt image by tag gets no exemption.
func TestOnlyDigestPinnedImagesAreExemptFromPullPolicyAlways(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		overrides map[string]string
		exempt    map[string]bool
	}{
		{"built", nil, map[string]bool{"demo-flask-backend": true, "demo-nginx": true}},
		{"prebuilt", map[string]string{"eks-workshop:flaskImage": prebuiltFlask, "eks-workshop:nginxImage": prebuiltNginx},
			map[string]bool{"demo-flask-backend": true, "demo-nginx": false}},
	} {
		objects := decodeAll(t, runStack(t, "local", tc.overrides))
		for name, exempt := range tc.exempt {
			d := get[appsv1.Deployment](t, objects, "Deployment/development/"+name)
			if got := d.Annotations["kube-score/ignore"] == "container-image-pull-policy"; got != exempt {
				t.Errorf("%s: %s exempt from pull policy Always = %v, want %v", tc.name, name, got, exempt)
			}
		}
	}
}
