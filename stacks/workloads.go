package stacks

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/distribution/reference"

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
	// image is a prebuilt image reference, set by the config key imageKey;
	// empty builds the image from source.
	image, imageKey string
	// containerPort is what the image EXPOSEs and the pods listen on;
	// servicePort is what the Service offers.
	containerPort, servicePort int
	// runAsUser is the image's non-root UID.
	runAsUser int64
	// readinessPath is the app's readiness endpoint, also the ALB health check.
	readinessPath string
	resources     components.AppResources
	// ingressPath and ingressOrder place the app on the shared ALB; lower
	// orders match first, so "/" comes last.
	ingressPath  string
	ingressOrder int
	// egressHTTPS lets the app call out on 443 (flask queries Hacker News).
	egressHTTPS bool
	// localPort is where `kubectl port-forward` exposes it on the local
	// target; localPath is the page to open there.
	localPort int
	localPath string
}

// workloads are the workshop's backend (demo-flask-backend) and its nginx page.
func (c Config) workloads() []workload {
	return []workload{
		{
			name: "demo-flask-backend", source: "flask", repository: c.accountName(c.FlaskRepositoryName, DefaultFlaskRepositoryName), repositoryKey: "flaskRepositoryName",
			image: c.FlaskImage, imageKey: "flaskImage",
			containerPort: 8080, servicePort: 8080, runAsUser: 10001, readinessPath: "/readyz",
			// The workshop's HPA chapter: requests.cpu 250m, limits.cpu 500m.
			resources:   components.AppResources{CPURequest: "250m", CPULimit: "500m", MemoryRequest: "128Mi", MemoryLimit: "256Mi"},
			ingressPath: "/contents", ingressOrder: 1, egressHTTPS: true, localPort: 8081,
			localPath: "/contents/aws", // the workshop's first query
		},
		{
			name: "demo-nginx", source: "nginx", repository: c.accountName(c.NginxRepositoryName, DefaultNginxRepositoryName), repositoryKey: "nginxRepositoryName",
			image: c.NginxImage, imageKey: "nginxImage",
			// The seed's `kubectl port-forward svc/... 8080:80`: the Service listens on 80.
			// A UID above 10000, as kube-score asks, so it cannot collide with a
			// host account (apps/nginx/Dockerfile's USER). /readyz answers only
			// while the page is in place; /healthz only says nginx runs.
			containerPort: 8080, servicePort: 80, runAsUser: 10101, readinessPath: "/readyz",
			// A CPU limit bounds what a static page may take from its node.
			resources:   components.AppResources{CPURequest: "50m", CPULimit: "200m", MemoryRequest: "32Mi", MemoryLimit: "64Mi"},
			ingressPath: "/", ingressOrder: 2, localPort: 8080, localPath: "/",
		},
	}
}

// prebuilt reports whether the workload runs an image built elsewhere.
func (w workload) prebuilt() bool { return w.image != "" }

// checkImageReference reads a prebuilt image as the container runtime will
// (docker.io/library/ implied) and wants a tag or a digest: a bare name means
// :latest, which can change under a running Deployment.
func checkImageReference(ref string) error {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return err
	}
	if reference.IsNameOnly(named) {
		return errors.New("it names no tag or digest")
	}
	return nil
}

// pinnedByDigest reports whether a (valid) image reference names a digest.
func pinnedByDigest(ref string) bool {
	named, err := reference.ParseNormalizedNamed(ref)
	_, digested := named.(reference.Digested)
	return err == nil && digested
}

// imageBuild builds the workload for the nodes' architecture: the node
// group's on EKS; on the local target, this machine's, where kind or
// minikube run.
func (w workload) imageBuild(c Config) components.ImageBuild {
	platform := "linux/" + components.InstanceArchitecture(c.InstanceTypes)
	if c.Target == TargetLocal {
		platform = "linux/" + runtime.GOARCH
	}
	return components.ImageBuild{Context: filepath.Join(c.AppsDir, w.source), Platform: platform}
}

func (w workload) ecrImageArgs(c Config) components.ECRImageArgs {
	return components.ECRImageArgs{RepositoryName: w.repository, Build: w.imageBuild(c), ForceDelete: c.EcrForceDelete}
}

// appArgs deploys the workload with every practice the seed names: probes,
// resources, RollingUpdate, HPA (CPU 50%, 1..10), PDB, NetworkPolicies; on
// EKS behind the shared ALB. Image and Provider come at registration.
func (w workload) appArgs(c Config) components.AppArgs {
	args := components.AppArgs{
		Name:          w.name,
		Namespace:     c.Namespace,
		ContainerPort: w.containerPort,
		ServicePort:   w.servicePort,
		Resources:     w.resources,
		RunAsUser:     w.runAsUser,
		ReadinessPath: w.readinessPath,
		Autoscaling:   &components.Autoscaling{MinReplicas: 1, MaxReplicas: 10, TargetCPUUtilization: 50},
		// A built image is deployed by its pushed digest; a prebuilt one as given.
		ImagePinnedByDigest: !w.prebuilt() || pinnedByDigest(w.image),
	}
	if w.egressHTTPS {
		args.NetworkPolicy.EgressHTTPSCIDRs = []string{"0.0.0.0/0"}
	}
	if c.Target == TargetEKS {
		args.Ingress = &components.AppIngress{Path: w.ingressPath, GroupName: c.IngressGroupName, GroupOrder: w.ingressOrder}
		// ALB targets are pod IPs, reached from the load balancer inside the VPC.
		args.NetworkPolicy.IngressFromCIDRs = []string{c.VpcCidr}
	}
	return args
}

// portForward is the command that reaches the workload from a workstation.
func (w workload) portForward(c Config) string {
	context := ""
	if c.KubeContext != "" {
		context = " --context " + c.KubeContext
	}
	return fmt.Sprintf("kubectl%s -n %s port-forward svc/%s %d:%d", context, c.Namespace, w.name, w.localPort, w.servicePort)
}

// localURL is what to open while portForward runs.
func (w workload) localURL() string {
	return fmt.Sprintf("http://localhost:%d%s", w.localPort, w.localPath)
}
