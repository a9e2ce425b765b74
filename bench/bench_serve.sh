#!/usr/bin/env bash
# Load benchmark of `kazspeak serve` on 127.0.0.1: 50 concurrent requests of the
# sample's paragraphs (streamed WAV, then MP3); requests/s, p50/p95 latency and
# first-byte latency. usage: bench/bench_serve.sh [BUILD_DIR] [CONCURRENT] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-50}
jobs=${3:-$(nproc)}
export KAZSPEAK_DATA= ESPEAK_DATA_PATH=
python3 bench/bench_serve.py "$build/kazspeak" samples/assembly-news.txt "$n" "$jobs" wav
python3 bench/bench_serve.py "$build/kazspeak" samples/assembly-news.txt "$n" "$jobs" mp3
