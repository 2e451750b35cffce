// Command localcluster prepares a local cluster the `local` stack can deploy
// to, so the nodes can pull the images the stack builds:
//
//	go run ./cmd/localcluster kwok [-dir .localcluster]
//	    no Docker, no cloud: etcd, kube-apiserver, the controller manager,
//	    the scheduler and three kwok fake nodes from the project's pinned
//	    binaries (internal/kubetest), running until Ctrl-C.
//	go run ./cmd/localcluster kind [-name workshop] [-registry-port 5001] [-dir .localcluster]
//	    kind with a local registry, as kind's "Local Registry" page sets it up.
//	go run ./cmd/localcluster eksa -cluster dev-cluster [-apps apps]
//	    EKS Anywhere (Docker provider): builds both apps and imports them into
//	    every node's containerd, for the stack's flaskImage and nginxImage.
//
// It writes the files it generates under -dir and runs docker, kind and
// kubectl from PATH, echoing each command; everything goes to standard
// error except, at the end, the `pulumi config set` commands for the local
// stack, so `go run ./cmd/localcluster kind | sh` also configures the stack.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"sigs.k8s.io/yaml"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/cli"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(cli.Exit("localcluster", usage, nil, err, os.Stdout, os.Stderr))
}

const usage = `usage: localcluster kwok [-dir DIR]
       localcluster kind [-name NAME] [-registry-port PORT] [-dir DIR]
       localcluster eksa -cluster NAME [-apps DIR]`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return cli.Usagef("no cluster named: want kwok, kind or eksa")
	}
	sh := shell{stdout: stdout, stderr: stderr}
	flags := flag.NewFlagSet(args[0], flag.ContinueOnError)
	dir := flags.String("dir", ".localcluster", "where the generated files go")
	switch args[0] {
	case "kwok":
		if err := parse(flags, args[1:]); err != nil {
			return err
		}
		return runKwok(ctx, *dir, stdout, stderr)
	case "kind":
		name := flags.String("name", "workshop", "kind cluster name")
		port := flags.Int("registry-port", 5001, "registry port on 127.0.0.1 (kind's page uses 5001: macOS takes 5000)")
		if err := parse(flags, args[1:]); err != nil {
			return err
		}
		if *port < 1 || *port > 65535 {
			return cli.Usagef("-registry-port %d: want 1 to 65535", *port)
		}
		return setUpKind(sh, *name, registry{hostPort: *port}, filepath.Join(*dir, "kind-"+*name))
	case "eksa":
		cluster := flags.String("cluster", "", "EKS Anywhere cluster name (its CLUSTER_NAME)")
		apps := flags.String("apps", config.DefaultAppsDir, "directory holding flask/ and nginx/")
		if err := parse(flags, args[1:]); err != nil {
			return err
		}
		if *cluster == "" {
			return cli.Usagef("eksa needs -cluster NAME, the EKS Anywhere cluster's name")
		}
		return loadIntoNodes(sh, *cluster, *apps)
	}
	return cli.Usagef("unknown cluster %q: want kwok, kind or eksa", args[0])
}

// parse parses a subcommand's flags; it takes no other arguments.
func parse(flags *flag.FlagSet, args []string) error {
	if err := cli.Parse(flags, args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return cli.Usagef("%s takes no arguments besides its flags, got %q", flags.Name(), flags.Args())
	}
	return nil
}

// setUpKind creates the registry (once), the cluster with containerd reading
// hosts.toml files, each node's hosts.toml, the registry's place on the kind
// network and KEP-1755's ConfigMap: kind's documented sequence.
func setUpKind(sh shell, name string, r registry, dir string) error {
	files, err := writeKindFiles(name, r, dir)
	if err != nil {
		return err
	}
	running, _ := sh.output("docker", "inspect", "-f", "{{.State.Running}}", registryName)
	if running != "true" {
		if err := sh.run("docker", "run", "-d", "--restart=always", "-p", fmt.Sprintf("127.0.0.1:%d:%d", r.hostPort, registryPort),
			"--network", "bridge", "--name", registryName, registryImage); err != nil {
			return err
		}
	}
	if err := sh.run("kind", "create", "cluster", "--name", name, "--config", files.config); err != nil {
		return err
	}
	nodes, err := sh.output("kind", "get", "nodes", "--name", name)
	if err != nil {
		return err
	}
	for _, node := range strings.Fields(nodes) {
		if err := sh.run("docker", "exec", node, "mkdir", "-p", r.hostsDir()); err != nil {
			return err
		}
		if err := sh.run("docker", "cp", files.hosts, node+":"+r.hostsDir()+"/hosts.toml"); err != nil {
			return err
		}
	}
	attached, _ := sh.output("docker", "inspect", "-f", "{{json .NetworkSettings.Networks."+kindNetwork+"}}", registryName)
	if attached == "" || attached == "null" {
		if err := sh.run("docker", "network", "connect", kindNetwork, registryName); err != nil {
			return err
		}
	}
	if err := sh.run("kubectl", "--context", "kind-"+name, "apply", "-f", files.configMap); err != nil {
		return err
	}
	fmt.Fprintf(sh.stderr, "kind cluster %s pulls %s/... from %s. For the local stack:\n", name, r.pushHost(), registryName)
	fmt.Fprintf(sh.stdout, "pulumi config set kubeContext kind-%s -s local\npulumi config set imageRegistry %s -s local\n", name, r.pushHost())
	return nil
}

type kindFiles struct{ config, hosts, configMap string }

// writeKindFiles writes the kind config, hosts.toml and the ConfigMap into dir.
func writeKindFiles(name string, r registry, dir string) (kindFiles, error) {
	files := kindFiles{
		config:    filepath.Join(dir, "kind-config.yaml"),
		hosts:     filepath.Join(dir, "hosts.toml"),
		configMap: filepath.Join(dir, "local-registry-hosting.yaml"),
	}
	cluster, err := kindConfig(name, r)
	if err != nil {
		return files, err
	}
	configMap, err := registryHostingConfigMap(r)
	if err != nil {
		return files, err
	}
	hostsTOML, err := tomlString(hosts(r))
	if err != nil {
		return files, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return files, err
	}
	for file, v := range map[string]any{files.config: cluster, files.configMap: configMap} {
		out, err := yaml.Marshal(v)
		if err != nil {
			return files, err
		}
		if err := os.WriteFile(file, out, 0o644); err != nil {
			return files, err
		}
	}
	return files, os.WriteFile(files.hosts, []byte(hostsTOML), 0o644)
}

// app is one workshop app as the eksa command builds it.
type app struct{ name, source, configKey string }

var apps = []app{
	{config.DefaultFlaskRepositoryName, "flask", "flaskImage"},
	{config.DefaultNginxRepositoryName, "nginx", "nginxImage"},
}

// loadIntoNodes builds both apps for this machine's architecture, tagged
// with the stack's content hash, and imports them into containerd on every
// node of an EKS Anywhere Docker cluster. Its nodes are Cluster API Docker
// (CAPD) containers carrying kind's labels; the load balancer container
// runs no containerd and is skipped. Pods then find the images in place
// (imagePullPolicy IfNotPresent, a tag that is not latest).
func loadIntoNodes(sh shell, cluster, appsDir string) error {
	listing, err := sh.output("docker", "ps", "--filter", "label=io.x-k8s.kind.cluster="+cluster,
		"--format", `{{.Names}} {{.Label "io.x-k8s.kind.role"}}`)
	if err != nil {
		return err
	}
	var nodes []string
	for _, line := range strings.Split(listing, "\n") {
		if fields := strings.Fields(line); len(fields) == 2 && fields[1] != "external-load-balancer" {
			nodes = append(nodes, fields[0])
		}
	}
	if len(nodes) == 0 {
		return fmt.Errorf("eksa: no node containers of cluster %q (docker ps --filter label=io.x-k8s.kind.cluster=%s)", cluster, cluster)
	}
	var config []string
	for _, a := range apps {
		build := spec.ImageBuild{Context: filepath.Join(appsDir, a.source), Platform: "linux/" + runtime.GOARCH}
		if err := build.Validate(); err != nil {
			return fmt.Errorf("eksa: %s: %w", a.name, err)
		}
		tag, err := build.Tag()
		if err != nil {
			return err
		}
		image := fmt.Sprintf("eks-workshop.local/%s:%s", a.name, tag)
		if err := sh.run("docker", "build", "--platform", build.Platform, "-t", image, build.Context); err != nil {
			return err
		}
		for _, node := range nodes {
			if err := sh.pipe([]string{"docker", "save", image}, []string{"docker", "exec", "-i", node, "ctr", "--namespace=k8s.io", "images", "import", "-"}); err != nil {
				return err
			}
		}
		config = append(config, fmt.Sprintf("pulumi config set %s %s -s local", a.configKey, image))
	}
	fmt.Fprintf(sh.stderr, "Images imported into %s. For the local stack:\n", strings.Join(nodes, ", "))
	fmt.Fprintln(sh.stdout, strings.Join(config, "\n"))
	return nil
}

// shell runs commands from PATH, echoing each one. The commands' own
// output goes to stderr: stdout carries only the stack settings.
type shell struct{ stdout, stderr io.Writer }

func (s shell) echo(args ...[]string) {
	var parts []string
	for _, a := range args {
		parts = append(parts, strings.Join(a, " "))
	}
	fmt.Fprintln(s.stderr, "+", strings.Join(parts, " | "))
}

func (s shell) run(name string, args ...string) error {
	s.echo(append([]string{name}, args...))
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = s.stderr, s.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

// output runs a query and returns its trimmed standard output.
func (s shell) output(name string, args ...string) (string, error) {
	s.echo(append([]string{name}, args...))
	var out bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, s.stderr
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

// pipe runs from | to.
func (s shell) pipe(from, to []string) error {
	s.echo(from, to)
	producer := exec.Command(from[0], from[1:]...)
	consumer := exec.Command(to[0], to[1:]...)
	reader, err := producer.StdoutPipe()
	if err != nil {
		return err
	}
	producer.Stderr = s.stderr
	consumer.Stdin, consumer.Stdout, consumer.Stderr = reader, s.stderr, s.stderr
	if err := producer.Start(); err != nil {
		return err
	}
	consumeErr := consumer.Run()
	produceErr := producer.Wait()
	if err := errors.Join(produceErr, consumeErr); err != nil {
		return fmt.Errorf("%s | %s: %w", strings.Join(from, " "), strings.Join(to, " "), err)
	}
	return nil
}
