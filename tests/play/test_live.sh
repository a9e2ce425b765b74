#!/usr/bin/env bash
# -i driven through a pseudo-terminal against a paced output (a JACK server
# with the dummy driver; jack_rec records what was played): pause/resume
# (silence while paused, resumes where it stopped), next/previous/speed/
# repeat/quit, Ctrl-C, text on stdin with keys from /dev/tty, -s 600 without
# underflows, --follow --interrupt cutting a line off; the terminal
# settings are restored every time.  Needs the Debian package jackd2.
set -u
. "$(dirname "$0")/lib.sh"
for tool in jackd jack_rec jack_lsp; do
    command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool missing (apt-get install jackd2)"; exit 77; }
done
cat > "$T/live.txt" <<'TXT'
Бүгін Астанада үлкен жиналыс өтті, оған көп адам қатысты.
Содан кейін министр сөз сөйледі және жаңа жоспарды таныстырды.
Соңында барлығы алғыс айтты.
TXT
"$K" -f "$T/live.txt" -w "$T/all.wav" || fail "-w all"
head -1 "$T/live.txt" | "$K" -w "$T/s1.wav" || fail "-w s1"
rc=0
for scenario in pause keys ctrlc pipe fast interrupt; do
    python3 "$SRC/tests/play/livedrive.py" $scenario "$K" "$T/live.txt" "$T"
    r=$?
    [ $r -eq 77 ] && exit 77
    [ $r -eq 0 ] || { echo "FAIL: scenario $scenario"; rc=1; }
done
[ $rc -eq 0 ] && echo PASS
exit $rc
