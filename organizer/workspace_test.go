package organizer

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

func outputsEvent(typ string, outputs map[string]any) events.EngineEvent {
	return events.EngineEvent{EngineEvent: apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{
		Metadata: apitype.StepEventMetadata{Type: typ, New: &apitype.StepEventStateMetadata{Type: typ, Outputs: outputs}},
	}}}
}

// An update's outputs are the stack resource's last reported ones; another
// resource's outputs, and events of other kinds, are not the stack's.
func TestOutputsFromEventsAreTheStacks(t *testing.T) {
	engineEvents := make(chan events.EngineEvent, 4)
	engineEvents <- outputsEvent(stackType, map[string]any{outputInClusterURL: "http://old"})
	engineEvents <- outputsEvent("kubernetes:core/v1:Service", map[string]any{outputInClusterURL: "http://service"})
	engineEvents <- events.EngineEvent{EngineEvent: apitype.EngineEvent{SummaryEvent: &apitype.SummaryEvent{}}}
	engineEvents <- outputsEvent(stackType, map[string]any{outputInClusterURL: "http://demo-nginx.alice.svc.cluster.local"})
	close(engineEvents)
	seen := 0
	outputs := outputsFromEvents(engineEvents, func(events.EngineEvent) { seen++ })
	if seen != 4 {
		t.Errorf("the observer saw %d of the 4 events", seen)
	}
	if got := outputString(outputs, outputInClusterURL); got != "http://demo-nginx.alice.svc.cluster.local" || len(outputs) != 1 {
		t.Errorf("outputs %v, want the stack's last report", outputs)
	}

	// Control: with no stack event there are no outputs, whatever other resources report.
	engineEvents = make(chan events.EngineEvent, 1)
	engineEvents <- outputsEvent("kubernetes:core/v1:Service", map[string]any{outputInClusterURL: "http://service"})
	close(engineEvents)
	if outputs := outputsFromEvents(engineEvents, nil); len(outputs) != 0 {
		t.Errorf("outputs %v from a Service's event, want none", outputs)
	}
}

func TestAStacksURLIsItsALBsWhenItHasOne(t *testing.T) {
	inCluster := auto.OutputMap{outputInClusterURL: auto.OutputValue{Value: "http://demo-nginx.alice.svc.cluster.local"}}
	if got := stackURL(inCluster); got != "http://demo-nginx.alice.svc.cluster.local" {
		t.Errorf("on an existing cluster: %q", got)
	}
	inCluster[outputALBURL] = auto.OutputValue{Value: "http://room-alice.elb.example"}
	if got := stackURL(inCluster); got != "http://room-alice.elb.example" {
		t.Errorf("with an ALB: %q", got)
	}
	if got := stackURL(auto.OutputMap{}); got != "" {
		t.Errorf("with neither: %q", got)
	}
}
