package organizer

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// overlapWriter counts writes that start while another is running.
type overlapWriter struct{ inFlight, overlaps atomic.Int32 }

func (w *overlapWriter) Write(b []byte) (int, error) {
	if w.inFlight.Add(1) > 1 {
		w.overlaps.Add(1)
	}
	time.Sleep(time.Millisecond) // long enough for another goroutine to arrive
	w.inFlight.Add(-1)
	return len(b), nil
}

// overlaps reports 8 goroutines' events, as participants' do, through the
// printer events makes, and counts the writes that overlapped.
func overlaps(events func(io.Writer) func(Event)) int32 {
	var w overlapWriter
	emit := events(&w)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := room.Result{Stack: fmt.Sprint(i), Status: room.StatusFailed}
			for range 5 {
				emit(Event{Stack: r.Stack, Operation: room.OpUp})
				emit(Event{Stack: r.Stack, Operation: room.OpUp, Result: &r})
			}
		}()
	}
	wg.Wait()
	return w.overlaps.Load()
}

// Participants' goroutines report their events at once; printEvents'
// writes take turns (the race detector saw them interleave before).
func TestPrintEventsWritesTakeTurns(t *testing.T) {
	if n := overlaps(printEvents); n != 0 {
		t.Errorf("%d writes overlapped", n)
	}
	// Negative control: a printer without the lock overlaps.
	unlocked := func(w io.Writer) func(Event) {
		return func(e Event) { fmt.Fprintf(w, "%s %s\n", e.Stack, e.Operation) }
	}
	if n := overlaps(unlocked); n == 0 {
		t.Error("the unlocked printer's writes never overlapped: the test cannot see a race")
	}
}
