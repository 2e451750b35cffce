package organizer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// noRoomProject is the project of an organizer that runs no room's stacks:
// plugins, and reap looking for the backend's rooms.
const noRoomProject = config.ProjectName + "-organizer"

// projectName is the project the organizer's workspace runs in: its room's.
func (o *Organizer) projectName() string {
	if o.opts.Room.Name == "" {
		return noRoomProject
	}
	return o.opts.Room.Project()
}

// listStacks runs pulumi stack ls --json with args (--tag, --all).
func (o *Organizer) listStacks(ctx context.Context, args ...string) ([]auto.StackSummary, error) {
	ws, err := o.workspace(ctx, nil)
	if err != nil {
		return nil, err
	}
	stdout, _, err := ws.run(ctx, append([]string{"stack", "ls", "--json"}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("listing the backend's stacks: %w", err)
	}
	var stacks []auto.StackSummary
	if err := json.Unmarshal([]byte(stdout), &stacks); err != nil {
		return nil, fmt.Errorf("listing the backend's stacks: %w", err)
	}
	return stacks, nil
}

// scan lists the room's stacks (its project's, with its tag), remembers
// them as the only ones the organizer may select, and refuses the plan
// (a *config.ConfigError with every problem) when a stack it would run is
// taken by a stack outside the room. It runs before any plugin is
// installed or any stack touched.
func (o *Organizer) scan(ctx context.Context) error {
	stacks, err := o.list(ctx)
	if err != nil {
		return err
	}
	if problems := room.CheckOwnership(o.opts.Room, o.plan, stacks); len(problems) > 0 {
		return &config.ConfigError{Problems: problems}
	}
	return nil
}

// list lists the room's project, its stacks marked InRoom, and remembers
// the room's (listed, resources).
func (o *Organizer) list(ctx context.Context) ([]room.BackendStack, error) {
	if o.opts.Room.Name == "" {
		return nil, errors.New("no room: want Options.Room (the command line's -room)")
	}
	inRoom, err := o.listStacks(ctx, "--tag", o.opts.Room.TagFilter())
	if err != nil {
		return nil, err
	}
	project, err := o.listStacks(ctx)
	if err != nil {
		return nil, err
	}
	listed := map[string]bool{}
	resources := map[string]int{}
	for _, s := range inRoom {
		listed[s.Name] = true
		if s.ResourceCount != nil {
			resources[s.Name] = *s.ResourceCount
		}
	}
	var stacks []room.BackendStack
	for _, s := range project {
		stacks = append(stacks, room.BackendStack{Name: s.Name, InRoom: listed[s.Name]})
	}
	o.listedMu.Lock()
	o.listed, o.resources = listed, resources
	o.listedMu.Unlock()
	return stacks, nil
}

// roomStacks are the room's stacks as scan listed them, sorted.
func (o *Organizer) roomStacks() []string {
	o.listedMu.Lock()
	defer o.listedMu.Unlock()
	var names []string
	for name := range o.listed {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// markListed records a stack the organizer has just created and tagged.
func (o *Organizer) markListed(name string) {
	o.listedMu.Lock()
	defer o.listedMu.Unlock()
	if o.listed == nil {
		o.listed = map[string]bool{}
	}
	o.listed[name] = true
}

// createStack creates the stack in the room's project and tags it with the
// room before anything else runs on it. A stack of that name that exists
// outside the room is refused (scan refuses it first; this is the race
// with someone creating it since).
func (o *Organizer) createStack(ctx context.Context, ws roomWorkspace, name string) error {
	if err := ws.CreateStack(ctx, name); errors.Is(err, errStackExists) {
		return fmt.Errorf("stack %s was created outside room %s since the organizer listed the backend; it is not the room's", name, o.opts.Room.Name)
	} else if err != nil {
		return err
	}
	if err := ws.SetTag(ctx, name, room.RoomTag, o.opts.Room.Name); err != nil {
		return fmt.Errorf("tagging the new stack %s with its room (%s): %w", name, o.opts.Room.TagFilter(), err)
	}
	o.markListed(name)
	return nil
}

// Rooms are the rooms whose stacks the backend holds: the projects named
// eks-workshop-room-<room> of the stacks tagged with a room.
func (o *Organizer) Rooms(ctx context.Context) ([]room.Room, error) {
	stacks, err := o.listStacks(ctx, "--all", "--tag", room.RoomTag)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var rooms []room.Room
	for _, s := range stacks {
		_, project, _ := room.QualifiedStack(s.Name)
		if r, ok := room.RoomOfProject(project); ok && !seen[r.Name] {
			seen[r.Name] = true
			rooms = append(rooms, r)
		}
	}
	sort.Slice(rooms, func(i, j int) bool { return rooms[i].Name < rooms[j].Name })
	return rooms, nil
}

// joining is whether a stack of the plan is not the room's yet.
func (o *Organizer) joining() bool {
	if o.plan.Existing == nil && !o.isListed(room.ClusterStack) {
		return true
	}
	for _, p := range o.plan.Participants {
		if !o.isListed(p.Name) {
			return true
		}
	}
	return false
}
