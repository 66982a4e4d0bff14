#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs every suite of iscsi-harness
# against the embedded reference target (reftarget, started by the harness on a free
# loopback port with LUN profiles of every backstore kind), then prints the report's path.
# Exit status (iscsi-harness's contract): 0 all passed, 1 a test failed, 2 could not run.
# Usage: ci/main-job.sh [OUT_DIR] [extra iscsi-harness run options, e.g. --profile quick]
set -uo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root" || exit 2
out=${1:-$repo_root/out/main-$(date +%Y%m%d-%H%M%S)}
shift || true
mkdir -p "$out" || { echo "main-job: cannot create $out" >&2; exit 2; }
out=$(cd "$out" && pwd)

bash ci/install-deps.sh || exit 2
echo "main-job: building (log: $out/build.log)" >&2
{ cmake --preset release && cmake --build --preset release --target iscsi-harness; } \
  >"$out/build.log" 2>&1 || { echo "main-job: build failed, see $out/build.log" >&2; exit 2; }

harness=$repo_root/build/release/harness/cli/iscsi-harness
"$harness" run --target reference --suites all --profile full --out "$out" "$@"
status=$?
echo "main-job: report: $out/report.json (also junit.xml, summary.md, index.html)" >&2
exit "$status"
