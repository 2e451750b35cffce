//go:build integration

package organizer

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"

	"github.com/eks-workshop/eks-workshop/internal/kubetest"
	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// An up stopped while the engine creates objects, on the real engine and
// the real Kubernetes provider: gracefully (the first Ctrl-C or SIGTERM)
// and forced (the second). The next up must end with no pending operation
// and must not create again any object that exists.
//
// The provider the tests run (the pseudo-version the Go proxy serves)
// upserts on create: a create of an object that exists succeeds, as it
// would not under the v4.30.0 plugin users get (AlreadyExists unless
// upsertExistingObjects is set). So the test does not rely on the create
// failing: it reads the step the engine takes for every object that existed
// before the next up, and wants none of them to be a create.
func TestInterruptedUpConvergesWithoutCreatingAnythingTwice(t *testing.T) {
	cluster := startRoomCluster(t)
	for _, forced := range []bool{false, true} {
		name := map[bool]string{false: "graceful", true: "forced"}[forced]
		t.Run(name, func(t *testing.T) {
			o := existingRoom(t, cluster, 2, 2)
			first := &stepLog{}
			o.opts.EngineEvents = first.record
			ctx, force := context.WithCancel(context.Background())
			defer force()
			type result struct {
				report room.Report
				err    error
			}
			done := make(chan result, 1)
			go func() {
				r, err := o.Up(ctx)
				done <- result{r, err}
			}()
			waitForADeployment(t, cluster, o)
			o.opts.Stop.Stop("test: " + name)
			if forced {
				force()
			}
			var res result
			select {
			case res = <-done:
			case <-time.After(3 * time.Minute):
				t.Fatal("the stopped up did not end")
			}
			if res.err != nil {
				t.Fatal(res.err)
			}
			rows := byStack(t, res.report)
			want := map[bool]room.Status{false: room.StatusStopped, true: room.StatusKilled}[forced]
			stopped := 0
			for _, p := range o.plan.Participants {
				switch rows[p.Name].Status {
				case want:
					stopped++
				case room.Status(room.OpUp):
				default:
					t.Errorf("%s: %+v, want %s or up", p.Name, rows[p.Name], want)
				}
			}
			if stopped == 0 {
				t.Errorf("no participant was %s", want)
			}
			t.Log(res.report.InterruptSummary())

			// What follows is a new run: a new organizer process has a new Stopper,
			// and its CLI calls are not interrupted by the first one's.
			o.opts.Stop = NewStopper()
			cmd, err := newEngineCommand(o.opts.Stop, o.opts.OperationTimeout, o.opts.CallTimeout)
			if err != nil {
				t.Fatal(err)
			}
			o.opts.Command = cmd
			// What the engines left: a graceful stop writes the state (no
			// pending operation); a killed engine leaves its pending creates.
			pending := 0
			for _, p := range o.plan.Participants {
				ops := pendingOperations(t, o, p.Name)
				t.Logf("%s left %d pending operation(s): %+v", p.Name, len(ops), room.ResolvePending(ops))
				pending += len(ops)
			}
			if !forced && pending != 0 {
				t.Errorf("the graceful stop left %d pending operation(s)", pending)
			}
			if forced && pending == 0 {
				t.Error("the forced stop left no pending operation: the test did not stop the engines mid-create")
			}

			// Whether a create was cancelled in flight (its object made, its
			// answer lost: in the state neither the object nor a pending
			// create) depends on timing; after a graceful stop, make one such
			// orphan in p01 for sure. Its negative control in p02 was written
			// by someone else: the organizer must not adopt it, so its step
			// stays a create (which the plugin users get would refuse with
			// AlreadyExists). A killed engine's pending operations make the
			// state refuse such edits until they are resolved.
			var orphan, foreign string
			if !forced {
				orphan = orphanOne(t, o, cluster, "p01", false)
				foreign = orphanOne(t, o, cluster, "p02", true)
			}
			existed := first.existing(t, cluster)
			if len(existed) == 0 {
				t.Fatal("no object the first up attempted exists: the stop came before any create")
			}
			delete(existed, foreign)
			second := &stepLog{}
			o.opts.EngineEvents = second.record
			report := roomUp(t, o)
			rows = byStack(t, report)
			for urn, what := range existed {
				op, ok := second.op(urn)
				if !ok {
					t.Errorf("%s (%s): no step in the next up", what, urn)
					continue
				}
				if op == apitype.OpCreate || op == apitype.OpCreateReplacement {
					t.Errorf("%s existed before the next up, which took a %s step for it", what, op)
				}
			}
			if _, ok := existed[orphan]; !ok && !forced {
				t.Errorf("the orphan %s made in p01 does not exist", orphan)
			}
			if op, _ := second.op(foreign); op != apitype.OpCreate && !forced {
				t.Errorf("the object someone else wrote (%s) was adopted: its step is %q, want a create", foreign, op)
			}
			for _, p := range o.plan.Participants {
				if ops := pendingOperations(t, o, p.Name); len(ops) != 0 {
					t.Errorf("%s keeps %d pending operation(s) after the next up", p.Name, len(ops))
				}
				checkWorkloadsAvailable(t, cluster, p.Name)
				t.Logf("%s: %s", p.Name, rows[p.Name].Detail)
			}
			t.Logf("%d objects existed before the next up; its steps for them: %v", len(existed), second.opsOf(existed))
			if r, err := o.Destroy(context.Background()); err != nil || r.Err() != nil {
				t.Fatal(err, r.Err())
			}
		})
	}
}

// orphanOne leaves in stack the orphan a create cancelled in flight leaves:
// it drops from the state a Kubernetes object the stopped up recorded and
// nothing depends on, and keeps the object. With foreign, the object's field
// managers are renamed too, as if someone else had written it. It returns
// the object's URN.
func orphanOne(t *testing.T, o *Organizer, cluster *kubetest.Cluster, stack string, foreign bool) string {
	t.Helper()
	s, err := o.stack(context.Background(), stack, nil, false)
	if err != nil || s == nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	ws := s.Workspace().(roomWorkspace)
	export, _, err := ws.run(context.Background(), "stack", "export", "--stack", stack)
	if err != nil {
		t.Fatal(err)
	}
	r := leafObject(t, []byte(export))
	if _, _, err := ws.run(context.Background(), "state", "delete", r.URN, "--stack", stack, "--yes"); err != nil {
		t.Fatal(err)
	}
	if foreign {
		renameFieldManagers(t, cluster, r.Type, r.ID)
	}
	return r.URN
}

type stateResource struct {
	URN, Type, ID string
	Custom        bool
	Parent        string
	Dependencies  []string
}

// leafObject is a Kubernetes object of the exported state, not a Namespace,
// that no other resource depends on.
func leafObject(t *testing.T, export []byte) stateResource {
	t.Helper()
	var state struct {
		Deployment struct{ Resources []stateResource } `json:"deployment"`
	}
	if err := json.Unmarshal(export, &state); err != nil {
		t.Fatal(err)
	}
	needed := map[string]bool{}
	for _, r := range state.Deployment.Resources {
		needed[r.Parent] = true
		for _, d := range r.Dependencies {
			needed[d] = true
		}
	}
	for _, r := range state.Deployment.Resources {
		if _, ok := kubeGVK(r.Type); ok && r.Custom && r.ID != "" && !needed[r.URN] && !strings.HasSuffix(r.Type, ":Namespace") {
			return r
		}
	}
	t.Fatal("the stopped up recorded no Kubernetes object that nothing depends on")
	return stateResource{}
}

// renameFieldManagers makes an object's field managers someone else's.
func renameFieldManagers(t *testing.T, cluster *kubetest.Cluster, typ, id string) {
	t.Helper()
	gvk, _ := kubeGVK(typ)
	dc, err := discovery.NewDiscoveryClientForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	mapping, err := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)).RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		t.Fatal(err)
	}
	namespace, name, _ := strings.Cut(id, "/")
	client := cluster.Dynamic.Resource(mapping.Resource).Namespace(namespace)
	obj, err := client.Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fields := obj.GetManagedFields()
	for i := range fields {
		fields[i].Manager = "someone-else"
	}
	obj.SetManagedFields(fields)
	if _, err := client.Update(context.Background(), obj, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// waitForADeployment waits until one of the room's Deployments exists: the
// engine is creating the participants' workloads.
func waitForADeployment(t *testing.T, cluster *kubetest.Cluster, o *Organizer) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, p := range o.plan.Participants {
			d, err := cluster.Clientset.AppsV1().Deployments(p.Name).List(context.Background(), metav1.ListOptions{})
			if err == nil && len(d.Items) > 0 {
				return
			}
		}
	}
	t.Fatal("no Deployment was created within 3 minutes")
}

// pendingOperations reads the pending operations in a stack's state.
func pendingOperations(t *testing.T, o *Organizer, stack string) []room.PendingOperation {
	t.Helper()
	s, err := o.stack(context.Background(), stack, nil, false)
	if err != nil || s == nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	// A killed engine can leave an attribute file torn, which the CLI cannot
	// read past; the next up removes it first, and so does this.
	if torn, err := o.removeTornSidecars(stack); err != nil || len(torn) > 0 {
		t.Logf("%s: removed %v (%v)", stack, torn, err)
	}
	export, _, err := s.Workspace().(roomWorkspace).run(context.Background(), "stack", "export", "--stack", stack)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := room.ReadPendingOperations([]byte(export))
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

// stepLog records the step the engine takes for each resource, with the
// Kubernetes object it is about.
type stepLog struct {
	mu    sync.Mutex
	steps map[string]step
}

type step struct {
	op                      apitype.OpType
	typ, namespace, objName string
}

func (l *stepLog) record(_ string, e events.EngineEvent) {
	if e.ResourcePreEvent == nil {
		return
	}
	m := e.ResourcePreEvent.Metadata
	s := step{op: m.Op, typ: m.Type}
	if m.New != nil {
		metadata, _ := m.New.Inputs["metadata"].(map[string]any)
		s.objName, _ = metadata["name"].(string)
		s.namespace, _ = metadata["namespace"].(string)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.steps == nil {
		l.steps = map[string]step{}
	}
	l.steps[m.URN] = s
}

func (l *stepLog) op(urn string) (apitype.OpType, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.steps[urn]
	return s.op, ok
}

func (l *stepLog) opsOf(urns map[string]string) map[apitype.OpType]int {
	ops := map[apitype.OpType]int{}
	for urn := range urns {
		op, _ := l.op(urn)
		ops[op]++
	}
	return ops
}

// existing are the Kubernetes objects the log's creates were for that
// exist in the cluster now: URN to "Kind namespace/name".
func (l *stepLog) existing(t *testing.T, cluster *kubetest.Cluster) map[string]string {
	t.Helper()
	dc, err := discovery.NewDiscoveryClientForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]string{}
	for urn, s := range l.steps {
		if s.op != apitype.OpCreate || !strings.HasPrefix(s.typ, "kubernetes:") || s.objName == "" {
			continue
		}
		gvk, ok := kubeGVK(s.typ)
		if !ok {
			t.Fatalf("type %s: not a Kubernetes kind", s.typ)
		}
		mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Fatalf("type %s: %v", s.typ, err)
		}
		_, err = cluster.Dynamic.Resource(mapping.Resource).Namespace(s.namespace).Get(context.Background(), s.objName, metav1.GetOptions{})
		switch {
		case err == nil:
			out[urn] = fmt.Sprintf("%s %s/%s", gvk.Kind, s.namespace, s.objName)
		case !apierrors.IsNotFound(err):
			t.Fatal(err)
		}
	}
	return out
}
