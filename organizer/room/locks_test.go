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

func TestTheNewestUpdateRecordTellsWhetherTheLastUpdateSucceeded(t *testing.T) {
	dir := StackHistoryDir("eks-workshop-room-a", "alice")
	if dir != ".pulumi/history/eks-workshop-room-a/alice/" {
		t.Errorf("StackHistoryDir: %q", dir)
	}
	keys := []string{
		dir + "alice-1796647650298463268.history.json",
		dir + "alice-1796647650298463999.checkpoint.json", // not a record
		dir + "alice-999.history.json",                    // older, though later in no order
		dir + "alice-1796647650298463270.history.json.attrs",
		dir + "alice-1796647650298463269.history.json",
	}
	if got := LatestUpdateRecord(keys); got != dir+"alice-1796647650298463269.history.json" {
		t.Errorf("LatestUpdateRecord: %q", got)
	}
	if got := LatestUpdateRecord(keys[1:2]); got != "" {
		t.Errorf("with no record: %q", got)
	}
	for record, want := range map[string]bool{`{"kind": "update", "result": "succeeded"}`: true, `{"result": "failed"}`: false, `{"result": "in-progress"}`: false} {
		if got, err := UpdateSucceeded([]byte(record)); err != nil || got != want {
			t.Errorf("%s: %v %v, want %v", record, got, err, want)
		}
	}
	if _, err := UpdateSucceeded([]byte("{")); err == nil {
		t.Error("a torn record read")
	}
}
