#!/usr/bin/env bash
# Bad-input matrix: each row asserts the exit status, the one-line message (or
# none), that the program finishes in bounded time, and that no output file is
# left behind on failure.
source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

# --- inputs
printf 'Сәлем \xff\xfe әлем 5-ке\nекінші \xc3 жол\n' >"$T/badutf8.txt"
printf 'Бір\0екі 5-ке\0\0үш\n' >"$T/nul.txt"
: >"$T/empty.txt"
python3 -c "import sys; sys.stdout.write('а' * (5 * 1024 * 1024) + '\n')" >"$T/longline.txt"        # 10 MB, no spaces
python3 -c "import sys; sys.stdout.write('7' * 10000 + '-ке\n')" >"$T/digits.txt"
python3 -c "import sys; sys.stdout.write('Сәлем' + '!' * 200000 + ' ' + '.' * 200000 + '\n')" >"$T/punct.txt"
python3 -c "import sys; sys.stdout.write(('5-' * 100000) + '\n' + ('ҚР-' * 50000) + '\n' + ('1 ' * 200000) + '\n')" >"$T/repeat.txt"

timed() { timeout 120 "$@"; }

# --normalize rows: status 0, one line out per line in, bounded time
norm_row() {
  local name=$1 file=$2 lines_in warn=$3
  timed "$KS" --normalize -f "$file" >"$T/out" 2>"$T/err"; local rc=$?
  ok; [ $rc -eq 0 ] || { fail "$name: --normalize exit $rc: $(head -c 300 "$T/err")"; return; }
  lines_in=$(wc -l <"$file")
  ok; [ "$(wc -l <"$T/out")" -eq "$lines_in" ] || fail "$name: $(wc -l <"$T/out") output lines for $lines_in input lines"
  if [ -n "$warn" ]; then
    ok; [ "$(wc -l <"$T/err")" -eq 1 ] && grep -Eq "$warn" "$T/err" || fail "$name: stderr '$(head -c 300 "$T/err")' !~ /$warn/"
  else
    ok; [ ! -s "$T/err" ] || fail "$name: unexpected stderr: $(head -c 300 "$T/err")"
  fi
  ok; iconv -f UTF-8 -t UTF-8 "$T/out" >/dev/null 2>&1 || fail "$name: output is not valid UTF-8"
}
norm_row "invalid UTF-8" "$T/badutf8.txt" "badutf8.txt: invalid UTF-8 at byte offset 11 "
ok; grep -q "�" "$T/out" || fail "invalid UTF-8: no U+FFFD in output"
norm_row "NUL bytes" "$T/nul.txt" ""
ok; [ "$(tr -d '\000' <"$T/out" | wc -c)" -eq "$(wc -c <"$T/out")" ] || fail "NUL bytes reached the output"
ok; grep -q "беске" "$T/out" || fail "NUL row: '5-ке' not normalized: $(cat "$T/out")"
norm_row "empty input" "$T/empty.txt" ""
norm_row "10 MB line" "$T/longline.txt" ""
norm_row "10 000-digit number" "$T/digits.txt" ""
ok; grep -q "жеті жеті жеті" "$T/out" || fail "long number not read digit by digit"
norm_row "200 000 punctuation marks" "$T/punct.txt" ""
norm_row "repeated patterns" "$T/repeat.txt" ""

# -w rows: the speech comes out or the error is clean
w_row() {
  local name=$1 want=$2 re=$3; shift 3
  rm -f "$T/o.wav"
  timed "$KS" -q -w "$T/o.wav" "$@" >"$T/out" 2>"$T/err"; local rc=$?
  ok; [ $rc -eq "$want" ] || { fail "$name: -w exit $rc, want $want: $(head -c 300 "$T/err")"; return; }
  if [ "$want" -ne 0 ]; then
    no_leftovers "$T" o.wav
    ok; [ "$(wc -l <"$T/err")" -eq 1 ] && grep -Eq "$re" "$T/err" || fail "$name: stderr '$(cat "$T/err")' !~ /$re/"
  else
    ok; [ -s "$T/o.wav" ] || fail "$name: no o.wav"
    if [ -n "$re" ]; then ok; grep -Eq "$re" "$T/err" || fail "$name: stderr '$(cat "$T/err")' !~ /$re/"; fi
  fi
}
w_row "invalid UTF-8 -w" 0 "invalid UTF-8" -f "$T/badutf8.txt"
w_row "NUL -w" 0 "" -f "$T/nul.txt"
w_row "empty -w" 0 "" -f "$T/empty.txt"
python3 -c "import sys; sys.stdout.write('а' * 100000 + '\n')" >"$T/line100k.txt"
w_row "100 KB word -w" 0 "" -f "$T/line100k.txt"
python3 -c "import sys; sys.stdout.write('Сәлем' + '!' * 200000 + '\n')" >"$T/punct2.txt"
w_row "200 000 '!' -w" 0 "" -f "$T/punct2.txt"
w_row "missing input" 1 "nope.txt: No such file or directory" -f "$T/nope.txt"
w_row "directory input" 1 "is a directory" -f "$T"
printf 'x\tbroken line without the header\n' >"$T/bad.tsv"
w_row "bad lexicon" 1 "bad.tsv:1" --lexicon "$T/bad.tsv" "сәлем"
printf 'loudness 3\n' >"$T/v.voice"
w_row "voice unknown key" 1 "v.voice:1: unknown key 'loudness'" -v "$T/v.voice" "сәлем"
# Control bytes never reach eSpeak as embedded commands (0x01 + "500S" would
# switch it to 500 wpm): the audio equals the audio with a space instead.
printf 'сәлем \001500S достар \00110A қалайсыздар бүгін ауа райы жақсы\n' >"$T/ctl.txt"
tr '\001' ' ' <"$T/ctl.txt" >"$T/ctl-space.txt"
"$KS" -q -f "$T/ctl.txt" -w "$T/ctl.wav" && "$KS" -q -f "$T/ctl-space.txt" -w "$T/ctl-space.wav" || fail "control bytes: synthesis failed"
ok; [ "$(soxi -s "$T/ctl.wav")" = "$(soxi -s "$T/ctl-space.wav")" ] || fail "control bytes changed the speech: $(soxi -s "$T/ctl.wav") vs $(soxi -s "$T/ctl-space.wav") samples"
finish
