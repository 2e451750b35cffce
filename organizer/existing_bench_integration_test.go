//go:build integration

package organizer

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// EnvBenchRoom sets how many participants BenchmarkRoomOnAnExistingCluster
// deploys (default 30, the room the organizer is sized for).
const EnvBenchRoom = "EKS_WORKSHOP_BENCH_ROOM"

// BenchmarkRoomOnAnExistingCluster measures the wall time of a room on an
// existing cluster (a kubetest cluster with kwok nodes, the real program and
// the real Kubernetes provider) at -parallel 1, 4 and 8: the first up, a
// second up with nothing to change, and destroy, with the peak resident
// memory of this process and its pulumi and provider processes.
//
//	EKS_WORKSHOP_BENCH_ROOM=30 go test -tags integration -run '^$' \
//	  -bench RoomOnAnExistingCluster -benchtime 1x -timeout 60m ./organizer
func BenchmarkRoomOnAnExistingCluster(b *testing.B) {
	size := 30
	if s := os.Getenv(EnvBenchRoom); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a number of participants, 1 or more", EnvBenchRoom, s)
		}
		size = n
	}
	cluster := startRoomCluster(b)
	for _, parallel := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("participants=%d/parallel=%d", size, parallel), func(b *testing.B) {
			var up, again, destroy time.Duration
			var peak int64
			for b.Loop() {
				o := existingRoom(b, cluster, size, parallel)
				stop := sampleRSS(&peak)
				up += timed(func() { roomUp(b, o) })
				again += timed(func() {
					for _, r := range roomUp(b, o) {
						if len(r.Changes) != 1 || r.Changes["same"] == 0 {
							b.Errorf("%s, second up: %v, want only same", r.Stack, r.Changes)
						}
					}
				})
				destroy += timed(func() {
					report, err := o.Destroy(context.Background())
					if err == nil {
						err = report.Err()
					}
					if err != nil {
						b.Fatal(err)
					}
				})
				stop()
			}
			n := float64(b.N)
			b.ReportMetric(up.Seconds()/n, "up-s")
			b.ReportMetric(again.Seconds()/n, "second-up-s")
			b.ReportMetric(destroy.Seconds()/n, "destroy-s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MiB")
			b.ReportMetric(0, "ns/op") // the three phases above are the measure
		})
	}
}

func timed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

// sampleRSS records into peak, until stop is called, the largest resident
// memory seen of this process plus its descendants that run pulumi (the
// CLI, the engine and the provider plugins): the room's footprint, without
// the test cluster's processes.
func sampleRSS(peak *int64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss := roomRSS(); rss > atomic.LoadInt64(peak) {
				atomic.StoreInt64(peak, rss)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// roomRSS is the resident memory, in bytes, of this process and of every
// descendant whose command starts with "pulumi", read from /proc.
func roomRSS() int64 {
	self := os.Getpid()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	type proc struct {
		ppid int
		comm string
		rss  int64
	}
	procs := map[int]proc{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ... ; comm may hold spaces, so cut at the last ')'.
		open, end := strings.IndexByte(string(stat), '('), strings.LastIndexByte(string(stat), ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(string(stat[end+1:]))
		if len(fields) < 22 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		pages, _ := strconv.ParseInt(fields[21], 10, 64) // rss, field 24 of stat
		procs[pid] = proc{ppid: ppid, comm: string(stat[open+1 : end]), rss: pages * int64(os.Getpagesize())}
	}
	descends := func(pid int) bool {
		for i := 0; i < 64 && pid > 1; i++ {
			if pid = procs[pid].ppid; pid == self {
				return true
			}
		}
		return false
	}
	total := procs[self].rss
	for pid, p := range procs {
		if pid != self && strings.HasPrefix(p.comm, "pulumi") && descends(pid) {
			total += p.rss
		}
	}
	return total
}
