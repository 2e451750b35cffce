package components

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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

func (b ImageBuild) withDefaults() ImageBuild {
	if b.Dockerfile == "" {
		b.Dockerfile = "Dockerfile"
	}
	if b.Platform == "" {
		b.Platform = "linux/amd64"
	}
	return b
}

var platformPattern = regexp.MustCompile(`^linux/(amd64|arm64)$`)

func (b ImageBuild) validate(errs *fieldErrors) {
	b = b.withDefaults()
	if info, err := os.Stat(b.Context); err != nil || !info.IsDir() {
		errs.add("context", b.Context, "want an existing build context directory")
	} else if _, err := os.Stat(filepath.Join(b.Context, b.Dockerfile)); err != nil {
		errs.add("dockerfile", b.Dockerfile, "not found in the build context %s", b.Context)
	}
	if !platformPattern.MatchString(b.Platform) {
		errs.add("platform", b.Platform, "want linux/amd64 or linux/arm64")
	}
}

// Tag is a content hash of everything that goes into the image: the files
// Docker would send as the build context (honouring .dockerignore), the
// Dockerfile, the platform and the build args. Unchanged sources give the
// same tag, so `pulumi up` shows no diff and immutable tags never collide.
func (b ImageBuild) Tag() (string, error) {
	b = b.withDefaults()
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
		if err != nil {
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

// buildImage registers a docker.Image for repository:tag, pushed with
// registry's credentials unless registry is nil and push is false.
func buildImage(ctx *pulumi.Context, name string, build ImageBuild, tag string, repository pulumi.StringInput,
	registry docker.RegistryPtrInput, push bool, opts ...pulumi.ResourceOption) (*docker.Image, error) {
	build = build.withDefaults()
	var args pulumi.StringMap
	if len(build.BuildArgs) > 0 {
		args = pulumi.ToStringMap(build.BuildArgs)
	}
	builder := docker.BuilderVersionBuilderBuildKit
	return docker.NewImage(ctx, name, &docker.ImageArgs{
		ImageName: pulumi.Sprintf("%s:%s", repository, tag),
		Build: docker.DockerBuildArgs{
			Context:        pulumi.String(build.Context),
			Dockerfile:     pulumi.String(filepath.Join(build.Context, build.Dockerfile)),
			Platform:       pulumi.String(build.Platform),
			Args:           args,
			BuilderVersion: builder,
		},
		Registry: registry,
		SkipPush: pulumi.Bool(!push),
	}, opts...)
}

// ECRImageArgs configures an ECRImage.
type ECRImageArgs struct {
	// RepositoryName is the ECR repository. Required (workshop: "demo-flask-backend").
	RepositoryName string
	// Build says how to build the image. Required.
	Build ImageBuild
	// ScanOnPush scans each pushed image for vulnerabilities. Optional; default true.
	ScanOnPush *bool
	// ImmutableTags forbids overwriting a tag. Optional; default true.
	ImmutableTags *bool
	// KmsKeyArn encrypts images with this KMS key. Optional; default AES256.
	KmsKeyArn pulumi.StringInput
	// ForceDelete lets `pulumi destroy` delete the repository with its images. Optional; default false.
	ForceDelete bool
	// UntaggedExpiryDays expires untagged images this many days after push. Optional; default 14.
	UntaggedExpiryDays int
	// KeepTaggedImages keeps this many most recent tagged images. Optional; default 30.
	KeepTaggedImages int
	// Tags are added to the repository. Optional.
	Tags pulumi.StringMapInput
}

// ECRImage is an ECR repository with a lifecycle policy, and an image built
// from source and pushed to it during `pulumi up`.
type ECRImage struct {
	pulumi.ResourceState

	RepositoryUrl pulumi.StringOutput `pulumi:"repositoryUrl"`
	// ImageName is repositoryUrl:tag.
	ImageName pulumi.StringOutput `pulumi:"imageName"`
	// ImageRef is the pushed digest (repositoryUrl@sha256:...): what deployments should run.
	ImageRef pulumi.StringOutput `pulumi:"imageRef"`
	Tag      pulumi.StringOutput `pulumi:"tag"`
}

// ecrRepositoryName is what ECR accepts.
var ecrRepositoryName = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$`)

func (a ECRImageArgs) withDefaults() ECRImageArgs {
	if a.ScanOnPush == nil {
		a.ScanOnPush = pulumi.BoolRef(true)
	}
	if a.ImmutableTags == nil {
		a.ImmutableTags = pulumi.BoolRef(true)
	}
	if a.UntaggedExpiryDays == 0 {
		a.UntaggedExpiryDays = 14
	}
	if a.KeepTaggedImages == 0 {
		a.KeepTaggedImages = 30
	}
	return a
}

// Validate reports every problem with the (defaulted) args.
func (a ECRImageArgs) Validate() error {
	a = a.withDefaults()
	var errs fieldErrors
	if len(a.RepositoryName) < 2 || len(a.RepositoryName) > 256 || !ecrRepositoryName.MatchString(a.RepositoryName) {
		errs.add("repositoryName", a.RepositoryName, "want 2-256 lowercase letters, digits, and . _ - / separators")
	}
	if a.UntaggedExpiryDays < 1 {
		errs.add("untaggedExpiryDays", a.UntaggedExpiryDays, "want 1 or more days")
	}
	if a.KeepTaggedImages < 1 {
		errs.add("keepTaggedImages", a.KeepTaggedImages, "want 1 or more images")
	}
	a.Build.validate(&errs)
	return errs.err()
}

// lifecyclePolicy is an ECR lifecycle policy document.
type lifecyclePolicy struct {
	Rules []lifecycleRule `json:"rules"`
}

type lifecycleRule struct {
	RulePriority int                `json:"rulePriority"`
	Description  string             `json:"description"`
	Selection    lifecycleSelection `json:"selection"`
	Action       lifecycleAction    `json:"action"`
}

type lifecycleSelection struct {
	TagStatus      string   `json:"tagStatus"`
	TagPatternList []string `json:"tagPatternList,omitempty"`
	CountType      string   `json:"countType"`
	CountUnit      string   `json:"countUnit,omitempty"`
	CountNumber    int      `json:"countNumber"`
}

type lifecycleAction struct {
	Type string `json:"type"`
}

func (a ECRImageArgs) lifecyclePolicy() string {
	doc, _ := json.Marshal(lifecyclePolicy{Rules: []lifecycleRule{
		{
			RulePriority: 1,
			Description:  fmt.Sprintf("Expire untagged images %d days after push", a.UntaggedExpiryDays),
			Selection:    lifecycleSelection{TagStatus: "untagged", CountType: "sinceImagePushed", CountUnit: "days", CountNumber: a.UntaggedExpiryDays},
			Action:       lifecycleAction{Type: "expire"},
		},
		{
			RulePriority: 2,
			Description:  fmt.Sprintf("Keep the last %d tagged images", a.KeepTaggedImages),
			Selection:    lifecycleSelection{TagStatus: "tagged", TagPatternList: []string{"*"}, CountType: "imageCountMoreThan", CountNumber: a.KeepTaggedImages},
			Action:       lifecycleAction{Type: "expire"},
		},
	}})
	return string(doc)
}

// NewECRImage registers the repository, its lifecycle policy and the image.
func NewECRImage(ctx *pulumi.Context, name string, args *ECRImageArgs, opts ...pulumi.ResourceOption) (*ECRImage, error) {
	if args == nil {
		args = &ECRImageArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("ecr image %q: %w", name, err)
	}
	a := args.withDefaults()
	tag, err := a.Build.Tag()
	if err != nil {
		return nil, fmt.Errorf("ecr image %q: %w", name, err)
	}

	img := &ECRImage{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:ECRImage", name, img, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(img)

	encryption := ecr.RepositoryEncryptionConfigurationArgs{EncryptionType: pulumi.String("AES256")}
	if a.KmsKeyArn != nil {
		encryption = ecr.RepositoryEncryptionConfigurationArgs{EncryptionType: pulumi.String("KMS"), KmsKey: a.KmsKeyArn}
	}
	mutability := "MUTABLE"
	if *a.ImmutableTags {
		mutability = "IMMUTABLE"
	}
	repo, err := ecr.NewRepository(ctx, name+"-repo", &ecr.RepositoryArgs{
		Name:                       pulumi.String(a.RepositoryName),
		ImageTagMutability:         pulumi.String(mutability),
		ImageScanningConfiguration: ecr.RepositoryImageScanningConfigurationArgs{ScanOnPush: pulumi.Bool(*a.ScanOnPush)},
		EncryptionConfigurations:   ecr.RepositoryEncryptionConfigurationArray{encryption},
		ForceDelete:                pulumi.Bool(a.ForceDelete),
		Tags:                       a.Tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := ecr.NewLifecyclePolicy(ctx, name+"-lifecycle", &ecr.LifecyclePolicyArgs{
		Repository: repo.Name,
		Policy:     pulumi.String(a.lifecyclePolicy()),
	}, parent); err != nil {
		return nil, err
	}

	token := ecr.GetAuthorizationTokenOutput(ctx, ecr.GetAuthorizationTokenOutputArgs{RegistryId: repo.RegistryId}, parent)
	image, err := buildImage(ctx, name+"-image", a.Build, tag, repo.RepositoryUrl, docker.RegistryArgs{
		Server:   repo.RepositoryUrl,
		Username: token.UserName(),
		Password: pulumi.ToSecret(token.Password()).(pulumi.StringOutput),
	}, true, parent)
	if err != nil {
		return nil, err
	}

	img.RepositoryUrl = repo.RepositoryUrl
	img.ImageName = image.ImageName
	img.ImageRef = image.RepoDigest
	img.Tag = pulumi.String(tag).ToStringOutput()
	return img, ctx.RegisterResourceOutputs(img, pulumi.Map{
		"repositoryUrl": img.RepositoryUrl,
		"imageName":     img.ImageName,
		"imageRef":      img.ImageRef,
		"tag":           img.Tag,
	})
}
