package spec

import (
	"errors"
	"regexp"
)

// ECRImageArgs configures an ECRImage, less its KMS key and tags
// (components.ECRImageArgs adds them).
type ECRImageArgs struct {
	// RepositoryName is the ECR repository. Required (workshop: "demo-flask-backend").
	RepositoryName string
	// Build says how to build the image. Required.
	Build ImageBuild
	// ScanOnPush scans each pushed image for vulnerabilities. Optional; default true.
	ScanOnPush *bool
	// ImmutableTags forbids overwriting a tag. Optional; default true.
	ImmutableTags *bool
	// ForceDelete lets `pulumi destroy` delete the repository with its images. Optional; default false.
	ForceDelete bool
	// UntaggedExpiryDays expires untagged images this many days after push. Optional; default 14.
	UntaggedExpiryDays int
	// KeepTaggedImages keeps this many most recent tagged images. Optional; default 30.
	KeepTaggedImages int
}

// ecrRepositoryName is what ECR accepts.
var ecrRepositoryName = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$`)

func (a ECRImageArgs) WithDefaults() ECRImageArgs {
	if a.ScanOnPush == nil {
		a.ScanOnPush = ptr(true)
	}
	if a.ImmutableTags == nil {
		a.ImmutableTags = ptr(true)
	}
	if a.UntaggedExpiryDays == 0 {
		a.UntaggedExpiryDays = DefaultUntaggedExpiryDays
	}
	if a.KeepTaggedImages == 0 {
		a.KeepTaggedImages = DefaultKeepTaggedImages
	}
	return a
}

// Validate reports every problem with the (defaulted) args.
func (a ECRImageArgs) Validate() error {
	a = a.WithDefaults()
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
	return errors.Join(errs.err(), a.Build.Validate())
}
