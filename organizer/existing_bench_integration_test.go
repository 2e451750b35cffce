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
	"syscall"
	"testing"
	"time"

	"github.com/eks-workshop/eks-workshop/internal/kubetest"
	"github.com/eks-workshop/eks-workshop/internal/s3test"
)

// EnvBenchRoom sets how many participants BenchmarkRoomOnAnExistingCluster
// deploys (default 30, the room the organizer is sized for).
const EnvBenchRoom = "EKS_WORKSHOP_BENCH_ROOM"

// BenchmarkRoomOnAnExistingCluster measures the wall time of a room on an
// existing cluster (a kubetest cluster with kwok nodes, the real program and
// the real Kubernetes provider) on a file:// and an s3:// backend (served by
// internal/s3test on loopback), at -parallel 1, 4 and 8: the first up, a
// second up with nothing to change, and destroy, with the peak resident
// memory of this process and its pulumi and provider processes.
//
//	EKS_WORKSHOP_BENCH_ROOM=30 go test -tags integration -run '^$' \
//	  -bench 'RoomOnAnExistingCluster/backend=(file|s3)/participants=30/parallel=8$' \
//	  -benchtime 1x -timeout 60m ./organizer
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
	for _, backend := range []string{"file", "s3"} {
		for _, parallel := range []int{1, 4, 8} {
			b.Run(fmt.Sprintf("backend=%s/participants=%d/parallel=%d", backend, size, parallel), func(b *testing.B) {
				benchmarkRoom(b, cluster, backend, size, parallel)
			})
		}
	}
}

// benchmarkRoom is one of BenchmarkRoomOnAnExistingCluster's rooms.
func benchmarkRoom(b *testing.B, cluster *kubetest.Cluster, backend string, size, parallel int) {
	onBackend := func(*Options) {}
	if backend == "s3" {
		url := s3test.Start(b).BackendURL("rooms")
		onBackend = func(o *Options) { o.Backend = url }
	}
	var up, again, destroy, upCPU, againCPU, clusterCPU time.Duration
	var peak int64
	for b.Loop() {
		o := existingRoom(b, cluster, size, parallel, onBackend)
		stop := sampleRSS(&peak)
		cpu, clusterStart := roomCPU(), testClusterCPU()
		up += timed(func() { roomUp(b, o) })
		cpu, upCPU = roomCPU(), upCPU+roomCPU()-cpu
		again += timed(func() {
			for _, r := range roomUp(b, o) {
				if len(r.Changes) != 1 || r.Changes["same"] == 0 {
					b.Errorf("%s, second up: %v, want only same", r.Stack, r.Changes)
				}
			}
		})
		againCPU += roomCPU() - cpu
		clusterCPU += testClusterCPU() - clusterStart
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
	// CPU time, which a shared machine does not stretch as it does wall time.
	b.ReportMetric(upCPU.Seconds()/n, "up-cpu-s")
	b.ReportMetric(againCPU.Seconds()/n, "second-up-cpu-s")
	b.ReportMetric(clusterCPU.Seconds()/n, "cluster-cpu-s")
	b.ReportMetric(0, "ns/op") // the three phases above are the measure
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

// roomCPU is the CPU time of this process and of its children that ended
// (the pulumi commands, with the plugins they ran).
func roomCPU() time.Duration {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	return time.Duration(self.Utime.Nano() + self.Stime.Nano() + children.Utime.Nano() + children.Stime.Nano())
}

// roomRSS is the resident memory, in bytes, of this process and of every
// descendant that runs pulumi (the CLI, the engine, the plugins).
func roomRSS() int64 {
	procs := descendants()
	total := procs[os.Getpid()].rss
	for pid, p := range procs {
		if pid != os.Getpid() && strings.HasPrefix(p.comm, "pulumi") {
			total += p.rss
		}
	}
	return total
}

// testClusterCPU is the CPU time of the running descendants that are not
// pulumi's: the test cluster's processes (etcd, kube-*, kwok).
func testClusterCPU() time.Duration {
	var total time.Duration
	for pid, p := range descendants() {
		if pid != os.Getpid() && !strings.HasPrefix(p.comm, "pulumi") {
			total += p.cpu
		}
	}
	return total
}

type proc struct {
	ppid int
	comm string
	rss  int64
	cpu  time.Duration
}

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// descendants are this process and its descendants, read from /proc.
func descendants() map[int]proc {
	self := os.Getpid()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
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
		// pid (comm) state ppid ...; comm may hold spaces, so cut at the last ')'.
		open, end := strings.IndexByte(string(stat), '('), strings.LastIndexByte(string(stat), ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(string(stat[end+1:]))
		if len(fields) < 22 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		utime, _ := strconv.ParseInt(fields[11], 10, 64) // stat fields 14, 15 and 24
		stime, _ := strconv.ParseInt(fields[12], 10, 64)
		pages, _ := strconv.ParseInt(fields[21], 10, 64)
		procs[pid] = proc{ppid: ppid, comm: string(stat[open+1 : end]), rss: pages * int64(os.Getpagesize()), cpu: time.Duration(utime+stime) * clockTick}
	}
	out := map[int]proc{self: procs[self]}
	for pid, p := range procs {
		for ancestor, i := p.ppid, 0; i < 64 && ancestor > 1; ancestor, i = procs[ancestor].ppid, i+1 {
			if ancestor == self {
				out[pid] = p
				break
			}
		}
	}
	return out
}
