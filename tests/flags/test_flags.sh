#!/usr/bin/env bash
# Every option --help, the man page and the README call "shared with espeak-ng" is run
# through both programs on the same text, and what each makes is compared: the kind
# of output (WAV file, WAV stream, text lines, nothing), its format, and the direction
# of the effect against the same command without the flag (longer, shorter, silent).
# The options documented as different (-q, -x, --ipa) are checked to differ as the
# documentation says.
source "$(dirname "$0")/../cli/lib.sh"
command -v espeak-ng >/dev/null || { echo "espeak-ng not installed" >&2; exit 77; }
command -v python3 >/dev/null || { echo "no python3" >&2; exit 77; }
# espeak-ng with kazspeak's own data folder: the same Kazakh rules, the same amount of speech
ES=(env ESPEAK_DATA_PATH="$BUILD/espeak-ng-data" espeak-ng)
[ -f "$BUILD/espeak-ng-data/phontab" ] || ES=(espeak-ng)
TEXT="Сәлем, Әлем! Бүгін ауа райы жақсы, күн шуақты болады."

# kind FILE: "wav RATE CHANNELS SECONDS RMS", "text N-LINES", or "empty"
kind() {
  python3 - "$1" <<'PY'
import sys, array, math
p = sys.argv[1]
d = open(p, 'rb').read()
if not d:
    print("empty"); sys.exit()
if d[:4] == b"RIFF":
    import io
    # a streamed WAV has an unknown length: read what is there
    hdr = d[:44]
    import struct
    ch = struct.unpack('<H', d[22:24])[0]; rate = struct.unpack('<I', d[24:28])[0]
    i = d.find(b"data") + 8
    pcm = d[i:]
    pcm = pcm[:len(pcm) // 2 * 2]
    print("wav %d %d %.3f %d" % (rate, ch, len(pcm) / 2 / rate / ch, int(math.sqrt(sum(v*v for v in array.array('h', pcm)) / (len(pcm)//2))) if pcm else 0)); sys.exit()
print("text %d" % len(d.decode('utf-8', 'replace').strip().splitlines()))
PY
}
field() { echo "$1" | awk -v n="$2" '{print $n}'; }

# run_both NAME [ARGS...] -- runs "espeak-ng ARGS" and "kazspeak ARGS" with $T/e.* and $T/k.* outputs
# ARGS may contain @OUT@ (replaced by each program's output file); stdout goes to $T/{e,k}.out
run_both() {
  local name=$1; shift
  local ea=() ka=()
  for a in "$@"; do ea+=("${a//@OUT@/$T/e.wav}"); ka+=("${a//@OUT@/$T/k.wav}"); done
  rm -f "$T/e.wav" "$T/k.wav"
  "${ES[@]}" "${ea[@]}" >"$T/e.out" 2>"$T/e.err" </dev/null; erc=$?
  "$KS" "${ka[@]}" >"$T/k.out" 2>"$T/k.err" </dev/null; krc=$?
  ok; [ $erc -eq 0 ] && [ $krc -eq 0 ] || fail "$name: exit espeak-ng $erc, kazspeak $krc ($(head -c 300 "$T/k.err"))"
}

# same_kind NAME FILE-E FILE-K: both WAV of the same rate and channels, or both text
same_kind() {
  local name=$1 e k; e=$(kind "$2"); k=$(kind "$3")
  ok
  if [ "$(field "$e" 1)" != "$(field "$k" 1)" ]; then fail "$name: espeak-ng made '$e', kazspeak '$k'"; return; fi
  if [ "$(field "$e" 1)" = wav ] && [ "$(field "$e" 2) $(field "$e" 3)" != "$(field "$k" 2) $(field "$k" 3)" ]; then
    fail "$name: formats differ: espeak-ng '$e', kazspeak '$k'"; fi
}
secs() { field "$(kind "$1")" 4; }
rms() { field "$(kind "$1")" 5; }
cmpf() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('longer' if a>b*1.03 else 'shorter' if a<b*0.97 else 'same')" "$1" "$2"; }

# the baseline of each program
run_both "-v kk -w" -v kk -w @OUT@ "$TEXT"
same_kind "-v kk -w" "$T/e.wav" "$T/k.wav"
cp "$T/e.wav" "$T/e0.wav"; cp "$T/k.wav" "$T/k0.wav"
ok; [ -s "$T/k.out" ] && fail "-w: kazspeak wrote to stdout"

# effect_both NAME ARGS...: same kind as the baseline, and the same direction of change in length
effect_both() {
  local name=$1; shift
  run_both "$name" "$@"
  same_kind "$name" "$T/e.wav" "$T/k.wav"
  local de dk; de=$(cmpf "$(secs "$T/e.wav")" "$(secs "$T/e0.wav")"); dk=$(cmpf "$(secs "$T/k.wav")" "$(secs "$T/k0.wav")")
  ok; [ "$de" = "$dk" ] || fail "$name: espeak-ng's audio is $de than without it, kazspeak's $dk"
  echo "$name: $de / $dk" >&2
}
effect_both "-v kk+m3" -v kk+m3 -w @OUT@ "$TEXT"
effect_both "-v kk+f2" -v kk+f2 -w @OUT@ "$TEXT"
effect_both "-s 300" -v kk -s 300 -w @OUT@ "$TEXT"
effect_both "-s 100" -v kk -s 100 -w @OUT@ "$TEXT"
effect_both "-p 90" -v kk -p 90 -w @OUT@ "$TEXT"
effect_both "-g 40" -v kk -g 40 -w @OUT@ "$TEXT"
effect_both "-z" -v kk -z -w @OUT@ "$TEXT"
effect_both "-k 20" -v kk -k 20 -w @OUT@ "$TEXT"
effect_both "-k 2" -v kk -k 2 -w @OUT@ "$TEXT"
effect_both "--punct" -v kk --punct -w @OUT@ "$TEXT"
effect_both "--punct=," -v kk --punct=, -w @OUT@ "$TEXT"
effect_both "-a 50" -v kk -a 50 -w @OUT@ "$TEXT"
ok; python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) * 0.8 and float(sys.argv[3]) < float(sys.argv[4]) * 0.8 else 1)" \
  "$(rms "$T/e.wav")" "$(rms "$T/e0.wav")" "$(rms "$T/k.wav")" "$(rms "$T/k0.wav")" || fail "-a 50: not quieter in both"
run_both "-a 0" -v kk -a 0 -w @OUT@ "$TEXT"
ok; [ "$(rms "$T/e.wav")" -lt 50 ] && [ "$(rms "$T/k.wav")" -lt 50 ] || fail "-a 0: not silent in both ($(rms "$T/e.wav") / $(rms "$T/k.wav"))"

# -f FILE and --stdin
printf '%s\n' "$TEXT" >"$T/in.txt"
run_both "-f" -v kk -f "$T/in.txt" -w @OUT@
same_kind "-f" "$T/e.wav" "$T/k.wav"
ok; [ "$(cmpf "$(secs "$T/k.wav")" "$(secs "$T/k0.wav")")" = same ] || fail "-f: not the text of the argument"
"${ES[@]}" -v kk --stdin -w "$T/e.wav" <"$T/in.txt" 2>/dev/null; erc=$?
"$KS" -v kk --stdin -w "$T/k.wav" <"$T/in.txt" 2>"$T/k.err"; krc=$?
ok; [ $erc -eq 0 ] && [ $krc -eq 0 ] || fail "--stdin: exit $erc / $krc: $(cat "$T/k.err")"
same_kind "--stdin" "$T/e.wav" "$T/k.wav"

# --stdout: a WAV stream on standard output
run_both "--stdout" -v kk --stdout "$TEXT"
same_kind "--stdout" "$T/e.out" "$T/k.out"
ok; [ "$(field "$(kind "$T/k.out")" 1)" = wav ] || fail "--stdout: kazspeak wrote no WAV"

# -m: SSML is read, not spoken as tags
SSML='<speak>Бір <break time="1500ms"/> екі</speak>'
run_both "-m" -v kk -m -w @OUT@ "$SSML"
same_kind "-m" "$T/e.wav" "$T/k.wav"
cp "$T/e.wav" "$T/em.wav"; cp "$T/k.wav" "$T/km.wav"
run_both "no -m" -v kk -w @OUT@ "$SSML"
ok; [ "$(cmpf "$(secs "$T/em.wav")" "$(secs "$T/e.wav")")" = "$(cmpf "$(secs "$T/km.wav")" "$(secs "$T/k.wav")")" ] || fail "-m: the SSML changes the audio differently"
ok; python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 1.5 and float(sys.argv[2]) > 1.5 else 1)" "$(secs "$T/em.wav")" "$(secs "$T/km.wav")" || fail "-m: no 1.5 s break"

# --voices and --voices=LANG: lines of text, exit 0; none for a language kazspeak does not speak
run_both "--voices" --voices
same_kind "--voices" "$T/e.out" "$T/k.out"
run_both "--voices=kk" --voices=kk
same_kind "--voices=kk" "$T/e.out" "$T/k.out"
ok; grep -q . "$T/k.out" || fail "--voices=kk: nothing listed"
run_both "--voices=xx" --voices=xx
ok; [ "$(grep -c . "$T/k.out")" -eq 0 ] && [ "$(grep -vc "^Pty" "$T/e.out")" -eq 0 ] || fail "--voices=xx: lists voices"

# -d names the playback device: an unknown one plays nothing in either program
timeout 20 "${ES[@]}" -v kk -d no-such-device "$TEXT" >"$T/e.out" 2>"$T/e.err"
timeout 20 "$KS" -d no-such-device "$TEXT" >"$T/k.out" 2>"$T/k.err"; krc=$?
ok; [ ! -s "$T/e.out" ] && [ ! -s "$T/k.out" ] || fail "-d: output on stdout"
ok; grep -qi "no-such-device\|no such\|unknown pcm" "$T/e.err" && grep -q "no-such-device" "$T/k.err" || fail "-d: no message naming the device ($(cat "$T/k.err"))"
ok; [ $krc -ne 0 ] || fail "-d: kazspeak exit 0 with no such device"

# Different on purpose (documented): -q makes audio here, none in espeak-ng
rm -f "$T/e.wav" "$T/k.wav"
"${ES[@]}" -v kk -q -w "$T/e.wav" "$TEXT" 2>/dev/null
"$KS" -q -w "$T/k.wav" "$TEXT" 2>/dev/null
ok; [ ! -s "$T/e.wav" ] || [ "$(secs "$T/e.wav")" = 0.000 ] || fail "-q: espeak-ng wrote audio (the documentation says it does not)"
ok; [ "$(field "$(kind "$T/k.wav")" 1)" = wav ] && [ "$(secs "$T/k.wav")" != 0.000 ] || fail "-q: kazspeak wrote no audio"
# -x / --ipa print phonemes in both (espeak-ng with -q to stay silent; kazspeak never speaks with them)
for f in -x --ipa; do
  "${ES[@]}" -v kk -q $f "$TEXT" >"$T/e.out" 2>/dev/null
  "$KS" $f "$TEXT" >"$T/k.out" 2>"$T/k.err"
  same_kind "$f" "$T/e.out" "$T/k.out"
done

# the documentation says what it claims
for doc in "$SRC/README.md" "$SRC/src/cli/kazspeak.1"; do
  ok; grep -q "no audio at all" "$doc" || fail "$doc does not say that espeak-ng's -q makes no audio"
done
ok; "$KS" --help | grep -q "no audio at all" || fail "--help does not say that espeak-ng's -q makes no audio"
finish
