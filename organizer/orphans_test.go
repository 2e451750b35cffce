package organizer

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const testProvider = "urn:pulumi:p01::room::pulumi:providers:kubernetes::k8s"

func createStep(typ string, metadata map[string]any, provider string) apitype.StepEventMetadata {
	return apitype.StepEventMetadata{Op: apitype.OpCreate, URN: "urn:pulumi:p01::room::" + typ + "::x", Type: typ,
		New: &apitype.StepEventStateMetadata{Custom: true, Provider: provider, Parent: "urn:parent", Inputs: map[string]any{"metadata": metadata}}}
}

func TestAPlannedCreateOfANamedObjectWithAKnownProviderIsACandidate(t *testing.T) {
	named := map[string]any{"name": "demo-nginx", "namespace": "p01"}
	c, ok := kubeCreate(createStep("kubernetes:apps/v1:Deployment", named, testProvider+"::abc"))
	if !ok || c.gvk != (schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}) ||
		c.id() != "p01/demo-nginx" || c.Provider != testProvider+"::abc" || c.Parent != "urn:parent" || c.ResourceType != "kubernetes:apps/v1:Deployment" {
		t.Fatalf("%+v %v", c, ok)
	}
	if c, ok := kubeCreate(createStep("kubernetes:core/v1:Namespace", map[string]any{"name": "p01"}, testProvider+"::abc")); !ok ||
		c.gvk != (schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}) || c.id() != "p01" {
		t.Fatalf("namespace: %+v %v", c, ok)
	}
	// Negative controls: each a step that is no such create.
	update := createStep("kubernetes:apps/v1:Deployment", named, testProvider+"::abc")
	update.Op = apitype.OpUpdate
	component := createStep("kubernetes:apps/v1:Deployment", named, testProvider+"::abc")
	component.New.Custom = false
	for what, m := range map[string]apitype.StepEventMetadata{
		"an update":                   update,
		"a component":                 component,
		"an AWS resource":             createStep("aws:s3/bucket:Bucket", named, testProvider+"::abc"),
		"an auto-named object":        createStep("kubernetes:apps/v1:Deployment", map[string]any{"namespace": "p01"}, testProvider+"::abc"),
		"a provider not yet made":     createStep("kubernetes:apps/v1:Deployment", named, testProvider+"::"+unknownID),
		"a default provider":          createStep("kubernetes:apps/v1:Deployment", named, ""),
		"a malformed type":            createStep("kubernetes:Deployment", named, testProvider+"::abc"),
		"a malformed group version":   createStep("kubernetes:a/b/c:Deployment", named, testProvider+"::abc"),
		"a type of another namespace": createStep("kubernetesx:apps/v1:Deployment", named, testProvider+"::abc"),
	} {
		if c, ok := kubeCreate(m); ok {
			t.Errorf("%s is a candidate: %+v", what, c)
		}
	}
}

func TestOnlyAnObjectAPulumiProviderWroteIsAdopted(t *testing.T) {
	for _, manager := range []string{"pulumi-kubernetes", "pulumi-kubernetes-a3a3fe30"} {
		if !writtenByPulumi([]metav1.ManagedFieldsEntry{{Manager: "kube-controller-manager"}, {Manager: manager}}) {
			t.Errorf("%s: not Pulumi's", manager)
		}
	}
	for _, fields := range [][]metav1.ManagedFieldsEntry{nil, {{Manager: "kubectl-client-side-apply"}, {Manager: "someone-else"}}} {
		if writtenByPulumi(fields) {
			t.Errorf("%+v: Pulumi's", fields)
		}
	}
}
