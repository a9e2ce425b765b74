#!/usr/bin/env bash
# --loudness LUFS: the result, measured by an independent meter (ffmpeg's
# ebur128 filter), is within 0.5 LU of the target (1.0 LU for MP3, whose
# 64 kbit/s low-pass takes some of the K-weighted highs) and its true peak
# within the ceiling (lossy decoders overshoot it: up to 1.5 dB allowed, 2.2 dB
# for Opus at 32 kbit/s, whose CELT-only mode overshoots most); the program
# reports measured and final loudness; a failure leaves nothing behind.
source "$(dirname "$0")/../cli/lib.sh"
command -v ffmpeg >/dev/null || { echo "ffmpeg not installed (Debian package ffmpeg)" >&2; exit 77; }
IN="$SRC/samples/assembly-news.txt"

meter() { # meter FILE -> "I TP" from ffmpeg's ebur128 filter
  ffmpeg -nostats -hide_banner -i "$1" -af ebur128=peak=true -f null - 2>&1 |
    awk '/^ *I:/ {i=$2} /^ *Peak:/ {p=$2} END {print i, p}'
}
within() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d = a - b; if (d < 0) d = -d; exit !(d <= t)}'; }

for case in "flac -16 0.5 -1.0" "wav -23 0.5 -1.0" "opus -16 0.5 -2.0" "ogg -18 0.5 -2.0" "mp3 -16 1.0 -2.0"; do
  read -r ext target tol ceil <<<"$case"
  "$KS" -q -f "$IN" -w "$T/l.$ext" --loudness "$target" 2>"$T/err" || { fail "$ext: $(cat "$T/err")"; continue; }
  read -r i tp <<<"$(meter "$T/l.$ext")"
  echo "$ext target $target: ffmpeg I $i LUFS, true peak $tp dBTP; kazspeak: $(cat "$T/err")" >&2
  ok; within "$i" "$target" "$tol" || fail "$ext: ffmpeg measures $i LUFS, target $target"
  ok; awk -v p="$tp" -v c="$ceil" -v e="$ext" 'BEGIN{exit !(p <= c + (e == "wav" || e == "flac" ? 0.1 : e == "opus" ? 2.2 : 1.5))}' ||
    fail "$ext: true peak $tp dBTP over the ceiling $ceil"
  ok; grep -Eq "loudness -?[0-9.]+ LUFS measured, -?[0-9.]+ LUFS final" "$T/err" || fail "$ext: no loudness report: $(cat "$T/err")"
  final=$(sed -n 's/.* LUFS measured, \(-\?[0-9.]*\) LUFS final.*/\1/p' "$T/err")
  # lossless: our own final figure and ffmpeg's agree
  if [ "$ext" = flac ] || [ "$ext" = wav ]; then
    ok; within "$final" "$i" 0.2 || fail "$ext: reported $final LUFS, ffmpeg $i"
  fi
done
# The unscaled speech is what kazspeak reports as measured
"$KS" -q -f "$IN" -w "$T/plain.wav" || fail "plain"
read -r i0 _ <<<"$(meter "$T/plain.wav")"
"$KS" -q -f "$IN" -w "$T/l2.wav" --loudness -20 2>"$T/err" || fail "-20"
m=$(sed -n 's/.*loudness \(-\?[0-9.]*\) LUFS measured.*/\1/p' "$T/err")
ok; within "$m" "$i0" 0.2 || fail "measured $m LUFS, ffmpeg on the unscaled speech $i0"
# Same length as without scaling
ok; [ "$(soxi -s "$T/plain.wav")" = "$(soxi -s "$T/l2.wav")" ] || fail "scaling changed the length"

# Errors: bad values, no file, a full disk leaves nothing
expect_fail "loudness range" 2 "from -70 to -5" -- "$KS" -w "$T/x.wav" --loudness -3 "сәлем"
expect_fail "loudness number" 2 "from -70 to -5" -- "$KS" -w "$T/x.wav" --loudness loud "сәлем"
expect_fail "loudness with --stdout" 2 "belong to an audio file" -- "$KS" --stdout --loudness -16 "сәлем"
if [ -w /dev/full ]; then
  "$KS" -q -f "$IN" -w /dev/full --loudness -16 2>"$T/err"; rc=$?
  ok; [ "$rc" -eq 1 ] && grep -q "No space left" "$T/err" || fail "/dev/full: $(cat "$T/err")"
fi
finish
