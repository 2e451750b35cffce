//go:build integration

package organizer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/tools"
	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// These tests drive the real engine (the Pulumi CLI built by tools/install.sh
// pulumi) with a file backend in a temporary directory. The orchestration
// runs with fakeRoom's programs, which register component resources only and
// so need no provider plugin; the last tests run the real stacks.Program as
// far as the engine gets without one.

// newTestOrganizer gives each test its own backend, work directory and
// PULUMI_HOME (so no plugin installed on this machine is found).
func newTestOrganizer(t testing.TB, plan *room.Plan, program ProgramFactory, configure func(*Options)) *Organizer {
	t.Helper()
	cli := tools.Require(t, "pulumi")["pulumi"]
	t.Setenv("PATH", filepath.Dir(cli)+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	opts := Options{
		Settings: room.Settings{
			Backend:  "file://" + filepath.Join(dir, "state"),
			WorkDir:  filepath.Join(dir, "work"),
			Parallel: 2,
			Room:     room.Room{Name: "test-room"},
			Env: map[string]string{
				"PULUMI_CONFIG_PASSPHRASE": "test passphrase",
				"PULUMI_HOME":              filepath.Join(dir, "home"),
			},
		},
		Program:  program,
		Progress: testWriter{t},
	}
	if configure != nil {
		configure(&opts)
	}
	o, err := New(context.Background(), plan, opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// testWriter sends the engine's progress to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// fakeRoom is a room whose stacks need no plugin: the cluster exports what
// participants read, participants export what they were given.
type fakeRoom struct {
	// failing participants' programs fail (by namespace).
	failing sync.Map
	// protected participants get a protected resource, which destroy refuses.
	protected sync.Map
	// inFlight and maxInFlight count participant programs running at once.
	inFlight, maxInFlight atomic.Int32
	// rendezvous makes each participant program wait (bounded) until another
	// runs too, so parallelism shows even on a slow machine; 0 waits for none.
	rendezvous int32
}

func (f *fakeRoom) program(cfg stacks.Config) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		if cfg.Target == config.TargetEKS {
			if _, fail := f.failing.Load(cfg.ClusterName); fail {
				return fmt.Errorf("cluster %s: injected failure", cfg.ClusterName)
			}
			var res pulumi.ResourceState
			if err := ctx.RegisterComponentResource("eks-workshop:test:Cluster", cfg.ClusterName, &res); err != nil {
				return err
			}
			var teams []string
			for _, e := range cfg.AccessEntries {
				teams = append(teams, fmt.Sprintf("%s:%s:%s:%s", e.PrincipalArn, e.Policy, strings.Join(e.Namespaces, ","), strings.Join(e.KubernetesGroups, ",")))
			}
			ctx.Export(outputKubeconfig, pulumi.ToSecret(pulumi.String("kubeconfig of "+cfg.ClusterName)))
			ctx.Export(outputFlaskImage, pulumi.String("registry.example/flask@sha256:"+strings.Repeat("a", 64)))
			ctx.Export(outputNginxImage, pulumi.String("registry.example/nginx@sha256:"+strings.Repeat("b", 64)))
			ctx.Export(outputALBURL, pulumi.String("http://alb.example"))
			ctx.Export("teams", pulumi.ToStringArray(teams))
			return nil
		}
		n := f.inFlight.Add(1)
		defer f.inFlight.Add(-1)
		for m := f.maxInFlight.Load(); n > m && !f.maxInFlight.CompareAndSwap(m, n); m = f.maxInFlight.Load() {
		}
		for deadline := time.Now().Add(20 * time.Second); f.inFlight.Load() < f.rendezvous && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		if _, fail := f.failing.Load(cfg.Namespace); fail {
			return fmt.Errorf("participant %s: injected failure", cfg.Namespace)
		}
		var opts []pulumi.ResourceOption
		if _, p := f.protected.Load(cfg.Namespace); p {
			opts = append(opts, pulumi.Protect(true))
		}
		var res pulumi.ResourceState
		if err := ctx.RegisterComponentResource("eks-workshop:test:Environment", cfg.Namespace, &res, opts...); err != nil {
			return err
		}
		ctx.Export(outputInClusterURL, pulumi.String("http://demo-nginx."+cfg.Namespace+".svc.cluster.local"))
		ctx.Export("target", pulumi.String(cfg.Target))
		ctx.Export("kubeconfigGiven", pulumi.ToSecret(pulumi.String(cfg.Kubeconfig)))
		ctx.Export("imagesGiven", pulumi.ToStringArray([]string{cfg.FlaskImage, cfg.NginxImage}))
		return nil
	}
}

// perStack is what each fake stack holds: the stack resource and one component.
const perStack = 2

func testPlan(t *testing.T, names ...string) *room.Plan {
	t.Helper()
	var participants []room.Participant
	for _, n := range names {
		participants = append(participants, room.Participant{Name: n, PrincipalArn: "arn:aws:iam::111122223333:role/" + n})
	}
	plan, err := room.NewPlan(devConfig(t), participants)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func byStack(t testing.TB, report room.Report) map[string]room.Result {
	t.Helper()
	out := map[string]room.Result{}
	for _, r := range report {
		out[r.Stack] = r
	}
	var table strings.Builder
	if err := report.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + table.String())
	return out
}

func stackOutputs(t *testing.T, o *Organizer, name string) auto.OutputMap {
	t.Helper()
	s, err := o.stack(context.Background(), name, nil, false)
	if err != nil || s == nil {
		t.Fatalf("stack %s: %v", name, err)
	}
	out, err := s.Outputs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUpRunsParticipantsInParallelIsolatesAFailureAndResumes(t *testing.T) {
	fake := &fakeRoom{rendezvous: 2}
	fake.failing.Store("bob", true)
	plan := testPlan(t, "alice", "bob", "carol", "dave")
	o := newTestOrganizer(t, plan, fake.program, nil)
	ctx := context.Background()

	report, err := o.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows := byStack(t, report)
	if got := rows[room.ClusterStack]; got.Err != nil || got.Changes["create"] != perStack || got.URL != "http://alb.example" {
		t.Fatalf("cluster: %+v", got)
	}
	for _, name := range []string{"alice", "carol", "dave"} {
		got := rows[name]
		if got.Err != nil || got.Status != room.Status(room.OpUp) || got.Changes["create"] != perStack || got.URL != "http://demo-nginx."+name+".svc.cluster.local" {
			t.Errorf("%s: %+v", name, got)
		}
	}
	if bob := rows["bob"]; bob.Status != room.StatusFailed || bob.Problem() != "participant bob: injected failure" {
		t.Errorf("bob's failure is not reported as his: %+v", bob)
	}
	if err := report.Err(); err == nil || !strings.Contains(err.Error(), "stack bob:") || strings.Contains(err.Error(), "stack alice") {
		t.Errorf("report error names the wrong stacks: %v", err)
	}
	if got := fake.maxInFlight.Load(); got != 2 {
		t.Errorf("%d participant programs ran at once, want exactly Parallel = 2", got)
	}

	// Every participant with a principal can edit its namespace, and only it.
	teams := fmt.Sprint(stackOutputs(t, o, room.ClusterStack)["teams"].Value)
	for _, name := range []string{"alice", "bob", "carol", "dave"} {
		want := fmt.Sprintf("arn:aws:iam::111122223333:role/%s:Edit:%s:%s-developers", name, name, name)
		if !strings.Contains(teams, want) {
			t.Errorf("cluster access entries %s lack %s", teams, want)
		}
	}
	// Participants run the local target on the cluster's kubeconfig and images.
	alice := stackOutputs(t, o, "alice")
	if alice["target"].Value != config.TargetLocal || alice["kubeconfigGiven"].Value != "kubeconfig of eks-demo" ||
		!strings.Contains(fmt.Sprint(alice["imagesGiven"].Value), "registry.example/flask@sha256:") {
		t.Errorf("alice's environment is not wired to the cluster: %v", alice)
	}

	// Fixed, a second up creates bob's environment and changes nothing else.
	fake.failing.Delete("bob")
	fake.rendezvous = 0
	report, err = o.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows = byStack(t, report)
	if err := report.Err(); err != nil {
		t.Fatal(err)
	}
	// bob's failed run left his stack resource; the resumed one adds the rest.
	if got := rows["bob"].Changes; got["create"] != perStack-1 || got["same"] != 1 {
		t.Errorf("bob after resume: %v, want %d create, 1 same", got, perStack-1)
	}
	for _, name := range []string{room.ClusterStack, "alice", "carol", "dave"} {
		if got := rows[name].Changes; got["same"] != perStack || len(got) != 1 {
			t.Errorf("%s after resume: %v, want only %d same", name, got, perStack)
		}
	}
}

func TestUpSkipsParticipantsWhenTheClusterFails(t *testing.T) {
	plan := testPlan(t, "alice")
	o := newTestOrganizer(t, plan, func(cfg stacks.Config) pulumi.RunFunc {
		return func(ctx *pulumi.Context) error {
			if cfg.Target == config.TargetEKS {
				return errors.New("cluster: injected failure")
			}
			t.Error("a participant ran without a cluster")
			return nil
		}
	}, nil)
	report, err := o.Up(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows := byStack(t, report)
	if rows[room.ClusterStack].Status != room.StatusFailed || rows["alice"].Status != room.StatusSkipped {
		t.Errorf("cluster %s, alice %s: want failed, skipped", rows[room.ClusterStack].Status, rows["alice"].Status)
	}
}

func TestDestroyRemovesEveryParticipantBeforeTheCluster(t *testing.T) {
	fake := &fakeRoom{}
	var mu sync.Mutex
	var events []string
	record := func(opts *Options) {
		opts.Events = func(e Event) {
			mu.Lock()
			defer mu.Unlock()
			phase := "start"
			if e.Result != nil {
				phase = "end"
			}
			events = append(events, fmt.Sprintf("%s %s %s", e.Operation, e.Stack, phase))
		}
	}
	o := newTestOrganizer(t, testPlan(t, "alice", "bob", "carol"), fake.program, record)
	ctx := context.Background()
	if report, err := o.Up(ctx); err != nil || report.Err() != nil {
		t.Fatal(err, report.Err())
	}

	// carol has left the list since; her stack is still destroyed.
	o.plan = testPlan(t, "alice", "bob", "erin")
	o.opts.WholeRoom = true
	events = nil
	report, err := o.Destroy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows := byStack(t, report)
	for _, name := range []string{room.ClusterStack, "alice", "bob", "carol"} {
		if got := rows[name]; got.Status != room.StatusDestroyed || got.Changes["delete"] != perStack {
			t.Errorf("%s: %+v, want destroyed with %d delete", name, got, perStack)
		}
	}
	if got := rows["erin"].Status; got != room.StatusAbsent {
		t.Errorf("erin, never deployed: %s, want %s", got, room.StatusAbsent)
	}
	clusterStart := -1
	for i, e := range events {
		if e == "destroy "+room.ClusterStack+" start" {
			clusterStart = i
		}
	}
	for _, name := range []string{"alice", "bob", "carol"} {
		end := -1
		for i, e := range events {
			if e == "destroy "+name+" end" {
				end = i
			}
		}
		if end < 0 || clusterStart < 0 || end > clusterStart {
			t.Errorf("%s's destroy did not end before the cluster's started: %v", name, events)
		}
	}
}

func TestDestroyKeepsTheClusterWhileAParticipantRemains(t *testing.T) {
	fake := &fakeRoom{}
	fake.protected.Store("bob", true)
	o := newTestOrganizer(t, testPlan(t, "alice", "bob"), fake.program, nil)
	ctx := context.Background()
	if report, err := o.Up(ctx); err != nil || report.Err() != nil {
		t.Fatal(err, report.Err())
	}
	o.opts.WholeRoom = true
	report, err := o.Destroy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows := byStack(t, report)
	if rows["alice"].Status != room.StatusDestroyed || rows["bob"].Status != room.StatusFailed || rows[room.ClusterStack].Status != room.StatusSkipped {
		t.Errorf("alice %s, bob %s, cluster %s: want destroyed, failed, skipped",
			rows["alice"].Status, rows["bob"].Status, rows[room.ClusterStack].Status)
	}
	if len(stackOutputs(t, o, room.ClusterStack)) == 0 {
		t.Error("the cluster stack lost its outputs: it was destroyed under bob")
	}
}

func TestPreviewAndStatusBeforeAndAfterUp(t *testing.T) {
	fake := &fakeRoom{}
	o := newTestOrganizer(t, testPlan(t, "alice"), fake.program, nil)
	ctx := context.Background()

	report, err := o.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows := byStack(t, report)
	if got := rows[room.ClusterStack]; got.Err != nil || got.Changes["create"] != perStack {
		t.Errorf("cluster preview: %+v, want %d create", got, perStack)
	}
	// Before the cluster is up there is nothing to preview alice against,
	// and nothing wrong either; a cluster that fails its preview is wrong.
	if got := rows["alice"]; got.Status != room.StatusSkipped || got.Err != nil || !strings.Contains(got.Detail, "previewed once the cluster is up") {
		t.Errorf("alice previewed before the cluster exists: %+v", got)
	}
	if report.Err() != nil {
		t.Errorf("the preview of a room not up yet failed: %v", report.Err())
	}
	fake.failing.Store(o.plan.Cluster.ClusterName, true)
	if report, err := o.Preview(ctx); err != nil || report.Err() == nil || byStack(t, report)["alice"].Err == nil {
		t.Errorf("a cluster whose preview fails: %v %+v, want alice skipped with its error", err, report)
	}
	fake.failing.Delete(o.plan.Cluster.ClusterName)

	if report, err := o.Up(ctx); err != nil || report.Err() != nil {
		t.Fatal(err, report.Err())
	}
	o.plan = testPlan(t, "alice", "bob")
	report, err = o.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows = byStack(t, report)
	if got := rows["alice"].Changes; got["same"] != perStack || len(got) != 1 {
		t.Errorf("alice preview after up: %v, want only %d same", got, perStack)
	}
	if got := rows["bob"].Changes; got["create"] != perStack {
		t.Errorf("bob preview: %v, want %d create", got, perStack)
	}

	report, err = o.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows = byStack(t, report)
	if got := rows["alice"]; got.Status != "update succeeded" || got.URL != "http://demo-nginx.alice.svc.cluster.local" || got.Detail == "" {
		t.Errorf("alice status: %+v", got)
	}
	if got := rows[room.ClusterStack]; got.Status != "update succeeded" || got.URL != "http://alb.example" {
		t.Errorf("cluster status: %+v", got)
	}
	if got := rows["bob"]; got.Status != room.StatusNew {
		t.Errorf("bob, previewed only: %+v, want %s", got, room.StatusNew)
	}
}

// The real program goes as far as the engine can without a provider plugin,
// and the organizer says which plugin and how to install it.
func TestRealProgramStopsAtTheMissingPluginAndSaysHowToInstallIt(t *testing.T) {
	pinned := map[string]room.Plugin{}
	for _, p := range room.PluginsOf(tools.Modules(t, "../cmd/organizer")) {
		pinned[p.Name] = p
	}
	offline := func(opts *Options) {
		// Nothing to download from here: fail at the first plugin, at once.
		opts.Env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
	}
	check := func(t *testing.T, r room.Result, plugin string) {
		t.Helper()
		var missing *room.MissingPluginError
		if !errors.As(r.Err, &missing) {
			t.Fatalf("%s: %v, want a MissingPluginError", r.Stack, r.Err)
		}
		want := pinned[plugin]
		if missing.Plugin != want {
			t.Errorf("%s: missing %v, want the pinned %v", r.Stack, missing.Plugin, want)
		}
		for _, says := range []string{"organizer plugins", want.InstallCommand()} {
			if !strings.Contains(r.Err.Error(), says) {
				t.Errorf("%s: %q does not say %q", r.Stack, r.Err, says)
			}
		}
	}

	t.Run("cluster", func(t *testing.T) {
		o := newTestOrganizer(t, testPlan(t, "alice"), stacks.Program, offline)
		report, err := o.Up(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		rows := byStack(t, report)
		check(t, rows[room.ClusterStack], "aws")
		if rows["alice"].Status != room.StatusSkipped {
			t.Errorf("alice: %+v, want skipped", rows["alice"])
		}
	})
	t.Run("participant", func(t *testing.T) {
		fake := &fakeRoom{}
		o := newTestOrganizer(t, testPlan(t, "alice"), func(cfg stacks.Config) pulumi.RunFunc {
			if cfg.Target == config.TargetEKS {
				return fake.program(cfg)
			}
			return stacks.Program(cfg)
		}, offline)
		report, err := o.Up(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		rows := byStack(t, report)
		if rows[room.ClusterStack].Err != nil {
			t.Fatal(rows[room.ClusterStack].Err)
		}
		check(t, rows["alice"], "kubernetes")
	})
}

// devConfig is the repository's dev environment, the default shared cluster.
func devConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := room.ReadStackConfig(filepath.Join("..", "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
