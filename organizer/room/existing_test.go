package room

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/stacks/config"
)

const (
	flaskDigest = "registry.example/demo-flask-backend@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	nginxDigest = "registry.example/demo-nginx@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// writeKubeconfig writes a kubeconfig whose current context "room" names server.
func writeKubeconfig(t *testing.T, server string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	data := `apiVersion: v1
kind: Config
current-context: room
clusters:
  - name: room
    cluster: {server: "` + server + `"}
contexts:
  - name: room
    context: {cluster: room, user: admin}
  - name: other
    context: {cluster: elsewhere, user: admin}
users:
  - name: admin
    user: {token: x}
`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// listening is the URL of a TCP listener that stands for an API server.
func listening(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return "https://" + l.Addr().String()
}

// closedPort is the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "https://" + l.Addr().String()
	l.Close()
	return url
}

func TestExistingClusterPlanDeploysEveryParticipantThroughTheLocalTarget(t *testing.T) {
	kubeconfig := writeKubeconfig(t, listening(t))
	cluster := ClusterOutputs{Kubeconfig: kubeconfig, KubeContext: "room", FlaskImage: flaskDigest, NginxImage: nginxDigest}
	plan, err := NewExistingClusterPlan(cluster, []Participant{{Name: "alice"}, {Name: "bob", Namespace: "team-bob"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.CheckReachable(); err != nil {
		t.Errorf("reachable server: %v", err)
	}
	cfg, err := plan.ParticipantConfig("bob", *plan.Existing)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Target != config.TargetLocal || cfg.Kubeconfig != kubeconfig || cfg.KubeContext != "room" || cfg.Namespace != "team-bob" ||
		cfg.FlaskImage != flaskDigest || cfg.NginxImage != nginxDigest || cfg.MetricsServer {
		t.Errorf("bob's environment: %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("the program would refuse bob's environment: %v", err)
	}
}

// Every problem of a room on an existing cluster comes at once, under the
// flags and the participants' fields that hold it.
func TestExistingClusterPlanReportsEveryProblemAtOnce(t *testing.T) {
	kubeconfig := writeKubeconfig(t, "https://127.0.0.1:6443")
	_, err := NewExistingClusterPlan(ClusterOutputs{Kubeconfig: kubeconfig, KubeContext: "nope", FlaskImage: "flask", NginxImage: nginxDigest}, []Participant{
		{Name: "alice", PrincipalArn: "arn:aws:iam::111122223333:role/alice"},
		{Name: "kube-bob"},
		{Name: "carol"},
	})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`-kube-context = "nope": want one of the contexts of ` + kubeconfig + `: ["room" "other"]`,
		`participants[0] (alice).principalArn = "arn:aws:iam::111122223333:role/alice": want none on a cluster the room does not build`,
		"alice-developers",
		`participants[1] (kube-bob).name = "kube-bob": namespace reserved for Kubernetes`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v\nlacks %q", err, want)
		}
	}
	// With the participants right, the images are checked as the program will, once.
	_, err = NewExistingClusterPlan(ClusterOutputs{Kubeconfig: kubeconfig, FlaskImage: "flask", NginxImage: nginxDigest}, []Participant{{Name: "alice"}, {Name: "carol"}})
	if err == nil || strings.Count(err.Error(), `-flask-image = "flask": want a full image reference with a tag or digest`) != 1 {
		t.Errorf("the bare flask image is not reported once under -flask-image: %v", err)
	}
	// The control: the same room with the images by digest is valid.
	if _, err := NewExistingClusterPlan(ClusterOutputs{Kubeconfig: kubeconfig, FlaskImage: flaskDigest, NginxImage: nginxDigest}, []Participant{{Name: "alice"}, {Name: "carol"}}); err != nil {
		t.Errorf("control: %v", err)
	}
}

func TestExistingClusterPlanWantsAKubeconfigThatNamesAServer(t *testing.T) {
	dir := t.TempDir()
	notKubeconfig := filepath.Join(dir, "participants.yaml")
	if err := os.WriteFile(notKubeconfig, []byte("kind: Pod\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	noServer := writeKubeconfig(t, "")
	for path, want := range map[string]string{
		"":                                 `-kubeconfig = "": want the path of the cluster's kubeconfig file`,
		"kubeconfig":                       `-kubeconfig = "kubeconfig": want an absolute path`,
		filepath.Join(dir, "absent"):       "want a readable kubeconfig file",
		notKubeconfig:                      "want a kubeconfig (kind: Config",
		noServer:                           `cluster "room" has server "": want the API server's https:// URL`,
		writeKubeconfig(t, "ftp://x:6443"): `has server "ftp://x:6443"`,
	} {
		_, err := NewExistingClusterPlan(ClusterOutputs{Kubeconfig: path}, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", path, err, want)
		}
	}
}

func TestCheckReachableRefusesAClusterThatDoesNotAnswer(t *testing.T) {
	plan, err := NewExistingClusterPlan(ClusterOutputs{Kubeconfig: writeKubeconfig(t, closedPort(t))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.CheckReachable(); err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Errorf("closed port: %v", err)
	}
}

// Without images the plan may destroy or report, but deploys nothing: a
// room on an existing cluster builds no image.
func TestExistingClusterPlanDeploysNoParticipantWithoutImages(t *testing.T) {
	plan, err := NewExistingClusterPlan(ClusterOutputs{Kubeconfig: writeKubeconfig(t, listening(t))}, []Participant{{Name: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = plan.ParticipantConfig("alice", *plan.Existing)
	for _, flag := range []string{FlagFlaskImage, FlagNginxImage} {
		if err == nil || !strings.Contains(err.Error(), flag+` = "": want the image every participant runs`) {
			t.Errorf("%v does not ask for %s", err, flag)
		}
	}
}

// ParseArgs in existing-cluster mode reports the flags', the participants'
// and the command's problems together, and creates nothing.
func TestParseArgsOnAnExistingClusterReportsEveryProblem(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "x")
	dir := t.TempDir()
	down := writeKubeconfig(t, closedPort(t))
	var stderr strings.Builder
	_, err := ParseArgs([]string{"-kubeconfig", down, "-cluster-config", "../../Pulumi.dev.yaml",
		"-participant", "alice=arn:aws:iam::111122223333:role/alice", "-state-dir", dir, "up"}, &stderr)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`-cluster-config = "../../Pulumi.dev.yaml": want none with -kubeconfig`,
		`participants[0] (alice).principalArn`,
		`-flask-image = "": want the image every participant runs`,
		`-nginx-image = "": want the image every participant runs`,
		"does not answer",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "state")); !os.IsNotExist(err) {
		t.Errorf("the backend was created for an invalid room: %v", err)
	}

	// The existing cluster's flags mean nothing to a room that builds its cluster.
	stderr.Reset()
	_, err = ParseArgs([]string{"-flask-image", flaskDigest, "-participant", "Alice", "-cluster-config", "../../Pulumi.dev.yaml", "-state-dir", dir, "up"}, &stderr)
	for _, want := range []string{`-flask-image = "` + flaskDigest + `": want it only with -kubeconfig`, `participants[0] (Alice).name`} {
		if err == nil || !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestParseArgsOnAnExistingCluster(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "x")
	kubeconfig := writeKubeconfig(t, listening(t))
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cl, err := ParseArgs([]string{"-kubeconfig", rel, "-flask-image", flaskDigest, "-nginx-image", nginxDigest,
		"-participant", "alice", "-room", "r1", "-state-dir", t.TempDir(), "up"}, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if cl.Plan.Existing == nil || cl.Plan.Existing.Kubeconfig != kubeconfig || len(cl.Plan.Participants) != 1 {
		t.Errorf("plan %+v, existing %+v", cl.Plan, cl.Plan.Existing)
	}
	// destroy and status need no images; status not even the cluster.
	for command, server := range map[string]string{"destroy": listening(t), "status": closedPort(t)} {
		stderr.Reset()
		args := []string{"-kubeconfig", writeKubeconfig(t, server), "-room", "r1", "-state-dir", t.TempDir(), command}
		if command == "destroy" {
			args = append([]string{"-whole-room"}, args...)
		}
		if _, err := ParseArgs(args, &stderr); err != nil {
			t.Errorf("%s: %v\n%s", command, err, stderr.String())
		}
	}
}

// Without -kube-context the plan pins the file's current context, so the
// stacks keep the cluster they were given; a context given stays.
func TestExistingClusterPlanPinsTheCurrentContext(t *testing.T) {
	kubeconfig := writeKubeconfig(t, "https://127.0.0.1:6443")
	plan, err := NewExistingClusterPlan(ClusterOutputs{Kubeconfig: kubeconfig, FlaskImage: flaskDigest, NginxImage: nginxDigest}, []Participant{{Name: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Existing.KubeContext != "room" {
		t.Errorf("context %q, want the file's current context room", plan.Existing.KubeContext)
	}
	cfg, err := plan.ParticipantConfig("alice", *plan.Existing)
	if err != nil || cfg.KubeContext != "room" {
		t.Errorf("alice's environment: context %q, %v", cfg.KubeContext, err)
	}
	// Negative control: a context that is not the current one stays.
	data, err := os.ReadFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	two := strings.Replace(string(data), "contexts:\n", "contexts:\n  - name: other\n    context: {cluster: room, user: admin}\n", 1)
	if err := os.WriteFile(kubeconfig, []byte(two), 0o600); err != nil {
		t.Fatal(err)
	}
	plan, err = NewExistingClusterPlan(ClusterOutputs{Kubeconfig: kubeconfig, KubeContext: "other"}, nil)
	if err != nil || plan.Existing.KubeContext != "other" {
		t.Errorf("given context: %+v, %v", plan, err)
	}
	if _, err := NewExistingClusterPlan(ClusterOutputs{Kubeconfig: kubeconfig, KubeContext: "gone"}, nil); err == nil {
		t.Error("a context the file lacks: accepted")
	}
}
