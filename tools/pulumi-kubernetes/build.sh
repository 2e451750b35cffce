#!/usr/bin/env bash
# Builds the Kubernetes provider plugin into OUTDIR/pulumi-resource-kubernetes:
# github.com/pulumi/pulumi-kubernetes/provider/v4 at PULUMI_KUBERNETES_VERSION
# (internal/tools/versions.env), through this directory's module, whose go.sum
# pins every dependency. Upstream's main package embeds files its build
# generates, so main.go here stands in for it, and this script does what
# upstream's `go generate` does: the module's schema.json, with the version
# set, and terraform-mapping.json, both compacted, next to main.go.
# The engine uses a provider found on PATH, so tests put OUTDIR there.
#   bash tools/pulumi-kubernetes/build.sh OUTDIR  (tools/install.sh pulumi-kubernetes calls it)
set -euo pipefail
out="${1:?usage: build.sh OUTDIR}"
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../../internal/tools/versions.env
source "$here/../../internal/tools/versions.env"

cd "$here"
export GOWORK=off CGO_ENABLED=0
module=github.com/pulumi/pulumi-kubernetes/provider/v4
pinned="$(go list -m -f '{{.Version}}' "$module")"
if [ "$pinned" != "$PULUMI_KUBERNETES_VERSION" ]; then
  echo "tools/pulumi-kubernetes/go.mod pins provider/v4 $pinned but versions.env says PULUMI_KUBERNETES_VERSION=$PULUMI_KUBERNETES_VERSION;" >&2
  echo "run: cd tools/pulumi-kubernetes && go get $module@$PULUMI_KUBERNETES_VERSION && go mod tidy" >&2
  exit 1
fi
# Upstream stamps the version without its leading v (pulumictl's generic form).
version="${PULUMI_KUBERNETES_VERSION#v}"
gen="$(mktemp -d "$here/.generate.XXXXXX")"
trap 'rm -rf "$gen"' EXIT
# go list -m prints no directory for a module not yet in the module cache (a
# fresh machine), so download it first and fail if it is still not there.
go mod download "$module"
src="$(go list -m -f '{{.Dir}}' "$module")"
[ -d "$src" ] || { echo "$module $PULUMI_KUBERNETES_VERSION: not in the module cache after go mod download" >&2; exit 1; }
cp "$src"/cmd/pulumi-resource-kubernetes/{generate.go,schema.json,terraform-mapping.json} "$gen"
chmod u+w "$gen"/*
# generate.go reads and writes ./ and builds with this module's pkg/v3.
(cd "$gen" && VERSION="$version" go run ./generate.go)
cp "$gen/schema-embed.json" "$gen/terraform-mapping-embed.json" "$here/"
# -s -w leaves out the debugger's tables: 12 s less of link, 78 MB less of binary.
go build -o "$out/pulumi-resource-kubernetes" \
  -ldflags "-s -w -X $module/pkg/version.Version=$version" .
