package room

import "testing"

// A pod fits in what is free up to and including its last millicore and MiB.
func TestWithinIsInclusive(t *testing.T) {
	free := Resources{CPUMilli: 100, MemoryMiB: 100}
	for pod, want := range map[Resources]bool{
		{100, 100}: true, {101, 100}: false, {100, 101}: false, {0, 0}: true,
	} {
		if got := pod.within(free); got != want {
			t.Errorf("%v within %v = %v, want %v", pod, free, got, want)
		}
	}
}

func TestCeilDiv(t *testing.T) {
	for _, c := range []struct{ a, b, want int64 }{{10, 5, 2}, {11, 5, 3}, {1, 5, 1}, {0, 5, 0}} {
		if got := ceilDiv(c.a, c.b); got != c.want {
			t.Errorf("ceilDiv(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// spread puts each pod on the node with the most CPU free, and between
// nodes with as much CPU free, on the one with more memory free. Each
// sequence below fills two nodes exactly when that rule is followed, and
// strands its last pod when a tie goes to the other node; the second is
// the first with the nodes' roles swapped, so neither tie order passes both.
func TestSpreadBreaksTiesByMemory(t *testing.T) {
	empty := NodeRoom{Free: Resources{10, 10}, Slots: 10}
	for _, pods := range [][]Resources{
		{{5, 8}, {5, 1}, {1, 1}, {5, 2}, {4, 8}},
		{{5, 1}, {5, 8}, {1, 1}, {5, 2}, {4, 8}},
	} {
		if !spread(pods, empty, 2) {
			t.Errorf("%v do not fit on two nodes of %v", pods, empty.Free)
		}
	}
	// Control: a pod more than both nodes hold together.
	if spread([]Resources{{5, 8}, {5, 8}, {1, 5}}, empty, 2) {
		t.Error("a pod without room was placed")
	}
}

// A node takes no more pods than its slots, whatever room it has.
func TestSpreadCountsSlots(t *testing.T) {
	tiny := []Resources{{1, 1}, {1, 1}}
	if spread(tiny, NodeRoom{Free: Resources{10, 10}, Slots: 1}, 1) {
		t.Error("two pods on one node with one slot")
	}
	if !spread(tiny, NodeRoom{Free: Resources{10, 10}, Slots: 1}, 2) {
		t.Error("control: two pods on two nodes of one slot each")
	}
}

// nodeWith is an instance type and a DaemonSet that together leave free
// and slots on each node for the room's other pods.
func nodeWith(t *testing.T, free Resources, slots int) (InstanceType, Workload) {
	t.Helper()
	it := InstanceType{Name: "test.large", VCPUs: 2, MemoryMiB: 8192, MaxPods: slots + 1}
	daemons := Workload{Name: "daemons", DaemonSet: true, Copies: 1, MinPods: 1, MaxPods: 1, PerPod: it.Allocatable().minus(free)}
	if room := NodeRoomOf(it, []Workload{daemons}); room.Free != free || room.Slots != slots {
		t.Fatalf("node room %+v, want %v and %d slots", room, free, slots)
	}
	return it, daemons
}

// fitAt counts the nodes from the sums up: three 600m pods on nodes of
// 1000m need three nodes, though their sum fits on two; a node with one
// slot holds one pod; a pod larger than an empty node is -1.
func TestFitAtCountsNodes(t *testing.T) {
	for _, c := range []struct {
		free       Resources
		slots      int
		pod        Resources
		pods, want int
	}{
		{Resources{1000, 1000}, 5, Resources{600, 100}, 3, 3},
		{Resources{1000, 1000}, 5, Resources{500, 100}, 4, 2},
		{Resources{1000, 1000}, 1, Resources{100, 100}, 3, 3},
		{Resources{1000, 1000}, 5, Resources{1000, 1000}, 2, 2},
		{Resources{1000, 1000}, 5, Resources{1001, 100}, 1, -1},
		{Resources{1000, 1000}, 5, Resources{100, 1001}, 1, -1},
		{Resources{1000, 1000}, 0, Resources{1, 1}, 1, -1},
		{Resources{1, 1}, 1, Resources{1, 1}, 1, 1},
	} {
		it, daemons := nodeWith(t, c.free, c.slots)
		app := Workload{Name: "app", Copies: c.pods, MinPods: 1, MaxPods: 1, PerPod: c.pod}
		fit := fitAt(it, []Workload{daemons, app}, 1)
		if fit.Nodes != c.want || fit.Pods != c.pods || fit.Requests != c.pod.times(c.pods) {
			t.Errorf("%d pods of %v on nodes of %v, %d slots: %+v, want %d nodes", c.pods, c.pod, c.free, c.slots, fit, c.want)
		}
	}
}

// Participants whose apps are alike are one row per app, counted.
func TestAlikeParticipantsAreOneRowEach(t *testing.T) {
	plan, err := NewPlan(devConfig(t), []Participant{{Name: "alice"}, {Name: "bob"}, {Name: "carol"}})
	if err != nil {
		t.Fatal(err)
	}
	all, _, err := plan.workloads()
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, w := range all {
		if w.Owner == OwnerParticipants {
			rows++
			if w.Copies != 3 {
				t.Errorf("%s: %d copies, want 3", w.Name, w.Copies)
			}
		}
	}
	if rows != 2 {
		t.Errorf("%d participant rows, want one per app (2)", rows)
	}
}
