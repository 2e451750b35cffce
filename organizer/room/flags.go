package room

import (
	"fmt"
	"slices"
	"strings"
)

// The room's flags, and the commands that adopt or only list.
const (
	FlagRoom      = "-room"
	FlagWholeRoom = "-whole-room"
	FlagDryRun    = "-dry-run"
	FlagBackend   = "-backend"
	// CommandAdopt marks the stacks of a room made before rooms had tags
	// as the room's: named explicitly, never guessed.
	CommandAdopt = "adopt"
)

// The flags every command that reaches the backend reads.
var backendFlags = []string{"state-dir", "backend", "secrets-provider", "engine-output", "parallel"}

// The flags that describe the room's cluster and participants.
var planFlags = []string{"participants", "participant", "cluster-config", "kubeconfig", "kube-context", "flask-image", "nginx-image"}

// commandFlags are the flags each command reads (without their dash); any
// other flag set on its command line is refused, so that -dry-run on a
// command that would ignore it never runs that command for real.
var commandFlags = map[string][]string{
	string(OpUp):      join(backendFlags, planFlags, []string{"room", "refresh", "ttl", "lease-wait"}),
	string(OpPreview): join(backendFlags, planFlags, []string{"room"}),
	string(OpDestroy): join(backendFlags, planFlags, []string{"room", "whole-room", "dry-run", "lease-wait"}),
	string(OpStatus):  join(backendFlags, planFlags, []string{"room"}),
	CommandAdopt:      join(backendFlags, planFlags, []string{"room", "dry-run"}),
	string(OpReap):    join(backendFlags, []string{"room", "dry-run", "lease-wait"}),
	CommandPlan:       planFlags,
	CommandHandout:    join(backendFlags, planFlags, []string{"room", "handout-dir"}),
	CommandReset:      join(backendFlags, planFlags, []string{"room", "refresh", "ttl", "lease-wait"}),
	CommandServe:      join(backendFlags, planFlags, []string{"room", "listen", "refresh-every"}),
	CommandRender:     join(planFlags, []string{"render-dir"}),
	"plugins":         join([]string{"state-dir", "kubeconfig", "kube-context", "flask-image", "nginx-image", "cluster-config"}),
}

func join(lists ...[]string) []string {
	var all []string
	for _, l := range lists {
		all = append(all, l...)
	}
	return all
}

// checkCommandFlags reports each flag in set (their names, without the
// dash) that command does not read.
func checkCommandFlags(command string, set []string) []string {
	allowed := commandFlags[command]
	var problems []string
	for _, name := range set {
		if !slices.Contains(allowed, name) {
			problems = append(problems, fmt.Sprintf("-%s: %s does not read it; it is for %s", name, command, strings.Join(commandsReading(name), ", ")))
		}
	}
	return problems
}

// commandsReading are the commands that read flag name, in Commands' order.
func commandsReading(name string) []string {
	var commands []string
	for _, c := range Commands {
		if slices.Contains(commandFlags[c], name) {
			commands = append(commands, c)
		}
	}
	return commands
}

// checkDestroyForm reports a destroy that does not say which form it is:
// with participants it destroys exactly those, with -whole-room every stack
// of the room, the cluster last; neither or both is refused.
func checkDestroyForm(participants int, wholeRoom bool) []string {
	switch {
	case participants > 0 && wholeRoom:
		return []string{fmt.Sprintf("%s with %d participant(s): want either participants (destroy exactly those, keep the cluster) or %s without any (destroy every stack of the room, the cluster last)", FlagWholeRoom, participants, FlagWholeRoom)}
	case participants == 0 && !wholeRoom:
		return []string{fmt.Sprintf("destroy names no participant: name the participants to destroy (-participant, -participants), or pass %s to destroy every stack of the room, the cluster last", FlagWholeRoom)}
	}
	return nil
}
