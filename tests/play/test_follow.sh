#!/usr/bin/env bash
# --follow: each line is spoken as its own utterance (leading silence
# trimmed), in order; an empty line ends after the queue (later lines are
# ignored, the program does not wait for the end of the input); --interrupt
# lets the newest line win.  Captured for real through the ALSA file plugin.
set -u
. "$(dirname "$0")/lib.sh"
capture_conf "$T/cap.conf" "$T/capture.raw"
l1="Бірінші жол."
l2="Екінші жол, тағы бір сөз."
# Reference: both lines spoken by one process (eSpeak keeps state between
# utterances), cut where the first line ends.
"$K" "$l1" -w "$T/a.wav" || fail "-w a"
printf '%s\n%s\n' "$l1" "$l2" | "$K" -w "$T/ab.wav" || fail "-w ab"
n1=$(python3 -c 'import wave,sys; print(wave.open(sys.argv[1]).getnframes())' "$T/a.wav")
"$K" "$l2" -w "$T/b.wav" || fail "-w b"

# two lines, then end of input
printf '%s\n%s\n' "$l1" "$l2" | ALSA_CONFIG_PATH="$T/cap.conf" "$K" --follow 2> "$T/err"
rc=$?
[ $rc -eq 0 ] || fail "two lines: exit $rc: $(cat "$T/err")"
[ -s "$T/err" ] && fail "two lines: stderr: $(cat "$T/err")"
python3 "$SRC/tests/play/pcmcmp.py" "$T/capture.raw" "$T/ab.wav::$n1" "$T/ab.wav:$n1" || fail "two lines: capture"

# lines arriving apart, CRLF, last line without a newline
rm -f "$T/capture.raw"
{ printf '%s\r\n' "$l1"; sleep 0.3; printf '%s' "$l2"; } | ALSA_CONFIG_PATH="$T/cap.conf" "$K" --follow 2> "$T/err" ||
    fail "apart: exit $?: $(cat "$T/err")"
python3 "$SRC/tests/play/pcmcmp.py" "$T/capture.raw" "$T/ab.wav::$n1" "$T/ab.wav:$n1" || fail "apart: capture"

# an empty line ends at once (the writer is still open), later lines ignored
rm -f "$T/capture.raw"
{ printf '%s\n\n%s\n' "$l1" "$l2"; sleep 20; } | timeout 15 env ALSA_CONFIG_PATH="$T/cap.conf" "$K" --follow 2> "$T/err"
rc=$?
[ $rc -eq 0 ] || fail "empty line: exit $rc (124 = did not end at the empty line): $(cat "$T/err")"
python3 "$SRC/tests/play/pcmcmp.py" "$T/capture.raw" "$T/a.wav" || fail "empty line: capture is not just line 1"

# --interrupt: two lines arriving together -> the newest wins
rm -f "$T/capture.raw"
printf '%s\n%s\n' "$l1" "$l2" | ALSA_CONFIG_PATH="$T/cap.conf" "$K" --follow --interrupt 2> "$T/err" ||
    fail "interrupt: exit $?: $(cat "$T/err")"
python3 "$SRC/tests/play/pcmcmp.py" "$T/capture.raw" "$T/b.wav" || fail "interrupt: capture is not just line 2"

# usage errors
"$K" --follow "text" 2>/dev/null; [ $? -eq 2 ] || fail "--follow with a text argument should be a usage error"
"$K" --interrupt 2>/dev/null < /dev/null; [ $? -eq 2 ] || fail "--interrupt without --follow should be a usage error"
"$K" --follow -w "$T/x.wav" 2>/dev/null < /dev/null; [ $? -eq 2 ] || fail "--follow -w should be a usage error"
echo PASS
