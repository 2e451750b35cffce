//go:build integration

package organizer

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/eks-workshop/eks-workshop/internal/tools"
)

// EnvBoardScreenshot, when set, is where the board test saves Chromium's
// screenshot of the board (docs/room-board.png in the repository).
const EnvBoardScreenshot = "EKS_WORKSHOP_BOARD_SCREENSHOT"

// chromium is Debian's headless Chromium, or the test is skipped (fails
// under EKS_WORKSHOP_REQUIRE_TOOLS=1).
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		msg := "no chromium: apt-get update && apt-get install -y chromium"
		if os.Getenv(tools.EnvRequire) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// renderDOM is the DOM Chromium renders at url, after its scripts (none here).
func renderDOM(t *testing.T, browser, url string, extra ...string) string {
	t.Helper()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + t.TempDir()}, extra...)
	out, err := exec.Command(browser, append(args, "--dump-dom", url)...).Output()
	if err != nil {
		t.Fatalf("chromium %s: %v", url, err)
	}
	return string(out)
}

// TestARoomOfTenLivesThroughUpResetHandoutBoardAndDestroy is the room of
// ten on the kwok cluster with the real engine, each step timed: up, a
// participant's reset (which removes what they made and touches no one
// else), the handouts, the board in Chromium, destroy.
func TestARoomOfTenLivesThroughUpResetHandoutBoardAndDestroy(t *testing.T) {
	browser := chromium(t)
	cluster := startRoomCluster(t)
	o := existingRoom(t, cluster, 10, 4)
	ctx := context.Background()
	step := func(name string, f func()) {
		start := time.Now()
		f()
		t.Logf("%-8s %s", name, time.Since(start).Round(100*time.Millisecond))
	}
	step("up", func() { roomUp(t, o) })

	// p02 makes something of their own; p03's namespace is the control.
	own := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "mine"}}
	for _, ns := range []string{"p02", "p03"} {
		if _, err := cluster.Clientset.CoreV1().ConfigMaps(ns).Create(ctx, own, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	step("reset", func() {
		report, err := o.Reset(ctx, []string{"p02"})
		if err != nil || report.Err() != nil || len(report) != 1 || report[0].Changes["create"] == 0 {
			t.Fatalf("reset p02: %v, %v", report, err)
		}
	})
	if _, err := cluster.Clientset.CoreV1().ConfigMaps("p02").Get(ctx, "mine", metav1.GetOptions{}); err == nil {
		t.Error("p02's own ConfigMap survived their reset")
	}
	if _, err := cluster.Clientset.CoreV1().ConfigMaps("p03").Get(ctx, "mine", metav1.GetOptions{}); err != nil {
		t.Errorf("p03's ConfigMap, which no reset names: %v", err)
	}
	checkWorkloadsAvailable(t, cluster, "p02")

	dir := t.TempDir()
	step("handout", func() {
		report, err := o.Handouts(ctx, dir)
		if err != nil || report.Err() != nil {
			t.Fatalf("handouts: %v, %v", report, err)
		}
	})
	for _, p := range o.plan.Participants {
		text, err := os.ReadFile(filepath.Join(dir, p.Name+".txt"))
		if err != nil || !strings.Contains(string(text), "kubectl -n "+p.Name+" port-forward svc/demo-nginx") {
			t.Errorf("%s's handout: %q, %v", p.Name, text, err)
		}
		if strings.Contains(string(text), cluster.Kubeconfig) {
			t.Errorf("%s's handout names the organizer's kubeconfig", p.Name)
		}
	}

	step("board", func() { checkBoard(t, o, browser) })
	step("destroy", func() {
		report, err := o.Destroy(ctx)
		if err != nil || report.Err() != nil {
			t.Fatalf("destroy: %v, %v", report, err)
		}
	})
}

// checkBoard serves the board and checks what Chromium renders of it.
func checkBoard(t *testing.T, o *Organizer, browser string) {
	ctx, stop := context.WithCancel(context.Background())
	addr := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- o.Serve(ctx, "127.0.0.1:0", 2*time.Second, func(a net.Addr) { addr <- a }) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()
	url := fmt.Sprintf("http://%s/", <-addr)
	var page string
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		if page = renderDOM(t, browser, url); !strings.Contains(page, "not read yet") {
			break
		}
	}
	for _, p := range o.plan.Participants {
		want := fmt.Sprintf(`<td><a href="/p/%s">%s</a></td><td>%s</td><td>update succeeded</td><td>http://demo-nginx.%s.svc.cluster.local:80</td>`, p.Name, p.Name, p.Name, p.Name)
		if !strings.Contains(page, want) {
			t.Errorf("the board lacks %s's row %s:\n%s", p.Name, want, page)
		}
	}
	if strings.Contains(page, o.plan.Existing.Kubeconfig) || strings.Contains(page, `class="failed"`) {
		t.Errorf("the board shows the kubeconfig or a failure:\n%s", page)
	}
	if mine := renderDOM(t, browser, url+"p/p01"); !strings.Contains(mine, "Namespace: p01") || strings.Contains(mine, "p02") {
		t.Errorf("p01's page:\n%s", mine)
	}
	if shot := os.Getenv(EnvBoardScreenshot); shot != "" {
		args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + t.TempDir(), "--window-size=1400,700", "--screenshot=" + shot, url}
		if out, err := exec.Command(browser, args...).CombinedOutput(); err != nil {
			t.Errorf("screenshot: %v\n%s", err, out)
		}
	}
}
