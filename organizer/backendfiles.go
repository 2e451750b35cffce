package organizer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"gocloud.dev/blob"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// The organizer reads the backend's own files directly, where a CLI call
// per stack would cost a room's up about half a CPU-second a participant:
// the locks a killed engine left, the stacks' checkpoints and update
// records (room.StackLockDir, room.StackCheckpoint, room.StackHistoryDir);
// and it repairs what a killed engine can leave torn in a file backend.

// repairAfterKilledEngines removes what an engine killed mid-update (the
// second Ctrl-C) can leave on r's stack: torn attribute files beside its
// checkpoint (removeTornSidecars), and the backend's locks that an engine
// of this host left: its process has ended, so nothing will release them,
// and every operation on the stack would fail until `pulumi cancel`. A lock
// of another host, or of a process still running, is kept; the operation
// that follows then fails with the CLI's message naming it. r's Detail says
// what was removed.
func (o *Organizer) repairAfterKilledEngines(ctx context.Context, r *room.Result) error {
	torn, err := o.removeTornSidecars(r.Stack)
	if err != nil {
		return err
	}
	if len(torn) > 0 {
		r.Note("removed first the attribute file(s) a killed engine left torn: " + strings.Join(torn, ", "))
	}
	host, err := os.Hostname()
	if err != nil {
		return err
	}
	bucket, keys, err := o.backendKeys(ctx, room.StackLockDir(o.projectName(), r.Stack))
	if err != nil {
		return fmt.Errorf("the locks of stack %s: %w", r.Stack, err)
	}
	defer bucket.Close()
	var removed []string
	for _, key := range keys {
		data, err := bucket.ReadAll(ctx, key)
		if err != nil {
			return fmt.Errorf("reading the lock %s: %w", key, err)
		}
		lock, err := room.ReadStackLock(data)
		if err != nil || !lock.LeftByDeadEngine(host, processRunning) {
			continue
		}
		if err := bucket.Delete(ctx, key); err != nil {
			return fmt.Errorf("removing the lock %s: %w", key, err)
		}
		removed = append(removed, lock.String())
	}
	if len(removed) > 0 {
		r.Note("removed first the lock a killed engine left: " + strings.Join(removed, ", "))
	}
	return nil
}

// lastUpdateSucceeded tells whether the newest update of stack succeeded,
// from its update record; true for a stack that has none yet.
func (o *Organizer) lastUpdateSucceeded(ctx context.Context, stack string) (bool, error) {
	bucket, keys, err := o.backendKeys(ctx, room.StackHistoryDir(o.projectName(), stack))
	if err != nil {
		return false, fmt.Errorf("the update records of stack %s: %w", stack, err)
	}
	defer bucket.Close()
	latest := room.LatestUpdateRecord(keys)
	if latest == "" {
		return true, nil
	}
	data, err := bucket.ReadAll(ctx, latest)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", latest, err)
	}
	return room.UpdateSucceeded(data)
}

// backendKeys opens the backend's bucket and lists the keys under prefix;
// the caller closes the bucket.
func (o *Organizer) backendKeys(ctx context.Context, prefix string) (*blob.Bucket, []string, error) {
	bucket, err := openLeaseBucket(ctx, o.opts.Backend)
	if err != nil {
		return nil, nil, err
	}
	var keys []string
	it := bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return bucket, keys, nil
		}
		if err != nil {
			bucket.Close()
			return nil, nil, err
		}
		if !obj.IsDir {
			keys = append(keys, obj.Key)
		}
	}
}

// processRunning tells whether a process of this host is running.
func processRunning(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// removeTornSidecars deletes, on a file:// backend, the attribute files
// beside stack's checkpoint (gocloud.dev's fileblob keeps KEY.attrs next to
// each KEY) that a process killed while writing one left empty or cut
// short: fileblob writes them in place (attrs.go setAttrs: os.Create, then
// encode; v0.46.0, read 2026-12-07), and the CLI then cannot read the
// checkpoint at all ("failed to load checkpoint: EOF"). fileblob reads a
// missing one as no attributes. It returns the files removed.
func (o *Organizer) removeTornSidecars(stack string) ([]string, error) {
	u, err := url.Parse(o.opts.Backend)
	if err != nil || u.Scheme != "file" {
		return nil, err
	}
	checkpoint := filepath.Join(u.Path, filepath.FromSlash(room.StackCheckpoint(o.projectName(), stack)))
	var removed []string
	for _, sidecar := range []string{checkpoint + ".attrs", checkpoint + ".bak.attrs"} {
		data, err := os.ReadFile(sidecar)
		if errors.Is(err, fs.ErrNotExist) || err == nil && json.Valid(data) {
			continue
		}
		if err == nil {
			err = os.Remove(sidecar)
		}
		if err != nil {
			return removed, fmt.Errorf("the attribute file %s: %w", sidecar, err)
		}
		removed = append(removed, filepath.Base(sidecar))
	}
	return removed, nil
}
