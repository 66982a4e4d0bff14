#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang and runs each for a bounded time over its
# checked-in corpus. Crashes are saved as files named crash-* in build/fuzz/artifacts/.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-30}
cd "$repo_root"
bash ci/build.sh fuzz
artifacts=build/fuzz/artifacts
mkdir -p "$artifacts"
status=0
while IFS= read -r fuzzer; do
  name=$(basename "$fuzzer")
  corpus_src=$(dirname "$(grep -rl --include=CMakeLists.txt "$name" target | head -n 1)")/fuzz_corpus
  work=$(mktemp -d)
  [ -d "$corpus_src" ] && cp -r "$corpus_src/." "$work/"
  echo "== fuzz $name for ${seconds}s =="
  if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/$name-" "$work" >"$artifacts/$name.log" 2>&1; then
    echo "fuzz $name FAILED; see $artifacts/$name.log"; tail -n 30 "$artifacts/$name.log"; status=1
  else
    grep -E '^(#[0-9]+|Done)' "$artifacts/$name.log" | tail -n 1
  fi
  rm -rf "$work"
done < <(find build/fuzz -type f -perm -u+x -name '*_fuzz' | sort)
exit "$status"
