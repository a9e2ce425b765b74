#!/bin/bash
# Speech starts when the sentence ends, also on a pipe that stays open:
# --stdout (audio), -x (phonemes) and --normalize (text) each answer a finished
# sentence (or line) while the writer keeps the pipe open. The bound here is
# generous (a loaded CI machine); bench/bench_pipe.sh reports the real figures.
# usage: test_pipe.sh KAZSPEAK SRCDIR BUILDDIR
K=$1
SRC=$2
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
fails=0
for mode in stdout phonemes normalize; do
  out=$(python3 "$SRC/tests/reader/pipe_latency.py" "$K" "$mode" 3) || { echo "FAIL: $out"; fails=1; continue; }
  echo "$out" | tail -1
  max=$(echo "$out" | tail -1 | sed -n 's/.*max \([0-9.]*\) ms.*/\1/p')
  if ! python3 -c "import sys; sys.exit(0 if float('$max') < 1000 else 1)"; then
    echo "FAIL: $mode: a finished sentence took $max ms to come out of an open pipe"
    fails=1
  fi
done
exit $fails
