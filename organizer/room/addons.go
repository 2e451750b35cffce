package room

import (
	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// systemPods are the pods the shared cluster runs before any workload: what
// EKS installs itself (VPC CNI, kube-proxy, CoreDNS) and what ClusterAddons
// installs, with each pod's requests (the sum over its containers; an init
// container's is below it in every case here) as the manifest or chart
// requests them at the version named, read 2026-12-04. A chart's
// `resources: {}` requests nothing: the pod still takes a pod slot.
//
// The repositories, each read at the tag or commit its entry names:
// https://github.com/aws/amazon-vpc-cni-k8s, https://github.com/eksctl-io/eksctl,
// https://github.com/kubernetes-sigs/metrics-server (tag metrics-server-helm-chart-3.13.1),
// https://github.com/aws/eks-charts (stable/aws-load-balancer-controller),
// https://github.com/kubernetes/autoscaler (cluster-autoscaler/charts/cluster-autoscaler since 9.52.0),
// https://github.com/kubernetes-sigs/aws-ebs-csi-driver (charts/aws-ebs-csi-driver),
// https://github.com/aws-observability/helm-charts (charts/amazon-cloudwatch-observability),
// https://github.com/aws/eks-pod-identity-agent (charts/eks-pod-identity-agent).
//
// Not counted: the CloudWatch add-on's dcgm-exporter and neuron-monitor DaemonSets, whose
// node affinity keeps them to GPU and Inferentia/Trainium instance types.
var systemPods = []systemPod{
	// amazon-vpc-cni-k8s v1.23.1 config/master/aws-k8s-cni.yaml: aws-node and aws-eks-nodeagent request 25m CPU each
	{
		Namespace: "kube-system", Name: "aws-node", DaemonSet: true, CPUMilli: 25 + 25,
	},
	// EKS's kube-proxy DaemonSet (eksctl pkg/actions/addon/testdata/aws-node.json, an EKS cluster's kube-system): 100m CPU
	{
		Namespace: "kube-system", Name: "kube-proxy", DaemonSet: true, CPUMilli: 100,
	},
	// EKS's CoreDNS for Kubernetes 1.33 (eksctl pkg/addons/default/assets/coredns-1.33.json): 2 replicas, 100m CPU, 70Mi
	{
		Namespace: "kube-system", Name: "coredns", Replicas: 2, CPUMilli: 100, MemoryMiB: 70,
	},
	// metrics-server chart 3.13.1 values.yaml: 100m CPU, 200Mi
	{
		Namespace: "kube-system", Name: "metrics-server", Replicas: spec.MetricsServerReplicas, CPUMilli: 100, MemoryMiB: 200,
		ReadAt: "3.13.1", pinned: func(v spec.AddonVersions) string { return v.MetricsServer },
	},
	// aws/eks-charts aws-load-balancer-controller chart 1.17.1 values.yaml: resources {}
	{
		Namespace: "kube-system", Name: "aws-load-balancer-controller", Replicas: spec.LoadBalancerControllerReplicas,
		ReadAt: "1.17.1", pinned: func(v spec.AddonVersions) string { return v.LoadBalancerController },
	},
	// kubernetes/autoscaler tag cluster-autoscaler-chart-9.54.0 (d4a3ca1d9bf7), cluster-autoscaler/charts/cluster-autoscaler/values.yaml: replicaCount 1, resources {} (the Deployment's one container; read 2026-12-04)
	{
		Namespace: "kube-system", Name: "cluster-autoscaler", Replicas: 1,
		ReadAt: "9.54.0", pinned: func(v spec.AddonVersions) string { return v.ClusterAutoscaler },
		when: func(c config.Config) bool { return c.ClusterAutoscaler },
	},
	// aws-ebs-csi-driver chart 2.56.0 (driver 1.56.0): replicaCount 2; ebs-plugin, csi-provisioner, csi-attacher, csi-resizer, liveness-probe at controller.resources 10m CPU, 40Mi (no csi-snapshotter without the snapshot CRDs)
	{
		Namespace: "kube-system", Name: "ebs-csi-controller", Replicas: 2, CPUMilli: 5 * 10, MemoryMiB: 5 * 40,
		ReadAt: "v1.56.0-eksbuild.1", pinned: func(v spec.AddonVersions) string { return v.EbsCsiDriver },
	},
	// aws-ebs-csi-driver chart 2.56.0: ebs-plugin, node-driver-registrar, liveness-probe at node.resources 10m CPU, 40Mi
	{
		Namespace: "kube-system", Name: "ebs-csi-node", DaemonSet: true, CPUMilli: 3 * 10, MemoryMiB: 3 * 40,
		ReadAt: "v1.56.0-eksbuild.1", pinned: func(v spec.AddonVersions) string { return v.EbsCsiDriver },
	},
	// aws-observability/helm-charts amazon-cloudwatch-observability 4.10.1 values.yaml: replicaCount 1, manager.resources 100m CPU, 64Mi
	{
		Namespace: spec.CloudWatchNamespace, Name: "amazon-cloudwatch-observability-controller-manager", Replicas: 1, CPUMilli: 100, MemoryMiB: 64,
		ReadAt: "v4.10.1-eksbuild.1", pinned: func(v spec.AddonVersions) string { return v.CloudWatchObservability },
	},
	// amazon-cloudwatch-observability 4.10.1 values.yaml: agent.mode daemonset, agent.resources 250m CPU, 128Mi
	{
		Namespace: spec.CloudWatchNamespace, Name: "cloudwatch-agent", DaemonSet: true, CPUMilli: 250, MemoryMiB: 128,
		ReadAt: "v4.10.1-eksbuild.1", pinned: func(v spec.AddonVersions) string { return v.CloudWatchObservability },
	},
	// amazon-cloudwatch-observability 4.10.1 values.yaml: containerLogs.fluentBit.resources 50m CPU, 25Mi
	{
		Namespace: spec.CloudWatchNamespace, Name: "fluent-bit", DaemonSet: true, CPUMilli: 50, MemoryMiB: 25,
		ReadAt: "v4.10.1-eksbuild.1", pinned: func(v spec.AddonVersions) string { return v.CloudWatchObservability },
	},
	// aws/eks-pod-identity-agent charts/eks-pod-identity-agent/values.yaml: resources {} at 00bc0581 and at d4dc0f3 (release 0.1.37, 2026-03-17); no ReadAt: the repository does not say which agent release add-on v1.3.10-eksbuild.2 ships
	{
		Namespace: "kube-system", Name: "eks-pod-identity-agent", DaemonSet: true,
		when: func(c config.Config) bool { return c.PodIdentity },
	},
}

// systemPod is one add-on workload's pods.
type systemPod struct {
	Namespace, Name string
	// DaemonSet pods run on every node; otherwise Replicas pods run.
	DaemonSet bool
	Replicas  int
	// CPUMilli and MemoryMiB are each pod's requests.
	CPUMilli, MemoryMiB int64
	// ReadAt is the add-on version the requests were read at, and pinned
	// the version the configuration pins; for what EKS installs itself
	// (its version follows the cluster's), both are empty.
	ReadAt string
	pinned func(spec.AddonVersions) string
	// when selects the add-on by the configuration; nil: always installed.
	when func(config.Config) bool
}

// addonWorkloads are the cluster's system pods under cfg, with a note for
// each add-on pinned to another version than its requests were read at.
func addonWorkloads(cfg config.Config) ([]Workload, []string) {
	var out []Workload
	var notes []string
	for _, p := range systemPods {
		if p.when != nil && !p.when(cfg) {
			continue
		}
		w := Workload{Owner: OwnerAddons, Namespace: p.Namespace, Name: p.Name, Copies: 1, DaemonSet: p.DaemonSet,
			PerPod: Resources{CPUMilli: p.CPUMilli, MemoryMiB: p.MemoryMiB}, MinPods: p.Replicas, MaxPods: p.Replicas}
		out = append(out, w)
		if p.pinned != nil && p.pinned(cfg.AddonVersions) != p.ReadAt {
			notes = append(notes, p.Namespace+"/"+p.Name+": requests read at "+p.ReadAt+", the configuration pins "+p.pinned(cfg.AddonVersions)+": recheck organizer/room/addons.go")
		}
	}
	return out, notes
}
