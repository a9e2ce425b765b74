#!/usr/bin/env bash
# Read the bundled sample news text aloud; on a machine with no sound device,
# write it to sample.wav instead and say so.
set -uo pipefail
cd "$(dirname "$0")/.."
sample=samples/assembly-news.txt
err=$(mktemp)
trap 'rm -f "$err"' EXIT
build/kazspeak -f "$sample" 2>"$err"
rc=$?
[ $rc -eq 3 ] || cat "$err" >&2   # exit 3 = no sound device: handled below
if [ $rc -eq 3 ]; then
  echo "No sound device here: writing the sample to sample.wav instead." >&2
  build/kazspeak -f "$sample" -w sample.wav || exit 1
  secs=$(soxi -D sample.wav 2>/dev/null || echo "?")
  echo "Wrote sample.wav (${secs} s of speech from $sample)."
  exit 0
fi
exit $rc
