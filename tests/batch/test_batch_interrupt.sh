#!/bin/bash
# Batch mode stopped by SIGINT (Ctrl-C): the workers stop, no partial or
# temporary files are left, every file present is complete, the summary
# says what was not done, and a re-run finishes the rest.
# usage: test_batch_interrupt.sh KAZSPEAK SRCDIR BUILDDIR
K=$1
SRC=$2
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; [ -f "$T/err" ] && sed 's/^/  stderr: /' "$T/err"; exit 1; }

mkdir "$T/in"
for i in $(seq -w 1 40); do
    for r in 1 2 3; do cat "$SRC/samples/assembly-news.txt"; done >"$T/in/t$i.txt"
done
"$K" --batch -o "$T/out" -j 2 "$T/in" 2>"$T/err" &
pid=$!
# Wait (by condition, not by time) until some file is finished, then interrupt.
for _ in $(seq 1 2000); do
    ls "$T/out"/*.wav >/dev/null 2>&1 && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.01
done
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
if [ $rc -eq 0 ]; then
    echo "the batch finished before it could be interrupted"
    exit 77
fi
[ $rc -eq 130 ] || fail "exit $rc, want 130 (SIGINT)"
grep -q 'not done (interrupted)$' "$T/err" || fail "summary does not say what was not done"
[ -z "$(ls -A "$T/out" | grep '^\.')" ] || fail "temporary files left: $(ls -A "$T/out" | grep '^\.')"
n=$(ls "$T/out" | wc -l)
[ "$n" -lt 40 ] || fail "all 40 written although interrupted"
# No worker is left running (the parent reaps them all before it exits).
pgrep -f -- "-w $T/out/" >/dev/null && fail "workers still running"
for f in "$T/out"/*.wav; do
    [ -e "$f" ] || continue
    python3 - "$f" <<'PY' || fail "$f is incomplete"
import sys, wave
w = wave.open(sys.argv[1]); n = w.getnframes()
assert n > 0 and len(w.readframes(n)) == 2 * n
PY
done
# A re-run does the rest and skips what was done.
"$K" --batch -o "$T/out" -j 2 "$T/in" 2>"$T/err" || fail "re-run failed"
grep -q "^$((40 - n)) written, $n skipped, 0 failed$" "$T/err" || fail "re-run summary (had $n)"
echo "ok ($n of 40 done before the interrupt)"
