#!/usr/bin/env bash
# The test command: installs what is missing, builds the Release and the ASan+UBSan builds,
# runs every test in both with ctest, then runs each fuzzer for a bounded time.
# Usage: ci/test.sh [--quick]   (--quick: Release build only, no fuzzing)
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
quick=0
[ "${1:-}" = "--quick" ] && quick=1

# Each phase's wall time, printed as it ends, so a slow CI run says where its time went.
started=$SECONDS
phase_began=$SECONDS
phase_done() {
  echo "== phase $1: $((SECONDS - phase_began)) s (total $((SECONDS - started)) s) =="
  phase_began=$SECONDS
}

bash ci/install-deps.sh
phase_done install-deps
export FIO="$repo_root/.deps/fio/bin/fio"

status=0
run_ctest() {
  local preset=$1
  shift
  echo "== ctest ($preset) =="
  # ctest prints its summary line ("100% tests passed, 0 tests failed out of N").
  if ! ctest --preset "$preset" --timeout 900 -j 1 "$@"; then
    status=1
  fi
}

bash ci/build.sh release
phase_done "build (release)"
run_ctest release
phase_done "ctest (release)"
if [ "$quick" -eq 0 ]; then
  bash ci/build.sh asan
  phase_done "build (asan)"
  # The long end-to-end runs (conformance, fio, the CLI, every isolation fault kind, the
  # durability crash cycles) prove behaviour in the Release build; under the sanitizers
  # every other test runs, the hostile-input, CHAP/digest and TMF-fencing tests and the
  # adapters' SIGKILL-and-restart tests included, which keeps CI within its time budget on
  # two cores.
  run_ctest asan -E '^(iscsi_test_cu_test|fio_verify_test|iscsi_harness_cli_test|isolation_reference_test|durability_reference_test)$'
  phase_done "ctest (asan)"
  bash ci/fuzz.sh "${REFTARGET_FUZZ_SECONDS:-20}" || status=1
  phase_done fuzz
fi
exit "$status"
