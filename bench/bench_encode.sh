#!/usr/bin/env bash
# Encoding-time benchmark (issue: speech files). Prints figures; not a test.
# Writes the bundled sample repeated N times (default 10) with -w to every
# format, best of R runs (default 3) each, and prints the wall time, the
# ratio to WAV (target <= 2.0), the file size and the average bit rate.
#   bench/bench_encode.sh [PROGRAM]     (default build/kazspeak)
# BENCH_REPEAT=N, BENCH_RUNS=R, BENCH_ARGS="--loudness -16" to add options.
set -euo pipefail
cd "$(dirname "$0")/.."
KS=${1:-${KS:-build/kazspeak}}
N=${BENCH_REPEAT:-10}
R=${BENCH_RUNS:-3}
read -r -a EXTRA <<<"${BENCH_ARGS:-}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for _ in $(seq 1 "$N"); do cat samples/assembly-news.txt; done >"$T/in.txt"

best() { # best wall time of R runs, in seconds
  local b="" s e t
  for _ in $(seq 1 "$R"); do
    s=$(date +%s.%N); "$@" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; return 1; }; e=$(date +%s.%N)
    t=$(awk -v s="$s" -v e="$e" 'BEGIN{print e - s}')
    if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN{exit !(t < b)}'; then b=$t; fi
  done
  echo "$b"
}

echo "input: sample x $N ($(wc -c <"$T/in.txt") bytes), best of $R, ${EXTRA[*]:-default options}"
printf '%-5s %8s %7s %9s %8s\n' format time/s xWAV size/kB kbit/s
wav=""
for ext in wav flac ogg mp3 opus; do
  t=$(best "$KS" -q "${EXTRA[@]}" -f "$T/in.txt" -w "$T/out.$ext")
  [ -n "$wav" ] || wav=$t
  size=$(stat -c %s "$T/out.$ext")
  dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/out.$ext" 2>/dev/null || echo 0)
  awk -v x="$ext" -v t="$t" -v w="$wav" -v s="$size" -v d="$dur" \
    'BEGIN{printf "%-5s %8.3f %7.2f %9.0f %8.1f\n", x, t, t / w, s / 1024, (d > 0 ? s * 8 / d / 1000 : 0)}'
done
