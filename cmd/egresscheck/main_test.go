package main

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAdmittedBy(t *testing.T) {
	const key = "eks-workshop:publicAccessCidrs"
	runner := netip.MustParseAddr("54.180.0.10")
	for _, tc := range []struct {
		name, cidrs, public, want, says string
	}{
		{"listed as a /32", `["54.180.0.10/32"]`, "true", "54.180.0.10/32", ""},
		{"inside a listed range, after another", `["10.0.0.0/8","54.180.0.0/15"]`, "true", "54.180.0.0/15", ""},
		{"the default, anyone", `["0.0.0.0/0"]`, "", "0.0.0.0/0", ""},
		{"not listed", `["54.180.0.11/32"]`, "true", "", "publicAccessCidrs[1]' 54.180.0.10/32"},
		{"nothing listed", `[]`, "true", "", "is not in"},
		{"a bad entry is skipped", `["nonsense","54.180.0.10/32"]`, "true", "54.180.0.10/32", ""},
		{"not a list", `54.180.0.10/32`, "true", "", "want a list of CIDRs"},
		{"public endpoint off", `["54.180.0.10/32"]`, "false", "", "endpointPublicAccess is false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := admittedBy(map[string]string{key: tc.cidrs, "eks-workshop:endpointPublicAccess": tc.public}, runner)
			if got != tc.want || (err == nil) != (tc.says == "") || (err != nil && !strings.Contains(err.Error(), tc.says)) {
				t.Errorf("admittedBy = %q, %v; want %q, an error saying %q", got, err, tc.want, tc.says)
			}
		})
	}
}

// The command reads the stack file as the CLI does: prod's committed
// publicAccessCidrs is empty until its operator lists an address.
func TestRunReadsTheStackFile(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run([]string{"-root", "../..", "-stack", "dev", "-ip", "203.0.113.7"}, &out, &errs); err != nil || !strings.Contains(out.String(), "0.0.0.0/0") {
		t.Errorf("dev (the default, 0.0.0.0/0): %v, %q", err, out.String())
	}
	if err := run([]string{"-root", "../..", "-stack", "prod", "-ip", "203.0.113.7"}, &out, &errs); err == nil || !strings.Contains(err.Error(), "stack prod") {
		t.Errorf("prod as committed admits %v", err)
	}
	dir := t.TempDir()
	for _, f := range []string{"Pulumi.yaml"} {
		b, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stackFile := "config:\n  eks-workshop:publicAccessCidrs: [\"203.0.113.7/32\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.ci.yaml"), []byte(stackFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-root", dir, "-stack", "ci", "-ip", "203.0.113.7"}, &out, &errs); err != nil {
		t.Errorf("a listed runner: %v", err)
	}
	if err := run([]string{"-root", dir, "-stack", "ci", "-ip", "not-an-ip"}, &out, &errs); err == nil {
		t.Error("a bad -ip was accepted")
	}
}
