//go:build integration

package organizer

import (
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// TestBoardRendersInChromium serves the board's handler with a reading of
// a room (rows as status reports them) and checks what headless Chromium
// renders: every row, the failed one marked, the link to each
// participant's page and that page's handout. The room on the real engine
// is TestARoomOfTenLivesThroughUpResetHandoutBoardAndDestroy's.
func TestBoardRendersInChromium(t *testing.T) {
	browser := chromium(t)
	plan, err := room.NewPlan(devConfig(t), []room.Participant{{Name: "alice", PrincipalArn: "arn:aws:iam::111122223333:role/alice"}, {Name: "bob"}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	handout := func(name string) room.Handout {
		h, err := plan.Handout(name, room.StackExpiry{Expires: now.Add(8 * time.Hour)}, now)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	b := &board{
		state: room.Board{Updated: now, Refresh: 5 * time.Second, Rows: room.BoardRows(room.Report{
			{Stack: room.ClusterStack, Namespace: "development", Status: "update succeeded", URL: "http://k8s-eksdemogroup.example.elb.amazonaws.com", Detail: "expires in 8h0m"},
			{Stack: "alice", Participant: "alice", Namespace: "alice", Status: "update succeeded", URL: "http://demo-nginx.alice.svc.cluster.local:80", Detail: "expires in 8h0m"},
			{Stack: "bob", Participant: "bob", Namespace: "bob", Status: room.StatusFailed, Err: errors.New("exceeded quota: room-quota")},
		})},
		handouts: map[string]room.Handout{"alice": handout("alice"), "bob": handout("bob")},
	}
	srv := httptest.NewServer(b.handler())
	defer srv.Close()

	page := renderDOM(t, browser, srv.URL+"/")
	for _, want := range []string{
		`<td><a href="/p/alice">alice</a></td><td>alice</td><td>update succeeded</td><td>http://demo-nginx.alice.svc.cluster.local:80</td><td>expires in 8h0m</td>`,
		`<tr class="failed"><td>bob</td>`, "exceeded quota: room-quota",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the board lacks %q:\n%s", want, page)
		}
	}
	alice := renderDOM(t, browser, srv.URL+"/p/alice")
	if !strings.Contains(alice, "--role-arn arn:aws:iam::111122223333:role/alice") || strings.Contains(alice, "bob") {
		t.Errorf("alice's page:\n%s", alice)
	}
	// Negative control: a participant the board does not know is not found.
	if stranger := renderDOM(t, browser, srv.URL+"/p/carol"); !strings.Contains(stranger, "no such participant") {
		t.Errorf("carol's page:\n%s", stranger)
	}
	if shot := os.Getenv(EnvBoardScreenshot); shot != "" {
		args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + t.TempDir(), "--window-size=1400,420", "--screenshot=" + shot, srv.URL + "/"}
		if out, err := exec.Command(browser, args...).CombinedOutput(); err != nil {
			t.Errorf("screenshot: %v\n%s", err, out)
		}
	}
}
