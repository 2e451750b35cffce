package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// ImageBuild says how to build a container image.
type ImageBuild struct {
	// Context is the build context directory. Required.
	Context string
	// Dockerfile is relative to Context. Optional; default "Dockerfile".
	Dockerfile string
	// Platform is the target platform. Optional; default "linux/amd64" (the m5 nodes' architecture).
	Platform string
	// BuildArgs are passed as --build-arg. Optional.
	BuildArgs map[string]string
}

func (b ImageBuild) WithDefaults() ImageBuild {
	if b.Dockerfile == "" {
		b.Dockerfile = DefaultDockerfile
	}
	if b.Platform == "" {
		b.Platform = DefaultPlatform
	}
	return b
}

var platformPattern = regexp.MustCompile(`^linux/(amd64|arm64)$`)

// Validate reports every problem with the (defaulted) build.
func (b ImageBuild) Validate() error {
	b = b.WithDefaults()
	var errs fieldErrors
	if info, err := os.Stat(b.Context); err != nil || !info.IsDir() {
		errs.add("context", b.Context, "want an existing build context directory")
	} else if _, err := os.Stat(filepath.Join(b.Context, b.Dockerfile)); err != nil {
		errs.add("dockerfile", b.Dockerfile, "not found in the build context %s", b.Context)
	}
	if !platformPattern.MatchString(b.Platform) {
		errs.add("platform", b.Platform, "want linux/amd64 or linux/arm64")
	}
	return errs.err()
}

// ProviderPaths are the build context and Dockerfile as the docker
// provider gets them: relative to root, the directory it resolves relative
// paths against (the Pulumi project's root, where the engine starts it).
// pulumi-docker v4.10.0 diffs both strings (provider/provider.go: Diff over
// the checked inputs, which keep them as given), so a spelling that
// depends on AppsDir or on the program's working directory would rebuild
// unchanged sources under the same content tag, and an IMMUTABLE ECR
// repository refuses the second push.
func (b ImageBuild) ProviderPaths(root string) (context, dockerfile string, err error) {
	b = b.WithDefaults()
	abs, err := filepath.Abs(b.Context)
	if err != nil {
		return "", "", err
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", "", err
	}
	rel, err := filepath.Rel(absRoot, abs)
	if err != nil {
		rel = abs // another volume: no relative spelling exists
	}
	rel = filepath.ToSlash(rel)
	return rel, path.Join(rel, filepath.ToSlash(b.Dockerfile)), nil
}

// Tag is a content hash of everything that goes into the image: the files
// Docker would send as the build context (honouring .dockerignore), the
// Dockerfile, the platform and the build args. Unchanged sources give the
// same tag, so `pulumi up` shows no diff and immutable tags never collide.
func (b ImageBuild) Tag() (string, error) {
	b = b.WithDefaults()
	h := sha256.New()
	meta, _ := json.Marshal(struct {
		Dockerfile, Platform string
		BuildArgs            map[string]string
	}{b.Dockerfile, b.Platform, b.BuildArgs})
	h.Write(meta)

	matcher, err := dockerignore(b.Context)
	if err != nil {
		return "", err
	}
	var files []string
	err = filepath.WalkDir(b.Context, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(b.Context, path)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		// Docker always sends the Dockerfile and .dockerignore, ignored or not.
		if rel != b.Dockerfile && rel != ".dockerignore" {
			ignored, err := matcher.MatchesOrParentMatches(rel)
			if err != nil {
				return err
			}
			if ignored {
				if d.IsDir() && !matcher.Exclusions() {
					return filepath.SkipDir
				}
				return nil
			}
		}
		if !d.IsDir() {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing build context %s: %w", b.Context, err)
	}
	sort.Strings(files)
	for _, rel := range files {
		if err := hashFile(h, b.Context, rel); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func dockerignore(dir string) (*patternmatcher.PatternMatcher, error) {
	var patterns []string
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if err == nil {
		defer f.Close()
		if patterns, err = ignorefile.ReadAll(f); err != nil {
			return nil, fmt.Errorf("%s/.dockerignore: %w", dir, err)
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	return patternmatcher.New(patterns)
}

// hashFile adds a file's path, mode and content to h, each length-prefixed
// so that no two different contexts hash alike.
func hashFile(h io.Writer, dir, rel string) error {
	path := filepath.Join(dir, filepath.FromSlash(rel))
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(h, "%d:%s:%o:", len(rel), rel, info.Mode())
	if info.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(path)
		if err != nil { // only if the link vanishes after Lstat: no test can arrange it
			return err
		}
		fmt.Fprintf(h, "%d:%s", len(target), target)
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(h, "%d:", info.Size())
	_, err = io.Copy(h, f)
	return err
}
