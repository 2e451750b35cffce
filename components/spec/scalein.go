package spec

import (
	"fmt"
	"strings"
)

// Scale-in: what the Cluster Autoscaler and node drains need of the pods.

// SafeToEvictLocalVolumesAnnotation on a pod names (comma-separated) the
// local volumes the Cluster Autoscaler may discard when it removes the
// pod's node. A pod with an emptyDir or hostPath volume not named there
// keeps its node from being scaled in, because the autoscaler's
// --skip-nodes-with-local-storage defaults to true; every such volume of
// the pod must be named.
//
// Source: kubernetes/autoscaler cluster-autoscaler/FAQ.md, "What types of
// pods can prevent CA from removing a node?" and the annotation's entry
// (cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes, since
// 1.24), and config/flags/flags.go at cluster-autoscaler-1.35.0
// (skip-nodes-with-local-storage, default true), as issue 24 quotes it;
// read 2026-12-07.
const SafeToEvictLocalVolumesAnnotation = "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes"

// WritableVolumeName is the emptyDir of the App's i-th writable path.
func WritableVolumeName(i int) string { return fmt.Sprintf("writable-%d", i) }

// PodAnnotations are the App's pod template annotations: every writable
// path's emptyDir is safe to evict. It holds scratch files (/tmp) a
// replacement pod does not need, so the autoscaler may remove the node;
// the annotation rather than the autoscaler's
// --skip-nodes-with-local-storage=false, which would also discard other
// pods' local data without asking them.
func (a AppArgs) PodAnnotations() map[string]string {
	a = a.WithDefaults()
	names := make([]string, len(a.WritablePaths))
	for i := range a.WritablePaths {
		names[i] = WritableVolumeName(i)
	}
	return map[string]string{SafeToEvictLocalVolumesAnnotation: strings.Join(names, ",")}
}

// LoadBalancerControllerPDBValue is the aws-load-balancer-controller
// chart value that renders its PodDisruptionBudget (templates/pdb.yaml,
// rendered when the value is set and replicaCount > 1; default {}: none),
// chart LoadBalancerControllerChartVersion. ClusterAddons sets it to
// LoadBalancerControllerPDB, so a drain or a scale-in evicts one
// controller replica at a time and Ingress reconciliation (and its
// webhooks) never stops.
//
// Source: https://github.com/aws/eks-charts/blob/9639b8b/stable/aws-load-balancer-controller/values.yaml
// ("podDisruptionBudget: {}", "#  maxUnavailable: 1") and templates/pdb.yaml
// at the same commit (chart 1.17.1), as recorded for the webhooks above;
// read 2026-12-07.
const LoadBalancerControllerPDBValue = "podDisruptionBudget"

// LoadBalancerControllerPDB is the PodDisruptionBudget's spec: one
// replica of LoadBalancerControllerReplicas may be down.
var LoadBalancerControllerPDB = map[string]int{"maxUnavailable": 1}
