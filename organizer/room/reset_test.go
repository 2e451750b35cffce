package room

import (
	"strings"
	"testing"
)

func TestSelectParticipantsKeepsThePlansOrderAndNamesEveryStranger(t *testing.T) {
	plan := &Plan{Participants: []Participant{{Name: "alice"}, {Name: "bob"}, {Name: "carol"}}}
	got, err := plan.SelectParticipants([]string{"carol", "alice", "carol"})
	if err != nil || len(got) != 2 || got[0].Name != "alice" || got[1].Name != "carol" {
		t.Errorf("carol, alice: %v, %v", got, err)
	}
	_, err = plan.SelectParticipants([]string{"dave", "bob", "eve"})
	if err == nil || !strings.Contains(err.Error(), `["dave" "eve"]`) || !strings.Contains(err.Error(), "alice, bob, carol") {
		t.Errorf("strangers: %v", err)
	}
	if _, err := plan.SelectParticipants(nil); err == nil {
		t.Error("no name: accepted")
	}
}
