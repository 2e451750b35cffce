package room

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/eks-workshop/eks-workshop/components/spec"
	"github.com/eks-workshop/eks-workshop/internal/doccheck"
	"github.com/eks-workshop/eks-workshop/stacks/config"
)

// roomOf is the dev cluster with n participants, sized.
func roomOf(t *testing.T, cluster config.Config, n int) *Capacity {
	t.Helper()
	var participants []Participant
	for i := range n {
		participants = append(participants, Participant{Name: fmt.Sprintf("p%02d", i)})
	}
	plan, err := NewPlan(cluster, participants)
	if err != nil {
		t.Fatal(err)
	}
	c, err := plan.Capacity()
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	if err := c.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + table.String())
	return c
}

// One m5.large by hand:
//
//	capacity     2 vCPU = 2000m; 8192Mi x (1 - 0.075) = 7577.6 -> 7577Mi; 29 pods (eni-max-pods.txt)
//	kube-reserved CPU  6% of the 1st core + 1% of the 2nd = 60m + 10m = 70m
//	kube-reserved mem  11 x 29 + 255 = 574Mi; eviction 100Mi
//	allocatable  1930m, 7577 - 574 - 100 = 6903Mi, 29 pods
//	DaemonSets   aws-node 50m + kube-proxy 100m + ebs-csi-node 30m/120Mi
//	             + cloudwatch-agent 250m/128Mi + fluent-bit 50m/25Mi = 480m, 273Mi, 5 pods
//	left         1450m, 6630Mi, 24 pods
func TestOneM5LargeNodeAfterEKSReservationsAndDaemonSets(t *testing.T) {
	m5, ok := LookupInstanceType("m5.large")
	if !ok || m5.MaxPods != 29 {
		t.Fatalf("m5.large: %+v, want 29 pods without prefix delegation", m5)
	}
	if got := m5.KubeReserved(); got != (Resources{70, 574}) {
		t.Errorf("kube-reserved %+v, want 70m, 574Mi", got)
	}
	if got := m5.Allocatable(); got != (Resources{1930, 6903}) {
		t.Errorf("allocatable %+v, want 1930m, 6903Mi", got)
	}
	c := roomOf(t, devConfig(t), 0)
	if c.PerNode != (NodeRoom{Free: Resources{1450, 6630}, Slots: 24}) {
		t.Errorf("left per node %+v, want 1450m, 6630Mi, 24 pods", c.PerNode)
	}
	// The CPU steps past four cores: m5.4xlarge (16 vCPU) reserves
	// 60 + 10 + 2 x 5 + 12 x 2.5 = 110m; its memory, 11 x 234 + 255 = 2829Mi.
	m5x4, _ := LookupInstanceType("m5.4xlarge")
	if got := m5x4.KubeReserved(); got != (Resources{110, 2829}) {
		t.Errorf("m5.4xlarge kube-reserved %+v, want 110m, 2829Mi", got)
	}
}

// What every room runs besides the participants, by hand:
//
//	add-ons (not DaemonSets): coredns 2 x 100m/70Mi, metrics-server 2 x 100m/200Mi,
//	  ebs-csi-controller 2 x 50m/200Mi, CloudWatch operator 100m/64Mi,
//	  load balancer controller x2, cluster-autoscaler: no requests
//	  = 10 pods, 600m, 1004Mi
//	the cluster stack's apps at the HPA minimum: flask 250m/128Mi + nginx 50m/32Mi
//	  = 2 pods, 300m, 160Mi; at the maximum 10 of each: 20 pods, 3000m, 1600Mi
//	each participant: the same as the cluster stack's apps.
func TestTenParticipantsFitAtTheMinimumAndWarnBeforeTheMaximum(t *testing.T) {
	c := roomOf(t, devConfig(t), 10)
	// Minimum: 10 + 2 + 10 x 2 = 32 pods; 600 + 300 + 10 x 300 = 3900m;
	// 1004 + 160 + 10 x 160 = 2764Mi. CPU binds: 3900 / 1450 = 2.7 -> 3 nodes.
	if want := (Fit{Pods: 32, Requests: Resources{3900, 2764}, Nodes: 3}); c.AtMin != want {
		t.Errorf("at the HPA minimum %+v, want %+v", c.AtMin, want)
	}
	// Maximum: 10 + 20 + 10 x 20 = 230 pods; 600 + 3000 + 10 x 3000 = 33600m;
	// 1004 + 1600 + 10 x 1600 = 18604Mi. 33600 / 1450 = 23.2 -> 24 nodes.
	if want := (Fit{Pods: 230, Requests: Resources{33600, 18604}, Nodes: 24}); c.AtMax != want {
		t.Errorf("at the HPA maximum %+v, want %+v", c.AtMax, want)
	}
	if err := c.Err(); err != nil {
		t.Fatalf("refused a room that fits: %v", err)
	}
	// Every HPA at 2 replicas: 600 + 11 x 2 x 300 = 7200m <= 5 x 1450 = 7250m;
	// at 3: 600 + 11 x 3 x 300 = 10500m > 7250m. So pods stay Pending past 2,
	// when a flask pair runs above 2 x 50% x 250m = 250m of load, nginx above 50m.
	if c.ScalesTo != 2 {
		t.Errorf("every HPA can reach %d replicas, want 2", c.ScalesTo)
	}
	warning := c.Warning()
	for _, says := range []string{"past 2 replica(s)", "demo-flask-backend above 250m CPU of load", "demo-nginx above 50m CPU of load",
		"need 24 × m5.large", "eks-workshop:maxSize = 5: want at least 24"} {
		if !strings.Contains(warning, says) {
			t.Errorf("warning %q\ndoes not say %q", warning, says)
		}
	}
}

func TestThirtyParticipantsAreRefusedWithWhatWouldFit(t *testing.T) {
	c := roomOf(t, devConfig(t), 30)
	// 10 + 2 + 30 x 2 = 72 pods; 600 + 300 + 30 x 300 = 9900m; 1004 + 160 +
	// 30 x 160 = 5964Mi. 9900 / 1450 = 6.8 -> 7 m5.large, above maxSize 5.
	if want := (Fit{Pods: 72, Requests: Resources{9900, 5964}, Nodes: 7}); c.AtMin != want {
		t.Errorf("at the HPA minimum %+v, want %+v", c.AtMin, want)
	}
	// m5.xlarge: 4000 - (60 + 10 + 2 x 5) = 3920m allocatable, 3440m left;
	// 9900 / 3440 = 2.9 -> 3 nodes, within 5.
	var refused *CapacityError
	if err := c.Err(); !errors.As(err, &refused) {
		t.Fatalf("a room that needs 7 nodes of 5 was not refused: %v", err)
	}
	for _, says := range []string{"72 pods requesting 9900m CPU and 5964Mi need 7 × m5.large",
		"eks-workshop:maxSize = 5: want at least 7", `eks-workshop:instanceTypes = ["m5.large"]: [m5.xlarge] holds it on 3 node(s)`} {
		if !strings.Contains(c.Err().Error(), says) {
			t.Errorf("refusal %q\ndoes not say %q", c.Err(), says)
		}
	}
	if c.Warning() != "" {
		t.Errorf("a refused room also warns: %q", c.Warning())
	}
}

func TestSixtyParticipantsNeedFourteenM5LargeOrThreeM5TwoXLarge(t *testing.T) {
	c := roomOf(t, devConfig(t), 60)
	// 10 + 2 + 120 = 132 pods; 600 + 300 + 60 x 300 = 18900m; 1004 + 160 +
	// 60 x 160 = 10764Mi. 18900 / 1450 = 13.03 -> 14 m5.large.
	if want := (Fit{Pods: 132, Requests: Resources{18900, 10764}, Nodes: 14}); c.AtMin != want {
		t.Errorf("at the HPA minimum %+v, want %+v", c.AtMin, want)
	}
	// m5.xlarge: 18900 / 3440 = 5.5 -> 6 > 5. m5.2xlarge: 8000 - 90 = 7910m,
	// 7430m left, 53 pod Slots: 18900 / 7430 = 2.5 and 132 / 53 = 2.5 -> 3.
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "[m5.2xlarge] holds it on 3 node(s)") ||
		!strings.Contains(err.Error(), "want at least 14") {
		t.Errorf("refusal: %v", err)
	}
}

// Negative controls for the derivation: what the configuration leaves out
// is not counted, and the sizes the Cluster Autoscaler cannot reach are not
// offered.
func TestTheCountFollowsTheConfiguration(t *testing.T) {
	cfg := devConfig(t)
	cfg.ClusterAutoscaler = false
	cfg.PodIdentity = true
	c := roomOf(t, cfg, 10)
	// No autoscaler: the group stays at desiredSize 3; 3 nodes hold the
	// minimum (3900m < 3 x 1450 = 4350m, less the pod-identity agent's slot).
	if c.Available() != 3 || !c.FitsAtMinimum() {
		t.Errorf("available %d, fits %v: want 3 nodes that hold the minimum", c.Available(), c.FitsAtMinimum())
	}
	names := map[string]bool{}
	for _, w := range c.Workloads {
		names[w.Name] = true
	}
	if names["cluster-autoscaler"] || !names["eks-pod-identity-agent"] {
		t.Errorf("workloads %v: want the pod identity agent and no autoscaler", names)
	}
	if c.PerNode.Slots != 29-6 {
		t.Errorf("%d pod slots left, want 23 with six DaemonSets", c.PerNode.Slots)
	}
	if !strings.Contains(c.Warning(), "eks-workshop:desiredSize = 3") {
		t.Errorf("without the autoscaler the fix is desiredSize: %q", c.Warning())
	}
}

// The add-ons' requests were read at the versions the configuration pins;
// raising a pin without rechecking addons.go fails here, and the table says so.
func TestAddonRequestsWereReadAtThePinnedVersions(t *testing.T) {
	_, notes := addonWorkloads(config.DefaultConfig())
	if len(notes) > 0 {
		t.Errorf("the add-on table is stale:\n%s", strings.Join(notes, "\n"))
	}
	cfg := config.DefaultConfig()
	cfg.AddonVersions.MetricsServer = "3.14.0"
	if _, notes := addonWorkloads(cfg); len(notes) != 1 || !strings.Contains(notes[0], "metrics-server: requests read at 3.13.1, the configuration pins 3.14.0") {
		t.Errorf("a raised pin is not noted: %q", notes)
	}
	// Replicas the program sets are the program's own constants.
	for _, p := range systemPods {
		if p.Name == "aws-load-balancer-controller" && p.Replicas != spec.LoadBalancerControllerReplicas ||
			p.Name == "metrics-server" && p.Replicas != spec.MetricsServerReplicas {
			t.Errorf("%s: %d replicas, not the program's", p.Name, p.Replicas)
		}
	}
}

func TestAnInstanceTypeOutsideTheTableIsNamed(t *testing.T) {
	cfg := devConfig(t)
	cfg.InstanceTypes = []string{"m5.large", "x9.huge"}
	plan, err := NewPlan(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Capacity(); err == nil || !strings.Contains(err.Error(), `eks-workshop:instanceTypes = ["x9.huge"]`) {
		t.Errorf("unknown type: %v", err)
	}
}

// What `organizer plan` prints (the table, the warning, the refusal)
// refers to no issue and no machine's history.
func TestPlanOutputSpeaksToTheUser(t *testing.T) {
	for _, n := range []int{10, 30} {
		c := roomOf(t, devConfig(t), n)
		var out strings.Builder
		if err := c.WriteTable(&out); err != nil {
			t.Fatal(err)
		}
		out.WriteString(c.Warning())
		if err := c.Err(); err != nil {
			out.WriteString(err.Error())
		}
		for _, f := range doccheck.Find(out.String()) {
			t.Errorf("plan for %d participants: %s", n, f)
		}
	}
}
