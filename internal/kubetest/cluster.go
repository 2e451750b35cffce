// Package kubetest runs a real Kubernetes control plane for integration
// tests: etcd and kube-apiserver on free loopback ports with a throwaway
// PKI, and optionally kube-controller-manager, kube-scheduler and kwok fake
// nodes, so that Deployments get pods that turn Running and Ready without a
// kubelet or a container runtime. The binaries come from tools/install.sh
// (see internal/tools); a test without them is skipped, or fails in CI.
package kubetest

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/eks-workshop/eks-workshop/internal/tools"
)

// Options chooses what runs besides etcd and kube-apiserver.
type Options struct {
	// Controllers starts kube-controller-manager (Deployments get
	// ReplicaSets and pods, namespaces their default ServiceAccount, PDBs
	// their status) and kube-scheduler.
	Controllers bool
	// Zones adds one kwok fake node per zone, labelled
	// topology.kubernetes.io/zone, whose pods kwok turns Running and Ready
	// (its built-in "fast" stages). Needs Controllers for pods to be scheduled.
	Zones []string
	// EndpointRouting makes the API server call admission webhooks (and
	// aggregated APIs) at their Service's endpoints, not its cluster IP
	// (--enable-aggregator-routing), as EKS's API servers do: their webhook
	// failures read `no endpoints available for service`, which only that
	// resolver reports (k8s.io/apiserver/pkg/util/proxy.ResolveEndpoint).
	// A webhook whose pods are not Ready then fails at once, as on EKS,
	// rather than after a connect timeout to its cluster IP.
	EndpointRouting bool
}

// Cluster is a running control plane, stopped by the test's cleanup.
type Cluster struct {
	// Config is an admin (system:masters) client configuration. Copy it
	// (rest.CopyConfig) to set a WarningHandler of your own.
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file for the same admin user.
	Kubeconfig string
	Clientset  kubernetes.Interface
	Dynamic    dynamic.Interface

	procs []*process
}

// Timeouts for a loaded two-core CI machine; a healthy start takes seconds.
const (
	startTimeout = 90 * time.Second
	nodeTimeout  = 60 * time.Second
)

// NodeAllocatable is what each fake node offers the scheduler.
var NodeAllocatable = corev1.ResourceList{
	corev1.ResourceCPU:              resource.MustParse("4"),
	corev1.ResourceMemory:           resource.MustParse("16Gi"),
	corev1.ResourceEphemeralStorage: resource.MustParse("20Gi"),
	corev1.ResourcePods:             resource.MustParse("110"),
}

// Start runs a control plane for the test and returns clients for it.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	bin := tools.Require(t, Binaries(opts)...)
	c, err := start(t, bin, opts)
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	return c
}

// Binaries are the programs a cluster with opts runs.
func Binaries(opts Options) []string {
	binaries := []string{"etcd", "kube-apiserver"}
	if opts.Controllers {
		binaries = append(binaries, "kube-controller-manager", "kube-scheduler")
	}
	if len(opts.Zones) > 0 {
		binaries = append(binaries, "kwok")
	}
	return binaries
}

func start(h host, bin map[string]string, opts Options) (*Cluster, error) {
	ctx := context.Background()
	dir := h.TempDir()
	pki, err := newPKI(dir)
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peerURL := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	etcd, err := startEtcd(h, ctx, dir, bin["etcd"], etcdURL, peerURL)
	if err != nil {
		return nil, err
	}
	c, apiserver, err := startAPIServer(h, ctx, dir, bin["kube-apiserver"], pki, etcdURL, ports[2], opts.EndpointRouting, etcd)
	if err != nil {
		return nil, err
	}
	procs := []*process{etcd, apiserver}

	if opts.Controllers {
		if procs, err = startControllers(h, ctx, c, dir, bin, pki, procs); err != nil {
			return nil, err
		}
	}

	if len(opts.Zones) > 0 {
		if procs, err = startNodes(h, ctx, c, dir, bin["kwok"], opts.Zones, procs); err != nil {
			return nil, err
		}
	}
	c.procs = procs
	return c, nil
}

// startEtcd runs etcd on etcdURL (clients) and peerURL and waits until it
// is healthy.
func startEtcd(h host, ctx context.Context, dir, etcdBin, etcdURL, peerURL string) (*process, error) {
	etcd, err := startProcess(h, dir, "etcd", etcdBin, nil,
		"--name=test", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=test="+peerURL)
	if err != nil {
		return nil, err
	}
	if err := waitFor(ctx, "etcd", startTimeout, func(ctx context.Context) (bool, error) {
		return httpOK(ctx, http.DefaultClient, etcdURL+"/health")
	}, etcd); err != nil {
		return nil, err
	}
	return etcd, nil
}

// startAPIServer runs kube-apiserver on port, storing in etcd at etcdURL,
// waits until it is ready and returns the Cluster of its admin clients and
// kubeconfig.
func startAPIServer(h host, ctx context.Context, dir, apiserverBin string, pki *pki, etcdURL string, port int,
	endpointRouting bool, etcd *process) (*Cluster, *process, error) {
	host := "https://127.0.0.1:" + strconv.Itoa(port)
	apiserver, err := startProcess(h, dir, "kube-apiserver", apiserverBin, nil,
		"--enable-aggregator-routing="+strconv.FormatBool(endpointRouting),
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+strconv.Itoa(port),
		"--tls-cert-file="+pki.ServingCertFile, "--tls-private-key-file="+pki.ServingKeyFile,
		"--client-ca-file="+pki.CAFile,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+pki.SAPubFile, "--service-account-signing-key-file="+pki.SAKeyFile,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--authorization-mode=RBAC",
		// The endpoint of the `kubernetes` Service would be 127.0.0.1, which
		// Endpoints reject; nothing here reaches the API through the Service.
		"--endpoint-reconciler-type=none")
	if err != nil {
		return nil, nil, err
	}

	config := &rest.Config{
		Host: host,
		TLSClientConfig: rest.TLSClientConfig{
			CAData: pki.CA, CertData: pki.AdminCert, KeyData: pki.AdminKey,
		},
		// The tests apply objects by the dozen; the default 5 QPS would throttle them.
		QPS: 100, Burst: 200,
	}
	clientset, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, nil, err
	}
	if err := waitFor(ctx, "kube-apiserver /readyz", startTimeout, func(ctx context.Context) (bool, error) {
		var status int
		err := clientset.Discovery().RESTClient().Get().AbsPath("/readyz").Do(ctx).StatusCode(&status).Error()
		return err == nil && status == http.StatusOK, err
	}, etcd, apiserver); err != nil {
		return nil, nil, err
	}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, nil, err
	}
	c := &Cluster{Config: config, Clientset: clientset, Dynamic: dyn, Kubeconfig: filepath.Join(dir, "kubeconfig")}
	if err := writeKubeconfig(c.Kubeconfig, config); err != nil {
		return nil, nil, err
	}
	return c, apiserver, nil
}

// startControllers runs kube-controller-manager and kube-scheduler, adds
// them to procs, and waits until the controllers admit pods.
func startControllers(h host, ctx context.Context, c *Cluster, dir string, bin map[string]string, pki *pki, procs []*process) ([]*process, error) {
	kcm, err := startProcess(h, dir, "kube-controller-manager", bin["kube-controller-manager"], nil,
		"--kubeconfig="+c.Kubeconfig, "--leader-elect=false",
		"--bind-address=127.0.0.1", "--secure-port=0",
		"--service-account-private-key-file="+pki.SAKeyFile, "--root-ca-file="+pki.CAFile,
		"--service-cluster-ip-range=10.96.0.0/16")
	if err != nil {
		return nil, err
	}
	scheduler, err := startProcess(h, dir, "kube-scheduler", bin["kube-scheduler"], nil,
		"--kubeconfig="+c.Kubeconfig, "--leader-elect=false",
		"--bind-address=127.0.0.1", "--secure-port=0")
	if err != nil {
		return nil, err
	}
	procs = append(procs, kcm, scheduler)
	// The service account controller has run once it created `default`
	// in the default namespace; pods cannot be admitted before.
	if err := waitFor(ctx, "kube-controller-manager (default ServiceAccount)", startTimeout, func(ctx context.Context) (bool, error) {
		_, err := c.Clientset.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err == nil, err
	}, procs...); err != nil {
		return nil, err
	}
	return procs, nil
}

// fakeNodeAnnotation marks the nodes kwok manages, as kwok's documentation does.
const fakeNodeAnnotation = "kwok.x-k8s.io/node"

// startNodes registers one fake node per zone and runs kwok for them. The
// nodes carry no kwok taint: every pod here is fake, and the workloads
// under test must schedule as they are.
func startNodes(h host, ctx context.Context, c *Cluster, dir, kwokBin string, zones []string, procs []*process) ([]*process, error) {
	for i, zone := range zones {
		name := fmt.Sprintf("kwok-node-%d", i)
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name:        name,
				Annotations: map[string]string{fakeNodeAnnotation: "fake", "node.alpha.kubernetes.io/ttl": "0"},
				Labels: map[string]string{
					"kubernetes.io/hostname":      name,
					"kubernetes.io/os":            "linux",
					"kubernetes.io/arch":          "amd64",
					"topology.kubernetes.io/zone": zone,
					"type":                        "kwok",
				},
			},
			Status: corev1.NodeStatus{Allocatable: NodeAllocatable, Capacity: NodeAllocatable},
		}
		if _, err := c.Clientset.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			return nil, fmt.Errorf("node %s: %w", name, err)
		}
	}
	kwok, err := startProcess(h, dir, "kwok", kwokBin,
		// Its own HOME: no ~/.kwok configuration of the developer's applies.
		[]string{"HOME=" + dir},
		"--kubeconfig="+c.Kubeconfig,
		"--manage-all-nodes=false", "--manage-nodes-with-annotation-selector="+fakeNodeAnnotation+"=fake",
		"--cidr=10.244.0.1/16", "--node-ip=10.0.0.1", "--node-lease-duration-seconds=40")
	if err != nil {
		return nil, err
	}
	procs = append(procs, kwok)
	return procs, waitFor(ctx, fmt.Sprintf("%d kwok nodes Ready", len(zones)), nodeTimeout, func(ctx context.Context) (bool, error) {
		nodes, err := c.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		ready := 0
		for _, n := range nodes.Items {
			for _, cond := range n.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		return ready == len(zones), nil
	}, procs...)
}

func writeKubeconfig(path string, config *rest.Config) error {
	kubeconfig := clientcmdapi.NewConfig()
	kubeconfig.Clusters["test"] = &clientcmdapi.Cluster{Server: config.Host, CertificateAuthorityData: config.CAData}
	kubeconfig.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: config.CertData, ClientKeyData: config.KeyData}
	kubeconfig.Contexts["test"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "admin"}
	kubeconfig.CurrentContext = "test"
	return clientcmd.WriteToFile(*kubeconfig, path)
}

func httpOK(ctx context.Context, client *http.Client, url string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

// Warnings collects the warnings the API server returns (deprecated APIs,
// Pod Security `warn`, unknown fields under fieldValidation=Warn...).
// Set it as a client's rest.Config.WarningHandler.
type Warnings struct {
	mu   sync.Mutex
	list []string
}

// HandleWarningHeader implements rest.WarningHandler.
func (w *Warnings) HandleWarningHeader(code int, agent, text string) {
	if code != 299 || text == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

// Take returns the warnings received so far and forgets them.
func (w *Warnings) Take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.list
	w.list = nil
	return out
}

// WithWarnings returns clients of the cluster's admin whose warnings go to w.
func (c *Cluster) WithWarnings(w *Warnings) (kubernetes.Interface, dynamic.Interface, error) {
	config := rest.CopyConfig(c.Config)
	config.WarningHandler = w
	clientset, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, nil, err
	}
	dyn, err := dynamic.NewForConfig(config)
	return clientset, dyn, err
}
