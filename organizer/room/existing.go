package room

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// The flags that put the room on an existing cluster; problems with the
// cluster are reported under their names.
const (
	FlagKubeconfig  = "-kubeconfig"
	FlagKubeContext = "-kube-context"
	FlagFlaskImage  = "-flask-image"
	FlagNginxImage  = "-nginx-image"
)

// NewExistingClusterPlan is a room on a cluster it does not build (EKS
// Anywhere, kind, a cluster an admin runs): no cluster stack, and every
// participant's environment deployed through the local target with
// cluster's kubeconfig (a file's path), context and images. Participants
// get no access entry (that is the EKS cluster stack's); the namespace's
// RoleBinding still lets their group edit it. Every problem is reported at
// once, the cluster's under the organizer's flags.
//
// The images may be empty for a plan that only destroys or reports;
// ParticipantConfig refuses to deploy without them.
//
// Without a context, the plan takes the file's current context now, so each
// stack's provider keeps the cluster it was given: a later destroy or reap
// deletes namespaces there, whatever the file's current context names then.
func NewExistingClusterPlan(cluster ClusterOutputs, participants []Participant) (*Plan, error) {
	problems := checkKubeconfig(cluster.Kubeconfig, cluster.KubeContext)
	if len(problems) == 0 && cluster.KubeContext == "" {
		cluster.KubeContext = currentContext(cluster.Kubeconfig)
	}
	reserved := map[string]string{"default": "Kubernetes"}
	for _, ns := range spec.AddonNamespaces() {
		reserved[ns] = "the cluster add-ons"
	}
	own := checkParticipants(participants, reserved, nil)
	problems = append(problems, own...)
	plan := &Plan{Participants: participants, Existing: &cluster}
	if len(own) == 0 && cluster.FlaskImage != "" && cluster.NginxImage != "" {
		problems = append(problems, plan.checkParticipantConfigs()...)
	}
	if len(problems) > 0 {
		return nil, &config.ConfigError{Problems: problems}
	}
	return plan, nil
}

// checkParticipantConfigs validates each environment as Program will, the
// images once under their flags.
func (p *Plan) checkParticipantConfigs() []string {
	var problems []string
	flags := map[string]string{config.ProjectName + ":flaskImage": FlagFlaskImage, config.ProjectName + ":nginxImage": FlagNginxImage}
	for i, part := range p.Participants {
		cfg, err := p.ParticipantConfig(part.Name, *p.Existing)
		if err == nil {
			err = cfg.Validate()
		}
		var invalid *config.ConfigError
		if !errors.As(err, &invalid) {
			if err != nil {
				problems = append(problems, err.Error())
			}
			continue
		}
		for _, problem := range invalid.Problems {
			key, rest, _ := strings.Cut(problem, " = ")
			if flag, ok := flags[key]; ok {
				problem = flag + " = " + rest
			} else {
				problem = fmt.Sprintf("participants[%d] (%s): %s", i, part.Name, problem)
			}
			if !slices.Contains(problems, problem) {
				problems = append(problems, problem)
			}
		}
	}
	return problems
}

// kubeconfigFile is what the organizer reads of a kubeconfig: enough to
// know which API server its context names.
type kubeconfigFile struct {
	Kind           string         `yaml:"kind"`
	CurrentContext string         `yaml:"current-context"`
	Contexts       []namedContext `yaml:"contexts"`
	Clusters       []namedCluster `yaml:"clusters"`
}

type namedContext struct {
	Name    string `yaml:"name"`
	Context struct {
		Cluster string `yaml:"cluster"`
	} `yaml:"context"`
}

type namedCluster struct {
	Name    string `yaml:"name"`
	Cluster struct {
		Server string `yaml:"server"`
	} `yaml:"cluster"`
}

// checkKubeconfig reports what keeps the kubeconfig at path from naming an
// API server in context (empty: its current context).
func checkKubeconfig(path, context string) []string {
	_, err := kubeconfigServer(path, context)
	var field *spec.FieldError
	if errors.As(err, &field) {
		return []string{field.Error()}
	}
	if err != nil {
		return []string{err.Error()}
	}
	return nil
}

// kubeconfigServer is the URL of the API server that the kubeconfig at path
// names in context (empty: its current context).
func kubeconfigServer(path, context string) (*url.URL, error) {
	problem := func(field string, value any, allowed string) error {
		return &spec.FieldError{Field: field, Value: value, Allowed: allowed}
	}
	if path == "" {
		return nil, problem(FlagKubeconfig, path, "want the path of the cluster's kubeconfig file (EKS Anywhere: <cluster>/<cluster>-eks-a-cluster.kubeconfig; kind: kind get kubeconfig --name <cluster> > file)")
	}
	if !filepath.IsAbs(path) {
		return nil, problem(FlagKubeconfig, path, "want an absolute path: every participant's stack keeps it, and runs from another directory")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, problem(FlagKubeconfig, path, fmt.Sprintf("want a readable kubeconfig file (%v)", err))
	}
	var file kubeconfigFile
	if err := yaml.Unmarshal(data, &file); err != nil || (file.Kind != "" && file.Kind != "Config") {
		return nil, problem(FlagKubeconfig, path, fmt.Sprintf("want a kubeconfig (kind: Config, with clusters and contexts): %v", errors.Join(err, fmt.Errorf("kind %q", file.Kind))))
	}
	var contexts []string
	for _, c := range file.Contexts {
		contexts = append(contexts, c.Name)
	}
	name, field := context, FlagKubeContext
	if name == "" {
		name, field = file.CurrentContext, FlagKubeconfig+" current-context"
	}
	i := slices.Index(contexts, name)
	if i < 0 {
		return nil, problem(field, name, fmt.Sprintf("want one of the contexts of %s: %q", path, contexts))
	}
	clusterName := file.Contexts[i].Context.Cluster
	j := slices.IndexFunc(file.Clusters, func(c namedCluster) bool { return c.Name == clusterName })
	if j < 0 {
		return nil, problem(FlagKubeconfig, path, fmt.Sprintf("context %q names cluster %q, which the file does not define", name, clusterName))
	}
	server, err := url.Parse(file.Clusters[j].Cluster.Server)
	if err != nil || (server.Scheme != "https" && server.Scheme != "http") || server.Host == "" {
		return nil, problem(FlagKubeconfig, path, fmt.Sprintf("cluster %q has server %q: want the API server's https:// URL", clusterName, file.Clusters[j].Cluster.Server))
	}
	return server, nil
}

// currentContext is the current context of the kubeconfig at path, which
// checkKubeconfig has read.
func currentContext(path string) string {
	var file kubeconfigFile
	data, _ := os.ReadFile(path)
	_ = yaml.Unmarshal(data, &file)
	return file.CurrentContext
}

// reachTimeout bounds how long CheckReachable waits for the API server.
const reachTimeout = 5 * time.Second

// CheckReachable connects to the API server of an existing cluster's
// kubeconfig, so that a room whose cluster is down or out of reach stops
// before any participant's stack starts. A room whose cluster it builds has
// nothing to reach yet.
func (p *Plan) CheckReachable() error {
	if p.Existing == nil {
		return nil
	}
	server, err := kubeconfigServer(p.Existing.Kubeconfig, p.Existing.KubeContext)
	if err != nil {
		return err
	}
	host := server.Host
	if server.Port() == "" {
		host = net.JoinHostPort(server.Hostname(), map[string]string{"https": "443", "http": "80"}[server.Scheme])
	}
	conn, err := net.DialTimeout("tcp", host, reachTimeout)
	if err != nil {
		return &spec.FieldError{Field: FlagKubeconfig, Value: p.Existing.Kubeconfig,
			Allowed: fmt.Sprintf("its API server %s does not answer (%v): want a running cluster this machine reaches", server, err)}
	}
	return conn.Close()
}

// CheckImages reports the images an existing cluster's room needs to deploy:
// it builds none, so both are given.
func (p *Plan) CheckImages() error {
	if p.Existing == nil {
		return nil
	}
	var problems []error
	for flag, image := range map[string]string{FlagFlaskImage: p.Existing.FlaskImage, FlagNginxImage: p.Existing.NginxImage} {
		if image == "" {
			problems = append(problems, &spec.FieldError{Field: flag, Value: image,
				Allowed: "want the image every participant runs, built elsewhere, by digest (registry/name@sha256:...): a room on an existing cluster builds none (EKS Anywhere: the images `go run ./cmd/localcluster eksa` prints)"})
		}
	}
	slices.SortFunc(problems, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(problems...)
}

// existingFlags are the flags of a room on an existing cluster.
type existingFlags struct {
	kubeconfig, kubeContext, flaskImage, nginxImage *string
}

func addExistingFlags(fs *flag.FlagSet) existingFlags {
	return existingFlags{
		kubeconfig:  fs.String(FlagKubeconfig[1:], "", "run the room on this existing cluster's kubeconfig (EKS Anywhere, kind, an admin's cluster): no cluster stack, each participant deploys through the local target"),
		kubeContext: fs.String(FlagKubeContext[1:], "", "with -kubeconfig: the context to use (default: its current context)"),
		flaskImage:  fs.String(FlagFlaskImage[1:], "", "with -kubeconfig: the flask image every participant runs, by digest (the room builds none)"),
		nginxImage:  fs.String(FlagNginxImage[1:], "", "with -kubeconfig: the nginx image every participant runs, by digest"),
	}
}

// plan is the room the command line describes when -kubeconfig is set: on
// that cluster, checked for command (the images and the API server's reach
// for the commands that deploy or destroy), with every problem at once.
func (e existingFlags) plan(fs *flag.FlagSet, command string, participants []Participant) (*Plan, error) {
	var problems []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "cluster-config" {
			problems = append(problems, fmt.Sprintf("-cluster-config = %q: want none with %s: the room builds no cluster", f.Value, FlagKubeconfig))
		}
	})
	path, err := filepath.Abs(*e.kubeconfig)
	if err != nil {
		return nil, err
	}
	cluster := ClusterOutputs{Kubeconfig: path, KubeContext: *e.kubeContext, FlaskImage: *e.flaskImage, NginxImage: *e.nginxImage}
	plan, err := NewExistingClusterPlan(cluster, participants)
	var invalid *config.ConfigError
	if errors.As(err, &invalid) {
		problems = append(problems, invalid.Problems...)
	} else if err != nil {
		return nil, err
	}
	// The command's own needs, checked whatever else is wrong.
	given := &Plan{Existing: &cluster}
	checks := map[string][]func() error{
		string(OpUp):      {given.CheckImages, given.CheckReachable},
		string(OpPreview): {given.CheckImages, given.CheckReachable},
		string(OpDestroy): {given.CheckReachable},
	}
	for _, check := range checks[command] {
		if err := check(); err != nil && !slices.Contains(problems, err.Error()) {
			problems = append(problems, strings.Split(err.Error(), "\n")...)
		}
	}
	if len(problems) > 0 {
		return nil, &config.ConfigError{Problems: problems}
	}
	return plan, nil
}

// misused reports the existing cluster's flags given without -kubeconfig.
func (e existingFlags) misused() []string {
	var problems []string
	for flag, value := range map[string]string{FlagKubeContext: *e.kubeContext, FlagFlaskImage: *e.flaskImage, FlagNginxImage: *e.nginxImage} {
		if value != "" {
			problems = append(problems, fmt.Sprintf("%s = %q: want it only with %s: the cluster stack's own kubeconfig and images serve a room it builds", flag, value, FlagKubeconfig))
		}
	}
	slices.Sort(problems)
	return problems
}

// newBuiltClusterPlan is the room whose cluster the cluster stack builds
// from the settings file clusterConfig, reported with the problems found
// in the command line already.
func newBuiltClusterPlan(clusterConfig string, participants []Participant, problems []string) (*Plan, error) {
	cluster, err := ReadStackConfig(clusterConfig)
	if err != nil {
		return nil, errors.Join(append(stringErrors(problems), err)...)
	}
	plan, err := NewPlan(cluster, participants)
	var invalid *config.ConfigError
	switch {
	case errors.As(err, &invalid):
		return nil, &config.ConfigError{Problems: append(problems, invalid.Problems...)}
	case err != nil:
		return nil, err
	case len(problems) > 0:
		return nil, &config.ConfigError{Problems: problems}
	}
	return plan, nil
}

func stringErrors(list []string) []error {
	errs := make([]error, len(list))
	for i, s := range list {
		errs[i] = errors.New(s)
	}
	return errs
}
