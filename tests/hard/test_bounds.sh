#!/bin/bash
# One line bound for every mode: -f /dev/zero (an endless line of NUL bytes)
# stops --normalize, -x, -w and --stdout with the same one-line error, within
# seconds, and leaves no output file.
# usage: test_bounds.sh KAZSPEAK SRCDIR BUILDDIR
K=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
for mode in "--normalize" "-x" "-q -w $T/out.wav" "-q --stdout"; do
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  timeout 20 "$K" --no-user-lexicon $mode -f /dev/zero >/dev/null 2>"$T/err"
  rc=$?
  took=$(python3 -c "import time; print('%.1f' % (time.time() - $start))")
  if [ "$rc" -ne 1 ] || [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -q '^kazspeak: /dev/zero:1: line longer than 128 MiB' "$T/err"; then
    echo "FAIL: $mode -f /dev/zero: exit $rc after $took s: $(head -c 300 "$T/err")"
    fails=1
  else
    echo "ok: $mode -f /dev/zero: one-line error after $took s"
  fi
done
[ -e "$T/out.wav" ] && { echo "FAIL: out.wav was written"; fails=1; }
[ -z "$(ls -A "$T" | grep -v '^err$')" ] || { echo "FAIL: files left: $(ls -A "$T")"; fails=1; }
exit $fails
