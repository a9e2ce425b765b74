#!/usr/bin/env bash
# Quality defaults and choices: MP3 64 kbit/s CBR mono with a LAME/Info header
# (players show the length), --bitrate / --quality per format, Opus 32 kbit/s
# at 24 kHz, Vorbis quality 3; invalid combinations are refused.
source "$(dirname "$0")/../cli/lib.sh"
command -v ffprobe >/dev/null || { echo "ffprobe not installed (Debian package ffmpeg)" >&2; exit 77; }
IN="$SRC/samples/assembly-news.txt"
probe() { ffprobe -v error -show_entries "$2" -of default=noprint_wrappers=1:nokey=1 "$1" 2>/dev/null | head -1; }
kbps() { awk -v s="$(stat -c %s "$1")" -v d="$(probe "$1" format=duration)" 'BEGIN{printf "%.0f", s * 8 / d / 1000}'; }
between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN{exit !(v >= lo && v <= hi)}'; }

"$KS" -q -f "$IN" -w "$T/d.mp3" || fail "mp3"
"$KS" -q -f "$IN" -w "$T/d.wav" || fail "wav"
ok; [ "$(probe "$T/d.mp3" stream=channels)" = 1 ] || fail "mp3 not mono"
ok; [ "$(probe "$T/d.mp3" stream=bit_rate)" = 64000 ] || fail "mp3 bit rate $(probe "$T/d.mp3" stream=bit_rate)"
# the LAME/Info header: in the first frame, with a frame count that gives the length
ok; head -c 400 "$T/d.mp3" | grep -aq "Info" || fail "no Info header in the first frame"
ok; head -c 400 "$T/d.mp3" | grep -aq "LAME" || fail "no LAME header in the first frame"
dm=$(probe "$T/d.mp3" format=duration); dw=$(probe "$T/d.wav" format=duration)
ok; awk -v a="$dm" -v b="$dw" 'BEGIN{exit !(a - b < 0.1 && b - a < 0.1)}' || fail "mp3 length $dm s vs wav $dw s"
# libsndfile reads the same length from the header
if command -v soxi >/dev/null; then
  sm=$(soxi -D "$T/d.mp3" 2>/dev/null)
  ok; awk -v a="$sm" -v b="$dw" 'BEGIN{exit !(a - b < 0.2 && b - a < 0.2)}' || fail "soxi mp3 length $sm vs $dw"
fi

"$KS" -q -f "$IN" -w "$T/b.mp3" --bitrate 96 || fail "--bitrate 96"
ok; [ "$(probe "$T/b.mp3" stream=bit_rate)" = 96000 ] || fail "mp3 --bitrate 96: $(probe "$T/b.mp3" stream=bit_rate)"
"$KS" -q -f "$IN" -w "$T/v.mp3" --quality 10 || fail "--quality 10"
ok; head -c 400 "$T/v.mp3" | grep -aq "Xing" || fail "VBR mp3 without a Xing header"
dv=$(probe "$T/v.mp3" format=duration)
ok; awk -v a="$dv" -v b="$dw" 'BEGIN{exit !(a - b < 0.1 && b - a < 0.1)}' || fail "VBR mp3 length $dv s vs wav $dw s"
"$KS" -q -f "$IN" -w "$T/v1.mp3" --quality 1 || fail "--quality 1"
ok; [ "$(stat -c %s "$T/v1.mp3")" -lt "$(stat -c %s "$T/v.mp3")" ] || fail "--quality 1 not smaller than 10"

"$KS" -q -f "$IN" -w "$T/d.opus" || fail "opus"
ok; between "$(kbps "$T/d.opus")" 26 38 || fail "opus default $(kbps "$T/d.opus") kbit/s, want about 32"
ok; [ "$(probe "$T/d.opus" stream=channels)" = 1 ] || fail "opus not mono"
do_=$(probe "$T/d.opus" format=duration)
ok; awk -v a="$do_" -v b="$dw" 'BEGIN{exit !(a - b < 0.03 && b - a < 0.03)}' || fail "opus length $do_ s vs wav $dw s (pre-skip/end trim)"
"$KS" -q -f "$IN" -w "$T/h.opus" --bitrate 64 || fail "opus --bitrate 64"
ok; between "$(kbps "$T/h.opus")" 52 72 || fail "opus --bitrate 64 gave $(kbps "$T/h.opus")"
"$KS" -q -f "$IN" -w "$T/d.ogg" || fail "ogg"
"$KS" -q -f "$IN" -w "$T/q.ogg" --quality 8 || fail "ogg --quality 8"
ok; between "$(kbps "$T/d.ogg")" 30 60 || fail "ogg default $(kbps "$T/d.ogg") kbit/s"
ok; [ "$(stat -c %s "$T/q.ogg")" -gt "$(stat -c %s "$T/d.ogg")" ] || fail "ogg --quality 8 not larger than default"
# decoders agree on the content: ffmpeg decodes every format without errors
for f in d.mp3 v.mp3 d.opus d.ogg; do
  ok; [ -z "$(ffmpeg -v error -i "$T/$f" -f null - 2>&1)" ] || fail "ffmpeg decode errors in $f"
done

expect_fail "quality and bitrate" 2 "not both" -- "$KS" -w "$T/x.mp3" --quality 5 --bitrate 64 "сәлем"
expect_fail "quality range" 2 "--quality" -- "$KS" -w "$T/x.mp3" --quality 11 "сәлем"
expect_fail "bitrate on wav" 1 "lossless" -- "$KS" -w "$T/x.wav" --bitrate 64 "сәлем"
expect_fail "bitrate on vorbis" 1 "quality" -- "$KS" -w "$T/x.ogg" --bitrate 64 "сәлем"
expect_fail "opus bitrate range" 1 "6..256" -- "$KS" -w "$T/x.opus" --bitrate 300 "сәлем"
no_leftovers "$T" x.wav
no_leftovers "$T" x.ogg
finish
