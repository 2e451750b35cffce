package room

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// A file:// or s3:// backend locks a stack for the length of an update with
// a file under .pulumi/locks/organization/PROJECT/STACK/, naming the process
// that took it (pulumi/pulumi pkg/backend/diy/lock.go, lockContent and
// stackLockDir; v3.276.0, read 2026-12-07). An engine killed mid-update
// leaves its lock, and every later operation on the stack fails until
// `pulumi cancel` deletes it.

// StackLockDir is the key prefix of a stack's locks in the backend.
func StackLockDir(project, stack string) string {
	return path.Join(".pulumi", "locks", "organization", project, stack) + "/"
}

// StackLock is what a lock file says of the process that took it.
type StackLock struct {
	Pid      int    `json:"pid"`
	Username string `json:"username"`
	Hostname string `json:"hostname"`
}

// ReadStackLock reads a lock file.
func ReadStackLock(data []byte) (StackLock, error) {
	var l StackLock
	if err := json.Unmarshal(data, &l); err != nil {
		return l, fmt.Errorf("reading a stack lock: %w", err)
	}
	return l, nil
}

// LeftByDeadEngine tells a lock taken on host by a process that has ended:
// one that nothing will release. A lock of another host, or of a process
// still running (running tells), may still be in use.
func (l StackLock) LeftByDeadEngine(host string, running func(pid int) bool) bool {
	return l.Hostname == host && l.Pid > 0 && !running(l.Pid)
}

// String names the lock's owner as the CLI does.
func (l StackLock) String() string {
	return fmt.Sprintf("%s@%s (pid %d)", l.Username, l.Hostname, l.Pid)
}

// Note adds a note to r's Detail.
func (r *Result) Note(note string) {
	if r.Detail != "" {
		note = r.Detail + "; " + note
	}
	r.Detail = note
}

// The same backend keeps each update's record under
// .pulumi/history/PROJECT/STACK/STACK-<unix nanoseconds>.history.json, its
// "result" succeeded, failed or in-progress (pkg/backend/diy/backend.go,
// historyDirectory; apitype.UpdateInfo; v3.276.0, read 2026-12-07).

// StackHistoryDir is the key prefix of a stack's update records.
func StackHistoryDir(project, stack string) string {
	return path.Join(".pulumi", "history", project, stack) + "/"
}

// historySuffix ends an update record's key (its checkpoint is beside it).
const historySuffix = ".history.json"

// LatestUpdateRecord is the key of the newest update record among keys
// (those under StackHistoryDir), "" when there is none.
func LatestUpdateRecord(keys []string) string {
	latest, latestAt := "", int64(-1)
	for _, k := range keys {
		name, ok := strings.CutSuffix(path.Base(k), historySuffix)
		if !ok {
			continue
		}
		at, err := strconv.ParseInt(name[strings.LastIndex(name, "-")+1:], 10, 64)
		if err == nil && at > latestAt {
			latest, latestAt = k, at
		}
	}
	return latest
}

// UpdateSucceeded reads an update record: whether its update succeeded.
func UpdateSucceeded(record []byte) (bool, error) {
	var info struct {
		Result string `json:"result"`
	}
	if err := json.Unmarshal(record, &info); err != nil {
		return false, fmt.Errorf("reading an update record: %w", err)
	}
	return info.Result == "succeeded", nil
}
