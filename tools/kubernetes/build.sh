#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kube-scheduler of
# k8s.io/kubernetes $KUBERNETES_VERSION (internal/tools/versions.env) into
# OUTDIR, from the Go module proxy, through the wrapper module beside this
# script (its go.mod pins every staging module; its go.sum is committed).
# Called by tools/install.sh; about 7 minutes cold on two cores.
#   bash tools/kubernetes/build.sh OUTDIR
set -euo pipefail
out="${1:?usage: build.sh OUTDIR}"
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../../internal/tools/versions.env
source "$here/../../internal/tools/versions.env"

# The staging modules (k8s.io/api, k8s.io/apiserver, ...) are released as
# v0.X.Y alongside k8s.io/kubernetes v1.X.Y.
staging="v0.${KUBERNETES_VERSION#v1.}"
if ! grep -Eq "^(require |\s+)k8s\.io/kubernetes $KUBERNETES_VERSION( // indirect)?\$" "$here/go.mod" ||
  grep -E '^\s+k8s\.io/\S+ => ' "$here/go.mod" | grep -vq " $staging\$"; then
  echo "tools/kubernetes/go.mod does not pin k8s.io/kubernetes $KUBERNETES_VERSION with every staging module at $staging:" >&2
  echo "update its require and replace lines (mirror the replace block of k8s.io/kubernetes' go.mod), then run go mod tidy there" >&2
  exit 1
fi

# What `kube-apiserver --version` and the /version endpoint report, as the
# upstream release build stamps it.
minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

cd "$here"
export GOWORK=off CGO_ENABLED=0
# One go build for the three, so each link runs beside the other compiles.
go build -trimpath -ldflags "$ldflags" -o "$out/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
"$out/kube-apiserver" --version
