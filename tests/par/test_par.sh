#!/usr/bin/env bash
# -j N on one output: the audio is sample-for-sample that of -j 1 and the captions
# are byte-identical, for several texts (the sample, invalid UTF-8, sentences far
# longer than the reader's 64 KiB cut, blank lines, one-word sentences); a signal,
# a killed worker or a failing sink leave no output file.
source "$(dirname "$0")/../cli/lib.sh"
command -v python3 >/dev/null || { echo "no python3" >&2; exit 77; }
SAMPLE="$SRC/samples/assembly-news.txt"
LANGOPT=""

# the data chunk of a WAV file (the header differs in nothing either, but compare what matters)
wavdata() { python3 -c "import wave,sys; w=wave.open(sys.argv[1]); sys.stdout.buffer.write(w.readframes(w.getnframes()))" "$1"; }

same_as_j1() { # NAME INPUT [JOBS...]   ($LANGOPT: extra options, e.g. --lang kk)
  local name=$1 in=$2; shift 2
  # shellcheck disable=SC2086
  "$KS" -q $LANGOPT -j 1 -f "$in" -w "$T/j1.wav" --captions "$T/j1.vtt" 2>"$T/j1.err"; local rc=$?
  ok; [ $rc -eq 0 ] || { fail "$name: -j 1 exit $rc: $(cat "$T/j1.err")"; return; }
  wavdata "$T/j1.wav" >"$T/j1.pcm"
  for j in "$@"; do
    # shellcheck disable=SC2086
    "$KS" -q $LANGOPT -j "$j" -f "$in" -w "$T/jn.wav" --captions "$T/jn.vtt" 2>"$T/jn.err"; rc=$?
    ok; [ $rc -eq 0 ] || { fail "$name: -j $j exit $rc: $(cat "$T/jn.err")"; continue; }
    wavdata "$T/jn.wav" >"$T/jn.pcm"
    ok; cmp -s "$T/j1.pcm" "$T/jn.pcm" || fail "$name: -j $j audio differs from -j 1 ($(stat -c %s "$T/j1.pcm") vs $(stat -c %s "$T/jn.pcm") bytes; $(cmp "$T/j1.pcm" "$T/jn.pcm" | head -1))"
    ok; cmp -s "$T/j1.wav" "$T/jn.wav" || fail "$name: -j $j WAV file differs from -j 1"
    ok; cmp -s "$T/j1.vtt" "$T/jn.vtt" || fail "$name: -j $j captions differ: $(diff "$T/j1.vtt" "$T/jn.vtt" | head -5)"
    ok; cmp -s "$T/j1.err" "$T/jn.err" || fail "$name: -j $j messages differ: $(cat "$T/j1.err") / $(cat "$T/jn.err")"
  done
}

for i in 1 2 3 4 5 6; do cat "$SAMPLE"; done >"$T/x6.txt"
same_as_j1 sample-x6 "$T/x6.txt" 2 3

# invalid UTF-8 in the middle, blank lines, one-word lines, a line with no terminator
python3 - "$SAMPLE" "$T/mixed.txt" <<'PY'
import sys
s = open(sys.argv[1], 'rb').read()
out = s + b"\n\n\xff\xfe \xc3 bad \xe2\x82 bytes.\n\n" + b"\xd0\x98\xd3\x99.\n" * 40 + s + b"\n\n\n" + s + b"\nno terminator at the end"
open(sys.argv[2], 'wb').write(out)
PY
same_as_j1 invalid-utf8 "$T/mixed.txt" 2 3
ok; grep -q "invalid UTF-8 at byte offset" "$T/jn.err" || fail "invalid-utf8: no warning with -j 3: $(cat "$T/jn.err")"

# sentences longer than the reader's 64 KiB cut (no terminator for 150 KB), then normal text
python3 - "$SAMPLE" "$T/long.txt" <<'PY'
import sys
s = open(sys.argv[1], encoding='utf-8').read()
words = " ".join(s.replace(".", " ").replace("!", " ").replace("?", " ").split())
long = (words + " ") * 30
open(sys.argv[2], 'w', encoding='utf-8').write(s + long[:150000] + ".\n" + s)
PY
# Known weakness: with --lang auto, caption cue starts inside a sentence cut at the
# 64 KiB bound can differ between -j 1 and -j N (the audio is identical); the
# identity of everything is checked with the language fixed.
LANGOPT="--lang kk" same_as_j1 long-sentences "$T/long.txt" 2 3
"$KS" -q -j 1 -f "$T/long.txt" -w "$T/a1.wav" 2>/dev/null && "$KS" -q -j 2 -f "$T/long.txt" -w "$T/a2.wav" 2>/dev/null
ok; cmp -s "$T/a1.wav" "$T/a2.wav" || fail "long-sentences, --lang auto: -j 2 audio differs from -j 1"

# a short input keeps the one-process path and the same output
printf 'Сәлем, әлем! Бүгін 2024 жылғы 5 наурыз.\n' >"$T/short.txt"
same_as_j1 short "$T/short.txt" 2

# -j is accepted for one output; a bad value is a usage error
expect_fail "bad -j" 2 "-j \(jobs\) must be a whole number" -- "$KS" -j 0 -f "$T/short.txt" -w "$T/o.wav"

# Ctrl-C / SIGTERM while the workers run: exit 128+N, no output file, no temporary files
for i in $(seq 1 8); do cat "$T/x6.txt"; done >"$T/big.txt"
mkdir -p "$T/od" "$T/tmp"
for sig in INT TERM; do
  TMPDIR="$T/tmp" "$KS" -q -j 2 -f "$T/big.txt" -w "$T/od/sig.wav" 2>"$T/sig.err" &
  pid=$!
  sleep 0.8
  kill -s $sig $pid
  wait $pid; rc=$?
  want=$((128 + $(kill -l $sig)))
  ok; [ $rc -eq $want ] || fail "SIG$sig: exit $rc, want $want ($(cat "$T/sig.err"))"
  no_leftovers "$T/od" sig.wav
  ok; [ -z "$(ls -A "$T/tmp")" ] || fail "SIG$sig: temporary files left: $(ls -A "$T/tmp")"
  sleep 0.3
  ok; if ps -o pid= --ppid $pid 2>/dev/null | grep -q .; then fail "SIG$sig: workers still running"; fi
done

# a worker killed from outside: an error, no output file
"$KS" -q -j 2 -f "$T/big.txt" -w "$T/od/kill.wav" 2>"$T/kill.err" &
pid=$!
sleep 0.6
w=$(ps -o pid= --ppid $pid | head -1)
[ -n "$w" ] && kill -KILL $w
wait $pid; rc=$?
ok; [ $rc -eq 1 ] || fail "killed worker: exit $rc, want 1 ($(cat "$T/kill.err"))"
ok; grep -q "signal 9" "$T/kill.err" || fail "killed worker: message: $(cat "$T/kill.err")"
no_leftovers "$T/od" kill.wav

# the sink fails (full disk): an error, nothing left
if [ -w /dev/full ]; then
  "$KS" -q -j 2 -f "$T/x6.txt" -w /dev/full 2>"$T/full.err"; rc=$?
  ok; [ $rc -eq 1 ] || fail "/dev/full: exit $rc, want 1 ($(cat "$T/full.err"))"
fi
finish
