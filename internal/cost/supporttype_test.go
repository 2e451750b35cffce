package cost

import (
	"strings"
	"testing"
	"time"

	"github.com/eks-workshop/eks-workshop/components/spec"
)

// The control plane's rate follows its support type: past standard
// support, EXTENDED (or EKS's default, unset) bills the extended rate and
// STANDARD the standard one, EKS having upgraded the cluster.
func TestClusterRateFollowsTheSupportType(t *testing.T) {
	tab := table(t)
	tab.Date = time.Date(2027, 3, 28, 0, 0, 0, 0, time.UTC) // 1.35's first day of extended support
	for supportType, want := range map[string]float64{"EXTENDED": spec.EKSClusterHourExtendedUSD, "": spec.EKSClusterHourExtendedUSD, "STANDARD": spec.EKSClusterHourStandardUSD} {
		c := cluster("1.35")
		c.Inputs["name"] = "eks-prod"
		standin := Resource{Type: "aws:eks/cluster:Cluster", Name: "c-eksCluster", Standin: true,
			Inputs: map[string]any{"name": "eks-prod", "version": "1.35"}}
		if supportType != "" {
			standin.Inputs["upgradePolicy"] = map[string]any{"supportType": supportType}
		}
		e := EstimateResources("s", "ap-northeast-2", []Resource{standin, c}, tab, DefaultUsage())
		if len(e.Lines) != 1 || len(e.Lines[0].Items) != 1 {
			t.Fatalf("%q: lines %+v, want one", supportType, e.Lines)
		}
		it := e.Lines[0].Items[0]
		if rate, _ := it.Rate.Float64(); rate != want {
			t.Errorf("%q: %s/h, want %.2f", supportType, it.Rate.FloatString(2), want)
		}
		if supportType == "STANDARD" && !strings.Contains(it.What, "upgraded by EKS") {
			t.Errorf("STANDARD: %q", it.What)
		}
	}
}
