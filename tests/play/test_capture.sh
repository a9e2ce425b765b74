#!/usr/bin/env bash
# Plain playback: what reaches the sound device is exactly what -w writes for
# the same text, minus the trimmed leading silence; nothing on stderr.
set -u
. "$(dirname "$0")/lib.sh"
capture_conf "$T/cap.conf" "$T/capture.raw"

DEV=
check() { # [DEV=N|NAME] check NAME ARGS... : play ARGS, write ARGS -w, compare
    local name=$1; shift
    rm -f "$T/capture.raw"
    ALSA_CONFIG_PATH="$T/cap.conf" "$K" ${DEV:+--device "$DEV"} "$@" > "$T/out" 2> "$T/err" < /dev/null
    local rc=$?
    [ $rc -eq 0 ] || fail "$name: exit $rc: $(head -3 "$T/err")"
    [ -s "$T/err" ] && fail "$name: stderr not empty: $(head -3 "$T/err")"
    [ -s "$T/out" ] && fail "$name: stdout not empty"
    [ -s "$T/capture.raw" ] || fail "$name: nothing captured"
    "$K" "$@" -w "$T/ref.wav" < /dev/null || fail "$name: -w failed"
    python3 "$SRC/tests/play/pcmcmp.py" "$T/capture.raw" "$T/ref.wav" || fail "$name: capture differs from -w"
}

check short "Сәлем, әлем!"
printf 'Бүгін Астанада жиналыс өтті. Оған көп адам қатысты!\n\nСодан кейін сөз сөйледі.\n' > "$T/text.txt"
check file -f "$T/text.txt"
check fast -s 500 -f "$T/text.txt"
DEV=default check device-by-name "Қалың қалай?"
DEV=0 check device-by-number "Қалың қалай?"
DEV=DEF check device-by-part "Қалың қалай?"
# piped text on stdin (no -f)
rm -f "$T/capture.raw"
ALSA_CONFIG_PATH="$T/cap.conf" "$K" < "$T/text.txt" 2> "$T/err" || fail "pipe: exit $?"
[ -s "$T/err" ] && fail "pipe: stderr not empty"
"$K" -w "$T/ref.wav" < "$T/text.txt" || fail "pipe: -w failed"
python3 "$SRC/tests/play/pcmcmp.py" "$T/capture.raw" "$T/ref.wav" || fail "pipe: capture differs"
echo "PASS"
