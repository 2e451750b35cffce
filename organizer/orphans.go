package organizer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// pulumiFieldManager prefixes the field manager the Kubernetes provider
// writes objects with: "pulumi-kubernetes" under client-side apply,
// "pulumi-kubernetes-<random>" under server-side apply (pulumi-kubernetes
// provider/pkg/provider/provider.go, fieldManagerName; v4.30.0, read
// 2026-12-07). An object without it was not made by a Pulumi update.
const pulumiFieldManager = "pulumi-kubernetes"

// plannedCreate is a Kubernetes object the next update would create.
type plannedCreate struct {
	room.Orphan
	gvk                   schema.GroupVersionKind
	namespace, objectName string
}

// adoptOrphans records in s's state, and refreshes, the Kubernetes objects
// an update stopped mid-create made but did not record. The engine's first Ctrl-C cancels the
// provider's calls in flight; a create whose request reached the API server
// but whose answer did not reach the provider leaves its object in the
// cluster, and in the state neither the object nor a pending create. The
// plugin users get (v4.30.0) would then fail the next create with
// AlreadyExists. The pending creates a killed engine left, once cleared
// (resolvePending), are such orphans too. Only a stack whose last update did
// not succeed, or that had pending operations, is read, and only an object
// a Pulumi provider wrote is adopted.
func (o *Organizer) adoptOrphans(ctx context.Context, s *auto.Stack, cfg config.Config, r *room.Result, hadPending bool) error {
	if !hadPending {
		succeeded, err := o.lastUpdateSucceeded(ctx, s.Name())
		if err != nil || succeeded {
			return err
		}
	}
	creates, err := o.plannedCreates(ctx, s)
	if err != nil || len(creates) == 0 {
		return err
	}
	orphans, err := existingPulumiObjects(ctx, cfg, creates)
	if err != nil || len(orphans) == 0 {
		return err
	}
	ws, ok := s.Workspace().(roomWorkspace)
	if !ok {
		return fmt.Errorf("stack %s: not in a room workspace", s.Name())
	}
	export, _, err := ws.run(ctx, "stack", "export", "--stack", s.Name())
	if err != nil {
		return err
	}
	state, err := room.AddResources([]byte(export), orphans)
	if err != nil {
		return fmt.Errorf("stack %s: %w", s.Name(), err)
	}
	file := filepath.Join(ws.WorkDir(), s.Name()+".orphans.json")
	if err := os.WriteFile(file, state, 0o600); err != nil {
		return err
	}
	defer os.Remove(file)
	if _, _, err := ws.run(ctx, "stack", "import", "--stack", s.Name(), "--file", file); err != nil {
		return err
	}
	urns, ids := make([]string, len(orphans)), make([]string, len(orphans))
	for i, orphan := range orphans {
		urns[i], ids[i] = orphan.URN, orphan.ResourceType[strings.LastIndex(orphan.ResourceType, ":")+1:]+" "+orphan.ID
	}
	if _, err := s.Refresh(ctx, optrefresh.Target(urns), optrefresh.ProgressStreams(o.progressWriter(s.Name()))); err != nil {
		return fmt.Errorf("reading the %d object(s) a stopped update made (%s): %w", len(orphans), strings.Join(urns, ", "), err)
	}
	r.Note("adopted first what a stopped update made: " + strings.Join(ids, ", "))
	return nil
}

// plannedCreates previews s and returns the Kubernetes objects it would create.
func (o *Organizer) plannedCreates(ctx context.Context, s *auto.Stack) ([]plannedCreate, error) {
	engineEvents := make(chan events.EngineEvent)
	collected := make(chan []plannedCreate, 1)
	go func() {
		var out []plannedCreate
		for e := range engineEvents {
			if e.ResourcePreEvent == nil {
				continue
			}
			if c, ok := kubeCreate(e.ResourcePreEvent.Metadata); ok {
				out = append(out, c)
			}
		}
		collected <- out
	}()
	if _, err := s.Preview(ctx, optpreview.EventStreams(engineEvents),
		optpreview.ProgressStreams(o.progressWriter(s.Name()))); err != nil {
		return nil, fmt.Errorf("previewing what a stopped update left to create: %w", err)
	}
	select {
	case out := <-collected:
		return out, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// unknownID is the ID a preview gives a resource not yet created.
const unknownID = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

// kubeCreate reads a step as the create of a named Kubernetes object whose
// provider is in the state (the import uses it).
func kubeCreate(m apitype.StepEventMetadata) (plannedCreate, bool) {
	if m.Op != apitype.OpCreate || m.New == nil || !m.New.Custom {
		return plannedCreate{}, false
	}
	gvk, ok := kubeGVK(m.Type)
	// A provider reference is urn::id; the URN holds "::" too.
	providerID := ""
	if i := strings.LastIndex(m.New.Provider, "::"); i >= 0 {
		providerID = m.New.Provider[i+2:]
	}
	metadata, _ := m.New.Inputs["metadata"].(map[string]any)
	name, _ := metadata["name"].(string)
	namespace, _ := metadata["namespace"].(string)
	if !ok || name == "" || providerID == "" || providerID == unknownID {
		return plannedCreate{}, false
	}
	return plannedCreate{
		Orphan: room.Orphan{URN: m.URN, ResourceType: m.Type, Parent: m.New.Parent, Provider: m.New.Provider, Inputs: m.New.Inputs},
		gvk:    gvk, namespace: namespace, objectName: name,
	}, true
}

// kubeGVK is the kind of a Kubernetes resource type token, e.g.
// kubernetes:apps/v1:Deployment or kubernetes:core/v1:Service.
func kubeGVK(typ string) (schema.GroupVersionKind, bool) {
	parts := strings.Split(typ, ":")
	if len(parts) != 3 || parts[0] != "kubernetes" {
		return schema.GroupVersionKind{}, false
	}
	gv, err := schema.ParseGroupVersion(strings.TrimPrefix(parts[1], "core/"))
	return gv.WithKind(parts[2]), err == nil
}

// existingPulumiObjects returns the creates whose object exists in cfg's
// cluster, written by a Pulumi provider, with its ID.
func existingPulumiObjects(ctx context.Context, cfg config.Config, creates []plannedCreate) ([]room.Orphan, error) {
	client, mapper, err := kubeClient(cfg)
	if err != nil {
		return nil, err
	}
	var out []room.Orphan
	for _, c := range creates {
		mapping, err := mapper.RESTMapping(c.gvk.GroupKind(), c.gvk.Version)
		if meta.IsNoMatchError(err) {
			continue // not an object of the cluster's API (helm.sh/v3 Release)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.URN, err)
		}
		var get dynamic.ResourceInterface = client.Resource(mapping.Resource)
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			if c.namespace == "" {
				continue // in the provider's default namespace: not known here
			}
			get = client.Resource(mapping.Resource).Namespace(c.namespace)
		} else {
			c.namespace = ""
		}
		obj, err := get.Get(ctx, c.objectName, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return nil, fmt.Errorf("reading %s: %w", c.id(), err)
		case writtenByPulumi(obj.GetManagedFields()):
			c.ID = c.id()
			out = append(out, c.Orphan)
		}
	}
	return out, nil
}

// writtenByPulumi tells an object a Pulumi provider wrote.
func writtenByPulumi(fields []metav1.ManagedFieldsEntry) bool {
	for _, f := range fields {
		if strings.HasPrefix(f.Manager, pulumiFieldManager) {
			return true
		}
	}
	return false
}

// kubeClient is a client of cfg's cluster: its kubeconfig (a path or the
// file's contents) and context, as the stack's provider uses them.
func kubeClient(cfg config.Config) (*dynamic.DynamicClient, meta.RESTMapper, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	var loader clientcmd.ClientConfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: cfg.KubeContext}
	if config.KubeconfigIsPath(cfg.Kubeconfig) {
		if cfg.Kubeconfig != "" {
			rules.ExplicitPath = cfg.Kubeconfig
		}
		loader = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	} else {
		raw, err := clientcmd.Load([]byte(cfg.Kubeconfig))
		if err != nil {
			return nil, nil, fmt.Errorf("the stack's kubeconfig: %w", err)
		}
		loader = clientcmd.NewNonInteractiveClientConfig(*raw, cfg.KubeContext, overrides, nil)
	}
	rest, err := loader.ClientConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("the stack's kubeconfig: %w", err)
	}
	client, err := dynamic.NewForConfig(rest)
	if err != nil {
		return nil, nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(rest)
	if err != nil {
		return nil, nil, err
	}
	return client, restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc)), nil
}

// id is the object's import ID: namespace/name, or name when cluster-scoped.
func (c plannedCreate) id() string {
	if c.namespace == "" {
		return c.objectName
	}
	return c.namespace + "/" + c.objectName
}
