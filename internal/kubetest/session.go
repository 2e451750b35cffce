package kubetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/eks-workshop/eks-workshop/internal/tools"
)

// Session runs a cluster for a command rather than a test: the same
// processes, files and waits as Start, stopped by Stop instead of a test's
// cleanup.
type Session struct {
	dir string
	log io.Writer

	mu       sync.Mutex
	cleanups []func()
	failed   bool
}

// Launch starts a cluster with opts in a new directory under parent (the
// system's temporary directory when empty). Every binary missing is named
// at once, with how to install it, before anything starts. On an error the
// processes already started are stopped, and their logs' last lines are
// written to log.
func Launch(parent string, opts Options, log io.Writer) (*Cluster, *Session, error) {
	bin := map[string]string{}
	var missing []error
	for _, b := range Binaries(opts) {
		path, err := tools.Path(b)
		if err != nil {
			missing = append(missing, err)
			continue
		}
		bin[b] = path
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("missing tools:\n%w", errors.Join(missing...))
	}
	dir, err := os.MkdirTemp(parent, "kubetest-")
	if err != nil {
		return nil, nil, err
	}
	s := &Session{dir: dir, log: log}
	s.Cleanup(func() { os.RemoveAll(dir) })
	c, err := start(s, bin, opts)
	if err != nil {
		s.mu.Lock()
		s.failed = true
		s.mu.Unlock()
		s.Stop()
		return nil, nil, err
	}
	return c, s, nil
}

// Dir is the directory holding the cluster's files (its kubeconfig among
// them); Stop removes it.
func (s *Session) Dir() string { return s.dir }

// Stop stops every process, the last started first (kwok before the API
// server, etcd last), and removes the session's files. It may be called
// more than once.
func (s *Session) Stop() {
	s.mu.Lock()
	cleanups := s.cleanups
	s.cleanups = nil
	s.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
}

// The methods a cluster's processes use (see host).

func (s *Session) Helper()         {}
func (s *Session) TempDir() string { return s.dir }
func (s *Session) Cleanup(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, f)
}
func (s *Session) Failed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}
func (s *Session) Logf(format string, args ...any) { fmt.Fprintf(s.log, format+"\n", args...) }

// Wait blocks until ctx ends (nil) or one of the cluster's processes exits
// (an error naming it, with its log's last lines).
func (c *Cluster) Wait(ctx context.Context) error {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, p := range c.procs {
			if err := p.exited(); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
