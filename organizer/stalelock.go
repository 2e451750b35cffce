package organizer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"gocloud.dev/blob"

	"github.com/eks-workshop/eks-workshop/organizer/room"
)

// removeDeadEnginesLocks deletes the backend's locks on r's stack that an
// engine of this host left when it was killed (the second Ctrl-C): its
// process has ended, so nothing will release them, and every operation on
// the stack would fail until `pulumi cancel`. A lock of another host, or of
// a process still running, is kept; the operation that follows then fails
// with the CLI's message naming it. r's Detail says what was removed.
func (o *Organizer) removeDeadEnginesLocks(ctx context.Context, r *room.Result) error {
	host, err := os.Hostname()
	if err != nil {
		return err
	}
	bucket, err := openLeaseBucket(ctx, o.opts.Backend)
	if err != nil {
		return err
	}
	defer bucket.Close()
	var removed []string
	it := bucket.List(&blob.ListOptions{Prefix: room.StackLockDir(o.projectName(), r.Stack)})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("listing the locks of stack %s: %w", r.Stack, err)
		}
		data, err := bucket.ReadAll(ctx, obj.Key)
		if err != nil {
			return fmt.Errorf("reading the lock %s: %w", obj.Key, err)
		}
		lock, err := room.ReadStackLock(data)
		if err != nil || !lock.LeftByDeadEngine(host, processRunning) {
			continue
		}
		if err := bucket.Delete(ctx, obj.Key); err != nil {
			return fmt.Errorf("removing the lock %s: %w", obj.Key, err)
		}
		removed = append(removed, lock.String())
	}
	if len(removed) > 0 {
		r.Note("removed first the lock a killed engine left: " + strings.Join(removed, ", "))
	}
	return nil
}

// processRunning tells whether a process of this host is running.
func processRunning(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
