#!/usr/bin/env bash
# Configures and builds one preset: release (default), asan or fuzz.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
preset=${1:-release}
cd "$repo_root"
# ccache (installed by ci/install-deps.sh) makes repeated CI runs on one machine cheap; a
# cold cache costs nothing extra.
launcher=()
# Relative to the checkout, so that a clone in another folder reuses the cache.
export CCACHE_BASEDIR="$repo_root" CCACHE_NOHASHDIR=true
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake --preset "$preset" "${launcher[@]}" >/dev/null
# Two cores: two jobs, and one at a time in the sanitizer build (its objects are large).
jobs=${REFTARGET_BUILD_JOBS:-$(nproc)}
cmake --build --preset "$preset" -j "$jobs"
