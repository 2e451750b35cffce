package components

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

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

func lifecyclePolicyJSON(a ECRImageArgs) string {
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

// newRepository registers the ECR repository and its lifecycle policy.
func newRepository(ctx *pulumi.Context, name string, a ECRImageArgs, parent pulumi.ResourceOption) (*ecr.Repository, error) {
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
	_, err = ecr.NewLifecyclePolicy(ctx, name+"-lifecycle", &ecr.LifecyclePolicyArgs{
		Repository: repo.Name,
		Policy:     pulumi.String(lifecyclePolicyJSON(a)),
	}, parent)
	return repo, err
}

// NewECRImage registers the repository, its lifecycle policy and the image.
func NewECRImage(ctx *pulumi.Context, name string, args *ECRImageArgs, opts ...pulumi.ResourceOption) (*ECRImage, error) {
	if args == nil {
		args = &ECRImageArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("ecr image %q: %w", name, err)
	}
	a := *args
	a.ECRImageArgs = args.WithDefaults() // the wiring as given, the rest defaulted

	img := &ECRImage{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:ECRImage", name, img, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(img)

	repo, err := newRepository(ctx, name, a, parent)
	if err != nil {
		return nil, err
	}
	token := ecr.GetAuthorizationTokenOutput(ctx, ecr.GetAuthorizationTokenOutputArgs{RegistryId: repo.RegistryId}, parent)
	image, err := NewRegistryImage(ctx, name, &RegistryImageArgs{
		Repository: repo.RepositoryUrl,
		Build:      a.Build,
		Username:   token.UserName(),
		Password:   token.Password(),
	}, parent)
	if err != nil {
		return nil, err
	}

	img.RepositoryUrl = repo.RepositoryUrl
	img.ImageName = image.ImageName
	img.ImageRef = image.ImageRef
	img.Tag = image.Tag
	return img, ctx.RegisterResourceOutputs(img, pulumi.Map{
		"repositoryUrl": img.RepositoryUrl,
		"imageName":     img.ImageName,
		"imageRef":      img.ImageRef,
		"tag":           img.Tag,
	})
}
