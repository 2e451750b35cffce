// Command organizer runs the workshop for a room: the shared cluster and one
// environment per participant, through the organizer package.
//
//	organizer [flags] up|preview|destroy|status|reap|plan|plugins
//
// It is wiring only: organizer.Main is the command, its command line
// organizer/room's ParseArgs, tested there without the Pulumi SDK.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/eks-workshop/eks-workshop/organizer"
	"github.com/eks-workshop/eks-workshop/organizer/room"
	"github.com/eks-workshop/eks-workshop/stacks"
)

// main hands SIGINT and SIGTERM to Main: the first stops the room's
// engines gracefully, the second forces them.
func main() {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	code := organizer.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr,
		organizer.Setup{Program: stacks.Program, Plugins: room.PinnedPlugins, Signals: signals})
	signal.Stop(signals)
	os.Exit(code)
}
