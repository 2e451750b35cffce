package stacks

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// dockerfileInstructions returns a Dockerfile's instructions (upper-cased)
// with their arguments, continuation lines joined and comments dropped.
func dockerfileInstructions(t *testing.T, path string) [][2]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	var line string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		text := strings.TrimSpace(scanner.Text())
		if strings.HasPrefix(text, "#") || (text == "" && line == "") {
			continue
		}
		if cont, ok := strings.CutSuffix(text, "\\"); ok {
			line += cont + " "
			continue
		}
		line += text
		instruction, args, _ := strings.Cut(line, " ")
		out = append(out, [2]string{strings.ToUpper(instruction), strings.TrimSpace(args)})
		line = ""
	}
	return out
}

// Every image the stacks deploy is pinned, runs as non-root and EXPOSEs the
// port the stack deploys it on.
func TestDockerfilesArePinnedNonRootAndExposeTheDeployedPort(t *testing.T) {
	cfg := config.DefaultConfig()
	for _, w := range cfg.Workloads() {
		t.Run(w.Name, func(t *testing.T) {
			var froms, users, exposes []string
			for _, ins := range dockerfileInstructions(t, filepath.Join(repoRoot, "apps", w.Source, "Dockerfile")) {
				switch ins[0] {
				case "FROM":
					froms = append(froms, strings.Fields(ins[1])[0])
				case "USER":
					users = append(users, ins[1])
				case "EXPOSE":
					exposes = append(exposes, strings.Fields(ins[1])...)
				}
			}
			if len(froms) == 0 {
				t.Fatal("no FROM")
			}
			for _, image := range froms {
				name, tag, hasTag := strings.Cut(image[strings.LastIndex(image, "/")+1:], ":")
				if strings.Contains(image, "@sha256:") {
					continue // pinned by digest
				}
				if !hasTag || tag == "latest" || !strings.ContainsAny(tag, "0123456789") {
					t.Errorf("base image %s (%s) is not pinned to a version", image, name)
				}
			}
			if len(users) == 0 {
				t.Fatal("no USER: the image would run as root")
			}
			final := strings.Split(users[len(users)-1], ":")[0]
			if uid, err := strconv.Atoi(final); err != nil || uid == 0 {
				t.Errorf("final USER %q is not a numeric non-root UID (Pod Security runAsNonRoot needs a number)", users[len(users)-1])
			} else if int64(uid) != w.RunAsUser {
				t.Errorf("final USER %d, but the pods run as %d: the image's files are made for its USER", uid, w.RunAsUser)
			}
			if len(exposes) != 1 || strings.TrimSuffix(exposes[0], "/tcp") != strconv.Itoa(w.ContainerPort) {
				t.Errorf("EXPOSE %v, want exactly the deployed port %d", exposes, w.ContainerPort)
			}
		})
	}
}

func TestStacksPushBothAppsToECR(t *testing.T) {
	t.Parallel()
	run := runStack(t, "dev", nil)
	for _, w := range config.DefaultConfig().Workloads() {
		repo := run.Get(t, "aws:ecr/repository:Repository", w.Name+"-repo")
		if repo.Input("name") != w.Repository || repo.Input("forceDelete") != true {
			t.Errorf("%s repository = %v, want %s deletable in dev", w.Name, repo.Plain(), w.Repository)
		}
		image := run.Get(t, "docker:index/image:Image", w.Name+"-image")
		if image.Input("build.context") != "apps/"+w.Source || image.Input("build.platform") != "linux/amd64" {
			t.Errorf("%s build = %v, want apps/%s for the m5 nodes' linux/amd64", w.Name, image.Input("build"), w.Source)
		}
	}
	if ref, _ := run.Outputs["flaskImage"].(string); !strings.Contains(ref, "/demo-flask-backend@sha256:") {
		t.Errorf("flaskImage output = %q, want the pushed digest", ref)
	}
	prod := runStack(t, "prod", nil)
	if prod.Get(t, "aws:ecr/repository:Repository", "demo-flask-backend-repo").Input("forceDelete") != false {
		t.Errorf("prod repositories can be force-deleted")
	}
}

// flask's shutdown time covers gunicorn's graceful_timeout, as
// apps/flask/gunicorn.conf.py sets its default: the kubelet's SIGKILL must
// not cut the requests gunicorn is still finishing.
func TestFlaskShutdownCoversGunicornsGracefulTimeout(t *testing.T) {
	conf, err := os.ReadFile(filepath.Join(repoRoot, "apps", "flask", "gunicorn.conf.py"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`graceful_timeout = _int_env\("GUNICORN_GRACEFUL_TIMEOUT", (\d+)\)`).FindSubmatch(conf)
	if m == nil {
		t.Fatal("gunicorn.conf.py sets no graceful_timeout default")
	}
	graceful, _ := strconv.Atoi(string(m[1]))
	cfg := config.DefaultConfig()
	cfg.Region, cfg.AppsDir = "ap-northeast-2", filepath.Join(repoRoot, "apps")
	p, err := cfg.Plan()
	if err != nil {
		t.Fatal(err)
	}
	flask := p.Apps["demo-flask-backend"]
	if flask.ShutdownSeconds <= graceful {
		t.Errorf("flask shuts down in %d s, gunicorn's graceful_timeout is %d s", flask.ShutdownSeconds, graceful)
	}
	if grace := flask.TerminationGracePeriodSeconds(); grace < flask.WithDefaults().PreStopSleepSeconds+graceful {
		t.Errorf("grace period %d s does not cover the preStop pause and gunicorn's %d s", grace, graceful)
	}
}
