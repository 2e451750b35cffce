package organizer

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

func TestARunningProcessIsToldFromOneThatHasEnded(t *testing.T) {
	if !processRunning(os.Getpid()) {
		t.Error("this process is not running")
	}
	ended := exec.Command("true")
	if err := ended.Run(); err != nil {
		t.Fatal(err)
	}
	if processRunning(ended.Process.Pid) {
		t.Error("an ended process is running")
	}
}

// An attribute file a killed engine left empty or cut short is removed;
// a whole one, and one of another stack, are kept.
func TestATornAttributeFileBesideTheCheckpointIsRemoved(t *testing.T) {
	dir := t.TempDir()
	o := &Organizer{opts: Options{Settings: room.Settings{Backend: "file://" + dir, Room: room.Room{Name: "r1"}}}}
	checkpoint := filepath.Join(dir, filepath.FromSlash(room.StackCheckpoint(o.projectName(), "alice")))
	other := filepath.Join(dir, filepath.FromSlash(room.StackCheckpoint(o.projectName(), "bob")))
	if err := os.MkdirAll(filepath.Dir(checkpoint), 0o700); err != nil {
		t.Fatal(err)
	}
	whole := `{"user.cache_control":"","user.content_type":"application/json"}` + "\n"
	for path, content := range map[string]string{checkpoint + ".attrs": "", checkpoint + ".bak.attrs": whole, other + ".attrs": ""} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := o.removeTornSidecars("alice")
	if err != nil || len(removed) != 1 || removed[0] != "alice.json.attrs" {
		t.Fatalf("removed %v, %v; want alice.json.attrs", removed, err)
	}
	for path, want := range map[string]bool{checkpoint + ".attrs": false, checkpoint + ".bak.attrs": true, other + ".attrs": true} {
		if _, err := os.Stat(path); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", path, err == nil, want)
		}
	}
	// An s3:// backend keeps no such files.
	o.opts.Backend = "s3://bucket/rooms"
	if removed, err := o.removeTornSidecars("alice"); err != nil || removed != nil {
		t.Errorf("on s3: %v %v", removed, err)
	}
}
