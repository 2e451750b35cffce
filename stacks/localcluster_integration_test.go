//go:build integration

package stacks

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"mvdan.cc/sh/v3/shell"

	"github.com/eks-workshop/eks-workshop/internal/kubetest"
	"github.com/eks-workshop/eks-workshop/internal/tools"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// The try-it path, as a user runs it: `go run ./cmd/localcluster kwok`
// (here the built command, as a subprocess) starts a cluster on fake nodes
// and prints the local stack's settings; those settings, as a shell would
// split them, are the only change to Pulumi.local.yaml's configuration;
// the real engine and Kubernetes provider deploy the stack onto the
// cluster (both Deployments Available) and destroy it; Ctrl-C (SIGINT)
// stops the cluster, exits 0 and removes its files.
func TestLocalClusterKwokRunsTheLocalStack(t *testing.T) {
	tools.Require(t, kubetest.Binaries(kubetest.Options{Controllers: true, Zones: []string{"a"}})...)
	e := newEngine(t)
	ctx := context.Background()
	launcher := startLocalCluster(t)

	cfg := stackConfig(t, "local")
	settings := launcher.settings(t)
	for key, value := range settings {
		cfg[config.ProjectName+":"+key] = value
	}
	stack := e.stack(t, ctx, "local", Run, cfg)
	start := time.Now()
	r := record(t)
	if _, err := stack.Up(ctx, optup.ProgressStreams(&r.progress), optup.EventStreams(r.events)); err != nil {
		r.wait()
		t.Fatalf("up: %v", err)
	}
	r.wait()
	logEngineTime(t, "up (create)", start)
	clientset := clientFor(t, settings["kubeconfig"])
	for _, w := range config.DefaultConfig().Workloads() {
		waitAvailable(t, ctx, clientset, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: w.Name, Namespace: cfg[config.ProjectName+":namespace"]}})
	}
	start = time.Now()
	if _, err := stack.Destroy(ctx, optdestroy.ProgressStreams(&bytes.Buffer{})); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	logEngineTime(t, "destroy", start)

	launcher.interrupt(t)
	if _, err := os.Stat(settings["kubeconfig"]); !os.IsNotExist(err) {
		t.Errorf("the cluster's kubeconfig is still there after Ctrl-C (%v)", err)
	}
	if _, err := clientset.Discovery().ServerVersion(); err == nil {
		t.Error("the API server still answers after Ctrl-C")
	}
}

// localCluster is the running `localcluster kwok` and what it printed.
type localCluster struct {
	cmd     *exec.Cmd
	lines   chan string
	stderr  *syncBuffer
	done    chan error
	started time.Time
}

// startLocalCluster builds cmd/localcluster and runs `localcluster kwok`.
func startLocalCluster(t *testing.T) *localCluster {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "localcluster")
	build := exec.Command("go", "build", "-o", bin, "./cmd/localcluster")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/localcluster: %v\n%s", err, out)
	}
	l := &localCluster{lines: make(chan string, 16), stderr: &syncBuffer{}, done: make(chan error, 1)}
	l.cmd = exec.Command(bin, "kwok", "-dir", t.TempDir())
	l.cmd.Dir = repoRoot
	l.cmd.Stderr = l.stderr
	stdout, err := l.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			l.lines <- scanner.Text()
		}
		close(l.lines)
		l.done <- l.cmd.Wait()
	}()
	t.Cleanup(func() {
		if l.cmd.ProcessState == nil {
			l.cmd.Process.Signal(os.Interrupt)
			select {
			case <-l.done:
			case <-time.After(time.Minute):
				l.cmd.Process.Kill()
			}
		}
		if t.Failed() {
			t.Logf("localcluster's stderr:\n%s", l.stderr.String())
		}
	})
	l.started = start
	return l
}

// settings reads the `pulumi config set KEY VALUE -s local` lines, split
// as a shell splits them.
func (l *localCluster) settings(t *testing.T) map[string]string {
	t.Helper()
	settings := map[string]string{}
	timeout := time.After(3 * time.Minute)
	for len(settings) < 4 {
		select {
		case line, ok := <-l.lines:
			if !ok {
				t.Fatalf("localcluster ended after %d settings", len(settings))
			}
			words, err := shell.Fields(line, nil)
			if err != nil || len(words) != 7 || strings.Join(words[:3], " ") != "pulumi config set" || strings.Join(words[5:], " ") != "-s local" {
				t.Fatalf("stdout line %q: want `pulumi config set KEY VALUE -s local` (%v)", line, err)
			}
			settings[words[3]] = words[4]
		case <-timeout:
			t.Fatalf("no settings after 3 minutes")
		}
	}
	t.Logf("wall time: localcluster kwok until its settings: %.1f s", time.Since(l.started).Seconds())
	for _, key := range []string{"kubeconfig", "metricsServer", "flaskImage", "nginxImage"} {
		if _, ok := settings[key]; !ok {
			t.Fatalf("settings %v lack %s", settings, key)
		}
	}
	return settings
}

// interrupt sends SIGINT, as Ctrl-C does, and wants a clean exit.
func (l *localCluster) interrupt(t *testing.T) {
	t.Helper()
	start := time.Now()
	if err := l.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-l.done:
		if err != nil {
			t.Errorf("localcluster after Ctrl-C: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("localcluster still running a minute after Ctrl-C")
	}
	t.Logf("wall time: Ctrl-C until localcluster exited: %.1f s", time.Since(start).Seconds())
	if !strings.Contains(l.stderr.String(), "stopped; its files are removed") {
		t.Errorf("localcluster's stderr does not say it stopped:\n%s", l.stderr.String())
	}
}

func clientFor(t *testing.T, kubeconfig string) kubernetes.Interface {
	t.Helper()
	restConfig, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	restConfig.Timeout = 5 * time.Second
	clientset, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		t.Fatal(err)
	}
	return clientset
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
