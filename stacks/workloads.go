package stacks

import (
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components"
)

// workload is one of the workshop's two apps, as the stacks deploy it.
type workload struct {
	// name is the Deployment and Service name.
	name string
	// source is the app's directory under Config.AppsDir.
	source string
	// repository is the ECR repository the image is pushed to, set by the config key repositoryKey.
	repository, repositoryKey string
	// containerPort is what the image EXPOSEs and the pods listen on.
	containerPort int
}

// workloads are the workshop's backend (demo-flask-backend) and its nginx page.
func (c Config) workloads() []workload {
	return []workload{
		{name: "demo-flask-backend", source: "flask", repository: c.FlaskRepositoryName, repositoryKey: "flaskRepositoryName", containerPort: 8080},
		{name: "demo-nginx", source: "nginx", repository: c.NginxRepositoryName, repositoryKey: "nginxRepositoryName", containerPort: 8080},
	}
}

// imageArgs builds the workload's image for the nodes' architecture.
func (w workload) imageArgs(c Config) components.ECRImageArgs {
	return components.ECRImageArgs{
		RepositoryName: w.repository,
		Build: components.ImageBuild{
			Context:  filepath.Join(c.AppsDir, w.source),
			Platform: "linux/" + components.InstanceArchitecture(c.InstanceTypes),
		},
		ForceDelete: c.EcrForceDelete,
	}
}

// deployImages builds and pushes every workload's image to its ECR repository.
func deployImages(ctx *pulumi.Context, c Config, opts ...pulumi.ResourceOption) (map[string]*components.ECRImage, error) {
	images := map[string]*components.ECRImage{}
	for _, w := range c.workloads() {
		args := w.imageArgs(c)
		img, err := components.NewECRImage(ctx, w.name, &args, opts...)
		if err != nil {
			return nil, err
		}
		images[w.name] = img
	}
	return images, nil
}
