package room

import (
	"fmt"
	"slices"
	"strings"
)

// CommandReset puts named participants' environments back to their start.
const CommandReset = "reset"

// SelectParticipants are the participants names name, in the plan's order;
// every name the plan lacks is reported at once, with the names it has.
func (p *Plan) SelectParticipants(names []string) ([]Participant, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: want the names of the participants to reset", CommandReset)
	}
	var unknown []string
	for _, n := range names {
		if !slices.ContainsFunc(p.Participants, func(part Participant) bool { return part.Name == n }) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		var known []string
		for _, part := range p.Participants {
			known = append(known, part.Name)
		}
		return nil, fmt.Errorf("%s %q: not in the participants list (%s)", CommandReset, unknown, strings.Join(known, ", "))
	}
	var selected []Participant
	for _, part := range p.Participants {
		if slices.Contains(names, part.Name) {
			selected = append(selected, part)
		}
	}
	return selected, nil
}
