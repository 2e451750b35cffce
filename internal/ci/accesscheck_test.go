package ci

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const deployRole = "arn:aws:iam::123456789012:role/github-deploy"

// accessCheck runs tools/ci-access-check.sh for stack dev with stand-ins
// for pulumi and aws on PATH: the stack's clusterName output, its
// deployRoleArn setting, and whether EKS has an entry for the role.
func accessCheck(t *testing.T, cluster, configured string, entry bool) (string, error) {
	t.Helper()
	bin := t.TempDir()
	script := func(name, body string) {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	output := "exit 1"
	if cluster != "" {
		output = "echo " + cluster
	}
	setting := "exit 1"
	if configured != "" {
		setting = "echo " + configured
	}
	script("pulumi", `case "$1 $2" in
"stack output") `+output+` ;;
"config get") `+setting+` ;;
*) exit 2 ;;
esac
`)
	found := "exit 254" // the CLI's status for ResourceNotFoundException
	if entry {
		found = `[ "$5" = "--principal-arn" ] && [ "$6" = "` + deployRole + `" ] && echo '{}'`
	}
	script("aws", `[ "$1 $2" = "eks describe-access-entry" ] || exit 2
`+found+"\n")
	cmd := exec.Command("bash", filepath.Join(root, "tools/ci-access-check.sh"))
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "STACK=dev", "DEPLOY_ROLE_ARN="+deployRole)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// CI stops before `pulumi up` when its role would be Unauthorized on a
// cluster someone else created, and says how to fix it; it goes on when
// the cluster is new, when the stack gives the role an entry, or when EKS
// has one (the role created the cluster).
func TestCIAccessCheck(t *testing.T) {
	for _, tc := range []struct {
		name, cluster, configured string
		entry, ok                 bool
		says                      string
	}{
		{"no cluster yet", "", "", false, true, "no cluster yet"},
		{"the stack sets deployRoleArn", "eks-demo", deployRole, false, true, "keeps its access entry"},
		{"EKS has the role's entry", "eks-demo", "", true, true, "has an access entry on eks-demo"},
		{"another role configured, no entry", "eks-demo", "arn:aws:iam::123456789012:role/other", false, false, "pulumi config set deployRoleArn " + deployRole + " --stack dev"},
		{"a person's cluster, nothing set", "eks-demo", "", false, false, "has no access entry on cluster eks-demo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := accessCheck(t, tc.cluster, tc.configured, tc.entry)
			if (err == nil) != tc.ok || !strings.Contains(out, tc.says) {
				t.Errorf("exit %v, output %q; want ok %v, saying %q", err, out, tc.ok, tc.says)
			}
		})
	}
}
