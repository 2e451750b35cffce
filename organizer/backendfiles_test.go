package organizer

import (
	"os"
	"os/exec"
	"testing"
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
