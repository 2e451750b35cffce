#!/usr/bin/env bash
# Builds the Pulumi CLI from source into OUTDIR/pulumi: github.com/pulumi/pulumi/pkg/v3
# at PULUMI_VERSION (internal/tools/versions.env), through this directory's module, whose
# go.mod mirrors pkg/v3's own replace lines and whose go.sum pins every dependency.
# The integration tests drive the real engine with it through the Automation API, which
# needs only this binary: inline Go programs run in the test process as the language host.
#   bash tools/pulumi/build.sh OUTDIR     (tools/install.sh pulumi calls it)
set -euo pipefail
out="${1:?usage: build.sh OUTDIR}"
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../../internal/tools/versions.env
source "$here/../../internal/tools/versions.env"

cd "$here"
pinned="$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)"
if [ "$pinned" != "$PULUMI_VERSION" ]; then
  echo "tools/pulumi/go.mod pins pkg/v3 $pinned but versions.env says PULUMI_VERSION=$PULUMI_VERSION;" >&2
  echo "run: cd tools/pulumi && go get -tool github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION && go mod tidy" >&2
  exit 1
fi
# Without the version stamp the CLI reports v0.0.0 and the Automation API
# refuses it. -s -w leaves out the debugger's tables: a shorter link.
go build -o "$out/pulumi" \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
"$out/pulumi" version
