package stacks

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// teardownSettings are the `pulumi config set KEY VALUE -s prod` lines of
// docs/security.md's "Tearing down prod", as config overrides.
func teardownSettings(t *testing.T) map[string]string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs/security.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## Tearing down prod")
	if !ok {
		t.Fatal("docs/security.md has no teardown section")
	}
	settings := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^pulumi config set (\w+) (\S+) -s prod$`).FindAllStringSubmatch(section, -1) {
		settings[config.ProjectName+":"+m[1]] = m[2]
	}
	if len(settings) == 0 {
		t.Fatal("the teardown section sets nothing")
	}
	return settings
}

// The documented sequence's settings, applied by its `pulumi up`, leave
// prod destroyable completely: nothing protected, the ECR repositories
// deleted with their images, the secrets key gone in 7 days. prod as
// committed keeps all three (the control).
func TestProdTeardownSequence(t *testing.T) {
	t.Parallel()
	check := func(run stackRun) (protected []string, keptRepos int, window any) {
		for _, r := range run.Resources() {
			if r.Protect {
				protected = append(protected, r.Type+" "+r.Name)
			}
		}
		for _, repo := range run.ByType("aws:ecr/repository:Repository") {
			if repo.Input("forceDelete") != true {
				keptRepos++
			}
		}
		return protected, keptRepos, run.Get(t, "aws:kms/key:Key", "eks-prod-secrets").Input("deletionWindowInDays")
	}
	protected, kept, window := check(runStack(t, "prod", teardownSettings(t)))
	if len(protected) != 0 || kept != 0 || window != 7.0 {
		t.Errorf("after the teardown settings: protected %v, %d repositories kept, key window %v; want none, 0, 7", protected, kept, window)
	}
	protected, kept, window = check(runStack(t, "prod", nil))
	if len(protected) == 0 || kept != 2 || window != 30.0 {
		t.Errorf("prod as committed: protected %v, %d repositories kept, key window %v; want protection, 2, 30", protected, kept, window)
	}
}

// prod serves its ALB on HTTPS: the output says so, both Ingresses redirect
// HTTP to it; dev keeps the workshop's HTTP (the control).
func TestProdServesHTTPS(t *testing.T) {
	t.Parallel()
	prod := runStack(t, "prod", nil)
	if url, _ := prod.Outputs["albUrl"].(string); !strings.HasPrefix(url, "https://") {
		t.Errorf("prod albUrl = %q, want https", url)
	}
	for _, ing := range prod.ByType("kubernetes:networking.k8s.io/v1:Ingress") {
		if ing.Input(`metadata.annotations["alb.ingress.kubernetes.io/ssl-redirect"]`) != "443" {
			t.Errorf("%s: annotations %v, want the redirect to HTTPS", ing.Name, ing.Input("metadata.annotations"))
		}
	}
	if url, _ := runStack(t, "dev", nil).Outputs["albUrl"].(string); !strings.HasPrefix(url, "http://") {
		t.Errorf("dev albUrl = %q, want http as the workshop", url)
	}
}
