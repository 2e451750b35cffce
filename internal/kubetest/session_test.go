package kubetest

import (
	"io"
	"os"
	"strings"
	"testing"
)

// Launch names every binary it lacks, with how to install it, and starts
// and creates nothing.
func TestLaunchNamesEveryMissingToolFirst(t *testing.T) {
	t.Setenv("EKS_WORKSHOP_TOOLS", t.TempDir())
	t.Setenv("PATH", t.TempDir()) // no etcd either
	parent := t.TempDir()
	_, _, err := Launch(parent, Options{Controllers: true, Zones: []string{"a"}}, io.Discard)
	if err == nil {
		t.Fatal("Launch started without its binaries")
	}
	for _, b := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "tools/install.sh kubernetes"} {
		if !strings.Contains(err.Error(), b) {
			t.Errorf("error lacks %s:\n%v", b, err)
		}
	}
	if entries, _ := os.ReadDir(parent); len(entries) > 0 {
		t.Errorf("Launch left %v behind", entries)
	}
	// Negative control: without controllers or nodes, only two binaries are needed.
	if got := Binaries(Options{}); len(got) != 2 {
		t.Errorf("Binaries(no controllers, no nodes) = %v", got)
	}
}

// Stop runs the cleanups last first, once.
func TestSessionStopsInReverseOnce(t *testing.T) {
	s := &Session{log: io.Discard}
	var order []int
	for i := range 3 {
		s.Cleanup(func() { order = append(order, i) })
	}
	s.Stop()
	s.Stop()
	if len(order) != 3 || order[0] != 2 || order[2] != 0 {
		t.Errorf("cleanups ran %v, want [2 1 0]", order)
	}
}
