package spec

// MetricsServerArgs configures MetricsServer, less its provider
// (components.MetricsServerArgs adds it).
type MetricsServerArgs struct {
	// Version pins the metrics-server Helm chart. Required.
	Version string
	// KubeletInsecureTLS stops metrics-server from verifying the kubelets'
	// serving certificates. kind, minikube and EKS Anywhere's Docker provider
	// sign them with a CA metrics-server is not given, so without it it
	// scrapes nothing. Optional; default false.
	KubeletInsecureTLS bool
}

// Validate reports every problem with the args.
func (a MetricsServerArgs) Validate() error {
	var errs fieldErrors
	if a.Version == "" {
		errs.add("version", "", "required: the chart is pinned to a version")
	}
	return errs.err()
}
