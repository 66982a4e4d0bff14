#!/usr/bin/env bash
# Configures and builds one preset: release (default), asan or fuzz.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
preset=${1:-release}
cd "$repo_root"
cmake --preset "$preset" >/dev/null
# Two cores: two jobs, and one at a time in the sanitizer build (its objects are large).
jobs=${REFTARGET_BUILD_JOBS:-$(nproc)}
cmake --build --preset "$preset" -j "$jobs"
