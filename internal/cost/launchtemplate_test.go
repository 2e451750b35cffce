package cost

import (
	"strings"
	"testing"
)

// A node group launched from a template of its own (EKS refuses diskSize
// beside one) is priced with the template's root volume size; the template
// itself is never billed. Without the template's size the default 20 GiB
// would show (negative control: another template's size is not read).
func TestNodeGroupRootVolumesFromItsLaunchTemplate(t *testing.T) {
	template := func(name string, size float64) Resource {
		return Resource{Type: typeLaunchTemplate, Name: name, Inputs: map[string]any{
			"blockDeviceMappings": []any{map[string]any{"deviceName": "/dev/xvda", "ebs": map[string]any{"volumeSize": size}}},
		}}
	}
	group := func(templateName string) Resource {
		return Resource{Type: "eks:index:ManagedNodeGroup", Name: "nodes", Remote: true, Component: true, Inputs: map[string]any{
			"instanceTypes":  []any{"m5.large"},
			"scalingConfig":  map[string]any{"desiredSize": 3.0, "maxSize": 3.0},
			"launchTemplate": map[string]any{"id": "<computed:" + templateName + ".id>", "version": "1"},
		}}
	}
	volumes := func(resources ...Resource) string {
		e := EstimateResources("s", "ap-northeast-2", resources, table(t), DefaultUsage())
		if len(e.NotPriced) != 0 {
			t.Errorf("not priced: %+v", e.NotPriced)
		}
		for _, l := range e.Lines {
			for _, it := range l.Items {
				if strings.HasPrefix(it.What, "root volumes") {
					return it.What + " = " + it.Quantity.FloatString(0)
				}
			}
		}
		return ""
	}
	if got := volumes(template("lt", 50), group("lt")); got != "root volumes, 50 GiB gp3 per node = 150" {
		t.Errorf("with its template: %q", got)
	}
	if got := volumes(template("other", 50), group("lt")); got != "root volumes, 20 GiB gp3 per node = 60" {
		t.Errorf("another group's template: %q", got)
	}
	if rootVolumeSize(map[string]any{}) != "" {
		t.Error("a template with no block device has a root volume size")
	}
}
