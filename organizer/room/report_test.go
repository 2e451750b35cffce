package room

import (
	"errors"
	"strings"
	"testing"
)

// The engine's error as the Automation API returns it for a program that
// failed validation (text from a run of the real program).
const engineFailure = `failed to run update: exit status 1
code: 1
stdout: Updating (alice):

 +  pulumi:pulumi:Stack eks-workshop-alice creating (0s) 
 +  pulumi:pulumi:Stack eks-workshop-alice **creating failed (0.02s)** 1 error
Diagnostics:
  pulumi:pulumi:Stack (eks-workshop-alice):
    error: an unhandled error occurred: 1 error occurred:
    	* invalid configuration (2 problems):
      - eks-workshop:appsDir = "apps/flask": want an existing build context directory

Resources:
    + 1 created
    1 errored

stderr: 
`

func TestProblemIsTheProgramsOwnMessage(t *testing.T) {
	r := Result{Err: errors.New(engineFailure)}
	if got := r.Problem(); got != "invalid configuration (2 problems):" {
		t.Errorf("problem %q", got)
	}
	// Without diagnostics, the first line.
	if got := (Result{Err: errors.New("listing stacks: denied\nmore")}).Problem(); got != "listing stacks: denied" {
		t.Errorf("problem %q", got)
	}
	if got := (Result{}).Problem(); got != "" {
		t.Errorf("no error, problem %q", got)
	}
}

func TestWriteTable(t *testing.T) {
	report := Report{
		{Stack: ClusterStack, Namespace: "development", URL: "http://alb.example", Status: Status(OpUp), Changes: map[string]int{"same": 40, "update": 1}},
		{Stack: "alice", Participant: "alice", Namespace: "alice", Status: StatusFailed, Err: errors.New(engineFailure)},
		{Stack: "bob", Participant: "bob", Namespace: "bob", Status: StatusSkipped, Err: errors.New("the cluster is not up")},
	}
	var out strings.Builder
	if err := report.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	for i, want := range []string{
		"PARTICIPANT  NAMESPACE    URL                 STATUS",
		"(cluster)    development  http://alb.example  up (40 same, 1 update)",
		"alice        alice        -                   failed (invalid configuration (2 problems):)",
		"bob          bob          -                   skipped (the cluster is not up)",
		"",
		"alice: failed to run update: exit status 1",
	} {
		if i >= len(lines) || lines[i] != want {
			t.Errorf("line %d: got %q, want %q", i, lines[min(i, len(lines)-1)], want)
		}
	}
	if strings.Contains(out.String(), "bob: the cluster") {
		t.Error("a skipped stack's reason is repeated as a failure")
	}
	if err := report.Err(); err == nil || !strings.Contains(err.Error(), "stack alice:") || !strings.Contains(err.Error(), "stack bob:") || strings.Contains(err.Error(), "stack cluster") {
		t.Errorf("Err: %v", err)
	}
}
