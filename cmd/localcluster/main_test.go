package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeTools puts docker, kind and kubectl on PATH that log their arguments
// (and, for docker exec -i, what it read on stdin) to a file and answer queries from the
// environment, so a test sees the exact command sequence.
func fakeTools(t *testing.T, answers map[string]string) (logFile string) {
	t.Helper()
	bin := t.TempDir()
	logFile = filepath.Join(bin, "log")
	script := `#!/bin/sh
line="$(basename "$0") $*"
case "$line" in
  "docker exec -i"*) echo "$line < $(cat)" >> "$FAKE_LOG"; exit 0 ;;
esac
echo "$line" >> "$FAKE_LOG"
case "$line" in
  "docker inspect -f {{.State.Running}} kind-registry") printf '%s' "$FAKE_REGISTRY_RUNNING" ;;
  "docker inspect -f {{json .NetworkSettings.Networks.kind}} kind-registry") printf '%s' "$FAKE_REGISTRY_NETWORK" ;;
  "kind get nodes"*) printf 'workshop-control-plane\n' ;;
  "docker ps"*) printf '%s' "$FAKE_PS" ;;
  "docker save"*) printf 'tar of %s' "$2" ;;
esac
`
	for _, tool := range []string{"docker", "kind", "kubectl"} {
		if err := os.WriteFile(filepath.Join(bin, tool), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_LOG", logFile)
	for k, v := range answers {
		t.Setenv(k, v)
	}
	return logFile
}

func commands(t *testing.T, logFile string) []string {
	t.Helper()
	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(raw)), "\n")
}

func TestKindCommandRunsKindsLocalRegistrySequence(t *testing.T) {
	log := fakeTools(t, map[string]string{"FAKE_REGISTRY_RUNNING": "", "FAKE_REGISTRY_NETWORK": "null"})
	dir := t.TempDir()
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"kind", "-dir", dir}, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	files := filepath.Join(dir, "kind-workshop")
	want := []string{
		"docker inspect -f {{.State.Running}} kind-registry",
		"docker run -d --restart=always -p 127.0.0.1:5001:5000 --network bridge --name kind-registry registry:2",
		"kind create cluster --name workshop --config " + filepath.Join(files, "kind-config.yaml"),
		"kind get nodes --name workshop",
		"docker exec workshop-control-plane mkdir -p /etc/containerd/certs.d/localhost:5001",
		"docker cp " + filepath.Join(files, "hosts.toml") + " workshop-control-plane:/etc/containerd/certs.d/localhost:5001/hosts.toml",
		"docker inspect -f {{json .NetworkSettings.Networks.kind}} kind-registry",
		"docker network connect kind kind-registry",
		"kubectl --context kind-workshop apply -f " + filepath.Join(files, "local-registry-hosting.yaml"),
	}
	if got := commands(t, log); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Standard output is only the settings, ready for `| sh`.
	if want := "pulumi config set kubeContext kind-workshop -s local\npulumi config set imageRegistry localhost:5001 -s local\n"; stdout.String() != want {
		t.Errorf("stdout = %q, want %q", stdout.String(), want)
	}
}

// A second run reuses the registry already running and on the kind network.
func TestKindCommandReusesARunningRegistry(t *testing.T) {
	log := fakeTools(t, map[string]string{"FAKE_REGISTRY_RUNNING": "true", "FAKE_REGISTRY_NETWORK": `{"NetworkID":"abc"}`})
	if err := run(context.Background(), []string{"kind", "-dir", t.TempDir(), "-name", "second"}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(commands(t, log), "\n")
	for _, absent := range []string{"docker run", "docker network connect"} {
		if strings.Contains(got, absent) {
			t.Errorf("ran %q with the registry already up:\n%s", absent, got)
		}
	}
	if !strings.Contains(got, "kind create cluster --name second") {
		t.Errorf("no cluster created:\n%s", got)
	}
}

func TestEksaCommandImportsBothAppsIntoEveryNodeButTheLoadBalancer(t *testing.T) {
	log := fakeTools(t, map[string]string{
		"FAKE_PS": "dev-cluster-lb external-load-balancer\ndev-cluster-abcde control-plane\ndev-cluster-md-0-xyz worker\n",
	})
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"eksa", "-cluster", "dev-cluster", "-apps", filepath.Join("..", "..", "apps")}, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	got := commands(t, log)
	if got[0] != `docker ps --filter label=io.x-k8s.kind.cluster=dev-cluster --format {{.Names}} {{.Label "io.x-k8s.kind.role"}}` {
		t.Errorf("first command %q", got[0])
	}
	joined := strings.Join(got, "\n")
	for _, a := range apps {
		image := ""
		for _, line := range got {
			if strings.HasPrefix(line, "docker build") && strings.Contains(line, "eks-workshop.local/"+a.name+":") {
				image = strings.Fields(line)[5]
			}
		}
		if image == "" {
			t.Fatalf("%s not built:\n%s", a.name, joined)
		}
		for _, node := range []string{"dev-cluster-abcde", "dev-cluster-md-0-xyz"} {
			if !strings.Contains(joined, "docker exec -i "+node+" ctr --namespace=k8s.io images import - < tar of "+image) {
				t.Errorf("%s not imported into %s:\n%s", image, node, joined)
			}
		}
		if !strings.Contains(stdout.String(), "pulumi config set "+a.configKey+" "+image+" -s local\n") {
			t.Errorf("output lacks the %s setting:\n%s", a.configKey, stdout.String())
		}
	}
	if lines := strings.Split(strings.TrimSpace(stdout.String()), "\n"); len(lines) != len(apps) {
		t.Errorf("stdout = %q, want only the %d settings", stdout.String(), len(apps))
	}
	if strings.Contains(joined, "dev-cluster-lb ctr") {
		t.Errorf("imported into the load balancer container")
	}
}

func TestEksaCommandFailsWithoutNodes(t *testing.T) {
	fakeTools(t, map[string]string{"FAKE_PS": ""})
	err := run(context.Background(), []string{"eksa", "-cluster", "nope"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `no node containers of cluster "nope"`) {
		t.Errorf("err = %v", err)
	}
}
