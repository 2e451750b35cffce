package organizer

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

// The engines get a TMPDIR of the run's own in the work directory, private
// to its user, which Close removes with what the engines left in it.
func TestTheEnginesTempDirIsTheRunsOwnAndCloseRemovesIt(t *testing.T) {
	work := t.TempDir()
	env := map[string]string{}
	tmp, err := engineTempDir(work, env)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(tmp)
	if err != nil || env["TMPDIR"] != tmp || info.Mode().Perm() != 0o700 {
		t.Fatalf("TMPDIR %q of %q: %v, %v", env["TMPDIR"], tmp, info, err)
	}
	if err := os.WriteFile(tmp+"/kubeconfig123", []byte("creds"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := (&Organizer{tmp: tmp}).Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Close: %v, want %s gone", err, tmp)
	}
}

// A TMPDIR the caller set in Options.Env is theirs: nothing is made, and
// Close removes nothing.
func TestATMPDIRSetInTheOptionsIsKept(t *testing.T) {
	work, theirs := t.TempDir(), t.TempDir()
	env := map[string]string{"TMPDIR": theirs}
	tmp, err := engineTempDir(work, env)
	if err != nil || tmp != "" || env["TMPDIR"] != theirs {
		t.Fatalf("%q, %v, TMPDIR %q", tmp, err, env["TMPDIR"])
	}
	if entries, _ := os.ReadDir(work); len(entries) != 0 {
		t.Errorf("the work directory got %v", entries)
	}
	if err := (&Organizer{tmp: tmp}).Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(theirs); err != nil {
		t.Errorf("Close removed the caller's TMPDIR: %v", err)
	}
}
