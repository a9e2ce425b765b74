#!/usr/bin/env bash
# kazspeak serve under load: 50 concurrent requests of the sample's paragraphs on
# 127.0.0.1 must all succeed (bench/bench_serve.py prints requests/s and p50/p95).
set -u
K=$1 SRC=$2 BUILD=$3
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 missing"; exit 77; }
export KAZSPEAK_DATA= ESPEAK_DATA_PATH=
python3 "$SRC/bench/bench_serve.py" "$K" "$SRC/samples/assembly-news.txt" 50 2 wav || exit 1
echo PASS
