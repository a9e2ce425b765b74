#!/usr/bin/env bash
# Every output format round-trips: written through the library, read back with
# libsndfile-based tools (sox), right rate/channels/duration, not silence.
source "$(dirname "$0")/lib.sh"
command -v soxi >/dev/null || { echo "sox not installed" >&2; exit 77; }
TEXT="Қазақстан 1991 жылы тәуелсіздігін жариялады. Жалақы 15%-ға өсті."

check_file() {
  local f=$1 rate=$2
  ok; [ -s "$f" ] || { fail "$f missing or empty"; return; }
  local r c d
  r=$(soxi -r "$f" 2>/dev/null); c=$(soxi -c "$f" 2>/dev/null); d=$(soxi -D "$f" 2>/dev/null)
  ok; [ "$r" = "$rate" ] || fail "$f: rate $r, want $rate"
  ok; [ "$c" = 1 ] || fail "$f: $c channels, want 1"
  ok; awk -v d="$d" 'BEGIN{exit !(d > 3.0 && d < 15.0)}' || fail "$f: duration $d s outside 3..15"
  local rms
  rms=$(sox "$f" -n stat 2>&1 | awk '/RMS     amplitude/{print $3}')
  ok; awk -v r="$rms" 'BEGIN{exit !(r > 0.02)}' || fail "$f: RMS amplitude $rms looks like silence"
}

for ext in wav flac ogg mp3; do
  "$KS" -q -w "$T/out.$ext" "$TEXT" 2>"$T/err" || fail "-w out.$ext failed: $(cat "$T/err")"
  check_file "$T/out.$ext" 22050
done
"$KS" -q -w "$T/out.opus" "$TEXT" 2>"$T/err" || fail "-w out.opus failed: $(cat "$T/err")"
ok; r=$(soxi -r "$T/out.opus" 2>/dev/null || echo none)
# sox may lack an opus reader: fall back to the header check.
if [ "$r" = none ]; then
  ok; head -c 40 "$T/out.opus" | grep -q OpusHead || fail "out.opus has no OpusHead"
else
  check_file "$T/out.opus" "$r"
  ok; [ "$r" = 24000 ] || [ "$r" = 48000 ] || fail "opus rate $r"
fi
ok; [ "$(soxi -e "$T/out.wav" 2>/dev/null)" = "Signed Integer PCM" ] || fail "wav is not PCM"
ok; [ "$(soxi -b "$T/out.wav" 2>/dev/null)" = 16 ] || fail "wav is not 16-bit"
# Uppercase extension works too; no temp files remain.
"$KS" -q -w "$T/UP.WAV" "сәлем" || fail "-w UP.WAV failed"
ok; [ -z "$(ls -A "$T" | grep '^\.')" ] || fail "temp files left: $(ls -A "$T")"

# Voice profiles give different audio: fast is much shorter than default, event is slower.
"$KS" -q -v default -w "$T/d.wav" "$TEXT" && "$KS" -q -v fast -w "$T/f.wav" "$TEXT" && "$KS" -q -v event -w "$T/e.wav" "$TEXT" || fail "profiles"
dd=$(soxi -D "$T/d.wav"); df=$(soxi -D "$T/f.wav"); de=$(soxi -D "$T/e.wav")
ok; awk -v a="$df" -v b="$dd" 'BEGIN{exit !(a < b * 0.6)}' || fail "fast ($df s) not much shorter than default ($dd s)"
ok; awk -v a="$de" -v b="$dd" 'BEGIN{exit !(a > b * 1.1)}' || fail "event ($de s) not slower than default ($dd s)"
# -s overrides the profile
"$KS" -q -s 700 -w "$T/s.wav" "$TEXT" || fail "-s 700"
ds=$(soxi -D "$T/s.wav")
ok; awk -v a="$ds" -v b="$dd" 'BEGIN{exit !(a < b * 0.45)}' || fail "-s 700 ($ds s) vs default ($dd s)"
finish
