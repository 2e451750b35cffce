package config

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The namespace is Pod Security restricted on both targets; only on EKS,
// where the ALB targets pod IPs, does it carry the Load Balancer
// Controller's readiness-gate label.
func TestNamespaceLabels(t *testing.T) {
	restricted := map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted",
		"pod-security.kubernetes.io/audit":   "restricted",
		"pod-security.kubernetes.io/warn":    "restricted",
	}
	c := DefaultConfig()
	local := c
	local.Target = TargetLocal
	if got := local.NamespaceLabels(); !maps.Equal(got, restricted) {
		t.Errorf("local namespace labels %v, want %v", got, restricted)
	}
	onEKS := maps.Clone(restricted)
	onEKS["elbv2.k8s.aws/pod-readiness-gate-inject"] = "enabled"
	if got := c.NamespaceLabels(); !maps.Equal(got, onEKS) {
		t.Errorf("eks namespace labels %v, want %v", got, onEKS)
	}
}

// The port-forward reaches the cluster the stack deploys to: kubeconfig's
// file (a leading ~/ expanded, since a quoted word is not) and kubeContext's
// context, each quoted as one shell word; a kubeconfig given as its contents
// gets an echo of what to run instead.
func TestPortForward(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	const nginx = " -n workshop port-forward svc/demo-nginx 8080:80"
	for _, tc := range []struct {
		name, kubeconfig, context, want string
	}{
		{"the ambient kubeconfig", "", "", "kubectl" + nginx},
		{"a context", "", "kind-dev", "kubectl --context kind-dev" + nginx},
		{"a file", "dev/kubeconfig", "", "kubectl --kubeconfig dev/kubeconfig" + nginx},
		{"a file and a context", "/etc/eks-a.kubeconfig", "admin@dev", "kubectl --kubeconfig /etc/eks-a.kubeconfig --context admin@dev" + nginx},
		{"a file under home", "~/.kube/eks-a", "", "kubectl --kubeconfig " + filepath.Join(home, ".kube/eks-a") + nginx},
		{"a path with a space", "/home/me/eks a/kubeconfig", "", "kubectl --kubeconfig '/home/me/eks a/kubeconfig'" + nginx},
		{"a context with a space and a quote", "", "bob's ctx", `kubectl --context "bob's ctx"` + nginx},
		{"the contents", "apiVersion: v1\nkind: Config\n", "kind-dev",
			"echo 'The kubeconfig setting holds the contents of a kubeconfig, and kubectl reads one only from a file. " +
				"Save it to lab.kubeconfig with pulumi config get kubeconfig -s lab, then run: kubectl --kubeconfig lab.kubeconfig --context kind-dev" + nginx + "'"},
	} {
		c := DefaultConfig()
		c.Stack, c.Target, c.Kubeconfig, c.KubeContext = "lab", TargetLocal, tc.kubeconfig, tc.context
		nginxWorkload := c.Workloads()[1]
		if got := nginxWorkload.PortForward(c); got != tc.want {
			t.Errorf("%s: port-forward\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
	c := DefaultConfig()
	if got, want := c.Workloads()[0].PortForward(c), "kubectl -n workshop port-forward svc/demo-flask-backend 8081:8080"; got != want {
		t.Errorf("flask port-forward %q, want %q", got, want)
	}
}

// Flask drains for gunicorn's graceful timeout (20 s) and 5 s more for its
// arbiter to exit; nginx, serving a static page, takes the App's default.
func TestShutdownSeconds(t *testing.T) {
	apps := DefaultConfig().AppArgs()
	if got := apps["demo-flask-backend"].ShutdownSeconds; got != 25 {
		t.Errorf("flask drains %d s, want 25 (gunicorn's 20 s graceful timeout + 5 s)", got)
	}
	if got := apps["demo-nginx"].ShutdownSeconds; got != 0 {
		t.Errorf("nginx drains %d s, want 0 (the App's default)", got)
	}
}

// Run as README runs them, eval "$(pulumi stack output ...)" in bash, the
// printed commands hand kubectl exactly the settings, however odd, as one
// argument each. kubectl here is a stand-in that prints its arguments.
func TestPortForwardRunsAsPrinted(t *testing.T) {
	bin := t.TempDir()
	fake := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n"
	if err := os.WriteFile(filepath.Join(bin, "kubectl"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	tail := []string{"-n", "workshop", "port-forward", "svc/demo-nginx", "8080:80"}
	for _, tc := range []struct{ kubeconfig, context string }{
		{"/tmp/eks a/kube config", "admin@dev"},
		{"/tmp/it's $HOME/`x`;y", "bob's \"ctx\" *"},
		{"plain/kubeconfig", "tab\there"},
	} {
		c := DefaultConfig()
		c.Target, c.Kubeconfig, c.KubeContext = TargetLocal, tc.kubeconfig, tc.context
		command := c.Workloads()[1].PortForward(c)
		out, err := exec.Command("bash", "-c", `eval "$1"`, "bash", command).Output()
		if err != nil {
			t.Fatalf("eval %q: %v", command, err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		want := append([]string{"--kubeconfig", tc.kubeconfig, "--context", tc.context}, tail...)
		if !slices.Equal(got, want) {
			t.Errorf("eval %q ran kubectl with\n%q\nwant\n%q", command, got, want)
		}
	}

	// Negative control: the same command with the quotes taken out splits the path.
	c := DefaultConfig()
	c.Target, c.Kubeconfig = TargetLocal, "/tmp/eks a/kubeconfig"
	unquoted := strings.ReplaceAll(c.Workloads()[1].PortForward(c), "'", "")
	out, err := exec.Command("bash", "-c", `eval "$1"`, "bash", unquoted).Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(string(out), "--kubeconfig\n/tmp/eks a/kubeconfig\n") {
		t.Errorf("unquoted, the path still reached kubectl whole: %q", out)
	}
}
