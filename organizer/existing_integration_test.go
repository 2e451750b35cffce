//go:build integration

package organizer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eks-workshop/eks-workshop/internal/kubetest"
	"github.com/eks-workshop/eks-workshop/internal/tools"
	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks"
)

// These run the real stacks.Program for every participant, with the real
// Kubernetes provider (tools/install.sh pulumi-kubernetes), on an
// internal/kubetest cluster: an API server with the controller manager, the
// scheduler and three kwok nodes, whose fake pods turn Ready without running.
// The cluster stands for the EKS Anywhere or kind cluster a room is given.

// Prebuilt images by digest: a room on an existing cluster builds none, and
// kwok's nodes pull nothing.
const (
	roomFlaskImage = "registry.example/demo-flask-backend@sha256:" + "1111111111111111111111111111111111111111111111111111111111111111"
	roomNginxImage = "registry.example/demo-nginx@sha256:" + "2222222222222222222222222222222222222222222222222222222222222222"
)

// startRoomCluster is a kubetest cluster with kwok nodes in three zones.
func startRoomCluster(tb testing.TB) *kubetest.Cluster {
	tb.Helper()
	return kubetest.Start(tb, kubetest.Options{Controllers: true, Zones: []string{"zone-a", "zone-b", "zone-c"}})
}

// existingRoom is an organizer for n participants (p01, p02, ...) on
// cluster, running the real program at parallel, with the kubernetes
// provider plugin found on PATH as the engine finds an installed one.
func existingRoom(tb testing.TB, cluster *kubetest.Cluster, n, parallel int, configure ...func(*Options)) *Organizer {
	tb.Helper()
	plugin := tools.Require(tb, "pulumi-resource-kubernetes")["pulumi-resource-kubernetes"]
	if os.Getenv("PATH") != "" && !strings.HasPrefix(os.Getenv("PATH"), filepath.Dir(plugin)) {
		tb.Setenv("PATH", filepath.Dir(plugin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	var participants []room.Participant
	for i := 1; i <= n; i++ {
		participants = append(participants, room.Participant{Name: fmt.Sprintf("p%02d", i)})
	}
	plan, err := room.NewExistingClusterPlan(room.ClusterOutputs{Kubeconfig: cluster.Kubeconfig, FlaskImage: roomFlaskImage, NginxImage: roomNginxImage}, participants)
	if err != nil {
		tb.Fatal(err)
	}
	if err := plan.CheckReachable(); err != nil {
		tb.Fatal(err)
	}
	return newTestOrganizer(tb, plan, stacks.Program, func(o *Options) {
		o.Parallel = parallel
		o.Progress = nil
		for _, c := range configure {
			c(o)
		}
	})
}

// roomUp runs Up and wants every participant up, and no cluster row.
func roomUp(tb testing.TB, o *Organizer) room.Report {
	tb.Helper()
	report, err := o.Up(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	if err := report.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(report) != len(o.plan.Participants) {
		tb.Fatalf("%d rows for %d participants: %v", len(report), len(o.plan.Participants), report)
	}
	return report
}

func TestRoomOnAnExistingCluster(t *testing.T) {
	// The TMPDIR the organizer was started with, which the engines' Kubernetes
	// provider would fill with copies of the kubeconfig.
	shared := t.TempDir()
	t.Setenv("TMPDIR", shared)
	cluster := startRoomCluster(t)
	const participants = 10
	o := existingRoom(t, cluster, participants, 4)
	ctx := context.Background()

	start := time.Now()
	rows := byStack(t, roomUp(t, o))
	t.Logf("up of %d participants: %s", participants, time.Since(start).Round(time.Second))
	created := -1
	for _, p := range o.plan.Participants {
		r := rows[p.Name]
		if created < 0 {
			created = r.Changes["create"]
		}
		if r.Changes["create"] == 0 || r.Changes["create"] != created || len(r.Changes) != 1 ||
			r.URL != fmt.Sprintf("http://demo-nginx.%s.svc.cluster.local:80", p.Name) {
			t.Errorf("%s: %+v, want %d create and its URL", p.Name, r, created)
		}
		checkWorkloadsAvailable(t, cluster, p.Name)
	}

	// Nothing changed, nothing to do.
	start = time.Now()
	rows = byStack(t, roomUp(t, o))
	t.Logf("second up: %s", time.Since(start).Round(time.Second))
	for _, p := range o.plan.Participants {
		if got := rows[p.Name].Changes; got["same"] != created || len(got) != 1 {
			t.Errorf("%s, second up: %v, want only %d same", p.Name, got, created)
		}
	}

	start = time.Now()
	report, err := o.Destroy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("destroy: %s", time.Since(start).Round(time.Second))
	rows = byStack(t, report)
	for _, p := range o.plan.Participants {
		if got := rows[p.Name]; got.Status != room.StatusDestroyed || got.Changes["delete"] != created {
			t.Errorf("%s: %+v, want destroyed with %d delete", p.Name, got, created)
		}
		_, err := cluster.Clientset.CoreV1().Namespaces().Get(ctx, p.Name, metav1.GetOptions{})
		if !apierrors.IsNotFound(err) {
			t.Errorf("namespace %s after destroy: %v, want NotFound", p.Name, err)
		}
	}
	checkKubeconfigCopies(t, shared, o)
}

// checkKubeconfigCopies wants the provider's copies of the kubeconfig in
// the organizer's own temporary directory, none in shared, and none left
// once the organizer is closed.
func checkKubeconfigCopies(t *testing.T, shared string, o *Organizer) {
	t.Helper()
	leaked, _ := filepath.Glob(filepath.Join(shared, "kubeconfig*"))
	own, _ := filepath.Glob(filepath.Join(o.tmp, "kubeconfig*"))
	if len(leaked) > 0 || len(own) == 0 {
		t.Errorf("the provider's kubeconfig copies: %d in the TMPDIR the organizer was given, %d in its own %s; want 0 and some", len(leaked), len(own), o.tmp)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(o.tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Close, %s: %v, want it gone", o.tmp, err)
	}
}

// checkWorkloadsAvailable wants the namespace Active and its two
// Deployments Available with every replica ready on a kwok node.
func checkWorkloadsAvailable(t *testing.T, cluster *kubetest.Cluster, namespace string) {
	t.Helper()
	ctx := context.Background()
	ns, err := cluster.Clientset.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
	if err != nil || ns.Status.Phase != corev1.NamespaceActive {
		t.Errorf("namespace %s: %v", namespace, err)
		return
	}
	deployments, err := cluster.Clientset.AppsV1().Deployments(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range deployments.Items {
		names = append(names, d.Name)
		if !available(d) || d.Spec.Replicas == nil || d.Status.ReadyReplicas != *d.Spec.Replicas {
			t.Errorf("%s/%s: not Available (%d/%v ready): %+v", namespace, d.Name, d.Status.ReadyReplicas, d.Spec.Replicas, d.Status.Conditions)
		}
	}
	if fmt.Sprint(names) != "[demo-flask-backend demo-nginx]" {
		t.Errorf("%s: deployments %v", namespace, names)
	}
	for _, service := range names {
		checkServiceEndpointsReady(t, cluster, namespace, service)
	}
}

// checkServiceEndpointsReady wants the Service to send traffic to ready
// pods: what the provider's Service await, which the program skips
// (components' skipAwaitAnnotation), would have waited for. The endpoint
// controller follows the pods within moments; it is given 15 s.
func checkServiceEndpointsReady(t *testing.T, cluster *kubetest.Cluster, namespace, service string) {
	t.Helper()
	ctx := context.Background()
	var ready int
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		slices, err := cluster.Clientset.DiscoveryV1().EndpointSlices(namespace).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + service})
		if err != nil {
			t.Fatal(err)
		}
		ready = 0
		for _, s := range slices.Items {
			for _, e := range s.Endpoints {
				if e.Conditions.Ready != nil && *e.Conditions.Ready {
					ready++
				}
			}
		}
		if ready > 0 || time.Now().After(deadline) {
			break
		}
	}
	if ready == 0 {
		t.Errorf("service %s/%s has no ready endpoint", namespace, service)
	}
}

func available(d appsv1.Deployment) bool {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// A room on an existing cluster given the state of a room that builds its
// cluster would move that room's participants: up stops, and says why.
func TestExistingClusterRoomRefusesTheStateOfARoomThatBuildsItsCluster(t *testing.T) {
	fake := &fakeRoom{}
	o := newTestOrganizer(t, testPlan(t, "alice"), fake.program, nil)
	if report, err := o.Up(context.Background()); err != nil || report.Err() != nil {
		t.Fatal(err, report.Err())
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte("kind: Config\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	plan, err := room.NewExistingClusterPlan(room.ClusterOutputs{Kubeconfig: kubeconfig, FlaskImage: roomFlaskImage, NginxImage: roomNginxImage}, []room.Participant{{Name: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	o.plan = plan
	for _, op := range []func(context.Context) (room.Report, error){o.Up, o.Preview} {
		report, err := op(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		rows := byStack(t, report)
		if got := rows[room.ClusterStack]; got.Status != room.StatusFailed || !strings.Contains(got.Problem(), "of a room that builds its cluster") {
			t.Errorf("cluster row: %+v", got)
		}
		if got := rows["alice"]; got.Status != room.StatusSkipped {
			t.Errorf("alice: %+v, want skipped", got)
		}
	}
	// The control: alice's stack still runs on the cluster stack's kubeconfig.
	if got := stackOutputs(t, o, "alice")["kubeconfigGiven"].Value; got != "kubeconfig of eks-demo" {
		t.Errorf("alice's environment moved: kubeconfig %v", got)
	}
}
