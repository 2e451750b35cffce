#!/usr/bin/env bash
# Installs the pinned tools the integration tests and CI use, each kit into
# $EKS_WORKSHOP_TOOLS/<kit>-<version> (default ~/.cache/eks-workshop/tools),
# from the Go module proxy and Debian; the kit `apps` is the Debian packages
# the Python tests need. An installed kit is kept: the directory name carries
# the version, so a bump in internal/tools/versions.env installs the new one
# beside it. tools/test.sh runs it before the tests.
#   bash tools/install.sh            # every kit
#   bash tools/install.sh kwok pulumi
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=../internal/tools/versions.env
source "$root/internal/tools/versions.env"
tools_dir="${EKS_WORKSHOP_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-workshop/tools}"

# go_install KIT VERSION PACKAGE: go install PACKAGE@VERSION into the kit's directory.
go_install() {
  local dir="$tools_dir/$1-$2"
  [ -x "$dir/$(basename "$3")" ] && return 0
  echo "installing $1 $2"
  GOBIN="$dir.tmp" go install "$3@$2"
  mv "$dir.tmp" "$dir"
}

# build KIT VERSION: run tools/<kit>/build.sh OUTDIR, atomically.
build() {
  local dir="$tools_dir/$1-$2"
  [ -d "$dir" ] && return 0
  echo "building $1 $2"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  bash "$here/$1/build.sh" "$dir.tmp"
  mv "$dir.tmp" "$dir"
}

apt_install() {
  local missing=() sudo=() start=$SECONDS
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "installing Debian's ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "run as root, or: apt-get install ${missing[*]}" >&2; return 1; }
    sudo=(sudo)
  fi
  # Waits for another apt run to let go of its lock rather than failing.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
    install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "Debian's packages took $((SECONDS - start)) s"
}

# debian_packages KIT: the kit's Debian packages.
debian_packages() {
  case "$1" in
    # What the Python tests run on (no PyPI here): /usr/bin/python3's.
    apps) echo python3-flask python3-requests python3-gevent python3-pytest gunicorn nginx-light ;;
    kubernetes) echo etcd-server ;;
    # The room board's test renders the page in headless Chromium.
    browser) echo chromium ;;
  esac
}

# install_kit KIT: the kit's Go part (its Debian packages are installed apart).
install_kit() {
  case "$1" in
    apps | browser) ;;
    kubernetes) build kubernetes "$KUBERNETES_VERSION" ;;
    kwok) go_install kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok ;;
    kube-score) go_install kube-score "$KUBE_SCORE_VERSION" github.com/zegl/kube-score/cmd/kube-score ;;
    actionlint) go_install actionlint "$ACTIONLINT_VERSION" github.com/rhysd/actionlint/cmd/actionlint ;;
    gremlins) go_install gremlins "$GREMLINS_VERSION" github.com/go-gremlins/gremlins/cmd/gremlins ;;
    pulumi) build pulumi "$PULUMI_VERSION" ;;
    pulumi-kubernetes) build pulumi-kubernetes "$PULUMI_KUBERNETES_VERSION" ;;
    *) echo "unknown kit $1 (apps, browser, kubernetes, kwok, kube-score, actionlint, gremlins, pulumi, pulumi-kubernetes)" >&2; return 2 ;;
  esac
}

mkdir -p "$tools_dir"
kits=("$@")
[ "${#kits[@]}" -gt 0 ] || kits=(apps browser kubernetes kwok kube-score actionlint gremlins pulumi pulumi-kubernetes)

# On a cold machine the waits on the network overlap the compiles: apt runs
# in the background, and so does a download of the dependencies of the
# wrapper modules built after the Kubernetes kit (whose own build downloads
# first thing). The download is a head start only: each build fetches what
# is still missing and fails on its own errors.
debs=()
for kit in "${kits[@]}"; do read -ra more <<<"$(debian_packages "$kit")"; debs+=("${more[@]}"); done
apt_install "${debs[@]}" &
apt_pid=$!
prefetch=()
for kit in pulumi pulumi-kubernetes; do
  version_var="$(echo "$kit" | tr a-z- A-Z_)_VERSION"
  [[ " ${kits[*]} " == *" $kit "* ]] && [ ! -d "$tools_dir/$kit-${!version_var}" ] && prefetch+=("$here/$kit")
done
for dir in "${prefetch[@]}"; do (cd "$dir" && GOWORK=off go mod download) || true; done >/dev/null 2>&1 &
prefetch_pid=$!

# Each kit says what it took when it had to be installed (a cold run's breakdown).
for kit in "${kits[@]}"; do
  start=$SECONDS
  install_kit "$kit"
  [ $((SECONDS - start)) -lt 2 ] || echo "$kit took $((SECONDS - start)) s"
done
wait "$prefetch_pid" || true
wait "$apt_pid"
