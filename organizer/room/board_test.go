package room

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBoardShowsEveryStackAndEscapesWhatItShows(t *testing.T) {
	report := Report{
		{Stack: ClusterStack, Status: "update succeeded", URL: "http://alb.example", Detail: "expires in 1h0m"},
		{Stack: "alice", Participant: "alice", Namespace: "alice", Status: StatusFailed, Err: errors.New("quota <exceeded>")},
	}
	var page strings.Builder
	b := Board{Updated: time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC), Refresh: 5 * time.Second, Rows: BoardRows(report), Err: "backend unreachable"}
	if err := WriteBoard(&page, b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<meta http-equiv="refresh" content="5">`, "Read 2026-12-07 09:30:00 UTC",
		"<td>workshop</td><td></td><td></td><td>update succeeded</td><td>http://alb.example</td><td>expires in 1h0m</td><td></td>",
		`<tr class="failed"><td>alice</td><td><a href="/p/alice">alice</a></td>`, "quota &lt;exceeded&gt;",
		`id="error">The last reading failed: backend unreachable`,
	} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("the board lacks %q:\n%s", want, page.String())
		}
	}
	page.Reset()
	if err := WriteParticipantPage(&page, Handout{Participant: "alice", Namespace: "alice", Expiry: "no expiry"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), `content="60"`) || !strings.Contains(page.String(), "Workshop environment of alice") {
		t.Errorf("alice's page:\n%s", page.String())
	}
}
