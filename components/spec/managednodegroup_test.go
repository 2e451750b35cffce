package spec

import (
	"strings"
	"testing"
)

func TestManagedNodeGroupRejectsBadArgs(t *testing.T) {
	for _, tc := range []struct {
		args ManagedNodeGroupArgs
		want []string
	}{
		{ManagedNodeGroupArgs{NodeGroupName: "ng", DesiredSize: ptr(5), MinSize: ptr(1), MaxSize: ptr(3)}, []string{"desiredSize = 5", "minSize <= desiredSize <= maxSize"}},
		{ManagedNodeGroupArgs{NodeGroupName: "ng", InstanceTypes: []string{"m5.large", "m7g.large"}}, []string{"mixes amd64 (x86_64) and arm64"}},
		{ManagedNodeGroupArgs{NodeGroupName: "ng", InstanceTypes: []string{"large"}, DiskSize: 8}, []string{`instanceTypes = "large"`, "diskSize = 8"}},
		{ManagedNodeGroupArgs{NodeGroupName: "ng", Taints: []Taint{{Key: "a", Effect: "NoRun"}}}, []string{`nodeTaints = "NoRun"`}},
		{ManagedNodeGroupArgs{NodeGroupName: "", Labels: map[string]string{"bad key!": "v"}}, []string{`nodeGroupName = ""`, `nodeLabels = "bad key!=v"`}},
	} {
		err := tc.args.Validate()
		if err == nil {
			t.Errorf("%+v: no error", tc.args)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	}
}
