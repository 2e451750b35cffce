package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// buildContext is a build context with a Dockerfile and the files given.
func buildContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["Dockerfile"] = "FROM scratch\n"
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

func TestImageRules(t *testing.T) {
	dir := buildContext(t, map[string]string{})
	build := ImageBuild{Context: dir}
	image := func(mutate func(*ECRImageArgs)) ECRImageArgs {
		a := ECRImageArgs{RepositoryName: "demo-flask-backend", Build: build}
		mutate(&a)
		return a
	}
	type c = ruleCase[ECRImageArgs]
	checkRules(t, ECRImageArgs.Validate, []c{
		{"the workshop's", image(func(*ECRImageArgs) {}), nil, ""},
		{"a name of 1", image(func(a *ECRImageArgs) { a.RepositoryName = "a" }), []string{"repositoryName"}, "2-256"},
		{"a name of 2", image(func(a *ECRImageArgs) { a.RepositoryName = "ab" }), nil, ""},
		{"a name of 256", image(func(a *ECRImageArgs) { a.RepositoryName = strings.Repeat("a", 256) }), nil, ""},
		{"a name of 257", image(func(a *ECRImageArgs) { a.RepositoryName = strings.Repeat("a", 257) }), []string{"repositoryName"}, ""},
		{"a namespaced name", image(func(a *ECRImageArgs) { a.RepositoryName = "team/demo.flask_backend" }), nil, ""},
		{"capitals", image(func(a *ECRImageArgs) { a.RepositoryName = "Demo" }), []string{"repositoryName"}, "lowercase"},
		{"expiry of a day", image(func(a *ECRImageArgs) { a.UntaggedExpiryDays = 1 }), nil, ""},
		{"a negative expiry", image(func(a *ECRImageArgs) { a.UntaggedExpiryDays = -1 }), []string{"untaggedExpiryDays"}, "1 or more days"},
		{"keep one image", image(func(a *ECRImageArgs) { a.KeepTaggedImages = 1 }), nil, ""},
		{"keep none", image(func(a *ECRImageArgs) { a.KeepTaggedImages = -1 }), []string{"keepTaggedImages"}, "1 or more images"},
		{"a build without a context", image(func(a *ECRImageArgs) { a.Build.Context = filepath.Join(dir, "missing") }), []string{"context"}, "existing build context"},
	})
	checkRules(t, ImageBuild.Validate, []ruleCase[ImageBuild]{
		{"a file for a context", ImageBuild{Context: filepath.Join(dir, "Dockerfile")}, []string{"context"}, ""},
		{"no such Dockerfile", ImageBuild{Context: dir, Dockerfile: "Containerfile"}, []string{"dockerfile"}, "not found in the build context"},
		{"arm64", ImageBuild{Context: dir, Platform: "linux/arm64"}, nil, ""},
		{"windows", ImageBuild{Context: dir, Platform: "windows/amd64"}, []string{"platform"}, "linux/amd64 or linux/arm64"},
	})
	d := (ECRImageArgs{}).WithDefaults()
	if !*d.ScanOnPush || !*d.ImmutableTags || d.UntaggedExpiryDays != DefaultUntaggedExpiryDays || d.KeepTaggedImages != DefaultKeepTaggedImages {
		t.Errorf("defaults = %+v", d)
	}
	set := (ECRImageArgs{ScanOnPush: ptr(false), ImmutableTags: ptr(false), UntaggedExpiryDays: 2, KeepTaggedImages: 3}).WithDefaults()
	if *set.ScanOnPush || *set.ImmutableTags || set.UntaggedExpiryDays != 2 || set.KeepTaggedImages != 3 {
		t.Errorf("set values replaced: %+v", set)
	}
	if b := (ImageBuild{Dockerfile: "x", Platform: "linux/arm64"}).WithDefaults(); b.Dockerfile != "x" || b.Platform != "linux/arm64" {
		t.Errorf("set build values replaced: %+v", b)
	}
}

func mustTag(t *testing.T, b ImageBuild) string {
	t.Helper()
	tag, err := b.Tag()
	if err != nil {
		t.Fatal(err)
	}
	if len(tag) != 16 {
		t.Fatalf("tag %q, want 16 hex characters", tag)
	}
	return tag
}

// The tag is a hash of what Docker would build from: it changes with any
// file Docker sends, the Dockerfile's name, the platform or a build arg,
// and not with files .dockerignore leaves out.
func TestImageTagFollowsTheBuildContext(t *testing.T) {
	files := map[string]string{"app.py": "print(1)\n", "lib/util.py": "x = 1\n", ".dockerignore": "*.log\ncache\n", "debug.log": "a", "cache/x": "a"}
	dir := buildContext(t, files)
	base := ImageBuild{Context: dir}
	tag := mustTag(t, base)
	if again := mustTag(t, base); again != tag {
		t.Errorf("two tags of one context: %s, %s", tag, again)
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("debug.log", "changed")
	write("cache/y", "new")
	if got := mustTag(t, base); got != tag {
		t.Errorf("an ignored file changed the tag")
	}
	for what, change := range map[string]func() ImageBuild{
		"a file's content":   func() ImageBuild { write("lib/util.py", "x = 2\n"); return base },
		"a new file":         func() ImageBuild { write("lib/new.py", ""); return base },
		"the platform":       func() ImageBuild { return ImageBuild{Context: dir, Platform: "linux/arm64"} },
		"a build arg":        func() ImageBuild { return ImageBuild{Context: dir, BuildArgs: map[string]string{"V": "1"}} },
		"the Dockerfile":     func() ImageBuild { write("Dockerfile", "FROM busybox\n"); return base },
		"a symlink's target": func() ImageBuild { _ = os.Symlink("app.py", filepath.Join(dir, "link")); return base },
	} {
		if got := mustTag(t, change()); got == tag {
			t.Errorf("%s did not change the tag", what)
		} else {
			tag = mustTag(t, base)
		}
	}
}

// Docker sends the Dockerfile and .dockerignore even when ignored; an
// exclusion (!) re-includes a file under an ignored directory.
func TestImageTagHonoursDockerignoreAsDocker(t *testing.T) {
	const ignore = "Dockerfile\n.dockerignore\ndocs\n!docs/keep.md\n"
	dir := buildContext(t, map[string]string{".dockerignore": ignore, "docs/keep.md": "a", "docs/drop.md": "a"})
	base := ImageBuild{Context: dir}
	tag := mustTag(t, base)
	for _, name := range []string{"Dockerfile", ".dockerignore", "docs/keep.md"} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(ignore+"# changed\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := mustTag(t, base); got == tag {
			t.Errorf("%s is not in the tag", name)
		} else {
			tag = got
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "docs", "drop.md"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := mustTag(t, base); got != tag {
		t.Errorf("docs/drop.md, ignored, changed the tag")
	}
}

func TestImageTagReportsAnUnreadableContext(t *testing.T) {
	if _, err := (ImageBuild{Context: filepath.Join(t.TempDir(), "missing")}).Tag(); err == nil || !strings.Contains(err.Error(), "hashing build context") {
		t.Errorf("a missing context: %v", err)
	}
	dir := buildContext(t, map[string]string{".dockerignore": "[\n"})
	if _, err := (ImageBuild{Context: dir}).Tag(); err == nil {
		t.Error("a bad .dockerignore pattern is accepted")
	}
}
