#!/usr/bin/env bash
# Every CLI error path: one-line message, non-zero status, nothing left behind.
source "$(dirname "$0")/lib.sh"

expect_fail "bad flag" 2 "unknown option '--frobnicate'" -- "$KS" --frobnicate
expect_fail "missing value" 2 "option '-w' needs a value" -- "$KS" -w
expect_fail "rate too high" 2 "-s \(rate\) must be a whole number from 80 to 1000, not '5000'" -- "$KS" -s 5000 -w "$T/x.wav" "сәлем"
expect_fail "rate not a number" 2 "not '12abc'" -- "$KS" -s 12abc "сәлем"
expect_fail "pitch" 2 "-p \(pitch\) must be" -- "$KS" -p 101 "сәлем"
expect_fail "-w /dev/stdout" 2 "-w /dev/stdout: to write audio to standard output use --stdout" -- "$KS" -w /dev/stdout "сәлем"
expect_fail "-w -" 2 "-w -: to write audio to standard output use --stdout" -- "$KS" -w - "сәлем"
expect_fail "-w with --stdout" 2 "cannot be used together" -- "$KS" -w "$T/a.wav" --stdout "сәлем"
expect_fail "text and -f" 2 "not both" -- "$KS" -f "$SRC/samples/assembly-news.txt" "сәлем"
expect_fail "unknown extension" 2 "x.xyz: unknown audio format '.xyz' \(known: wav, flac, ogg, opus, mp3\)" -- "$KS" -w "$T/x.xyz" "сәлем"
no_leftovers "$T" x.xyz
expect_fail "missing input" 1 "nonexistent.txt: No such file or directory" -- "$KS" -f "$T/nonexistent.txt" -w "$T/y.wav"
no_leftovers "$T" y.wav
mkdir -p "$T/adir"
expect_fail "directory input" 1 "adir: is a directory" -- "$KS" -f "$T/adir" -w "$T/y.wav"
no_leftovers "$T" y.wav
expect_fail "unknown voice" 1 "unknown voice 'nosuchvoice'" -- "$KS" -v nosuchvoice -w "$T/y.wav" "сәлем"
no_leftovers "$T" y.wav

printf 'name broken\nespeak kk\nloudness 7\n' >"$T/bad.voice"
expect_fail "voice unknown key" 1 "bad.voice:3: unknown key 'loudness'" -- "$KS" -v "$T/bad.voice" -w "$T/y.wav" "сәлем"
printf 'name broken\nrate fast\n' >"$T/bad2.voice"
expect_fail "voice bad value" 1 "bad2.voice:2: rate must be a whole number from 80 to 1000" -- "$KS" -v "$T/bad2.voice" -w "$T/y.wav" "сәлем"
printf '# variant that does not exist\nespeak kk+nosuchvariant\n' >"$T/bad3.voice"
expect_fail "voice unknown variant" 1 "bad3.voice:2: unknown eSpeak variant 'nosuchvariant'" -- "$KS" -v "$T/bad3.voice" -w "$T/y.wav" "сәлем"
no_leftovers "$T" y.wav

# Unwritable folder: root ignores permissions, so use a path under a regular file.
touch "$T/plainfile"
expect_fail "folder is a file" 1 "plainfile/out.wav" -- "$KS" -w "$T/plainfile/out.wav" "сәлем"
expect_fail "missing folder" 1 "nosuchdir/out.wav" -- "$KS" -w "$T/nosuchdir/out.wav" "сәлем"
expect_fail "/dev/full as -w" 1 "/dev/full: No space left on device" -- "$KS" -w /dev/full "сәлем"
# --stdout into /dev/full: the write fails with ENOSPC.
"$KS" --stdout "сәлем әлем" >/dev/full 2>"$T/err"; rc=$?
ok; [ $rc -ne 0 ] || fail "--stdout >/dev/full exited 0"
ok; grep -q "No space left on device" "$T/err" || fail "--stdout >/dev/full: message '$(cat "$T/err")'"
ok; [ "$(wc -l <"$T/err")" -eq 1 ] || fail "--stdout >/dev/full: not one line: $(cat "$T/err")"

# Broken lexicon: file:line in the message.
printf 'this line is not a valid lexicon line\n' >"$T/bad.tsv"
"$KS" --lexicon "$T/bad.tsv" --normalize </dev/null >"$T/out" 2>"$T/err"; rc=$?
ok; [ $rc -eq 1 ] || fail "bad lexicon: exit $rc"
ok; grep -q "bad.tsv:1" "$T/err" || fail "bad lexicon: message '$(cat "$T/err")' lacks bad.tsv:1"

# Bad data folder.
expect_fail "bad --data-dir" 1 "nosuchdata: data folder" -- "$KS" --data-dir "$T/nosuchdata" --normalize

finish
