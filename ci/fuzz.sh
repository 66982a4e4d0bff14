#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (ASan+UBSan) and runs each for a bounded time,
# starting from its checked-in corpus. Crashing inputs are saved under build/fuzz/artifacts/
# as NAME-crash-*; copy them into the corpus so the replay tests keep them fixed.
# Usage: ci/fuzz.sh [SECONDS_PER_FUZZER]
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-30}
cd "$repo_root"
# fuzzer name -> checked-in corpus
declare -A corpus=(
  [iscsi_pdu_fuzz]=target/iscsi/pdu/fuzz_corpus
  [iscsi_login_fuzz]=target/iscsi/login/fuzz_corpus
  [config_fuzz]=target/config/fuzz_corpus
)
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${REFTARGET_BUILD_JOBS:-$(nproc)}" --target "${!corpus[@]}"
artifacts=build/fuzz/artifacts
mkdir -p "$artifacts"
status=0
for name in $(printf '%s\n' "${!corpus[@]}" | sort); do
  fuzzer=$(find build/fuzz -type f -name "$name" -perm -u+x | head -n 1)
  [ -n "$fuzzer" ] || { echo "fuzz: $name was not built" >&2; status=1; continue; }
  work=$(mktemp -d)
  cp -r "${corpus[$name]}/." "$work/"
  echo "== fuzz $name for ${seconds}s =="
  if "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/$name-" "$work" >"$artifacts/$name.log" 2>&1; then
    grep -E '^(#[0-9]+|Done)' "$artifacts/$name.log" | tail -n 1
  else
    echo "fuzz $name FAILED; see $artifacts/$name.log"
    tail -n 30 "$artifacts/$name.log"
    status=1
  fi
  rm -rf "$work"
done
exit "$status"
