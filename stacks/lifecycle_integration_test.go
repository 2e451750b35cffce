//go:build integration

package stacks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1sdk "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1sdk "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"mvdan.cc/sh/v3/shell"
	"sigs.k8s.io/yaml"

	"github.com/eks-workshop/eks-workshop/internal/kubetest"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/internal/tools"
	"github.com/eks-workshop/eks-workshop/stacks/config"
	"github.com/eks-workshop/eks-workshop/synth"
)

// The lifecycle tier: the real Pulumi engine (the CLI tools/install.sh
// builds) and the real Kubernetes provider (pulumi-resource-kubernetes, on
// PATH) run stacks.Run, the program `pulumi up` runs, as an Automation API
// inline program, with its state on a file:// backend in a temporary
// directory, against an internal/kubetest cluster. Modelled on
// pulumi/providertest's pulumitest (up, preview with no changes, refresh,
// destroy) and ProgramTest in pkg/v3/testing/integration.
//
// The inline program is the one difference from `pulumi up -s local`: the
// Go language host (pulumi-language-go) is not available here, and an
// inline program needs none.

// localOverrides are the three changes to Pulumi.local.yaml's configuration
// the lifecycle makes: the kubetest cluster's kubeconfig, prebuilt images
// by digest (there is no Docker engine or registry here, and kwok runs no
// container), and no metrics-server: its Helm chart cannot be fetched here
// (no network), and kwok's fake kubelets serve no metrics anyway.
func localOverrides(kubeconfig string) map[string]string {
	return map[string]string{
		config.ProjectName + ":kubeconfig":    kubeconfig,
		config.ProjectName + ":flaskImage":    imageByDigest("demo-flask-backend", "1"),
		config.ProjectName + ":nginxImage":    imageByDigest("demo-nginx", "1"),
		config.ProjectName + ":metricsServer": "false",
	}
}

// imageByDigest is a reference by digest in the local stack's registry;
// kwok admits any image, so the digest only has to be well-formed.
func imageByDigest(repository, build string) string {
	sum := sha256.Sum256([]byte(repository + " build " + build))
	return "localhost:5001/" + repository + "@sha256:" + hex.EncodeToString(sum[:])
}

// engine is where the stacks' state and the engine's home live.
type engine struct {
	env     map[string]string
	workDir string
}

// newEngine requires the Pulumi CLI and the Kubernetes provider and puts
// both on PATH (the engine takes a provider found on PATH whatever its
// version, and warns that it does); plugin acquisition is off, so a
// missing plugin fails rather than downloads.
func newEngine(t *testing.T) engine {
	t.Helper()
	bin := tools.Require(t, "pulumi", "pulumi-resource-kubernetes")
	t.Setenv("PATH", strings.Join([]string{
		filepath.Dir(bin["pulumi"]), filepath.Dir(bin["pulumi-resource-kubernetes"]), os.Getenv("PATH"),
	}, string(os.PathListSeparator)))
	dir := t.TempDir()
	return engine{workDir: filepath.Join(dir, "work"), env: map[string]string{
		"PULUMI_BACKEND_URL":                          "file://" + filepath.Join(dir, "state"),
		"PULUMI_CONFIG_PASSPHRASE":                    "lifecycle test passphrase",
		"PULUMI_HOME":                                 filepath.Join(dir, "home"),
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
	}}
}

// stack creates the named stack running program with cfg as its
// configuration, as `pulumi config set` would leave it.
func (e engine) stack(t *testing.T, ctx context.Context, name string, program pulumi.RunFunc, cfg map[string]string) auto.Stack {
	t.Helper()
	if err := os.MkdirAll(strings.TrimPrefix(e.env["PULUMI_BACKEND_URL"], "file://"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(e.workDir, 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := auto.UpsertStackInlineSource(ctx, name, config.ProjectName, program, auto.WorkDir(e.workDir), auto.EnvVars(e.env))
	if err != nil {
		t.Fatal(err)
	}
	values := auto.ConfigMap{}
	for k, v := range cfg {
		values[k] = auto.ConfigValue{Value: v}
	}
	if err := s.SetAllConfig(ctx, values); err != nil {
		t.Fatal(err)
	}
	return s
}

// step runs one step of the lifecycle as a subtest and logs its wall time.
func step(t *testing.T, name string, f func(t *testing.T)) bool {
	t.Helper()
	start := time.Now()
	ok := t.Run(name, f)
	t.Logf("wall time: %-58s %6.1f s", name, time.Since(start).Seconds())
	return ok
}

// logEngineTime logs an engine operation's own wall time (the step's
// includes its checks).
func logEngineTime(t *testing.T, op string, start time.Time) {
	t.Logf("engine time: %-22s %5.1f s", op, time.Since(start).Seconds())
}

// run is one engine operation's output: its progress (logged when the
// test fails) and its step events.
type run struct {
	progress bytes.Buffer
	events   chan events.EngineEvent
	done     chan struct{}
	steps    []apitype.StepEventMetadata
	// results are the steps as they ended: a refresh's say what it found.
	results []apitype.StepEventMetadata
	outputs int
}

// record starts collecting an operation's events; wait stops it.
func record(t *testing.T) *run {
	r := &run{events: make(chan events.EngineEvent), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for e := range r.events {
			if e.ResourcePreEvent != nil {
				r.steps = append(r.steps, e.ResourcePreEvent.Metadata)
			}
			if e.ResOutputsEvent != nil {
				r.results = append(r.results, e.ResOutputsEvent.Metadata)
				r.outputs++
			}
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("engine output:\n%s", r.progress.String())
		}
	})
	return r
}

func (r *run) wait() { <-r.done }

// changes are the steps that change something: "<op> <type> <name>", sorted.
func (r *run) changes() []string { return changed(r.steps) }

// refreshed are the changes a refresh found (its steps all start as "refresh").
func (r *run) refreshed() []string { return changed(r.results) }

func changed(steps []apitype.StepEventMetadata) []string {
	var out []string
	for _, s := range steps {
		if s.Op != apitype.OpSame {
			out = append(out, fmt.Sprintf("%s %s %s", s.Op, s.Type, urnName(s.URN)))
		}
	}
	slices.Sort(out)
	return out
}

func urnName(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }

// nonSame is a summary's counts without "same".
func nonSame(summary map[string]int) map[string]int {
	out := maps.Clone(summary)
	delete(out, string(apitype.OpSame))
	return out
}

// state is the stack's checkpoint as the engine left it.
func state(t *testing.T, ctx context.Context, s auto.Stack) apitype.DeploymentV3 {
	t.Helper()
	exported, err := s.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var d apitype.DeploymentV3
	if err := json.Unmarshal(exported.Deployment, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// managedURNs are the state's resources but the stack itself.
func managedURNs(d apitype.DeploymentV3) []string {
	var out []string
	for _, r := range d.Resources {
		if r.Type != "pulumi:pulumi:Stack" {
			out = append(out, string(r.URN))
		}
	}
	slices.Sort(out)
	return out
}

// plannedURNs are what the program registers for cfg under the mocks (synth).
func plannedURNs(t *testing.T, stack string, cfg map[string]string) ([]string, *synth.Result) {
	t.Helper()
	res, err := synth.RunWithConfig(repoRoot, stack, cfg, Run)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range res.Resources {
		out = append(out, r.URN)
	}
	slices.Sort(out)
	return out, res
}

// TestLifecycle takes the local stack through the lifecycle of issue 16 on
// one kubetest cluster (controller manager, scheduler, three kwok nodes):
// GitOps rendering first (while the cluster is empty), then up, preview with
// no changes, refresh with no drift, a change, drift, an interrupted up and
// destroy. Each step is a subtest that fails when its claim does not hold,
// and logs its wall time (go test -v).
func TestLifecycle(t *testing.T) {
	e := newEngine(t)
	cluster := kubetest.Start(t, kubetest.Options{Controllers: true, Zones: mocktest.New().AvailabilityZones[:3]})
	ctx := context.Background()

	if !step(t, "0 render YAML to a directory: manifests written, nothing applied", func(t *testing.T) {
		testRenderYAML(t, ctx, e, cluster)
	}) {
		return
	}

	cfg := stackConfig(t, "local")
	maps.Copy(cfg, localOverrides(cluster.Kubeconfig))
	l := &lifecycle{cluster: cluster, cfg: cfg, stack: e.stack(t, ctx, "local", Run, cfg)}
	for _, s := range []struct {
		name string
		f    func(t *testing.T, ctx context.Context)
	}{
		{"1 up: every resource, Deployments Available, outputs", l.up},
		{"2 preview: no changes (and a self-diffing program fails it)", l.previewNoChanges},
		{"3 refresh: no drift", l.refreshNoDrift},
		{"4 change nginxImage: exactly one update, rolled out", l.change},
		{"5 drift: deny-all deleted by hand, refresh sees it, up restores it", l.drift},
		{"6 interruption: up cancelled half-way, the next up finishes", l.interrupt},
		{"7 destroy: everything deleted, namespace gone, state empty", l.destroy},
	} {
		if !step(t, s.name, func(t *testing.T) { s.f(t, ctx) }) {
			return
		}
	}
}

// lifecycle is the local stack under test and the cluster it deploys to.
type lifecycle struct {
	cluster *kubetest.Cluster
	cfg     map[string]string
	stack   auto.Stack
}

func (l *lifecycle) namespace() string { return l.cfg[config.ProjectName+":namespace"] }

func (l *lifecycle) workloads() []config.Workload { return config.DefaultConfig().Workloads() }

// setConfig changes one key, as `pulumi config set` does.
func (l *lifecycle) setConfig(t *testing.T, ctx context.Context, key, value string) {
	t.Helper()
	l.cfg[config.ProjectName+":"+key] = value
	if err := l.stack.SetConfig(ctx, config.ProjectName+":"+key, auto.ConfigValue{Value: value}); err != nil {
		t.Fatal(err)
	}
}

// planned is "<type> <resource name>" of the object of that type and
// metadata.name the program registers (under the mocks, for l.cfg).
func (l *lifecycle) planned(t *testing.T, typ, objectName string) string {
	t.Helper()
	res, err := synth.RunWithConfig(repoRoot, "local", l.cfg, Run)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Resources {
		if r.Type == typ && r.Input("metadata.name") == objectName {
			return typ + " " + r.Name
		}
	}
	t.Fatalf("the program registers no %s named %s", typ, objectName)
	return ""
}

// up creates every resource the program plans (the mocks' registrations,
// URN for URN); both Deployments become Available; the outputs are README's.
func (l *lifecycle) up(t *testing.T, ctx context.Context) {
	r := record(t)
	start := time.Now()
	res, err := l.stack.Up(ctx, optup.ProgressStreams(&r.progress), optup.EventStreams(r.events))
	r.wait()
	logEngineTime(t, "up (create)", start)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	planned, plan := plannedURNs(t, "local", l.cfg)
	if got := managedURNs(state(t, ctx, l.stack)); !slices.Equal(got, planned) {
		t.Errorf("state after up:\n  %s\nwant what the program plans under the mocks:\n  %s", strings.Join(got, "\n  "), strings.Join(planned, "\n  "))
	}
	if created := (*res.Summary.ResourceChanges)["create"]; created != len(planned)+1 { // and the stack
		t.Errorf("up created %d resources, want %d (%v)", created, len(planned)+1, *res.Summary.ResourceChanges)
	}
	l.waitDeployments(t, ctx, l.namespace())
	l.checkOutputs(t, ctx, res.Outputs, plan.Outputs)
}

// waitDeployments waits for every workload's Deployment to be Available
// with all its replicas updated, as the API server reports it.
func (l *lifecycle) waitDeployments(t *testing.T, ctx context.Context, namespace string) {
	t.Helper()
	for _, w := range l.workloads() {
		waitAvailable(t, ctx, l.cluster.Clientset, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: w.Name, Namespace: namespace}})
	}
}

// checkOutputs holds the stack outputs to README's list ("On `local`: ...",
// the keys the mocks' run exports, with the same values where the mocks
// know them) and to what is on the cluster: the namespace, the images the
// Deployments run, Services at the in-cluster URLs, port-forwards to those
// Services on the stack's kubeconfig, and local URLs on the forwarded ports.
func (l *lifecycle) checkOutputs(t *testing.T, ctx context.Context, outputs auto.OutputMap, planned map[string]any) {
	t.Helper()
	if got, want := slices.Sorted(maps.Keys(outputs)), slices.Sorted(maps.Keys(planned)); !slices.Equal(got, want) {
		t.Errorf("outputs %v, want %v", got, want)
	}
	for key, want := range planned {
		if s, ok := want.(string); ok && !strings.Contains(s, "<computed:") && outputs[key].Value != want {
			t.Errorf("output %s = %v, want %v", key, outputs[key].Value, want)
		}
	}
	str := func(key string) string { s, _ := outputs[key].Value.(string); return s }
	clientset := l.cluster.Clientset
	ns := str("namespace")
	if _, err := clientset.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
		t.Errorf("output namespace %q: %v", ns, err)
	}
	for _, w := range l.workloads() {
		d, err := clientset.AppsV1().Deployments(ns).Get(ctx, w.Name, metav1.GetOptions{})
		if err != nil {
			t.Errorf("%s: %v", w.Name, err)
			continue
		}
		if image := str(w.Source + "Image"); d.Spec.Template.Spec.Containers[0].Image != image || image != l.cfg[config.ProjectName+":"+w.Source+"Image"] {
			t.Errorf("output %sImage = %q; the Deployment runs %q, configured %q", w.Source, image, d.Spec.Template.Spec.Containers[0].Image, l.cfg[config.ProjectName+":"+w.Source+"Image"])
		}
		servicePort := checkClusterURL(t, ctx, clientset, str(w.Source+"ClusterUrl"))
		localPort := checkPortForward(t, str(w.Source+"PortForward"), l.cluster.Kubeconfig, ns, w.Name, servicePort)
		if u, err := url.Parse(str(w.Source + "LocalUrl")); err != nil || u.Hostname() != "localhost" || u.Port() != localPort {
			t.Errorf("output %sLocalUrl = %q, want http://localhost:%s/... (the port-forward's local port)", w.Source, str(w.Source+"LocalUrl"), localPort)
		}
	}
}

// checkClusterURL checks that an in-cluster URL names a Service and one of
// its ports, and returns the port.
func checkClusterURL(t *testing.T, ctx context.Context, clientset kubernetes.Interface, clusterURL string) string {
	t.Helper()
	u, err := url.Parse(clusterURL)
	labels := strings.Split(u.Hostname(), ".")
	if err != nil || len(labels) != 5 || strings.Join(labels[2:], ".") != "svc.cluster.local" {
		t.Errorf("cluster URL %q: want http://<service>.<namespace>.svc.cluster.local:<port>", clusterURL)
		return ""
	}
	svc, err := clientset.CoreV1().Services(labels[1]).Get(ctx, labels[0], metav1.GetOptions{})
	if err != nil {
		t.Errorf("cluster URL %q: %v", clusterURL, err)
		return ""
	}
	for _, p := range svc.Spec.Ports {
		if strconv.Itoa(int(p.Port)) == u.Port() {
			return u.Port()
		}
	}
	t.Errorf("cluster URL %q: Service %s has no port %s (%v)", clusterURL, svc.Name, u.Port(), svc.Spec.Ports)
	return ""
}

// checkPortForward checks that a port-forward command reaches the Service
// through the stack's kubeconfig, and returns its local port.
func checkPortForward(t *testing.T, command, kubeconfig, namespace, service, servicePort string) string {
	t.Helper()
	// Split as the shell that runs it would (README evals it), quotes and all.
	args, err := shell.Fields(command, nil)
	if err != nil || len(args) == 0 {
		t.Fatalf("port-forward %q: %v", command, err)
	}
	local, remote, _ := strings.Cut(args[len(args)-1], ":")
	want := []string{"kubectl", "--kubeconfig", kubeconfig, "-n", namespace, "port-forward", "svc/" + service}
	if !slices.Equal(args[:len(args)-1], want) || remote != servicePort || local == "" {
		t.Errorf("port-forward %q, want %s <local>:%s", command, strings.Join(want, " "), servicePort)
	}
	return local
}

// previewNoChanges previews with ExpectNoChanges, which must pass; then,
// as the negative control, a program that diffs against itself (it stamps
// the namespace with the time) must fail the same check.
func (l *lifecycle) previewNoChanges(t *testing.T, ctx context.Context) {
	r := record(t)
	start := time.Now()
	res, err := l.stack.Preview(ctx, optpreview.ExpectNoChanges(), optpreview.ProgressStreams(&r.progress), optpreview.EventStreams(r.events))
	r.wait()
	logEngineTime(t, "preview (no changes)", start)
	if err != nil {
		t.Fatalf("preview right after up: %v", err)
	}
	if changes := r.changes(); len(changes) > 0 || len(res.ChangeSummary) != 1 {
		t.Errorf("preview right after up: %v %v, want all same", changes, res.ChangeSummary)
	}

	l.stack.Workspace().SetProgram(selfDiffing(Run))
	defer l.stack.Workspace().SetProgram(Run)
	neg := record(t)
	_, err = l.stack.Preview(ctx, optpreview.ExpectNoChanges(), optpreview.ProgressStreams(&neg.progress), optpreview.EventStreams(neg.events))
	neg.wait()
	want := []string{"update " + l.planned(t, "kubernetes:core/v1:Namespace", l.namespace())}
	if err == nil || !slices.Equal(neg.changes(), want) {
		t.Errorf("negative control: a program that diffs against itself previewed with ExpectNoChanges: err = %v, changes %v; want an error and %v", err, neg.changes(), want)
	}
}

// selfDiffing is program with the namespace annotated with the time: a
// program that never matches its own last run.
func selfDiffing(program pulumi.RunFunc) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		err := ctx.RegisterStackTransformation(func(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
			ns, ok := args.Props.(*corev1sdk.NamespaceArgs)
			if !ok {
				return nil
			}
			meta := ns.Metadata.(metav1sdk.ObjectMetaArgs)
			meta.Annotations = pulumi.StringMap{"lifecycle-test/now": pulumi.String(time.Now().Format(time.RFC3339Nano))}
			ns.Metadata = meta
			return &pulumi.ResourceTransformationResult{Props: ns, Opts: args.Opts}
		})
		if err != nil {
			return err
		}
		return program(ctx)
	}
}

// refreshNoDrift refreshes with ExpectNoChanges while the controllers run.
func (l *lifecycle) refreshNoDrift(t *testing.T, ctx context.Context) {
	r := record(t)
	start := time.Now()
	res, err := l.stack.Refresh(ctx, optrefresh.ExpectNoChanges(), optrefresh.ProgressStreams(&r.progress), optrefresh.EventStreams(r.events))
	r.wait()
	logEngineTime(t, "refresh (no drift)", start)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if changed, found := nonSame(*res.Summary.ResourceChanges), r.refreshed(); len(changed) > 0 || len(found) > 0 {
		t.Errorf("refresh found drift: %v %v", changed, found)
	}
}

// change sets a new nginx image digest: the preview shows exactly the nginx
// Deployment's update, up applies it, and the Deployment rolls out.
func (l *lifecycle) change(t *testing.T, ctx context.Context) {
	image := imageByDigest("demo-nginx", "2")
	l.setConfig(t, ctx, "nginxImage", image)
	want := []string{"update " + l.planned(t, "kubernetes:apps/v1:Deployment", "demo-nginx")}

	preview := record(t)
	_, err := l.stack.Preview(ctx, optpreview.ProgressStreams(&preview.progress), optpreview.EventStreams(preview.events))
	preview.wait()
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	if got := preview.changes(); !slices.Equal(got, want) {
		t.Errorf("preview of the new nginxImage: %v, want %v", got, want)
	}

	r := record(t)
	_, err = l.stack.Up(ctx, optup.ProgressStreams(&r.progress), optup.EventStreams(r.events))
	r.wait()
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	if got := r.changes(); !slices.Equal(got, want) {
		t.Errorf("up of the new nginxImage: %v, want %v", got, want)
	}
	d, err := l.cluster.Clientset.AppsV1().Deployments(l.namespace()).Get(ctx, "demo-nginx", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Spec.Template.Spec.Containers[0].Image; got != image {
		t.Fatalf("demo-nginx runs %s after up, want %s", got, image)
	}
	l.waitDeployments(t, ctx, l.namespace())
	checkRolledOut(t, ctx, l.cluster.Clientset, d, image)
}

// checkRolledOut checks that the Deployment's pods now come from a new
// ReplicaSet with the image, and the old ones are scaled to zero.
func checkRolledOut(t *testing.T, ctx context.Context, clientset kubernetes.Interface, d *appsv1.Deployment, image string) {
	t.Helper()
	selector := metav1.FormatLabelSelector(d.Spec.Selector)
	poll(t, ctx, d.Name+" rolled out to "+image, rolloutTimeout, func(ctx context.Context) (bool, string) {
		rss, err := clientset.AppsV1().ReplicaSets(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return false, err.Error()
		}
		newReady, oldReplicas, status := int32(0), int32(0), ""
		for _, rs := range rss.Items {
			status += fmt.Sprintf("%s %s replicas %d ready %d; ", rs.Name, rs.Spec.Template.Spec.Containers[0].Image, rs.Status.Replicas, rs.Status.ReadyReplicas)
			if rs.Spec.Template.Spec.Containers[0].Image == image {
				newReady += rs.Status.ReadyReplicas
			} else {
				oldReplicas += rs.Status.Replicas
			}
		}
		return len(rss.Items) >= 2 && newReady > 0 && oldReplicas == 0, status
	})
}

// drift deletes the namespace's deny-all NetworkPolicy behind Pulumi's
// back: a refresh that expects no changes fails, having found that deletion
// and nothing else (and saved it), and up puts the policy back.
func (l *lifecycle) drift(t *testing.T, ctx context.Context) {
	policies := l.cluster.Clientset.NetworkingV1().NetworkPolicies(l.namespace())
	if err := policies.Delete(ctx, "deny-all", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	denyAll := l.planned(t, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "deny-all")
	urnSuffix := "::" + strings.Fields(denyAll)[1]

	// A refresh that fails ExpectNoChanges still saves what it found.
	r := record(t)
	_, err := l.stack.Refresh(ctx, optrefresh.ExpectNoChanges(), optrefresh.ProgressStreams(&r.progress), optrefresh.EventStreams(r.events))
	r.wait()
	if err == nil {
		t.Errorf("refresh with ExpectNoChanges passed with deny-all deleted by hand")
	}
	if got, want := r.refreshed(), []string{"delete " + denyAll}; !slices.Equal(got, want) {
		t.Errorf("refresh after deny-all was deleted found %v, want %v", got, want)
	}
	if slices.ContainsFunc(managedURNs(state(t, ctx, l.stack)), func(u string) bool { return strings.HasSuffix(u, urnSuffix) }) {
		t.Errorf("deny-all is still in the state after the refresh")
	}

	up := record(t)
	_, err = l.stack.Up(ctx, optup.ProgressStreams(&up.progress), optup.EventStreams(up.events))
	up.wait()
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	want := []string{"create " + denyAll}
	if got := up.changes(); !slices.Equal(got, want) {
		t.Errorf("up after the drift: %v, want %v", got, want)
	}
	p, err := policies.Get(ctx, "deny-all", metav1.GetOptions{})
	if err != nil || len(p.Spec.PolicyTypes) != 2 || len(p.Spec.Ingress)+len(p.Spec.Egress) != 0 {
		t.Errorf("deny-all after up: %+v, %v", p, err)
	}
}

// interrupt cancels an up half-way as Ctrl-C does (the Automation API
// interrupts the CLI when the context ends; the engine finishes what is in
// flight and stops), while it moves the stack to a new namespace
// (everything is created anew and the old objects deleted). It logs what
// the engine left in the state; the next up must finish with no error,
// leave no pending operation and converge.
func (l *lifecycle) interrupt(t *testing.T, ctx context.Context) {
	l.interruptedUp(t, ctx, func(cancel func(), e events.EngineEvent, r *run) {
		if e.ResOutputsEvent != nil && r.outputs == 3 {
			cancel()
		}
	})
}

// interruptedUp moves the stack to a new namespace with an up that stop
// interrupts, then runs up again and checks that it converged.
func (l *lifecycle) interruptedUp(t *testing.T, ctx context.Context, stop func(func(), events.EngineEvent, *run)) {
	old := l.namespace()
	l.setConfig(t, ctx, "namespace", old+"-x")

	upCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &run{events: make(chan events.EngineEvent), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for e := range r.events {
			if e.ResOutputsEvent != nil {
				r.outputs++
			}
			stop(cancel, e, r)
		}
	}()
	_, err := l.stack.Up(upCtx, optup.ProgressStreams(&r.progress), optup.EventStreams(r.events))
	r.wait()
	if err == nil {
		t.Fatalf("the interrupted up succeeded; it finished before the interruption (%d resources done)", r.outputs)
	}
	left := state(t, ctx, l.stack)
	t.Logf("interrupted after %d resources: err %v\nthe state holds %d resources and %d pending operations %v",
		r.outputs, firstLine(err), len(left.Resources), len(left.PendingOperations), pendingOps(left))

	after := record(t)
	_, err = l.stack.Up(ctx, optup.ProgressStreams(&after.progress), optup.EventStreams(after.events))
	after.wait()
	t.Logf("the next up: %v; changes %v", err, after.changes())
	if err != nil {
		t.Fatalf("up after the interruption: %v\n%s", err, after.progress.String())
	}
	if d := state(t, ctx, l.stack); len(d.PendingOperations) > 0 {
		t.Errorf("pending operations after the next up: %v", pendingOps(d))
	}
	planned, _ := plannedURNs(t, "local", l.cfg)
	if got := managedURNs(state(t, ctx, l.stack)); !slices.Equal(got, planned) {
		t.Errorf("state after the next up:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(planned, "\n  "))
	}
	l.waitDeployments(t, ctx, l.namespace())
	if _, err := l.cluster.Clientset.CoreV1().Namespaces().Get(ctx, old, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the old namespace %s: err = %v, want it deleted", old, err)
	}
	if _, err := l.stack.Preview(ctx, optpreview.ExpectNoChanges(), optpreview.SuppressProgress()); err != nil {
		t.Errorf("preview after the recovery: %v", err)
	}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

func pendingOps(d apitype.DeploymentV3) []string {
	var out []string
	for _, op := range d.PendingOperations {
		out = append(out, string(op.Type)+" "+urnName(string(op.Resource.URN)))
	}
	return out
}

// destroy deletes everything: the namespace is gone from the API server the
// moment destroy returns (the provider awaits its deletion), and the state
// holds no resource.
func (l *lifecycle) destroy(t *testing.T, ctx context.Context) {
	before := managedURNs(state(t, ctx, l.stack))
	r := record(t)
	start := time.Now()
	res, err := l.stack.Destroy(ctx, optdestroy.ProgressStreams(&r.progress), optdestroy.EventStreams(r.events))
	r.wait()
	logEngineTime(t, "destroy", start)
	if err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if deleted := (*res.Summary.ResourceChanges)["delete"]; deleted != len(before)+1 {
		t.Errorf("destroy deleted %d, want %d (%v)", deleted, len(before)+1, *res.Summary.ResourceChanges)
	}
	if _, err := l.cluster.Clientset.CoreV1().Namespaces().Get(ctx, l.namespace(), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace %s after destroy: err = %v, want NotFound", l.namespace(), err)
	}
	if d := state(t, ctx, l.stack); len(d.Resources) > 0 || len(d.PendingOperations) > 0 {
		t.Errorf("state after destroy: %d resources %v, pending %v", len(d.Resources), managedURNs(d), pendingOps(d))
	}
}

// testRenderYAML renders the local stack to a directory with the real
// provider while kubeconfig (the EKS Anywhere recipe's setting) and
// $KUBECONFIG both name the cluster: every object the program plans is
// written, and none reaches the API server.
func testRenderYAML(t *testing.T, ctx context.Context, e engine, cluster *kubetest.Cluster) {
	t.Setenv("KUBECONFIG", cluster.Kubeconfig) // the SDK falls back to it
	dir := filepath.Join(t.TempDir(), "rendered")
	cfg := stackConfig(t, "local")
	maps.Copy(cfg, localOverrides(cluster.Kubeconfig))
	cfg[config.ProjectName+":renderYamlToDirectory"] = dir
	s := e.stack(t, ctx, "render", Run, cfg)

	r := record(t)
	_, err := s.Up(ctx, optup.ProgressStreams(&r.progress), optup.EventStreams(r.events))
	r.wait()
	if err != nil {
		t.Fatalf("up with renderYamlToDirectory: %v", err)
	}
	res, err := synth.RunWithConfig(repoRoot, "local", cfg, Run)
	if err != nil {
		t.Fatal(err)
	}
	manifests, err := res.Manifests()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range manifests {
		want = append(want, objectKey(&unstructured.Unstructured{Object: m.Object}))
	}
	slices.Sort(want)
	if got := renderedObjects(t, dir); !slices.Equal(got, want) {
		t.Errorf("rendered into %s:\n  %s\nwant every object the program plans:\n  %s", dir, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	checkNothingApplied(t, ctx, cluster.Clientset)

	if _, err := s.Destroy(ctx, optdestroy.SuppressProgress()); err != nil {
		t.Errorf("destroy of the rendering stack: %v", err)
	}
}

func objectKey(o *unstructured.Unstructured) string {
	return o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
}

// renderedObjects reads every manifest under dir.
func renderedObjects(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		o := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(data, &o.Object); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, objectKey(o))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// checkNothingApplied checks that the cluster holds only what it started
// with: its own namespaces, and no Deployment, Service or NetworkPolicy
// beyond the default namespace's kubernetes Service.
func checkNothingApplied(t *testing.T, ctx context.Context, clientset kubernetes.Interface) {
	t.Helper()
	nss, err := clientset.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range nss.Items {
		if !slices.Contains([]string{"default", "kube-system", "kube-public", "kube-node-lease"}, ns.Name) {
			t.Errorf("namespace %s reached the API server", ns.Name)
		}
	}
	deployments, err := clientset.AppsV1().Deployments("").List(ctx, metav1.ListOptions{})
	if err != nil || len(deployments.Items) > 0 {
		t.Errorf("Deployments on the API server: %d (%v)", len(deployments.Items), err)
	}
	policies, err := clientset.NetworkingV1().NetworkPolicies("").List(ctx, metav1.ListOptions{})
	if err != nil || len(policies.Items) > 0 {
		t.Errorf("NetworkPolicies on the API server: %d (%v)", len(policies.Items), err)
	}
	services, err := clientset.CoreV1().Services("").List(ctx, metav1.ListOptions{})
	if err != nil || len(services.Items) != 1 {
		t.Errorf("Services on the API server: %d, want only default/kubernetes (%v)", len(services.Items), err)
	}
}
