package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/distribution/reference"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// Workload is one of the workshop's two apps, as the stacks deploy it.
type Workload struct {
	// Name is the Deployment and Service name.
	Name string
	// Source is the app's directory under Config.AppsDir.
	Source string
	// Repository is the ECR repository the image is pushed to, set by the config key repositoryKey.
	Repository    string
	repositoryKey string
	// Image is a prebuilt image reference, set by the config key imageKey;
	// empty builds the image from source.
	Image    string
	imageKey string
	// ContainerPort is what the image EXPOSEs and the pods listen on;
	// ServicePort is what the Service offers.
	ContainerPort, ServicePort int
	// RunAsUser is the image's non-root UID.
	RunAsUser int64
	// readinessPath is the app's readiness endpoint, also the ALB health check.
	readinessPath string
	resources     spec.AppResources
	// IngressPath and ingressOrder place the app on the shared ALB; lower
	// orders match first, so "/" comes last.
	IngressPath  string
	ingressOrder int
	// egressHTTPS lets the app call out on 443 (flask queries Hacker News).
	egressHTTPS bool
	// localPort is where `kubectl port-forward` exposes it on the local
	// target; localPath is the page to open there.
	localPort int
	localPath string
	// shutdownSeconds is how long the app drains after SIGTERM (0: App's default).
	shutdownSeconds int
}

// Workloads are the workshop's backend (demo-flask-backend) and its nginx page.
func (c Config) Workloads() []Workload {
	return []Workload{
		{
			Name: "demo-flask-backend", Source: "flask", Repository: c.accountName(c.FlaskRepositoryName, DefaultFlaskRepositoryName), repositoryKey: "flaskRepositoryName",
			Image: c.FlaskImage, imageKey: "flaskImage",
			ContainerPort: 8080, ServicePort: 8080, RunAsUser: 10001, readinessPath: "/readyz",
			// The workshop's HPA chapter: requests.cpu 250m, limits.cpu 500m.
			resources:   spec.AppResources{CPURequest: "250m", CPULimit: "500m", MemoryRequest: "128Mi", MemoryLimit: "256Mi"},
			IngressPath: "/contents", ingressOrder: 1, egressHTTPS: true, localPort: 8081,
			localPath: "/contents/aws", // the workshop's first query
			// gunicorn's graceful_timeout (apps/flask/gunicorn.conf.py, 20 s)
			// for in-flight requests, and its arbiter's exit after it.
			shutdownSeconds: flaskGracefulTimeoutSeconds + 5,
		},
		{
			Name: "demo-nginx", Source: "nginx", Repository: c.accountName(c.NginxRepositoryName, DefaultNginxRepositoryName), repositoryKey: "nginxRepositoryName",
			Image: c.NginxImage, imageKey: "nginxImage",
			// The seed's `kubectl port-forward svc/... 8080:80`: the Service listens on 80.
			// A UID above 10000, as kube-score asks, so it cannot collide with a
			// host account (apps/nginx/Dockerfile's USER). /readyz answers only
			// while the page is in place; /healthz only says nginx runs.
			ContainerPort: 8080, ServicePort: 80, RunAsUser: 10101, readinessPath: "/readyz",
			// A CPU limit bounds what a static page may take from its node.
			resources:   spec.AppResources{CPURequest: "50m", CPULimit: "200m", MemoryRequest: "32Mi", MemoryLimit: "64Mi"},
			IngressPath: "/", ingressOrder: 2, localPort: 8080, localPath: "/",
		},
	}
}

// flaskGracefulTimeoutSeconds is GUNICORN_GRACEFUL_TIMEOUT's default in
// apps/flask/gunicorn.conf.py (a test reads it there).
const flaskGracefulTimeoutSeconds = 20

// NamespaceLabels are the labels of the environment's namespace: Pod
// Security `restricted`, and on EKS the AWS Load Balancer Controller's
// readiness gate, so that a rollout replaces a pod only once the ALB
// reports its successor healthy (the targets are pod IPs).
func (c Config) NamespaceLabels() map[string]string {
	labels := map[string]string{}
	for _, mode := range []string{"enforce", "audit", "warn"} {
		labels["pod-security.kubernetes.io/"+mode] = "restricted"
	}
	if c.Target == TargetEKS && !c.AutoMode() {
		// The controller's webhook injects the gate; Auto Mode has none
		// documented (auto-configure-alb.adoc lists no readiness gate).
		labels[spec.ReadinessGateInjectLabel] = spec.ReadinessGateInjectValue
	}
	return labels
}

// Prebuilt reports whether the workload runs an image built elsewhere.
func (w Workload) Prebuilt() bool { return w.Image != "" }

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

// ImageBuild builds the workload for the nodes' architecture: the node
// group's on EKS; on the local target, this machine's, where kind or
// minikube run.
func (w Workload) ImageBuild(c Config) spec.ImageBuild {
	platform := "linux/" + spec.InstanceArchitecture(c.InstanceTypes)
	if c.Target == TargetLocal {
		platform = "linux/" + runtime.GOARCH
	}
	return spec.ImageBuild{Context: filepath.Join(c.AppsDir, w.Source), Platform: platform}
}

func (w Workload) ecrImageArgs(c Config) spec.ECRImageArgs {
	return spec.ECRImageArgs{RepositoryName: w.Repository, Build: w.ImageBuild(c), ForceDelete: c.EcrForceDelete}
}

// appArgs deploys the workload with every practice the seed names: probes,
// resources, RollingUpdate, HPA (CPU 50%, 1..10), PDB, NetworkPolicies; on
// EKS behind the shared ALB. Image and Provider come at registration.
func (w Workload) appArgs(c Config) spec.AppArgs {
	args := spec.AppArgs{
		Name:          w.Name,
		Namespace:     c.Namespace,
		ContainerPort: w.ContainerPort,
		ServicePort:   w.ServicePort,
		Resources:     w.resources,
		RunAsUser:     w.RunAsUser,
		ReadinessPath: w.readinessPath,
		Autoscaling:   &spec.Autoscaling{MinReplicas: 1, MaxReplicas: 10, TargetCPUUtilization: 50},
		// A built image is deployed by its pushed digest; a prebuilt one as given.
		ImagePinnedByDigest: !w.Prebuilt() || pinnedByDigest(w.Image),
		ShutdownSeconds:     w.shutdownSeconds,
	}
	if w.egressHTTPS {
		args.NetworkPolicy.EgressHTTPSCIDRs = []string{"0.0.0.0/0"}
	}
	if c.Target == TargetEKS {
		args.Ingress = &spec.AppIngress{Path: w.IngressPath, GroupName: c.IngressGroupName, GroupOrder: w.ingressOrder, CertificateArn: c.CertificateArn}
		if c.AutoMode() {
			// The IngressClassParams name the group (autoModeArgs).
			args.Ingress.GroupName, args.Ingress.GroupFromClass = "", true
		}
		// ALB targets are pod IPs, reached from the internet-facing ALB's
		// nodes, which sit in the public subnets only. Not the VPC's CIDR:
		// under the VPC CNI every pod's IP is in it, so that would admit
		// any pod of any namespace.
		args.NetworkPolicy.IngressFromCIDRs = c.PublicSubnetCidrs()
	}
	if r := c.RoomIngress; r != nil && c.Target == TargetLocal {
		args.Ingress = &spec.AppIngress{Path: w.IngressPath, GroupName: r.GroupName, GroupOrder: w.ingressOrder}
		args.NetworkPolicy.IngressFromCIDRs = r.FromCIDRs
	}
	return args
}

// PublicSubnetCidrs are the public subnets' CIDRs Network carves from
// vpcCidr, where the ALB lives; nil for a vpcCidr Network refuses (the
// plan reports it under vpcCidr).
func (c Config) PublicSubnetCidrs() []string {
	args := c.networkArgs().WithDefaults()
	public, _, err := spec.SubnetCidrs(args.VpcCidr, args.AvailabilityZoneCount)
	if err != nil {
		return nil
	}
	return public
}

// PortForward is the command that reaches the workload from a workstation,
// on the cluster the stack deploys to: kubeconfig's file and kubeContext's
// context, each quoted as one shell word. kubectl takes a kubeconfig only as
// a file, so when kubeconfig holds the contents the output is an echo that
// says what to run instead (README runs it as eval "$(pulumi stack output
// ...)", which then prints it).
func (w Workload) PortForward(c Config) string {
	flags := ""
	if c.KubeContext != "" {
		flags = " --context " + shellWord(c.KubeContext)
	}
	kubectl := func(kubeconfig string) string {
		if kubeconfig != "" {
			kubeconfig = " --kubeconfig " + shellWord(kubeconfig)
		}
		return fmt.Sprintf("kubectl%s%s -n %s port-forward svc/%s %d:%d", kubeconfig, flags, c.Namespace, w.Name, w.localPort, w.ServicePort)
	}
	if c.Kubeconfig == "" || KubeconfigIsPath(c.Kubeconfig) {
		return kubectl(expandHome(c.Kubeconfig))
	}
	file := c.Stack + ".kubeconfig"
	return "echo " + shellWord(fmt.Sprintf("The kubeconfig setting holds the contents of a kubeconfig, and kubectl reads one only from a file. "+
		"Save it to %s with pulumi config get kubeconfig -s %s, then run: %s", file, c.Stack, kubectl(file)))
}

// KubeconfigIsPath tells a kubeconfig setting that names a file from one
// that holds the contents (YAML over several lines, or JSON): a path is one
// line. The kubernetes provider takes either.
func KubeconfigIsPath(kubeconfig string) bool {
	kubeconfig = strings.TrimSpace(kubeconfig)
	return !strings.ContainsAny(kubeconfig, "\n") && !strings.HasPrefix(kubeconfig, "{")
}

// expandHome expands a leading ~/ as the kubernetes provider does: in
// $(pulumi stack output ...) the shell expands no tilde.
func expandHome(path string) string {
	rest, ok := strings.CutPrefix(path, "~/")
	if !ok {
		return path
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return path
	}
	return filepath.Join(home, rest)
}

// LocalURL is what to open while PortForward runs.
func (w Workload) LocalURL() string {
	return fmt.Sprintf("http://localhost:%d%s", w.localPort, w.localPath)
}

// AppArgs are the workloads' App arguments as Plan builds them, by Workload
// name, unvalidated: what the organizer sizes a room's nodes from.
func (c Config) AppArgs() map[string]spec.AppArgs {
	apps := map[string]spec.AppArgs{}
	for _, w := range c.Workloads() {
		apps[w.Name] = w.appArgs(c)
	}
	return apps
}
