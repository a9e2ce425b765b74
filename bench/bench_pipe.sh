#!/usr/bin/env bash
# Pipe latency: the time from writing one finished sentence into a pipe that
# stays open to kazspeak's first output (--stdout audio, -x phonemes,
# --normalize text). Prints the median and the maximum of N rounds per mode.
# usage: bench/bench_pipe.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${2:-15}
for mode in stdout phonemes normalize; do
  python3 tests/reader/pipe_latency.py "$build/kazspeak" "$mode" "$rounds" | tail -1
done
