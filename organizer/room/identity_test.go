package room

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/stacks/config"
)

func TestNewRoomNamesItsProjectAndTag(t *testing.T) {
	r, err := NewRoom("seoul-1207")
	if err != nil {
		t.Fatal(err)
	}
	if r.Project() != "eks-workshop-room-seoul-1207" || r.TagFilter() != "eks-workshop:room=seoul-1207" {
		t.Errorf("project %q, tag filter %q", r.Project(), r.TagFilter())
	}
	forty := strings.Repeat("a", 40)
	if _, err := NewRoom(forty); err != nil {
		t.Errorf("a 40-character name: %v", err)
	}
	for _, bad := range []string{"", "Seoul", "a_b", forty + "a", "-a"} {
		if _, err := NewRoom(bad); err == nil || !strings.Contains(err.Error(), `-room = "`+bad+`"`) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestRoomOfProjectAndQualifiedStack(t *testing.T) {
	if r, ok := RoomOfProject("eks-workshop-room-r1"); !ok || r.Name != "r1" {
		t.Errorf("eks-workshop-room-r1: %v %v", r, ok)
	}
	for _, project := range []string{config.ProjectName, "eks-workshop-room-", "other-room-r1", "eks-workshop-room-R1"} {
		if r, ok := RoomOfProject(project); ok {
			t.Errorf("%q is no room's, got %v", project, r)
		}
	}
	if org, project, stack := QualifiedStack("organization/eks-workshop/dev"); org != "organization" || project != "eks-workshop" || stack != "dev" {
		t.Errorf("qualified: %q %q %q", org, project, stack)
	}
	if org, project, stack := QualifiedStack("dev"); org != "" || project != "" || stack != "dev" {
		t.Errorf("plain: %q %q %q", org, project, stack)
	}
	if org, project, stack := QualifiedStack("eks-workshop/dev"); org != "" || project != "" || stack != "dev" {
		t.Errorf("two parts: %q %q %q", org, project, stack)
	}
}

// The team's stacks named once: the repository's Pulumi.<stack>.yaml files.
func TestTeamStacksAreTheRepositorysStackFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "Pulumi.*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var stacks []string
	for _, f := range files {
		stacks = append(stacks, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	slices.Sort(stacks)
	if !slices.Equal(stacks, TeamStacks) {
		t.Errorf("TeamStacks %v, the repository's stacks %v", TeamStacks, stacks)
	}
	for _, s := range TeamStacks {
		if !isTeamStack(s) {
			t.Errorf("%s is not a team stack", s)
		}
	}
	if isTeamStack("alice") {
		t.Error("alice is a team stack")
	}
}

func TestCheckOwnershipRefusesEveryStackTakenOutsideTheRoom(t *testing.T) {
	r := Room{Name: "r1"}
	plan := &Plan{Participants: []Participant{{Name: "alice"}, {Name: "staging"}, {Name: "bob"}, {Name: "qa"}}}
	backend := []BackendStack{{Name: "staging"}, {Name: "alice", InRoom: true}, {Name: "qa"}, {Name: ClusterStack}, {Name: "zed"}}
	got := CheckOwnership(r, plan, backend)
	want := []string{`cluster stack = "workshop"`, `participants[1].name = "staging"`, `participants[3].name = "qa"`}
	if len(got) != len(want) {
		t.Fatalf("problems %q, want %d", got, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) || !strings.Contains(got[i], "organizer -room r1 adopt") || !strings.Contains(got[i], "project eks-workshop-room-r1") {
			t.Errorf("problem %d: %q, want it to start %q and name the way out", i, got[i], w)
		}
	}
	// Negative controls: the room's own stacks, and a room on an existing
	// cluster (no cluster stack), pass.
	own := []BackendStack{{Name: ClusterStack, InRoom: true}, {Name: "alice", InRoom: true}, {Name: "staging", InRoom: true}}
	if got := CheckOwnership(r, plan, own); len(got) != 0 {
		t.Errorf("the room's own stacks: %q", got)
	}
	existing := &Plan{Existing: &ClusterOutputs{}, Participants: []Participant{{Name: "alice"}}}
	if got := CheckOwnership(r, existing, []BackendStack{{Name: ClusterStack}}); len(got) != 0 {
		t.Errorf("a room with no cluster stack: %q", got)
	}
}

func TestRoomStackNames(t *testing.T) {
	cluster, participants := RoomStackNames([]string{"alice", ClusterStack, "bob"})
	if !cluster || !slices.Equal(participants, []string{"alice", "bob"}) {
		t.Errorf("%v %v", cluster, participants)
	}
	if cluster, _ := RoomStackNames([]string{"alice"}); cluster {
		t.Error("no cluster stack listed, yet cluster")
	}
}

// ParseArgs refuses a flag the command does not read, wants -room where it
// runs on a room, and a destroy that says which form it is.
func TestParseArgsRefusesWhatTheCommandWouldIgnore(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "x")
	dir := t.TempDir()
	cc := []string{"-cluster-config", "../../Pulumi.dev.yaml", "-state-dir", dir}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"-room", "r1", "-dry-run", "up"}, []string{"-dry-run: up does not read it; it is for destroy, reap, adopt"}},
		{[]string{"-room", "r1", "-ttl", "1h", "-refresh", "preview"}, []string{"-ttl: preview does not read it; it is for up", "-refresh: preview does not read it"}},
		{[]string{"-room", "r1", "-whole-room", "status"}, []string{"-whole-room: status does not read it; it is for destroy"}},
		{[]string{"-room", "r1", "destroy"}, []string{"destroy names no participant", "-whole-room"}},
		{[]string{"-room", "r1", "-participant", "alice", "-whole-room", "destroy"}, []string{"-whole-room with 1 participant(s): want either"}},
		{[]string{"-participant", "alice", "destroy"}, []string{`-room = ""`}},
		{[]string{"-room", "R1", "-participant", "Alice", "status"}, []string{`-room = "R1"`, `participants[0] (Alice).name`}},
		{[]string{"-room", "r1", "-participant", "dev", "up"}, []string{`participants[0] (dev).name = "dev": taken by the team's stacks [auto dev local prod] of project eks-workshop`}},
		{[]string{"-room", "r1", "-participant", "alice", "-kube-context", "x", "up"}, []string{"-kube-context", "want it only with -kubeconfig"}},
	} {
		var stderr strings.Builder
		if _, err := ParseArgs(append(append([]string(nil), cc...), c.args...), &stderr); err == nil {
			t.Errorf("%q: accepted", c.args)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%q: stderr lacks %q:\n%s", c.args, w, stderr.String())
			}
		}
	}
	var stderr strings.Builder
	for _, bad := range [][]string{{"-cluster-config", "x.yaml", "reap"}, {"-backend", "", "reap"}} {
		if _, err := ParseArgs(append([]string{"-state-dir", dir}, bad...), &stderr); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	if !strings.Contains(stderr.String(), `-backend = "": reap wants the backend`) || !strings.Contains(stderr.String(), "-cluster-config: reap does not read it") {
		t.Errorf("reap's refusals: %s", stderr.String())
	}
	// Negative controls: each command with what it reads.
	for _, args := range [][]string{
		{"-room", "r1", "-participant", "alice", "-dry-run", "destroy"},
		{"-room", "r1", "-whole-room", "-dry-run", "destroy"},
		{"-room", "r1", "-participant", "alice", "-dry-run", "adopt"},
		{"-room", "r1", "-participant", "alice", "-ttl", "1h", "-refresh", "-engine-output", "up"},
	} {
		stderr.Reset()
		cl, err := ParseArgs(append(append([]string(nil), cc...), args...), &stderr)
		if err != nil {
			t.Errorf("%q: %v\n%s", args, err, stderr.String())
			continue
		}
		if cl.Room.Name != "r1" || cl.DryRun != slices.Contains(args, "-dry-run") || cl.WholeRoom != slices.Contains(args, "-whole-room") ||
			cl.Refresh != slices.Contains(args, "-refresh") || cl.EngineOutput != slices.Contains(args, "-engine-output") {
			t.Errorf("%q: %+v", args, cl.Settings)
		}
	}
	cl, err := ParseArgs([]string{"-state-dir", dir, "-backend", "file:///b", "-room", "r1", "reap"}, &stderr)
	if err != nil || cl.Room.Name != "r1" || cl.Backend != "file:///b" || len(cl.Plan.Participants) != 0 {
		t.Errorf("reap of one room: %+v, %v", cl, err)
	}
	if _, err := ParseArgs([]string{"-cluster-config", "../../Pulumi.dev.yaml", "-participant", "dev", "-participant", "alice", "plan"}, &stderr); err == nil {
		t.Error("plan accepted a participant named dev")
	}
}

func TestCommandsReading(t *testing.T) {
	if got := commandsReading("dry-run"); !slices.Equal(got, []string{"destroy", "reap", "adopt"}) {
		t.Errorf("dry-run: %v", got)
	}
	if got := commandsReading("state-dir"); !slices.Contains(got, "plugins") || slices.Contains(got, CommandPlan) {
		t.Errorf("state-dir: %v", got)
	}
	if got := checkCommandFlags("up", []string{"ttl", "room"}); len(got) != 0 {
		t.Errorf("up's own flags: %v", got)
	}
}

func TestWithProblems(t *testing.T) {
	if err := withProblems(nil, nil); err != nil {
		t.Errorf("nothing: %v", err)
	}
	err := withProblems([]string{"a"}, &config.ConfigError{Problems: []string{"b"}})
	if err == nil || !strings.Contains(err.Error(), "2 problems") || strings.Index(err.Error(), "a") > strings.Index(err.Error(), "- b") {
		t.Errorf("joined: %v", err)
	}
	if err := withProblems([]string{"a"}, os.ErrNotExist); err == nil || !strings.Contains(err.Error(), "a\n") || !strings.Contains(err.Error(), "not exist") {
		t.Errorf("with another error: %v", err)
	}
	if err := withProblems([]string{"a"}, nil); err == nil || !strings.Contains(err.Error(), "- a") {
		t.Errorf("alone: %v", err)
	}
}
