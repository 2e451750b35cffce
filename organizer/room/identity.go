package room

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// RoomTag is the stack tag that names the room a stack belongs to. The
// organizer selects every stack it lists, previews, updates, tags or
// destroys by it (pulumi stack ls --tag), in the room's own project, so a
// stack without it (the team's dev and prod, a stack made by hand) or with
// another room's value is never one of the room's.
const RoomTag = "eks-workshop:room"

// RoomProjectPrefix starts every room's project name: room r's stacks are
// <org>/eks-workshop-room-r/<stack>, beside the team's eks-workshop/dev.
const RoomProjectPrefix = config.ProjectName + "-room-"

// maxRoomName keeps the project name within the 100 characters Pulumi allows
// with room to spare, and the room tag readable in a table.
const maxRoomName = 40

// TeamStacks are the repository's own environments (Pulumi.<stack>.yaml at
// its root): the team's stacks of project eks-workshop. No participant may
// take their names, so a backend without projects (a DIY backend made before
// Pulumi 3.61, where a stack's name is the whole of its key) cannot map a
// participant onto them.
var TeamStacks = []string{"auto", "dev", "local", "prod"}

// Room is a room's identity: its name, the tag value its stacks carry, and
// the project they live in.
type Room struct {
	Name string
}

// NewRoom checks a room's name: a lowercase RFC 1123 label of at most 40
// characters. The name is the tag's value and the project's suffix.
func NewRoom(name string) (Room, error) {
	if !spec.ValidKubernetesName(name) || len(name) > maxRoomName {
		return Room{}, &spec.FieldError{Field: FlagRoom, Value: name,
			Allowed: fmt.Sprintf("want the room's name, a lowercase RFC 1123 label of at most %d characters such as seoul-1207: it names the room's project (%s<room>) and the %s tag of its stacks", maxRoomName, RoomProjectPrefix, RoomTag)}
	}
	return Room{Name: name}, nil
}

// Project is the Pulumi project the room's stacks live in.
func (r Room) Project() string { return RoomProjectPrefix + r.Name }

// TagFilter is pulumi stack ls's --tag value that selects the room's stacks.
func (r Room) TagFilter() string { return RoomTag + "=" + r.Name }

// RoomOfProject is the room whose project is project; ok is false for a
// project that is no room's (the team's eks-workshop among them).
func RoomOfProject(project string) (Room, bool) {
	name, ok := strings.CutPrefix(project, RoomProjectPrefix)
	if !ok {
		return Room{}, false
	}
	r, err := NewRoom(name)
	return r, err == nil
}

// QualifiedStack splits the name pulumi stack ls --all prints,
// organization/project/stack; a name with fewer parts has no organization
// or project.
func QualifiedStack(name string) (org, project, stack string) {
	parts := strings.Split(name, "/")
	if len(parts) != 3 {
		return "", "", parts[len(parts)-1]
	}
	return parts[0], parts[1], parts[2]
}

// BackendStack is a stack the room's project lists in the backend: InRoom
// when it carries the room's tag. On a backend without projects the list
// holds every stack of every project.
type BackendStack struct {
	Name   string
	InRoom bool
}

// CheckOwnership reports every stack the plan would create or run whose
// name the backend already gives to a stack outside the room, the cluster
// stack under its own name, participants under their field: each names the
// stack, the room and the way out (another name, or adopt when the stack is
// the room's from before rooms had tags). An empty list is a plan that
// touches only the room's stacks.
func CheckOwnership(r Room, plan *Plan, stacks []BackendStack) []string {
	outside := map[string]bool{}
	for _, s := range stacks {
		if !s.InRoom {
			outside[s.Name] = true
		}
	}
	var problems []string
	taken := func(field, name string) {
		problems = append(problems, (&spec.FieldError{Field: field, Value: name, Allowed: fmt.Sprintf(
			"the backend's stack %s in project %s is not room %s's (no %s tag): choose another name, or if it is this room's from before rooms were tagged, run organizer -room %s adopt with it",
			name, r.Project(), r.Name, r.TagFilter(), r.Name)}).Error())
	}
	if plan.Existing == nil && outside[ClusterStack] {
		taken("cluster stack", ClusterStack)
	}
	for i, p := range plan.Participants {
		if outside[p.Name] {
			taken(fmt.Sprintf("participants[%d].name", i), p.Name)
		}
	}
	return problems
}

// RoomStackNames are the stacks a whole-room command runs on: the cluster
// stack when the room builds one and the backend has it, then every other
// stack of the room, in the backend's order.
func RoomStackNames(inRoom []string) (cluster bool, participants []string) {
	for _, name := range inRoom {
		if name == ClusterStack {
			cluster = true
			continue
		}
		participants = append(participants, name)
	}
	return cluster, participants
}

// isTeamStack is whether name is one of TeamStacks.
func isTeamStack(name string) bool { return slices.Contains(TeamStacks, name) }

// OpAdopt makes stacks of a room from before rooms had names the room's.
const OpAdopt = Operation(CommandAdopt)

// What adopt did to a stack.
const (
	StatusAdopted    Status = "adopted"
	StatusWouldAdopt Status = "would adopt" // -dry-run
	StatusRoomsOwn   Status = "the room's"  // already tagged: nothing to do
)

// LegacyProject is the project of the rooms the organizer made before
// rooms had names, the team's own: adopt moves a stack named explicitly
// from it into the room's project.
const LegacyProject = config.ProjectName
