#!/bin/bash
# Normalizer throughput in MB/s on the sample text repeated to 50 MB (target >= 50 MB/s, one core).
# Usage: bench/bench_normalize.sh [BUILD_DIR] [MEGABYTES] [SAMPLE]
#   BUILD_DIR defaults to build-bench (configured here as a Release build; only the static library is built).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-bench}
mb=${2:-50}
sample=${3:-}
if [ -z "$sample" ]; then
    for s in "$src/samples/assembly-news.txt"; do
        [ -f "$s" ] && { sample=$s; break; }
    done
fi
[ -n "$sample" ] && [ -f "$sample" ] || { echo "no sample text found; pass it as the 3rd argument" >&2; exit 1; }
if [ ! -f "$build/libkazspeak.a" ]; then
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DKS_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target kazspeak_static -j2 >/dev/null
bin="$build/bench_normalize"
libs=$(pkg-config --libs espeak-ng portaudio-2.0 sndfile samplerate lame opus ogg soxr libebur128 libutf8proc alsa)
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$src/src/include" "$src/bench/bench_normalize.c" \
    "$build/libkazspeak.a" $libs -lpthread -ldl -lm -o "$bin"
echo "sample: $sample"
"$bin" "$sample" "$src/lexicon" "$mb"
