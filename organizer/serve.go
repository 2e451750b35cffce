package organizer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// Serve serves the room's board (room.Board) on addr until ctx ends: the
// page at / lists every stack as status reads it, every refresh; /p/NAME is
// participant NAME's handout. listening, when set, is told the address once
// the server listens (addr may name port 0). Nothing served holds a secret:
// only what status prints and the handouts.
func (o *Organizer) Serve(ctx context.Context, addr string, refresh time.Duration, listening func(net.Addr)) error {
	if refresh <= 0 {
		return fmt.Errorf("refresh = %s: want a positive interval", refresh)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("the board: %w", err)
	}
	b := &board{o: o, state: room.Board{Refresh: refresh, Err: "not read yet"}}
	go b.poll(ctx, refresh)
	srv := &http.Server{Handler: b.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown) // the listener is closed either way
	}()
	if listening != nil {
		listening(ln.Addr())
	}
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// board holds the last reading of the room.
type board struct {
	o        *Organizer
	mu       sync.Mutex
	state    room.Board
	handouts map[string]room.Handout
}

// poll reads the room now and every refresh until ctx ends.
func (b *board) poll(ctx context.Context, refresh time.Duration) {
	tick := time.NewTicker(refresh)
	defer tick.Stop()
	for {
		b.read(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// read takes the room's status and the participants' handouts; a failed
// reading keeps the rows it had and says why.
func (b *board) read(ctx context.Context) {
	report, err := b.o.Status(ctx)
	handouts := map[string]room.Handout{}
	var mu sync.Mutex
	if err == nil {
		b.o.runParticipants(ctx, room.OpStatus, b.o.participantRows(), func(r *room.Result) error {
			h, _, err := b.o.handout(ctx, r.Participant)
			mu.Lock()
			defer mu.Unlock()
			handouts[r.Participant] = h
			return err
		})
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.state.Err = err.Error()
		return
	}
	b.state = room.Board{Updated: b.o.now(), Refresh: b.state.Refresh, Rows: room.BoardRows(report)}
	b.handouts = handouts
}

func (b *board) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		state := b.state
		b.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = room.WriteBoard(w, state) // a failed write is the client gone
	})
	mux.HandleFunc("GET /p/{name}", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		h, ok := b.handouts[r.PathValue("name")]
		refresh := b.state.Refresh
		b.mu.Unlock()
		if !ok {
			http.Error(w, "no such participant, or the board has not read their stack yet", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = room.WriteParticipantPage(w, h, refresh)
	})
	return mux
}

// opServe is serve's operation.
const opServe room.Operation = room.CommandServe

// serve is the serve command: the board until an interrupt; exit 0, or 1
// when it cannot serve.
func serve(ctx context.Context, o *Organizer, cl *room.CommandLine, stderr io.Writer) int {
	err := o.Serve(ctx, cl.Listen, cl.BoardRefresh, func(a net.Addr) {
		fmt.Fprintf(stderr, "the room's board: http://%s/ (Ctrl-C stops it)\n", a)
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
