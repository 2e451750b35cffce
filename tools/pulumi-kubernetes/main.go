// Command pulumi-resource-kubernetes is the Kubernetes provider plugin, built
// from github.com/pulumi/pulumi-kubernetes/provider/v4 as upstream's own
// cmd/pulumi-resource-kubernetes/main.go builds it. That main package embeds
// files that upstream's `go generate` writes at build time, so it does not
// build as the proxy serves it; build.sh generates them here the same way
// from the module's schema.json and terraform-mapping.json (untracked).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var mapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, mapping)
}
