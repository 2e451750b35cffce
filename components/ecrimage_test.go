package components

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
)

const (
	repositoryType = "aws:ecr/repository:Repository"
	lifecycleType  = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
	imageType      = "docker:index/image:Image"
)

// writeContext creates a build context from path -> content.
func writeContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func flaskLikeContext(t *testing.T) string {
	return writeContext(t, map[string]string{
		"Dockerfile":          "FROM python:3.13.15-slim\nCOPY app.py .\n",
		"app.py":              "print('hello')\n",
		".dockerignore":       "tests/\n**/__pycache__\n*.md\n!KEEP.md\n",
		"tests/test_app.py":   "def test(): pass\n",
		"pkg/__pycache__/x.c": "bytecode",
		"README.md":           "docs",
		"KEEP.md":             "kept",
	})
}

func mustTag(t *testing.T, b ImageBuild) string {
	t.Helper()
	tag, err := b.Tag()
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

func TestImageTagIsAContentHash(t *testing.T) {
	dir := flaskLikeContext(t)
	build := ImageBuild{Context: dir}
	first := mustTag(t, build)
	if len(first) != 16 || strings.Trim(first, "0123456789abcdef") != "" {
		t.Fatalf("tag %q is not 16 hex digits", first)
	}
	if again := mustTag(t, build); again != first {
		t.Errorf("same content, different tags: %s, %s", first, again)
	}
	if same := mustTag(t, ImageBuild{Context: flaskLikeContext(t)}); same != first {
		t.Errorf("identical context in another directory gave %s, want %s", same, first)
	}

	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, ignored := range []string{"tests/test_app.py", "README.md", "pkg/__pycache__/x.c"} {
		write(ignored, "changed")
		if got := mustTag(t, build); got != first {
			t.Errorf("changing ignored %s changed the tag", ignored)
		}
	}

	write("app.py", "print('changed')\n")
	changed := mustTag(t, build)
	if changed == first {
		t.Errorf("changing app.py kept the tag")
	}
	write("KEEP.md", "re-included by !KEEP.md")
	if got := mustTag(t, build); got == changed {
		t.Errorf("changing a file re-included by an exception kept the tag")
	}
	if got := mustTag(t, ImageBuild{Context: dir, Platform: "linux/arm64"}); got == mustTag(t, build) {
		t.Errorf("the platform does not change the tag")
	}
	if err := os.Rename(filepath.Join(dir, "app.py"), filepath.Join(dir, "main.py")); err != nil {
		t.Fatal(err)
	}
	if got := mustTag(t, build); got == changed {
		t.Errorf("renaming a file kept the tag")
	}
}

func TestImageTagCountsAnIgnoredDockerfile(t *testing.T) {
	dir := writeContext(t, map[string]string{"Dockerfile": "FROM a:1\n", ".dockerignore": "Dockerfile\n"})
	before := mustTag(t, ImageBuild{Context: dir})
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM a:2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if mustTag(t, ImageBuild{Context: dir}) == before {
		t.Errorf("docker always sends the Dockerfile, so changing it must change the tag")
	}
}

func runECRImage(t *testing.T, args ECRImageArgs) (*mocktest.Monitor, map[string]any) {
	t.Helper()
	m := mocktest.New()
	m.RootDirectory = filepath.Dir(args.Build.Context) // the project holds the build context
	m.MustRun(t, "test", nil, func(ctx *pulumi.Context) error {
		img, err := NewECRImage(ctx, "demo-flask-backend", &args)
		if err != nil {
			return err
		}
		m.Capture("url", img.RepositoryUrl)
		m.Capture("name", img.ImageName)
		m.Capture("ref", img.ImageRef)
		m.Capture("tag", img.Tag)
		return nil
	})
	return m, m.Captured()
}

func TestECRImageRepositoryLikeTheWorkshopButSafer(t *testing.T) {
	dir := flaskLikeContext(t)
	m, outputs := runECRImage(t, ECRImageArgs{ECRImageArgs: spec.ECRImageArgs{RepositoryName: "demo-flask-backend", Build: ImageBuild{Context: dir}}})

	repo := m.Get(t, repositoryType, "demo-flask-backend-repo")
	for path, want := range map[string]any{
		"name":                                  "demo-flask-backend",
		"imageScanningConfiguration.scanOnPush": true,
		"imageTagMutability":                    "IMMUTABLE",
		"encryptionConfigurations[0].encryptionType": "AES256",
		"forceDelete": false,
	} {
		if got := repo.Input(path); got != want {
			t.Errorf("repository %s = %v, want %v", path, got, want)
		}
	}

	var policy lifecyclePolicy
	if err := json.Unmarshal([]byte(m.Get(t, lifecycleType, "demo-flask-backend-lifecycle").Input("policy").(string)), &policy); err != nil {
		t.Fatal(err)
	}
	if len(policy.Rules) != 2 {
		t.Fatalf("rules = %+v", policy.Rules)
	}
	untagged, tagged := policy.Rules[0].Selection, policy.Rules[1].Selection
	if untagged.TagStatus != "untagged" || untagged.CountType != "sinceImagePushed" || untagged.CountUnit != "days" || untagged.CountNumber != 14 {
		t.Errorf("untagged rule = %+v, want expiry 14 days after push", untagged)
	}
	if tagged.TagStatus != "tagged" || tagged.CountType != "imageCountMoreThan" || tagged.CountNumber != 30 || len(tagged.TagPatternList) == 0 {
		t.Errorf("tagged rule = %+v, want keep the last 30", tagged)
	}
	if policy.Rules[0].Action.Type != "expire" || policy.Rules[0].RulePriority >= policy.Rules[1].RulePriority {
		t.Errorf("rules out of order or not expiring: %+v", policy.Rules)
	}

	image := m.Get(t, imageType, "demo-flask-backend-image")
	tag := mustTag(t, ImageBuild{Context: dir})
	url, ref := outputs["url"].(string), outputs["ref"].(string)
	wantName := url + ":" + tag
	if image.Input("imageName") != wantName || outputs["name"] != wantName || outputs["tag"] != tag {
		t.Errorf("image name = %v (output %v, tag %v), want repository URL + content tag %s", image.Input("imageName"), outputs["name"], outputs["tag"], wantName)
	}
	if !strings.HasPrefix(url, mocktest.AccountID+".dkr.ecr.ap-northeast-2.amazonaws.com/") {
		t.Errorf("repository URL = %s", url)
	}
	if !strings.HasPrefix(ref, url+"@sha256:") {
		t.Errorf("image ref = %s, want the pushed digest", ref)
	}
	if image.Input("build.platform") != "linux/amd64" || image.Input("build.context") != filepath.Base(dir) ||
		image.Input("build.dockerfile") != filepath.Base(dir)+"/Dockerfile" || image.Input("skipPush") != false {
		t.Errorf("build = %v", image.Input("build"))
	}
	if host, _, _ := strings.Cut(url, "/"); image.Input("registry.server") != host {
		t.Errorf("registry server = %v, want the registry host %s", image.Input("registry.server"), host)
	}
	if image.Input("registry.username") != "AWS" || image.Input("registry.password") != "mock-ecr-password" {
		t.Errorf("registry credentials = %v, want the ECR token's", image.Input("registry"))
	}
	if !image.IsSecret("registry.password") {
		t.Errorf("registry password is not secret")
	}
	component := m.Get(t, "eks-workshop:index:ECRImage", "demo-flask-backend")
	builder := m.Get(t, "eks-workshop:index:RegistryImage", "demo-flask-backend")
	if repo.Parent != component.URN || builder.Parent != component.URN || image.Parent != builder.URN {
		t.Errorf("parents: repository %s, image builder %s, image %s; want the ECRImage, the ECRImage, the builder",
			repo.Parent, builder.Parent, image.Parent)
	}
}

func TestECRImageOptions(t *testing.T) {
	m, _ := runECRImage(t, ECRImageArgs{ECRImageArgs: spec.ECRImageArgs{
		RepositoryName: "team/demo", Build: ImageBuild{Context: flaskLikeContext(t), Platform: "linux/arm64"},
		ScanOnPush: pulumi.BoolRef(false), ImmutableTags: pulumi.BoolRef(false), ForceDelete: true,
		UntaggedExpiryDays: 3, KeepTaggedImages: 5,
	}, KmsKeyArn: pulumi.String("arn:aws:kms:ap-northeast-2:123456789012:key/k")})
	repo := m.Get(t, repositoryType, "demo-flask-backend-repo")
	if repo.Input("imageScanningConfiguration.scanOnPush") != false || repo.Input("imageTagMutability") != "MUTABLE" || repo.Input("forceDelete") != true {
		t.Errorf("repository = %v", repo.Plain())
	}
	if repo.Input("encryptionConfigurations[0].encryptionType") != "KMS" || repo.Input("encryptionConfigurations[0].kmsKey") != "arn:aws:kms:ap-northeast-2:123456789012:key/k" {
		t.Errorf("encryption = %v", repo.Input("encryptionConfigurations"))
	}
	if p := m.Get(t, lifecycleType, "demo-flask-backend-lifecycle").Input("policy").(string); !strings.Contains(p, `"countNumber":3`) || !strings.Contains(p, `"countNumber":5`) {
		t.Errorf("lifecycle policy = %s", p)
	}
	if m.Get(t, imageType, "demo-flask-backend-image").Input("build.platform") != "linux/arm64" {
		t.Errorf("platform not passed")
	}
}

func TestECRImageRejectsBadArgs(t *testing.T) {
	m := mocktest.New()
	err := m.Run("test", nil, func(ctx *pulumi.Context) error {
		_, err := NewECRImage(ctx, "x", &ECRImageArgs{ECRImageArgs: spec.ECRImageArgs{
			RepositoryName: "Demo_Flask!", Build: ImageBuild{Context: "/does/not/exist", Platform: "windows/amd64"},
			UntaggedExpiryDays: -1,
		}})
		return err
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`repositoryName = "Demo_Flask!"`, `context = "/does/not/exist"`, `platform = "windows/amd64"`, "untaggedExpiryDays = -1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if len(m.Resources()) != 0 {
		t.Errorf("registered resources before failing")
	}
}
