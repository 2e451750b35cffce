//go:build integration

package organizer

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/internal/tools"
	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// A shared backend: the team's dev and prod stacks of project eks-workshop,
// another room's stacks, and the room under test. Every organizer command
// run for the room must leave the others' files in the backend byte for
// byte as they were: no update in their history, no tag, no lock left.

// sharedBackend is a file backend and the environment every CLI run on it
// shares.
type sharedBackend struct {
	dir, url string
	env      map[string]string
}

func newSharedBackend(t *testing.T) *sharedBackend {
	t.Helper()
	cli := tools.Require(t, "pulumi")["pulumi"]
	t.Setenv("PATH", filepath.Dir(cli)+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	b := &sharedBackend{dir: filepath.Join(dir, "state"), env: map[string]string{
		"PULUMI_CONFIG_PASSPHRASE": "test passphrase",
		"PULUMI_HOME":              filepath.Join(dir, "home"),
		"PULUMI_SKIP_UPDATE_CHECK": "true",
	}}
	b.url = "file://" + b.dir
	b.env["PULUMI_BACKEND_URL"] = b.url
	if err := os.MkdirAll(b.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// The team's and a legacy room's programs run from directories of their own.
	for _, dir := range []string{"team", "legacy"} {
		if err := os.MkdirAll(filepath.Join(filepath.Dir(b.dir), dir), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// teamStack brings up the team's stack name of project eks-workshop with
// a program of one component, as the team's CI would.
func (b *sharedBackend) teamStack(t *testing.T, name string) auto.Stack {
	t.Helper()
	return b.stackIn(t, config.ProjectName, name)
}

// stackIn brings up stack name of project with a program of one component.
func (b *sharedBackend) stackIn(t *testing.T, project, name string) auto.Stack {
	t.Helper()
	ctx := context.Background()
	s, err := auto.UpsertStackInlineSource(ctx, name, project, func(ctx *pulumi.Context) error {
		var res pulumi.ResourceState
		return ctx.RegisterComponentResource("eks-workshop:test:Team", "team-"+name, &res)
	}, auto.WorkDir(filepath.Join(filepath.Dir(b.dir), "team")), auto.EnvVars(b.env))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTag(ctx, "owner", "team"); err != nil {
		t.Fatal(err)
	}
	return s
}

// organizer is an organizer for room on the shared backend.
func (b *sharedBackend) organizer(t *testing.T, name string, plan *room.Plan, configure func(*Options)) *Organizer {
	t.Helper()
	opts := Options{
		Settings: room.Settings{Backend: b.url, WorkDir: filepath.Join(filepath.Dir(b.dir), "work"), Parallel: 2,
			Room: room.Room{Name: name}, Env: b.env},
		Program:  (&fakeRoom{}).program,
		Progress: testWriter{t},
	}
	if configure != nil {
		configure(&opts)
	}
	o, err := New(context.Background(), plan, opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// neighbours sets the backend up: the team's dev and prod, and room
// "other" with its cluster and alice, brought up with a TTL long past by
// the time the tests reap, so a reap that strayed would take them.
func (b *sharedBackend) neighbours(t *testing.T) {
	t.Helper()
	b.teamStack(t, "dev")
	b.teamStack(t, "prod")
	past := func(opts *Options) {
		opts.TTL = time.Minute
		opts.Now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	}
	other := b.organizer(t, "other", testPlan(t, "alice"), past)
	if report, err := other.Up(context.Background()); err != nil || report.Err() != nil {
		t.Fatal(err, report.Err())
	}
}

// snapshot hashes every file of the backend outside project (the room
// under test's), locks included: what must not change.
func (b *sharedBackend) snapshot(t *testing.T, project string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(b.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(b.dir, path)
		if slices.Contains(strings.Split(filepath.ToSlash(rel), "/"), project) {
			return nil
		}
		data, err := os.ReadFile(path)
		files[rel] = fmt.Sprintf("%x", sha256.Sum256(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// changed says which of before's files differ in after, or are new or gone.
func changed(before, after map[string]string) []string {
	var diff []string
	for path, sum := range after {
		if before[path] != sum {
			diff = append(diff, path)
		}
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			diff = append(diff, path+" (gone)")
		}
	}
	slices.Sort(diff)
	return diff
}

// runMain runs the organizer's command line on the shared backend; out is
// its report (stdout) and then its events and errors (stderr).
func (b *sharedBackend) runMain(t *testing.T, now time.Time, args ...string) (int, string) {
	t.Helper()
	for k, v := range b.env {
		t.Setenv(k, v)
	}
	var stdout, stderr strings.Builder
	common := []string{"-state-dir", filepath.Dir(b.dir)}
	if args[len(args)-1] != "plugins" {
		common = append(common, "-backend", b.url, "-parallel", "2")
	}
	args = append(common, args...)
	tmpBefore := engineTempDirs(b)
	code := Main(context.Background(), args, &stdout, &stderr, Setup{
		Program: (&fakeRoom{}).program,
		Plugins: func() ([]room.Plugin, error) { return nil, nil },
		Now:     func() time.Time { return now },
	})
	t.Logf("organizer %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	// Each run removes its engines' temporary directory as it ends.
	if left := slices.DeleteFunc(engineTempDirs(b), func(d string) bool { return slices.Contains(tmpBefore, d) }); len(left) > 0 {
		t.Errorf("organizer %s left %q", strings.Join(args, " "), left)
	}
	return code, stdout.String() + "\n--- stderr\n" + stderr.String()
}

// engineTempDirs are the engines' temporary directories in the rooms' work
// directories (organizer.engineTempDir).
func engineTempDirs(b *sharedBackend) []string {
	dirs, _ := filepath.Glob(filepath.Join(filepath.Dir(b.dir), "work", "*", ".tmp-*"))
	return dirs
}

// report is the report part of runMain's output.
func report(out string) string { return out[:strings.Index(out, "\n--- stderr\n")] }

// teamListed finds the team's dev or prod in an organizer's output: a
// table row or an event line that names them.
var teamListed = regexp.MustCompile(`(?m)(^|  )(dev|prod)\s`)

// The negative control of the snapshot: a tag written on dev, and an
// update of prod, are both seen.
func TestSharedBackendSnapshotSeesATagAndAnUpdate(t *testing.T) {
	b := newSharedBackend(t)
	dev := b.teamStack(t, "dev")
	b.teamStack(t, "prod")
	before := b.snapshot(t, room.Room{Name: "r1"}.Project())
	if err := dev.SetTag(context.Background(), room.ExpiryTag, "2026-01-01T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	if got := changed(before, b.snapshot(t, room.Room{Name: "r1"}.Project())); len(got) == 0 {
		t.Error("a tag written on dev went unseen")
	}
	before = b.snapshot(t, room.Room{Name: "r1"}.Project())
	b.teamStack(t, "prod") // a second update
	if got := changed(before, b.snapshot(t, room.Room{Name: "r1"}.Project())); !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, "prod") }) {
		t.Errorf("an update of prod went unseen: %v", got)
	}
}

// Every command of the organizer, run for room r1 through its command line
// on the shared backend, does its work on r1's stacks and leaves the team's
// and room other's exactly as they were.
func TestEveryCommandLeavesTheTeamsAndAnotherRoomsStacksAsTheyWere(t *testing.T) {
	b := newSharedBackend(t)
	b.neighbours(t)
	r1 := room.Room{Name: "r1"}
	clusterConfig := filepath.Join("..", "Pulumi.dev.yaml")
	later := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	// carol joins without -ttl, so gets the room's expiry (item 6).
	carolExpires := func(out string) error {
		for _, line := range strings.Split(report(out), "\n") {
			if strings.HasPrefix(line, "carol ") && strings.Contains(line, "expires in 1h0m") {
				return nil
			}
		}
		return fmt.Errorf("carol, who joined without -ttl, does not expire with the room")
	}
	steps := []struct {
		name string
		args []string
		// want is what the command's output says it did to r1's stacks.
		want  []string
		at    time.Time
		check func(string) error
	}{
		{"preview", []string{"-room", "r1", "-cluster-config", clusterConfig, "-participant", "alice", "preview"}, []string{"workshop"}, later, nil},
		{"up", []string{"-room", "r1", "-cluster-config", clusterConfig, "-participant", "alice", "-participant", "bob", "-ttl", "1h", "up"}, []string{"alice", "bob", "up"}, later, nil},
		{"up again", []string{"-room", "r1", "-cluster-config", clusterConfig, "-participant", "alice", "-participant", "bob", "-participant", "carol", "up"}, []string{"carol"}, later, nil},
		{"status", []string{"-room", "r1", "-cluster-config", clusterConfig, "status"}, []string{"alice", "bob", "carol", "update succeeded"}, later, carolExpires},
		{"destroy dry run", []string{"-room", "r1", "-cluster-config", clusterConfig, "-whole-room", "-dry-run", "destroy"}, []string{string(room.StatusWouldDestroy)}, later, nil},
		{"destroy a participant", []string{"-room", "r1", "-cluster-config", clusterConfig, "-participant", "bob", "destroy"}, []string{"bob", string(room.StatusDestroyed)}, later, nil},
		{"adopt dry run", []string{"-room", "r1", "-cluster-config", clusterConfig, "-participant", "alice", "-dry-run", "adopt"}, []string{string(room.StatusRoomsOwn)}, later, nil},
		{"reap room dry run", []string{"-room", "r1", "-dry-run", "reap"}, []string{string(room.StatusExpired)}, later.Add(2 * time.Hour), nil},
		{"reap room", []string{"-room", "r1", "reap"}, []string{string(room.StatusDestroyed)}, later.Add(2 * time.Hour), nil},
		{"plugins", []string{"-cluster-config", clusterConfig, "plugins"}, nil, later, nil},
		{"destroy the room", []string{"-room", "r1", "-cluster-config", clusterConfig, "-whole-room", "destroy"}, []string{"workshop"}, later, nil},
	}
	for _, step := range steps {
		before := b.snapshot(t, r1.Project())
		code, out := b.runMain(t, step.at, step.args...)
		if code != 0 {
			t.Errorf("%s: exit %d, want 0", step.name, code)
		}
		if step.check != nil {
			if err := step.check(out); err != nil {
				t.Errorf("%s: %v", step.name, err)
			}
		}
		for _, want := range step.want {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q: the command did not do its work on r1", step.name, want)
			}
		}
		if teamListed.MatchString(out) {
			t.Errorf("%s: lists the team's stacks:\n%s", step.name, out)
		}
		if got := changed(before, b.snapshot(t, r1.Project())); len(got) > 0 {
			t.Errorf("%s changed files outside room r1: %v", step.name, got)
		}
	}
}

// reap without -room reaps every room, and never the team's stacks: room
// other, long expired, goes; dev and prod, though one carries an expiry tag
// in the past, stay exactly as they were.
func TestReapOfEveryRoomLeavesTheTeamsStacks(t *testing.T) {
	b := newSharedBackend(t)
	b.neighbours(t)
	dev := b.teamStack(t, "dev")
	if err := dev.SetTag(context.Background(), room.ExpiryTag, "2026-01-01T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	other := room.Room{Name: "other"}
	before := b.snapshot(t, other.Project())
	code, out := b.runMain(t, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), "reap")
	if code != 0 || !strings.Contains(out, "room other") || strings.Count(report(out), string(room.StatusDestroyed)) != 2 || teamListed.MatchString(out) {
		t.Errorf("reap of every room: exit %d; want room other's cluster and alice destroyed:\n%s", code, out)
	}
	if got := changed(before, b.snapshot(t, other.Project())); len(got) > 0 {
		t.Errorf("reap changed the team's files: %v", got)
	}
	// Negative control: the same reap with the clock before other's expiry keeps it.
	b.neighbours(t)
	if code, out := b.runMain(t, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), "reap"); code != 0 || !strings.Contains(out, "room other") || strings.Contains(out, string(room.StatusDestroyed)) {
		t.Errorf("reap before the expiry: exit %d\n%s", code, out)
	}
}

// A participant whose stack name is taken outside the room (here: stacks
// of the room's project that someone made by hand, without the room's tag)
// is refused with every such problem, before any plugin is installed or any
// stack created; dev, prod and local are refused by the plan whatever the
// backend. (A backend without projects, where a name would be every
// project's, is one the CLI no longer opens since v3.276.0.)
func TestAParticipantNamedAfterAStackOutsideTheRoomIsRefused(t *testing.T) {
	b := newSharedBackend(t)
	r1 := room.Room{Name: "r1"}
	b.stackIn(t, r1.Project(), "staging")
	b.stackIn(t, r1.Project(), "qa")
	before := b.snapshot(t, "none")
	for k, v := range b.env {
		t.Setenv(k, v)
	}
	var out strings.Builder
	code := Main(context.Background(), []string{"-backend", b.url, "-state-dir", filepath.Dir(b.dir), "-room", "r1",
		"-cluster-config", filepath.Join("..", "Pulumi.dev.yaml"), "-participant", "staging", "-participant", "qa", "-participant", "alice", "up"}, &out, &out,
		Setup{Program: (&fakeRoom{}).program, Plugins: func() ([]room.Plugin, error) { return nil, nil }})
	t.Log(out.String())
	for _, want := range []string{`participants[0].name = "staging"`, `participants[1].name = "qa"`, "adopt"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if got := changed(before, b.snapshot(t, "none")); len(got) > 0 {
		t.Errorf("the refused up touched the backend: %v", got)
	}
	// Negative control: without them, alice's room goes up beside staging.
	if code, _ := b.runMain(t, time.Now(), "-room", "r1", "-cluster-config", filepath.Join("..", "Pulumi.dev.yaml"), "-participant", "alice", "up"); code != 0 {
		t.Errorf("alice alone: exit %d", code)
	}
	for _, team := range room.TeamStacks {
		if code, out := b.runMain(t, time.Now(), "-room", "r1", "-cluster-config", filepath.Join("..", "Pulumi.dev.yaml"), "-participant", team, "up"); code != 2 || !strings.Contains(out, "taken by the team's stacks") {
			t.Errorf("participant %s: exit %d\n%s", team, code, out)
		}
	}
}

// A room the organizer made before rooms had names (project eks-workshop,
// stacks workshop and alice) is invisible to room r1 until adopted, and
// adopt moves exactly the stacks named, never the team's dev.
func TestAdoptMovesALegacyRoomsNamedStacksOnly(t *testing.T) {
	b := newSharedBackend(t)
	b.teamStack(t, "dev")
	// The old layout: project eks-workshop, no tag.
	for _, name := range []string{room.ClusterStack, "alice", "bob"} {
		s, err := auto.UpsertStackInlineSource(context.Background(), name, config.ProjectName, func(ctx *pulumi.Context) error {
			var res pulumi.ResourceState
			return ctx.RegisterComponentResource("eks-workshop:test:Legacy", name, &res)
		}, auto.WorkDir(filepath.Join(filepath.Dir(b.dir), "legacy")), auto.EnvVars(b.env))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Up(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	r1 := room.Room{Name: "r1"}
	cc := filepath.Join("..", "Pulumi.dev.yaml")
	// Before adoption, r1's whole-room destroy sees none of them.
	if code, out := b.runMain(t, time.Now(), "-room", "r1", "-cluster-config", cc, "-whole-room", "-dry-run", "destroy"); code != 0 || strings.Contains(out, string(room.StatusWouldDestroy)) {
		t.Errorf("r1 sees the legacy room before adopting it: exit %d\n%s", code, out)
	}
	devBefore := b.snapshot(t, r1.Project())
	// A dry run adopts nothing.
	if code, out := b.runMain(t, time.Now(), "-room", "r1", "-cluster-config", cc, "-participant", "alice", "-dry-run", "adopt"); code != 0 || strings.Count(report(out), string(room.StatusWouldAdopt)) != 2 {
		t.Errorf("adopt dry run: exit %d\n%s", code, out)
	}
	if got := changed(devBefore, b.snapshot(t, r1.Project())); len(got) > 0 {
		t.Errorf("the dry run changed %v", got)
	}
	if code, out := b.runMain(t, time.Now(), "-room", "r1", "-cluster-config", cc, "-participant", "alice", "adopt"); code != 0 || strings.Count(report(out), string(room.StatusAdopted)) != 2 {
		t.Errorf("adopt: exit %d\n%s", code, out)
	}
	code, out := b.runMain(t, time.Now(), "-room", "r1", "-cluster-config", cc, "status")
	if code != 0 || !strings.Contains(report(out), "alice") || strings.Contains(out, "bob") || teamListed.MatchString(out) {
		t.Errorf("status after adopting alice: exit %d; want the cluster and alice, not bob or dev\n%s", code, out)
	}
	after := b.snapshot(t, r1.Project())
	for path := range devBefore {
		if strings.Contains(path, "dev") && after[path] != devBefore[path] {
			t.Errorf("adopt changed the team's %s", path)
		}
		if strings.Contains(path, "bob") && after[path] != devBefore[path] {
			t.Errorf("adopt changed bob's %s, not named", path)
		}
	}
}
