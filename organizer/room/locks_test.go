package room

import "testing"

func TestALockIsLeftByADeadEngineOnlyIfItsProcessOnThisHostHasEnded(t *testing.T) {
	if got := StackLockDir("eks-workshop-room-a", "alice"); got != ".pulumi/locks/organization/eks-workshop-room-a/alice/" {
		t.Errorf("StackLockDir: %q", got)
	}
	l, err := ReadStackLock([]byte(`{"pid": 42, "username": "root", "hostname": "vm", "timestamp": "2026-12-07T12:36:19Z"}`))
	if err != nil || l != (StackLock{Pid: 42, Username: "root", Hostname: "vm"}) {
		t.Fatalf("%+v %v", l, err)
	}
	if l.String() != "root@vm (pid 42)" {
		t.Errorf("String: %q", l.String())
	}
	ended := func(int) bool { return false }
	running := func(pid int) bool { return pid == 42 }
	if !l.LeftByDeadEngine("vm", ended) {
		t.Error("the lock of an ended process of this host is kept")
	}
	for what, keep := range map[string]bool{
		"another host's":            l.LeftByDeadEngine("other", ended),
		"a running process's":       l.LeftByDeadEngine("vm", running),
		"one that names no process": StackLock{Hostname: "vm"}.LeftByDeadEngine("vm", ended),
	} {
		if keep {
			t.Errorf("%s lock is removed", what)
		}
	}
	if _, err := ReadStackLock([]byte("{")); err == nil {
		t.Error("a torn lock file read")
	}
}

func TestNotesAddUp(t *testing.T) {
	var r Result
	r.Note("a")
	r.Note("b")
	if r.Detail != "a; b" {
		t.Errorf("%q", r.Detail)
	}
}
