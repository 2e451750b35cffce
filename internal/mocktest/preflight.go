package mocktest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// DefaultQuotas are the mocked account's applied quotas: a new account's
// Elastic IPs (spec.ElasticIPQuota, 5) and an established account's
// on-demand standard vCPUs (64; a new account's varies).
var DefaultQuotas = map[string]float64{
	spec.ElasticIPQuota.Code:            float64(spec.ElasticIPQuota.Default),
	spec.OnDemandStandardVCPUQuota.Code: 64,
}

// preflightCall answers the read-only lookups of the stack's preflight.
func (m *Monitor) preflightCall(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	switch args.Token {
	case "aws:servicequotas/getServiceQuota:getServiceQuota":
		return m.serviceQuota(args.Args)
	case "aws:ec2/getEips:getEips":
		return m.eips(args.Args), nil
	case "aws:ec2/getInstanceType:getInstanceType":
		typ := args.Args["instanceType"].StringValue()
		return resource.NewPropertyMapFromMap(map[string]any{"id": typ, "instanceType": typ, "defaultVcpus": MockVCPUs(typ)}), nil
	}
	return m.addonVersion(args.Args)
}

func (m *Monitor) serviceQuota(args resource.PropertyMap) (resource.PropertyMap, error) {
	code := stringInput(args, "quotaCode", "")
	value, ok := m.Quotas[code]
	if !ok {
		if value, ok = DefaultQuotas[code]; !ok {
			return nil, fmt.Errorf("mocktest: no quota %q", code)
		}
	}
	service := stringInput(args, "serviceCode", "")
	return resource.NewPropertyMapFromMap(map[string]any{
		"id": service + "/" + code, "quotaCode": code, "serviceCode": service, "value": value,
		"arn": fmt.Sprintf("arn:aws:servicequotas:%s:%s:%s/%s", m.Region, AccountID, service, code),
	}), nil
}

// eips are the mocked region's addresses whose tags include the filter's.
func (m *Monitor) eips(args resource.PropertyMap) resource.PropertyMap {
	want := map[string]string{}
	if tags, ok := args["tags"]; ok && tags.IsObject() {
		for k, v := range tags.ObjectValue() {
			want[string(k)] = v.StringValue()
		}
	}
	ids := []any{}
	for i, tags := range m.ElasticIPs {
		if hasTags(tags, want) {
			ids = append(ids, fmt.Sprintf("eipalloc-%08d", i))
		}
	}
	return resource.NewPropertyMapFromMap(map[string]any{"id": m.Region, "allocationIds": ids, "publicIps": ids})
}

func hasTags(tags, want map[string]string) bool {
	for k, v := range want {
		if tags[k] != v {
			return false
		}
	}
	return true
}

// addonVersion answers aws:eks/getAddonVersion with the one build the
// mocked EKS offers, as both its default and its newest.
func (m *Monitor) addonVersion(args resource.PropertyMap) (resource.PropertyMap, error) {
	addon, version := stringInput(args, "addonName", ""), stringInput(args, "kubernetesVersion", "")
	build, ok := m.AddonBuilds[addon]
	if !ok {
		build = config.DefaultEKSAddonBuilds(version)[addon]
	}
	if build == "" {
		return nil, fmt.Errorf("mocktest: EKS offers no build of %s for Kubernetes %s", addon, version)
	}
	return resource.NewPropertyMapFromMap(map[string]any{
		"id": addon, "addonName": addon, "kubernetesVersion": version, "version": build,
	}), nil
}

// MockVCPUs are the vCPUs the mock gives an instance type: 2 up to
// "large", 4 per "xlarge" (m5.large 2, m5.4xlarge 16), as the general
// purpose families have.
func MockVCPUs(instanceType string) int {
	size := instanceType[strings.LastIndex(instanceType, ".")+1:]
	if !strings.HasSuffix(size, "xlarge") {
		return 2
	}
	n, err := strconv.Atoi(strings.TrimSuffix(size, "xlarge"))
	if err != nil {
		n = 1
	}
	return 4 * n
}
