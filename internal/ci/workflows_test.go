package ci

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const root = "../.."

// workflow is what these tests read of a GitHub workflow.
type workflow struct {
	file string
	raw  string
	On   map[string]any `yaml:"on"`
	Jobs map[string]job `yaml:"jobs"`
}

type job struct {
	RunsOn      any               `yaml:"runs-on"`
	Environment any               `yaml:"environment"`
	Strategy    map[string]any    `yaml:"strategy"`
	Env         map[string]string `yaml:"env"`
	Steps       []step            `yaml:"steps"`
}

type step struct {
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]any    `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

func workflows(t *testing.T) []workflow {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, ".github/workflows/*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows: %v", err)
	}
	var out []workflow
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w := workflow{file: filepath.Base(f), raw: string(b)}
		if err := yaml.Unmarshal(b, &w); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, w)
	}
	return out
}

// pinned is an action at a full commit SHA, its release named in the
// comment Dependabot reads and updates with it.
var pinned = regexp.MustCompile(`uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$`)

// Every action is pinned by commit: a tag can be moved to other code.
func TestActionsArePinnedByCommit(t *testing.T) {
	checkPinned(t, workflows(t))
	// Negative control: a tag is refused.
	checkFails(t, "a tag", func(t *testing.T) {
		checkPinned(t, []workflow{{file: "x.yml", raw: "    steps:\n      - uses: actions/checkout@v4\n"}})
	})
}

func checkPinned(t *testing.T, ws []workflow) {
	t.Helper()
	uses := 0
	for _, w := range ws {
		for i, line := range strings.Split(w.raw, "\n") {
			trimmed := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
			if !strings.HasPrefix(trimmed, "uses:") || strings.HasPrefix(trimmed, "uses: ./") {
				continue
			}
			uses++
			if !pinned.MatchString(trimmed) {
				t.Errorf("%s:%d: %s is not pinned by commit SHA with its version in a comment", w.file, i+1, trimmed)
			}
		}
	}
	if uses == 0 {
		t.Error("no uses: lines found")
	}
}

// checkFails runs check on a recorder and fails t unless check failed:
// the negative control beside each rule.
func checkFails(t *testing.T, what string, check func(*testing.T)) {
	t.Helper()
	inner := &testing.T{}
	done := make(chan struct{})
	go func() { defer close(done); check(inner) }()
	<-done
	if !inner.Failed() {
		t.Errorf("the rule accepts %s", what)
	}
}

// secretRef is a reference to a secret in a workflow expression.
var secretRef = regexp.MustCompile(`secrets\.(\w+)`)

// usesSecrets reports whether the job reads a secret other than the token
// GitHub gives every run.
func (j job) usesSecrets() bool {
	b, _ := yaml.Marshal(j)
	return slices.ContainsFunc(secretRef.FindAllStringSubmatch(string(b), -1), func(m []string) bool { return m[1] != "GITHUB_TOKEN" })
}

func (j job) environment() string {
	switch e := j.Environment.(type) {
	case string:
		return e
	case map[string]any:
		name, _ := e["name"].(string)
		return name
	}
	return ""
}

// A pull request's code runs with the secrets its jobs get: they come from
// an environment of their own, never prod's, and no job of a pull request
// deploys or previews prod. Every job that reads a secret names its
// environment, so no passphrase is repository-wide.
func TestPullRequestsNeverGetProdSecrets(t *testing.T) {
	checkSecretsPerEnvironment(t, workflows(t))
	checkFails(t, "a pull request previewing prod", func(t *testing.T) {
		checkSecretsPerEnvironment(t, []workflow{{file: "p.yml", On: map[string]any{"pull_request": nil}, Jobs: map[string]job{
			"preview": {Environment: "dev-preview", Strategy: map[string]any{"matrix": map[string]any{"stack": []any{"dev", "prod"}}},
				Steps: []step{{Env: map[string]string{"PULUMI_CONFIG_PASSPHRASE": "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"}}}},
		}}})
	})
	checkFails(t, "a repository-wide passphrase", func(t *testing.T) {
		checkSecretsPerEnvironment(t, []workflow{{file: "d.yml", On: map[string]any{"push": nil}, Jobs: map[string]job{
			"up": {Steps: []step{{Env: map[string]string{"PULUMI_CONFIG_PASSPHRASE": "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"}}}},
		}}})
	})
	checkFails(t, "a pull request with prod's environment", func(t *testing.T) {
		checkSecretsPerEnvironment(t, []workflow{{file: "p.yml", On: map[string]any{"pull_request_target": nil}, Jobs: map[string]job{
			"preview": {Environment: "prod", Steps: []step{{Env: map[string]string{"X": "${{ secrets.X }}"}}}},
		}}})
	})
}

func checkSecretsPerEnvironment(t *testing.T, ws []workflow) {
	t.Helper()
	for _, w := range ws {
		_, pr := w.On["pull_request"]
		_, prTarget := w.On["pull_request_target"]
		for name, j := range w.Jobs {
			b, _ := yaml.Marshal(j)
			if j.usesSecrets() && j.environment() == "" {
				t.Errorf("%s: job %s reads secrets outside a GitHub environment (a repository secret reaches every job)", w.file, name)
			}
			if !pr && !prTarget {
				continue
			}
			if env := j.environment(); strings.Contains(env, "prod") || strings.Contains(env, "${{") {
				t.Errorf("%s: pull request job %s runs in environment %q", w.file, name, env)
			}
			if regexp.MustCompile(`\bprod\b`).Match(b) {
				t.Errorf("%s: pull request job %s names prod: %s", w.file, name, b)
			}
		}
	}
}

// prod is deployed from a runner whose egress address is known, checked
// against publicAccessCidrs before anything is touched, and only after the
// deploy role is known to reach the cluster.
func TestProdDeploysFromAKnownAddress(t *testing.T) {
	var deploy workflow
	for _, w := range workflows(t) {
		if w.file == "deploy.yml" {
			deploy = w
		}
	}
	checkProdJob(t, deploy.Jobs["prod"])
	hosted := deploy.Jobs["prod"]
	hosted.RunsOn = "ubuntu-latest"
	checkFails(t, "prod on a GitHub-hosted runner", func(t *testing.T) { checkProdJob(t, hosted) })
	unchecked := deploy.Jobs["prod"]
	unchecked.Steps = slices.DeleteFunc(slices.Clone(unchecked.Steps), func(s step) bool { return strings.Contains(s.Run, "egresscheck") })
	checkFails(t, "prod without the egress check", func(t *testing.T) { checkProdJob(t, unchecked) })
	for name, j := range deploy.Jobs {
		if !slices.ContainsFunc(j.Steps, func(s step) bool { return strings.Contains(s.Run, "tools/ci-access-check.sh") }) {
			t.Errorf("deploy job %s does not check the deploy role's access entry", name)
		}
	}
}

func checkProdJob(t *testing.T, j job) {
	t.Helper()
	if j.environment() != "prod" || j.Env["STACK"] != "prod" {
		t.Errorf("prod job: environment %q, STACK %q", j.environment(), j.Env["STACK"])
	}
	if label, ok := j.RunsOn.(string); ok && (strings.HasPrefix(label, "ubuntu-") || strings.HasPrefix(label, "windows-") || strings.HasPrefix(label, "macos-")) {
		t.Errorf("prod job runs on %s, whose egress address changes every run", label)
	}
	egress, up := -1, -1
	for i, s := range j.Steps {
		if strings.Contains(s.Run, "go run ./cmd/egresscheck -stack prod") {
			egress = i
		}
		if s.With["command"] == "up" || s.With["command"] == "preview" {
			if up < 0 {
				up = i
			}
			if s.With["stack-name"] != "prod" {
				t.Errorf("prod job step %d acts on %v", i, s.With["stack-name"])
			}
		}
	}
	if egress < 0 || up < 0 || egress > up {
		t.Errorf("prod job: egress check at step %d, first preview/up at %d; want the check first", egress, up)
	}
}

// Dependabot proposes updates of every pinned ecosystem: the Actions, the Go
// modules, each app's base image and the flask app's Python packages.
func TestDependabotCoversEverythingPinned(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, ".github/dependabot.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int `yaml:"version"`
		Updates []struct {
			Ecosystem   string   `yaml:"package-ecosystem"`
			Directory   string   `yaml:"directory"`
			Directories []string `yaml:"directories"`
		} `yaml:"updates"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil || cfg.Version != 2 {
		t.Fatalf("dependabot.yml: version %d, %v", cfg.Version, err)
	}
	covered := map[string]bool{}
	for _, u := range cfg.Updates {
		for _, d := range append(u.Directories, u.Directory) {
			if d != "" {
				covered[u.Ecosystem+" "+d] = true
			}
		}
	}
	want := []string{"github-actions /", "gomod /"}
	for pattern, ecosystem := range map[string]string{"apps/*/Dockerfile": "docker", "apps/*/requirements.txt": "pip"} {
		files, _ := filepath.Glob(filepath.Join(root, pattern))
		if len(files) == 0 {
			t.Errorf("no %s", pattern)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(root, filepath.Dir(f))
			want = append(want, ecosystem+" /"+filepath.ToSlash(rel))
		}
	}
	for _, w := range want {
		if !covered[w] {
			t.Errorf("dependabot.yml has no update for %s (has %v)", w, covered)
		}
	}
}
