#!/usr/bin/env bash
# The test command (README "The two commands"; .ci/run runs exactly this).
# It first installs what is missing: Debian's packages for the Python tests
# and the pinned tools of internal/tools/versions.env (tools/install.sh, once
# per version, into ~/.cache/eks-workshop/tools). Then it runs every tier,
# each timed, all of them even when one fails:
#   go        go test -tags integration ./...   (mocks, real API server, kube-score,
#                                               the real engine and Kubernetes provider),
#             the organizer's heaviest tests in a second go test beside it
#   race      go test -race on organizer and organizer/room
#   python    /usr/bin/python3 -m pytest -q apps
#   mutation  gremlins on components/spec, stacks/config, synth,
#             organizer/room and internal/mutation, each held to the thresholds in .gremlins.yaml
#             (docs/mutation.md): a package replays its committed result
#             (testdata/mutation) while its inputs are unchanged, and is
#             mutated otherwise; EKS_WORKSHOP_MUTATION=0 leaves the tier out
#             of a local run, never out of CI's
#   breakages apps/flask/tests/breakages.py: Python's stand-in for mutation
#             testing, deliberate breakages of the flask app that its tests
#             must catch
# Everything has just been installed, so a test that still finds a tool
# missing fails rather than skips (EKS_WORKSHOP_REQUIRE_TOOLS=1; export it
# as 0 to let such tests skip).
#   bash tools/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh
export EKS_WORKSHOP_REQUIRE_TOOLS="${EKS_WORKSHOP_REQUIRE_TOOLS:-1}"

# Mutation testing; its thresholds and workers are in .gremlins.yaml.
# cmd/mutation runs gremlins on each package unless its committed result in
# testdata/mutation, or the local cache's, is of the same package, tests,
# data and tools; it names each stale committed result and the command that
# refreshes it (docs/mutation.md).
mutation_packages=(components/spec stacks/config synth organizer/room internal/mutation)

failed=()
summary=()
tier() {
  local name="$1" start=$SECONDS
  shift
  echo "=== $name: $*"
  "$@" || failed+=("$name")
  summary+=("$(printf '%-9s %4d s' "$name" $((SECONDS - start)))")
}

# The organizer's integration tests are most of the Go tier's time, on about
# one core (709 s of wall time for 782 CPU-seconds): its heaviest tests run
# in a second go test beside the first, which skips them. Each name is an
# organizer test and no other package's (internal/ci checks it).
organizer_beside='^(TestARoomOfTenLivesThroughUpResetHandoutBoardAndDestroy|TestRoomOnAnExistingCluster|TestTwoOrganizerProcessesForOneRoomTakeTurns|TestInterruptedUpConvergesWithoutCreatingAnythingTwice|TestReapDestroysOnlyExpiredStacksAndKeepsTheClusterWhileAParticipantRemains)$'
go_tier() {
  local log beside rc=0
  log="$(mktemp)"
  go test -timeout 30m -tags integration -run "$organizer_beside" ./organizer/ >"$log" 2>&1 &
  beside=$!
  go test -timeout 30m -tags integration -skip "$organizer_beside" ./... || rc=1
  wait "$beside" || rc=1
  echo "beside it, go test -run \"\$organizer_beside\" ./organizer/:"
  cat "$log"
  rm -f "$log"
  return "$rc"
}

tier go go_tier
# The organizer runs participants' stacks in goroutines: its packages' unit
# tests (the lease, the signals, the shared writers) again under the race
# detector. Its integration tests stay out: under -race they would add most
# of half an hour to a run that must end within CI's 90 minutes.
tier race go test -race -timeout 30m ./organizer/ ./organizer/room/
tier python /usr/bin/python3 -m pytest -q apps
if [ "${CI:-}" = true ] || [ "${EKS_WORKSHOP_MUTATION:-1}" != 0 ]; then tier mutation go run ./cmd/mutation "${mutation_packages[@]}"; fi
tier breakages /usr/bin/python3 apps/flask/tests/breakages.py

printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all tiers passed"
