package components

import (
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// RegistryImageArgs configures a RegistryImage.
type RegistryImageArgs struct {
	// Repository is registry/name without a tag, e.g. "localhost:5000/demo-nginx". Required.
	Repository pulumi.StringInput
	// Build says how to build the image. Required.
	Build ImageBuild
	// Push sends the image to the registry. Optional; default true. Without
	// it the image stays in the Docker daemon, for clusters that share it.
	Push *bool
	// Username and Password log in to the registry. Optional (a local registry needs none).
	Username, Password pulumi.StringInput
}

// RegistryImage is a container image built from source and tagged with a
// hash of it, pushed to any registry.
type RegistryImage struct {
	pulumi.ResourceState

	// ImageName is repository:tag.
	ImageName pulumi.StringOutput `pulumi:"imageName"`
	// ImageRef is what pods should run: the pushed digest (repository@sha256:...),
	// or ImageName for an image that was not pushed.
	ImageRef pulumi.StringOutput `pulumi:"imageRef"`
	Tag      pulumi.StringOutput `pulumi:"tag"`
}

// NewRegistryImage builds the image and, unless Push is false, pushes it.
func NewRegistryImage(ctx *pulumi.Context, name string, args *RegistryImageArgs, opts ...pulumi.ResourceOption) (*RegistryImage, error) {
	if args == nil {
		args = &RegistryImageArgs{}
	}
	if err := args.Build.Validate(); err != nil {
		return nil, fmt.Errorf("registry image %q: %w", name, err)
	}
	if args.Repository == nil {
		return nil, fmt.Errorf("registry image %q: Repository is required", name)
	}
	build := args.Build.WithDefaults()
	tag, err := build.Tag()
	if err != nil {
		return nil, fmt.Errorf("registry image %q: %w", name, err)
	}
	push := args.Push == nil || *args.Push
	contextPath, dockerfilePath, err := build.ProviderPaths(projectRoot(ctx))
	if err != nil {
		return nil, fmt.Errorf("registry image %q: %w", name, err)
	}

	img := &RegistryImage{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:RegistryImage", name, img, opts...); err != nil {
		return nil, err
	}

	var buildArgs pulumi.StringMap
	if len(build.BuildArgs) > 0 {
		buildArgs = pulumi.ToStringMap(build.BuildArgs)
	}
	image, err := docker.NewImage(ctx, name+"-image", &docker.ImageArgs{
		ImageName: pulumi.Sprintf("%s:%s", args.Repository, tag),
		Build: docker.DockerBuildArgs{
			Context:        pulumi.String(contextPath),
			Dockerfile:     pulumi.String(dockerfilePath),
			Platform:       pulumi.String(build.Platform),
			Args:           buildArgs,
			BuilderVersion: docker.BuilderVersionBuilderBuildKit,
		},
		Registry: registryLogin(args),
		SkipPush: pulumi.Bool(!push),
	}, pulumi.Parent(img))
	if err != nil {
		return nil, err
	}

	img.ImageName = image.ImageName
	img.ImageRef = image.ImageName
	if push {
		img.ImageRef = image.RepoDigest
	}
	img.Tag = pulumi.String(tag).ToStringOutput()
	return img, ctx.RegisterResourceOutputs(img, pulumi.Map{
		"imageName": img.ImageName,
		"imageRef":  img.ImageRef,
		"tag":       img.Tag,
	})
}

// registryLogin is the push's login, nil without credentials (a local
// registry needs none).
func registryLogin(args *RegistryImageArgs) docker.RegistryPtrInput {
	if args.Username == nil || args.Password == nil {
		return nil
	}
	return docker.RegistryArgs{
		// The registry host is the repository up to its first slash.
		Server: args.Repository.ToStringOutput().ApplyT(func(repository string) string {
			host, _, _ := strings.Cut(repository, "/")
			return host
		}).(pulumi.StringOutput),
		Username: args.Username,
		Password: pulumi.ToSecret(args.Password).(pulumi.StringOutput),
	}
}

// projectRoot is where the engine starts the docker provider: the project's
// root, or the working directory when the engine does not say.
func projectRoot(ctx *pulumi.Context) string {
	if root := ctx.RootDirectory(); root != "" {
		return root
	}
	wd, _ := os.Getwd()
	return wd
}
