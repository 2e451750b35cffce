package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnknownStackAndBadConfigFailWithTheirMessage(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run([]string{"-root", "../..", "-stack", "staging"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), `unknown stack "staging"`) {
		t.Errorf("unknown stack: %v", err)
	}
	// A stack file with two mistakes the program rejects: both are listed.
	dir := t.TempDir()
	project, err := os.ReadFile("../../Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	apps, _ := filepath.Abs("../../apps")
	for name, content := range map[string]string{
		"Pulumi.yaml":     string(project),
		"Pulumi.bad.yaml": "config:\n  aws:region: ap-northeast-2\n  eks-workshop:appsDir: " + apps + "\n  eks-workshop:natGateway: Sometimes\n  eks-workshop:diskSize: 1\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err = run([]string{"-root", dir, "-stack", "bad"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "2 problems") || !strings.Contains(err.Error(), "natGateway") || !strings.Contains(err.Error(), "diskSize") {
		t.Errorf("bad config: %v", err)
	}
}

func TestWritesAndDiffs(t *testing.T) {
	dev, prod := t.TempDir(), t.TempDir()
	var out bytes.Buffer
	if err := run([]string{"-root", "../..", "-stack", "dev", "-out", dev}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dev, "kubernetes", "development_Deployment_demo-nginx.yaml")); err != nil {
		t.Error(err)
	}
	if !strings.Contains(out.String(), "dev: ") || !strings.Contains(out.String(), "kubernetes:apps/v1:Deployment") {
		t.Errorf("summary:\n%s", out.String())
	}
	out.Reset()
	if err := run([]string{"-root", "../..", "-stack", "prod", "-out", prod, "-diff", dev}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "+ kubernetes/production_Deployment_demo-nginx.yaml") {
		t.Errorf("prod against dev:\n%s", out.String())
	}
}

func TestCriticalPathReportUsesTheLatencyTable(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-root", "../..", "-stack", "dev", "-critical-path"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"stack dev: makespan", "ratio 1.0", "eks:index:Cluster", "latency table:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	// Control: an ECR repository that took an hour would be the critical path.
	slow := filepath.Join(t.TempDir(), "latencies.txt")
	if err := os.WriteFile(slow, []byte("aws:ecr/repository:Repository=3600 # a pathological registry\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run([]string{"-root", "../..", "-stack", "dev", "-critical-path", "-latencies", slow}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "3600 s  aws:ecr/repository:Repository") || strings.Contains(out.String(), "ratio 1.0") {
		t.Errorf("the override did not move the critical path:\n%s", out.String())
	}
	if err := run([]string{"-root", "../..", "-stack", "dev", "-latencies", slow}, &out, &out); err == nil {
		t.Error("-latencies without -critical-path was accepted")
	}
}
