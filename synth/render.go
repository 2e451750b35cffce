package synth

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"gopkg.in/yaml.v3"

	"github.com/eks-workshop/eks-workshop/internal/critical"
	"github.com/eks-workshop/eks-workshop/internal/diagram"
	"github.com/eks-workshop/eks-workshop/internal/mocktest"
	"github.com/eks-workshop/eks-workshop/internal/mocktest/recorded"
)

// The files of a synth directory.
const (
	ResourcesFile = "resources.yaml"
	KubernetesDir = "kubernetes"
	// ComponentsFile is the plan's component graph, a Mermaid flowchart in Markdown.
	ComponentsFile = "components.md"
	// CriticalPathFile is the deploy's critical path under the default
	// latency table, a Mermaid Gantt chart in Markdown.
	CriticalPathFile = "critical-path.md"
)

// DiagramFiles are the synth's diagrams.
var DiagramFiles = []string{ComponentsFile, CriticalPathFile}

// Files is a synth directory in memory: slash-separated paths relative to
// it ("resources.yaml", "kubernetes/development_Deployment_demo-nginx.yaml")
// to their exact contents.
type Files map[string][]byte

// Paths returns the paths, sorted.
func (f Files) Paths() []string {
	paths := make([]string, 0, len(f))
	for p := range f {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// MarkerFile lists, in a directory synth wrote, the files it wrote there,
// one slash-separated path a line: the next Write removes exactly those,
// and a directory without it that holds anything is not synth's.
const MarkerFile = ".synth-files"

// Write replaces dir's synth files with f: the files the last Write listed
// in dir's MarkerFile are removed first (so objects that are gone do not
// linger), then f and a new MarkerFile are written; nothing else in dir is
// touched. A directory that holds anything and no MarkerFile is refused:
// synth did not make it, and its kubernetes/ may be someone's manifests.
func (f Files) Write(dir string) error {
	if err := removeWritten(dir); err != nil {
		return err
	}
	paths := f.Paths()
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, f[p], 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, MarkerFile), []byte(strings.Join(paths, "\n")+"\n"), 0o644)
}

// removeWritten removes the files dir's MarkerFile lists and the
// directories they leave empty; a dir that does not exist or is empty has
// nothing to remove, and one with files and no marker is refused.
func removeWritten(dir string) error {
	marker, err := os.ReadFile(filepath.Join(dir, MarkerFile))
	if errors.Is(err, fs.ErrNotExist) {
		entries, err := os.ReadDir(dir)
		if len(entries) > 0 {
			return fmt.Errorf("-out %s: the directory holds files and no %s, so synth did not write it; give a new or empty directory", dir, MarkerFile)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if err != nil {
		return err
	}
	for _, p := range strings.Fields(string(marker)) {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return fmt.Errorf("%s lists %q, outside the directory", filepath.Join(dir, MarkerFile), p)
		}
		if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if sub := filepath.Dir(full); sub != filepath.Clean(dir) {
			_ = os.Remove(sub) // only when empty: it may hold someone's files
		}
	}
	return nil
}

// ReadFiles reads the synth files (resources.yaml, the diagrams where an
// older synth has them, kubernetes/*.yaml) of dir.
func ReadFiles(dir string) (Files, error) {
	f := Files{}
	raw, err := os.ReadFile(filepath.Join(dir, ResourcesFile))
	if err != nil {
		return nil, fmt.Errorf("no synth in %s: %w", dir, err)
	}
	f[ResourcesFile] = raw
	for _, d := range DiagramFiles {
		raw, err := os.ReadFile(filepath.Join(dir, d))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		f[d] = raw
	}
	manifests, err := filepath.Glob(filepath.Join(dir, KubernetesDir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	for _, m := range manifests {
		if f[path.Join(KubernetesDir, filepath.Base(m))], err = os.ReadFile(m); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Manifest is one Kubernetes object the program registers.
type Manifest struct {
	// Path is its file in a synth directory: kubernetes/<namespace>_<Kind>_<name>.yaml,
	// or kubernetes/<Kind>_<name>.yaml for a cluster-scoped object
	// (Kubernetes names cannot contain "_").
	Path string
	// URN is the registration it comes from.
	URN string
	// Object is the object as the provider would send it to the API server
	// (mocktest.Resource.Manifest): apiVersion, kind, metadata, spec...
	Object map[string]any
}

// Manifests returns every Kubernetes object the program registers, sorted
// by Path. Objects inside Helm charts are not among them: charts are remote
// components, not rendered under mocks.
func (r *Result) Manifests() ([]Manifest, error) {
	var out []Manifest
	seen := map[string]string{}
	for _, res := range r.Resources {
		if !res.Custom || !strings.HasPrefix(res.Type, "kubernetes:") {
			continue
		}
		obj, err := res.Manifest()
		if err != nil {
			return nil, err
		}
		obj = normalize(obj).(map[string]any)
		meta, _ := obj["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		if name == "" {
			return nil, fmt.Errorf("%s has no metadata.name: synth cannot name its file", res.URN)
		}
		file := fmt.Sprintf("%s_%s.yaml", obj["kind"], name)
		if ns, _ := meta["namespace"].(string); ns != "" {
			file = ns + "_" + file
		}
		p := path.Join(KubernetesDir, file)
		if other, dup := seen[p]; dup {
			return nil, fmt.Errorf("%s and %s are both %s", other, res.URN, p)
		}
		seen[p] = res.URN
		out = append(out, Manifest{Path: p, URN: res.URN, Object: obj})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// fileResource is one entry of resources.yaml.
type fileResource struct {
	URN       string `yaml:"urn"`
	Type      string `yaml:"type"`
	Name      string `yaml:"name"`
	Component bool   `yaml:"component,omitempty"`
	Remote    bool   `yaml:"remote,omitempty"`
	Standin   bool   `yaml:"standin,omitempty"`
	Protect   bool   `yaml:"protect,omitempty"`
	Parent    string `yaml:"parent,omitempty"`
	// Provider is the URN of the explicit provider (its id left out: a placeholder).
	Provider     string         `yaml:"provider,omitempty"`
	Dependencies []string       `yaml:"dependencies,omitempty"`
	Inputs       map[string]any `yaml:"inputs,omitempty"`
}

// resourcesFile is resources.yaml.
type resourcesFile struct {
	Stack     string         `yaml:"stack"`
	Outputs   map[string]any `yaml:"outputs,omitempty"`
	Resources []fileResource `yaml:"resources"`
}

const resourcesHeader = `# The plan of stack %q under mocks, written by go run ./cmd/synth; do not edit.
# It is the program's plan, not AWS's answer: every value the cloud would compute is
# a placeholder, <computed:NAME.ATTR>, and data sources answer with the mock's fixed
# account (%s) and zones. Remote components (remote: true: pulumi-eks's Cluster and
# ManagedNodeGroup, Helm v4 Charts) are built by provider plugins, which do not run
# under mocks: their children are not listed (except the stand-ins the mock registers
# for what the program reads from them, standin: true), and the Kubernetes objects of
# Helm charts are not rendered under kubernetes/. Secrets show as %s.
# Preflight was not run: its lookups (quotas, Elastic IPs, add-on builds, the
# account; docs/preflight.md) were answered by the mock's account, not AWS's.
`

// Files renders the synth: resources.yaml (every resource with its type,
// name, parent, provider, dependencies and inputs, and the stack outputs)
// and one file per Kubernetes object (see Manifests). Maps are written
// with sorted keys and resources in URN order, whatever the order of
// r.Resources, so equal plans give equal bytes.
func (r *Result) Files() (Files, error) {
	doc := resourcesFile{Stack: r.Stack, Outputs: r.Outputs}
	for _, res := range inURNOrder(r.Resources) {
		provider := res.Provider
		// A provider reference is URN::id, and a URN never starts with "::",
		// so i > 0 would do the same (gremlins' boundary mutant is equivalent).
		if i := strings.LastIndex(provider, "::"); i >= 0 {
			provider = provider[:i]
		}
		inputs := display(resource.NewObjectProperty(res.Inputs)).(map[string]any)
		if len(inputs) == 0 {
			inputs = nil
		}
		doc.Resources = append(doc.Resources, fileResource{
			URN: res.URN, Type: res.Type, Name: res.Name,
			Component: !res.Custom, Remote: res.Remote, Standin: res.Standin, Protect: res.Protect,
			Parent: res.Parent, Provider: provider, Dependencies: res.Dependencies, Inputs: inputs,
		})
	}
	body, err := encodeYAML(doc)
	if err != nil {
		return nil, err
	}
	files := Files{ResourcesFile: append([]byte(fmt.Sprintf(resourcesHeader, r.Stack, mocktest.AccountID, Secret)), body...)}
	manifests, err := r.Manifests()
	if err != nil {
		return nil, err
	}
	for _, m := range manifests {
		if files[m.Path], err = encodeYAML(m.Object); err != nil {
			return nil, err
		}
	}
	report, err := critical.Analyze(r.Stack, r.Resources, critical.DefaultTable())
	if err != nil {
		return nil, err
	}
	files[ComponentsFile] = mermaid(diagram.Components(r.Stack, r.Resources))
	files[CriticalPathFile] = mermaid(report.Gantt())
	return files, nil
}

// mermaid fences a Mermaid diagram for Markdown, which GitHub renders.
func mermaid(diagram string) []byte {
	return []byte("```mermaid\n" + diagram + "```\n")
}

// Summary is a short account of the synth: its resources counted by type.
func (r *Result) Summary() string {
	counts := map[string]int{}
	kubernetes := 0
	for _, res := range r.Resources {
		counts[res.Type]++
		if res.Custom && strings.HasPrefix(res.Type, "kubernetes:") {
			kubernetes++
		}
	}
	types := make([]string, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	sort.Strings(types)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d resources, %d Kubernetes objects\n", r.Stack, len(r.Resources), kubernetes)
	b.WriteString(settingsNote(r.Settings))
	b.WriteString(PreflightNote)
	for _, t := range types {
		fmt.Fprintf(&b, "  %4d  %s\n", counts[t], t)
	}
	return b.String()
}

// PreflightNote is what a synth says of the stack's preflight
// (docs/preflight.md): it ran against the mocks' account, not an AWS one.
const PreflightNote = "  preflight not run: no AWS account; the mocks answered its lookups (`pulumi preview` runs it)\n"

func encodeYAML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// display converts a property value to what resources.yaml shows: plain
// values (recorded.Plain), secrets as Secret, whole numbers as integers.
func display(v resource.PropertyValue) any {
	switch {
	case v.IsSecret() || (v.IsOutput() && v.OutputValue().Secret):
		return Secret
	case v.IsOutput():
		return display(v.OutputValue().Element)
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			if !e.IsNull() {
				out[string(k)] = display(e)
			}
		}
		return out
	case v.IsArray():
		out := []any{}
		for _, e := range v.ArrayValue() {
			out = append(out, display(e))
		}
		return out
	}
	return normalize(recorded.Plain(v))
}

// normalize turns whole float64s (Pulumi's only number type) into int64,
// so that YAML shows 1000000, not 1e+06, and Kubernetes' integer fields
// decode.
func normalize(v any) any {
	switch v := v.(type) {
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v)
		}
	case map[string]any:
		for k, e := range v {
			v[k] = normalize(e)
		}
	case []any:
		for i, e := range v {
			v[i] = normalize(e)
		}
	}
	return v
}
