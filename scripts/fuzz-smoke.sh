#!/usr/bin/env bash
# Build the libFuzzer targets (clang, ASan+UBSan) and run each for a short time
# on its seed corpus. Usage: scripts/fuzz-smoke.sh [SECONDS_PER_TARGET] (default 20).
# Any crash fails the script and leaves the reproducer in build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DKS_FUZZ=ON -DKS_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j2 >/dev/null
status=0
for bin in build-fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin"); target=${name#fuzz_}
  corpus=tests/fuzz/corpus/$target
  work=build-fuzz/corpus-$target
  mkdir -p "$work"
  args=("$work")
  [ -d "$corpus" ] && args+=("$corpus")
  dict=tests/fuzz/$target.dict
  extra=()
  [ -f "$dict" ] && extra+=("-dict=$dict")
  if "$bin" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=build-fuzz/ "${extra[@]}" "${args[@]}" >"build-fuzz/fuzz-$target.log" 2>&1; then
    echo "fuzz $target: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "build-fuzz/fuzz-$target.log" | tail -1) ok"
  else
    echo "fuzz $target: FAILED (see build-fuzz/fuzz-$target.log)"; tail -30 "build-fuzz/fuzz-$target.log"; status=1
  fi
done
exit $status
