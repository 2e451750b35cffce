package room

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHandoutGivesEachParticipantTheirOwnAccessAndNoSecret(t *testing.T) {
	plan, err := NewPlan(devConfig(t), []Participant{
		{Name: "alice", PrincipalArn: "arn:aws:iam::111122223333:role/alice"},
		{Name: "bob", Namespace: "team-bob", PrincipalArn: "arn:aws:iam::111122223333:user/bob"},
		{Name: "carol"},
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	expiry := StackExpiry{Expires: now.Add(8 * time.Hour)}
	text := func(name string) string {
		h, err := plan.Handout(name, expiry, now)
		if err != nil {
			t.Fatal(err)
		}
		return h.Text()
	}
	alice := text("alice")
	for _, want := range []string{
		"Namespace: alice\n",
		"Expires:   expires in 8h0m (2026-12-07T17:00:00Z)",
		"aws eks update-kubeconfig --region ap-northeast-2 --name eks-demo-workshop --alias alice --role-arn arn:aws:iam::111122223333:role/alice\n",
		"kubectl config set-context --current --namespace alice\n",
		"kubectl -n alice port-forward svc/demo-nginx 8080:80\n    http://localhost:8080/\n",
		"kubectl -n alice port-forward svc/demo-flask-backend 8081:8080\n    http://localhost:8081/contents/aws\n",
	} {
		if !strings.Contains(alice, want) {
			t.Errorf("alice's handout lacks %q:\n%s", want, alice)
		}
	}
	if strings.Contains(alice, "In your browser") {
		t.Errorf("a handout without an ALB gives a browser URL:\n%s", alice)
	}
	withALB, err := plan.Handout("alice", expiry, now)
	if err != nil {
		t.Fatal(err)
	}
	withALB.URL = "http://k8s-roomalice-0123.ap-northeast-2.elb.amazonaws.com"
	if got := withALB.Text(); !strings.Contains(got, "\nIn your browser: http://k8s-roomalice-0123.ap-northeast-2.elb.amazonaws.com (nginx; flask answers under /contents/)\n") {
		t.Errorf("alice's handout with her ALB:\n%s", got)
	}
	if strings.Contains(alice, "bob") || strings.Contains(alice, "--kubeconfig") {
		t.Errorf("alice's handout names another participant or a kubeconfig:\n%s", alice)
	}
	// A user is no role to assume; the namespace is the participant's own.
	bob := text("bob")
	if strings.Contains(bob, "--role-arn") || !strings.Contains(bob, "--alias bob\n") || !strings.Contains(bob, "-n team-bob port-forward") {
		t.Errorf("bob's handout:\n%s", bob)
	}
	if carol := text("carol"); strings.Contains(carol, "update-kubeconfig") || !strings.Contains(carol, "no access entry") {
		t.Errorf("carol, without a principal:\n%s", carol)
	}
	if _, err := plan.Handout("dave", expiry, now); err == nil || !strings.Contains(err.Error(), `"dave"`) {
		t.Errorf("a stranger's handout: %v", err)
	}
}

func TestHandoutOnAnExistingClusterNamesTheGroupAndNotTheKubeconfig(t *testing.T) {
	kubeconfig := writeKubeconfig(t, "https://127.0.0.1:6443")
	plan, err := NewExistingClusterPlan(ClusterOutputs{Kubeconfig: kubeconfig, FlaskImage: "f:1", NginxImage: "n:1"}, []Participant{{Name: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := plan.Handout("alice", StackExpiry{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	text := h.Text()
	if !strings.Contains(text, "group alice-developers,") || strings.Contains(text, kubeconfig) || strings.Contains(text, "update-kubeconfig") ||
		!strings.Contains(text, "Expires:   no expiry") {
		t.Errorf("handout:\n%s", text)
	}
	path, err := WriteHandout(filepath.Join(t.TempDir(), "handouts"), h)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != text || filepath.Base(path) != "alice.txt" {
		t.Errorf("%s: %q, %v", path, got, err)
	}
}

func TestRenderOutputsKeepTheKubeconfigOut(t *testing.T) {
	built := (&Plan{}).RenderOutputs()
	if built.FlaskImage != RenderedImage("demo-flask-backend") || built.NginxImage != RenderedImage("demo-nginx") || built.Kubeconfig != "ROOM_KUBECONFIG" {
		t.Errorf("built cluster: %+v", built)
	}
	existing := (&Plan{Existing: &ClusterOutputs{Kubeconfig: "/home/o/kubeconfig", FlaskImage: "f:1", NginxImage: "n:1"}}).RenderOutputs()
	if existing.FlaskImage != "f:1" || existing.NginxImage != "n:1" || existing.Kubeconfig != "ROOM_KUBECONFIG" {
		t.Errorf("existing cluster: %+v", existing)
	}
}
