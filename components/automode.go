package components

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// AutoModeAddonsArgs configures AutoModeAddons: the validated arguments,
// and the provider of the Auto Mode cluster they go into.
type AutoModeAddonsArgs struct {
	spec.AutoModeArgs
	// KubernetesProvider reaches the cluster. Required.
	KubernetesProvider pulumi.ProviderResource
}

// AutoModeAddons is what an EKS Auto Mode cluster needs that EKS does not
// create: the IngressClass (with its IngressClassParams) that puts the
// apps' Ingresses on one internet-facing ALB, the default encrypted gp3
// StorageClass, the ConfigMap that turns network policies on, and
// metrics-server for the HPAs.
type AutoModeAddons struct {
	pulumi.ResourceState

	IngressClassName pulumi.StringOutput `pulumi:"ingressClassName"`
	StorageClassName pulumi.StringOutput `pulumi:"storageClassName"`

	// IngressClass is what Ingresses depend on: it must exist before them
	// and outlive them, so that Auto Mode deletes their ALB.
	IngressClass pulumi.Resource `pulumi:"-"`
}

// NewAutoModeAddons registers the add-ons of an Auto Mode cluster.
func NewAutoModeAddons(ctx *pulumi.Context, name string, args *AutoModeAddonsArgs, opts ...pulumi.ResourceOption) (*AutoModeAddons, error) {
	if args == nil {
		args = &AutoModeAddonsArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("auto mode add-ons %q: %w", name, err)
	}
	if args.KubernetesProvider == nil {
		return nil, fmt.Errorf("auto mode add-ons %q: KubernetesProvider is required", name)
	}
	a := args.WithDefaults()
	c := &AutoModeAddons{}
	if err := ctx.RegisterComponentResource("eks-workshop:index:AutoModeAddons", name, c, opts...); err != nil {
		return nil, err
	}
	onCluster := []pulumi.ResourceOption{pulumi.Parent(c), pulumi.Provider(args.KubernetesProvider)}
	if _, err := metricsServerChart(ctx, name, a.MetricsServerVersion, false, onCluster...); err != nil {
		return nil, err
	}
	ingressClass, err := autoModeIngressClass(ctx, name, a, onCluster)
	if err != nil {
		return nil, err
	}
	if err := autoModeStorageClass(ctx, name, a, onCluster); err != nil {
		return nil, err
	}
	if err := autoModeNetworkPolicy(ctx, name, a, onCluster); err != nil {
		return nil, err
	}
	c.IngressClass = ingressClass
	c.IngressClassName = pulumi.String(a.IngressClassName).ToStringOutput()
	c.StorageClassName = pulumi.String(a.StorageClassName).ToStringOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"ingressClassName": c.IngressClassName,
		"storageClassName": c.StorageClassName,
	})
}

// autoModeIngressClass registers the IngressClassParams and the
// IngressClass that hands Ingresses to Auto Mode's load balancing: one
// internet-facing ALB for the group (Auto Mode takes the group's name only
// from here, spec.group.name; it refuses the group.name annotation).
func autoModeIngressClass(ctx *pulumi.Context, name string, a spec.AutoModeArgs, onCluster []pulumi.ResourceOption) (*networkingv1.IngressClass, error) {
	params, err := apiextensions.NewCustomResource(ctx, name+"-ingressclassparams", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(spec.AutoModeParamsGroup + "/" + spec.AutoModeParamsVersion),
		Kind:       pulumi.String(spec.AutoModeIngressClassParams),
		Metadata:   metav1.ObjectMetaArgs{Name: pulumi.String(a.IngressClassName)},
		OtherFields: map[string]any{"spec": map[string]any{
			"scheme": "internet-facing",
			"group":  map[string]any{"name": a.IngressGroupName},
		}},
	}, onCluster...)
	if err != nil {
		return nil, err
	}
	return networkingv1.NewIngressClass(ctx, name+"-ingressclass", &networkingv1.IngressClassArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(a.IngressClassName)},
		Spec: networkingv1.IngressClassSpecArgs{
			Controller: pulumi.String(spec.AutoModeIngressController),
			Parameters: networkingv1.IngressClassParametersReferenceArgs{
				ApiGroup: pulumi.String(spec.AutoModeParamsGroup),
				Kind:     pulumi.String(spec.AutoModeIngressClassParams),
				Name:     pulumi.String(a.IngressClassName),
			},
		},
	}, append(onCluster, pulumi.DependsOn([]pulumi.Resource{params}))...)
}

// autoModeStorageClass registers the cluster's default StorageClass: gp3
// volumes, encrypted (with the account's aws/ebs key), created for the
// zone of the first pod that uses them (create-storage-class.adoc).
func autoModeStorageClass(ctx *pulumi.Context, name string, a spec.AutoModeArgs, onCluster []pulumi.ResourceOption) error {
	_, err := storagev1.NewStorageClass(ctx, name+"-storageclass", &storagev1.StorageClassArgs{
		Metadata: metav1.ObjectMetaArgs{
			Name:        pulumi.String(a.StorageClassName),
			Annotations: pulumi.StringMap{"storageclass.kubernetes.io/is-default-class": pulumi.String("true")},
		},
		Provisioner:          pulumi.String(spec.AutoModeEBSProvisioner),
		VolumeBindingMode:    pulumi.String("WaitForFirstConsumer"),
		ReclaimPolicy:        pulumi.String("Delete"),
		AllowVolumeExpansion: pulumi.Bool(true),
		Parameters:           pulumi.StringMap{"type": pulumi.String("gp3"), "encrypted": pulumi.String("true")},
	}, onCluster...)
	return err
}

// autoModeNetworkPolicy turns Auto Mode's network policy controller on,
// with NetworkPolicy: without it the apps' NetworkPolicies do nothing.
func autoModeNetworkPolicy(ctx *pulumi.Context, name string, a spec.AutoModeArgs, onCluster []pulumi.ResourceOption) error {
	if !a.NetworkPolicy {
		return nil
	}
	_, err := corev1.NewConfigMap(ctx, name+"-network-policy", &corev1.ConfigMapArgs{
		Metadata: metav1.ObjectMetaArgs{
			Name:      pulumi.String(spec.AutoModeNetworkPolicyConfigMap),
			Namespace: pulumi.String("kube-system"),
		},
		Data: pulumi.StringMap{spec.AutoModeNetworkPolicyKey: pulumi.String("true")},
	}, onCluster...)
	return err
}
