#!/usr/bin/env bash
# SIGINT/SIGTERM during a long -w: no file under the final name, temp file gone,
# a one-line message, non-zero status.
source "$(dirname "$0")/lib.sh"
for i in $(seq 1 40); do cat "$SRC/samples/assembly-news.txt"; done >"$T/long.txt"
for sig in INT TERM; do
  for ext in wav mp3; do
    "$KS" -q -f "$T/long.txt" -w "$T/out.$ext" 2>"$T/err" &
    pid=$!
    # wait until the temporary file exists and has grown
    for _ in $(seq 1 100); do
      f=$(ls -A "$T" | grep "^\.out\.$ext\." | head -1)
      [ -n "$f" ] && [ "$(stat -c %s "$T/$f" 2>/dev/null || echo 0)" -gt 20000 ] && break
      sleep 0.05
    done
    kill -s $sig $pid
    wait $pid; rc=$?
    ok; [ $rc -ne 0 ] || fail "SIG$sig $ext: exit 0"
    no_leftovers "$T" "out.$ext"
    ok; grep -q "interrupted by signal" "$T/err" || fail "SIG$sig $ext: message '$(cat "$T/err")'"
    ok; [ "$(wc -l <"$T/err")" -eq 1 ] || fail "SIG$sig $ext: not one line: $(cat "$T/err")"
  done
done
finish
