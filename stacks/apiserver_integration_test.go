//go:build integration

package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/yaml"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/kubetest"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/synth"
)

// snapshotDir holds the committed synth of every stack (go run ./cmd/synth
// -all -out testdata/synth); synth's tests keep it current.
var snapshotDir = filepath.Join(repoRoot, "testdata", "synth")

// snapshotStacks are the stacks with a committed synth.
func snapshotStacks(t *testing.T) []string {
	t.Helper()
	stacks, err := synth.SnapshotStacks(snapshotDir)
	if err != nil || len(stacks) == 0 {
		t.Fatalf("no synth snapshots under %s (%v)", snapshotDir, err)
	}
	return stacks
}

// stackObjects returns the stack's Kubernetes objects from its committed
// synth (kubernetes/*.yaml), namespaces first. Values only a deployment
// knows (the images' digests) are synth's placeholders, which the API
// server takes as image names.
func stackObjects(t *testing.T, stack string) []*unstructured.Unstructured {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(snapshotDir, stack, "kubernetes", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no Kubernetes objects in its synth (%v)", stack, err)
	}
	var objects []*unstructured.Unstructured
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		o := &unstructured.Unstructured{}
		if err := yaml.UnmarshalStrict(data, &o.Object); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		objects = append(objects, o)
	}
	slices.SortStableFunc(objects, func(a, b *unstructured.Unstructured) int {
		return boolRank(b.GetKind() == "Namespace") - boolRank(a.GetKind() == "Namespace")
	})
	return objects
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func ref(o *unstructured.Unstructured) string {
	if o.GetNamespace() == "" {
		return o.GetKind() + " " + o.GetName()
	}
	return o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
}

// fieldManager is who owns the applied fields, as Pulumi's provider is on a cluster.
const fieldManager = "eks-workshop-test"

// Every stack's Kubernetes objects (its committed synth) on a real kube-apiserver 1.33 with the
// controllers and three fake nodes, one per zone: accepted by server-side
// apply under strict field validation with no warning, pods admitted under
// Pod Security `restricted` (and a root pod refused), every Deployment
// Available, and an eviction its PodDisruptionBudget permits carried out
// (and one it forbids refused).
//
// No CRD is installed: the only CRD-backed kinds are in unpublishedKinds,
// listed and not checked (their schema is not published); any other
// CRD-backed object added later fails the apply with "no mapping", which
// names the kind to install first.
func TestStacksOnARealAPIServer(t *testing.T) {
	for _, stack := range snapshotStacks(t) {
		t.Run(stack, func(t *testing.T) {
			objects := stackObjects(t, stack)
			cluster := kubetest.Start(t, kubetest.Options{Controllers: true, Zones: mocktest.New().AvailabilityZones[:3]})
			var warnings kubetest.Warnings
			clientset, dyn, err := cluster.WithWarnings(&warnings)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if !t.Run("server-side apply, strict, no warnings", func(t *testing.T) {
				applyAll(t, ctx, clientset, dyn, &warnings, objects)
			}) {
				return
			}
			deployments := typed[appsv1.Deployment](t, objects, "Deployment")
			if len(deployments) == 0 {
				t.Fatal("no Deployment")
			}
			t.Run("pod templates admitted under restricted", func(t *testing.T) {
				for _, d := range deployments {
					admitPodTemplate(t, ctx, clientset, &warnings, d)
				}
			})
			if !t.Run("deployments available", func(t *testing.T) {
				for _, d := range deployments {
					waitAvailable(t, ctx, clientset, d)
				}
			}) {
				return
			}
			t.Run("evictions within the disruption budget", func(t *testing.T) {
				for _, d := range deployments {
					evictWithinBudget(t, ctx, clientset, d)
				}
			})
		})
	}
}

// unpublishedKinds are the CRD-backed kinds the stacks create whose schema
// no public source carries, so no API server here can check them: EKS Auto
// Mode installs IngressClassParams' CRD (ingressclassparams.eks.amazonaws.com)
// in each Auto Mode cluster itself (searched 2026-12-07: the EKS user guide
// documents its fields, auto-configure-alb.adoc, but publishes no CRD).
// TestUnpublishedKindsAreTheAutoStacks keeps the list to what is used.
var unpublishedKinds = map[schema.GroupKind]string{
	{Group: spec.AutoModeParamsGroup, Kind: spec.AutoModeIngressClassParams}: "EKS Auto Mode installs its CRD and publishes no schema; " +
		"its fields are checked against the EKS user guide by TestAutoStackSharesOneALB",
}

// Every unchecked kind is one a committed stack creates, so the list cannot
// hide a kind nothing uses, and the kinds the API server does check
// include the auto stack's IngressClass and StorageClass.
func TestUnpublishedKindsAreTheAutoStacks(t *testing.T) {
	seen := map[schema.GroupKind]bool{}
	for _, stack := range snapshotStacks(t) {
		for _, o := range stackObjects(t, stack) {
			seen[o.GroupVersionKind().GroupKind()] = true
		}
	}
	for kind := range unpublishedKinds {
		if !seen[kind] {
			t.Errorf("%s is listed as not checked but no stack creates it", kind)
		}
	}
	for _, kind := range []schema.GroupKind{{Group: "networking.k8s.io", Kind: "IngressClass"}, {Group: "storage.k8s.io", Kind: "StorageClass"}} {
		if _, unchecked := unpublishedKinds[kind]; unchecked || !seen[kind] {
			t.Errorf("%s: created %v, unchecked %v", kind, seen[kind], unchecked)
		}
	}
}

// applyAll applies each object as Pulumi's provider does with server-side
// apply, rejecting unknown or duplicate fields (fieldValidation=Strict).
func applyAll(t *testing.T, ctx context.Context, clientset kubernetes.Interface, dyn dynamic.Interface, warnings *kubetest.Warnings, objects []*unstructured.Unstructured) {
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(clientset.Discovery()))
	force := true
	for _, o := range objects {
		gvk := o.GroupVersionKind()
		if why, ok := unpublishedKinds[gvk.GroupKind()]; ok {
			t.Logf("%s: not checked: %s", ref(o), why)
			continue
		}
		mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Errorf("%s: the API server does not serve %s (a CRD-backed kind needs its CRD applied first): %v", ref(o), gvk, err)
			continue
		}
		var resource dynamic.ResourceInterface = dyn.Resource(mapping.Resource)
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			resource = dyn.Resource(mapping.Resource).Namespace(o.GetNamespace())
		}
		body, err := json.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := resource.Patch(ctx, o.GetName(), types.ApplyPatchType, body, metav1.PatchOptions{
			FieldManager: fieldManager, Force: &force, FieldValidation: metav1.FieldValidationStrict,
		}); err != nil {
			t.Errorf("%s rejected: %v", ref(o), err)
		}
		for _, w := range warnings.Take() {
			t.Errorf("%s: warning: %s", ref(o), w)
		}
	}
}

// typed converts the objects of one kind to their k8s.io/api type.
func typed[T any](t *testing.T, objects []*unstructured.Unstructured, kind string) []*T {
	t.Helper()
	var out []*T
	for _, o := range objects {
		if o.GetKind() != kind {
			continue
		}
		v := new(T)
		if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(o.Object, v, true); err != nil {
			t.Fatalf("%s: %v", ref(o), err)
		}
		out = append(out, v)
	}
	return out
}

// templatePod is the pod a Deployment's ReplicaSet would create.
func templatePod(d *appsv1.Deployment) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: d.Name + "-", Namespace: d.Namespace,
			Labels: d.Spec.Template.Labels, Annotations: d.Spec.Template.Annotations,
		},
		Spec: *d.Spec.Template.Spec.DeepCopy(),
	}
}

// admitPodTemplate creates the Deployment's pod (dry run) in its namespace,
// whose labels enforce Pod Security `restricted`; the same pod running as
// root must be refused, or the check proves nothing.
func admitPodTemplate(t *testing.T, ctx context.Context, clientset kubernetes.Interface, warnings *kubetest.Warnings, d *appsv1.Deployment) {
	dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: metav1.FieldValidationStrict}
	pods := clientset.CoreV1().Pods(d.Namespace)
	if _, err := pods.Create(ctx, templatePod(d), dryRun); err != nil {
		t.Errorf("%s's pod refused: %v", d.Name, err)
	}
	for _, w := range warnings.Take() {
		t.Errorf("%s's pod: warning: %s", d.Name, w)
	}

	root := templatePod(d)
	rootUID, nonRoot := int64(0), false
	root.Spec.SecurityContext.RunAsUser, root.Spec.SecurityContext.RunAsNonRoot = &rootUID, &nonRoot
	root.Spec.Containers[0].SecurityContext.RunAsNonRoot = &nonRoot
	_, err := pods.Create(ctx, root, dryRun)
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `violates PodSecurity "restricted:`) {
		t.Errorf("%s's pod as root: err = %v, want Forbidden by PodSecurity restricted", d.Name, err)
	}
	warnings.Take()
}

// Bounds for the controllers and kwok, which act within a second or two.
const (
	rolloutTimeout = 90 * time.Second
	pollInterval   = 250 * time.Millisecond
)

// poll calls ok until it returns true, failing the test after timeout.
func poll(t *testing.T, ctx context.Context, what string, timeout time.Duration, ok func(context.Context) (bool, string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		done, status := ok(ctx)
		if done {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not after %s (%s)", what, timeout, status)
		case <-time.After(pollInterval):
		}
	}
}

// waitAvailable waits until the Deployment is Available with every replica
// updated and ready. With an HPA, spec.replicas is left unset and defaults to 1.
func waitAvailable(t *testing.T, ctx context.Context, clientset kubernetes.Interface, d *appsv1.Deployment) {
	t.Helper()
	poll(t, ctx, d.Name+" Available", rolloutTimeout, func(ctx context.Context) (bool, string) {
		got, err := clientset.AppsV1().Deployments(d.Namespace).Get(ctx, d.Name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		s := got.Status
		status := fmt.Sprintf("replicas %d updated %d available %d, conditions %v", s.Replicas, s.UpdatedReplicas, s.AvailableReplicas, s.Conditions)
		want := *got.Spec.Replicas
		if want < 1 || s.ObservedGeneration < got.Generation || s.UpdatedReplicas != want || s.AvailableReplicas != want {
			return false, status
		}
		for _, c := range s.Conditions {
			if c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue {
				return true, status
			}
		}
		return false, status
	})
}

// evictWithinBudget evicts one of the Deployment's pods, which its PDB
// permits (maxUnavailable 1), and waits for the replacement; then, with the
// budget at maxUnavailable 0, an eviction must be refused (429).
func evictWithinBudget(t *testing.T, ctx context.Context, clientset kubernetes.Interface, d *appsv1.Deployment) {
	pdbs := clientset.PolicyV1().PodDisruptionBudgets(d.Namespace)
	pdb, err := pdbs.Get(ctx, d.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("%s has no PodDisruptionBudget of its name: %v", d.Name, err)
	}
	selector, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		t.Fatal(err)
	}
	if !selector.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Fatalf("PDB %s selects %s, which %s's pods do not match", pdb.Name, selector, d.Name)
	}
	waitAllowed := func(want int32) {
		poll(t, ctx, fmt.Sprintf("PDB %s disruptionsAllowed %d", pdb.Name, want), rolloutTimeout, func(ctx context.Context) (bool, string) {
			got, err := pdbs.Get(ctx, pdb.Name, metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			return got.Status.ObservedGeneration == got.Generation && got.Status.DisruptionsAllowed == want,
				fmt.Sprintf("status %+v", got.Status)
		})
	}
	runningPod := func() string {
		pods, err := clientset.CoreV1().Pods(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pods.Items {
			if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning {
				return p.Name
			}
		}
		t.Fatalf("%s has no running pod", d.Name)
		return ""
	}
	evict := func(pod string) error {
		return clientset.PolicyV1().Evictions(d.Namespace).Evict(ctx, &policyv1.Eviction{
			ObjectMeta: metav1.ObjectMeta{Name: pod, Namespace: d.Namespace},
		})
	}

	waitAllowed(1)
	pod := runningPod()
	if err := evict(pod); err != nil {
		t.Fatalf("evicting %s, which the budget permits: %v", pod, err)
	}
	poll(t, ctx, "evicted pod "+pod+" gone", rolloutTimeout, func(ctx context.Context) (bool, string) {
		_, err := clientset.CoreV1().Pods(d.Namespace).Get(ctx, pod, metav1.GetOptions{})
		return apierrors.IsNotFound(err), fmt.Sprint(err)
	})
	waitAvailable(t, ctx, clientset, d)

	// Negative control: a budget that permits no disruption refuses the eviction.
	// The disruption controller writes the budget's status meanwhile, so an
	// update can meet a newer version: read it again and retry, as controllers do.
	zero := intstr.FromInt32(0)
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		latest, err := pdbs.Get(ctx, pdb.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		latest.Spec.MaxUnavailable = &zero
		_, err = pdbs.Update(ctx, latest, metav1.UpdateOptions{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	waitAllowed(0)
	if err := evict(runningPod()); !apierrors.IsTooManyRequests(err) {
		t.Errorf("eviction with maxUnavailable 0: err = %v, want 429 Too Many Requests", err)
	}
}
