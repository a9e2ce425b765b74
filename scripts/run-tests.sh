#!/usr/bin/env bash
# Install dependencies, then build and run the whole test suite:
#   0. a short libFuzzer smoke run of every fuzz target (scripts/fuzz-smoke.sh),
#   1. an ASan+UBSan build (-fno-sanitize-recover) running every test,
#   2. the CLI tests under valgrind on a short input (part of the suite: tests/cli),
#   3. the normal build running every test; its ctest summary ends the output.
# Usage: scripts/run-tests.sh [--quick]   (--quick: normal build only)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

jobs=2
asan_failed=0
if [ "${1:-}" != "--quick" ]; then
  echo "== fuzz smoke run (libFuzzer, ASan+UBSan)"
  scripts/fuzz-smoke.sh "${KS_FUZZ_SECONDS:-20}"
  echo "== ASan+UBSan build"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKS_SANITIZE=ON -DKS_WERROR=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  # valgrind cannot run sanitized binaries: skip the valgrind tests in this pass.
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -E valgrind; then
    echo "== the ASan+UBSan pass FAILED (see above); running the normal build's tests anyway"
    asan_failed=1
  fi
fi

echo "== normal build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKS_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
# ctest's own summary is the last thing printed; the exit status covers both passes.
status=0
ctest --test-dir build --output-on-failure -j"$jobs" || status=$?
[ "$asan_failed" -eq 0 ] || [ "$status" -ne 0 ] || status=1
exit "$status"
