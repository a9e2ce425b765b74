#!/bin/bash
# --captions: WebVTT and SRT checked against the audio itself (cue times
# increase, lie inside the audio, each cue starts within 50 ms of the first
# sound after the previous cue), original text shown in full and in order,
# long sentences split, no caption file when the audio fails.
# usage: test_captions.sh KAZSPEAK SRCDIR BUILDDIR
K=$1
SRC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; [ -f "$T/err" ] && sed 's/^/  stderr: /' "$T/err"; exit 1; }
CHECK="python3 $HERE/check_cues.py"

# Cue texts joined == the original text (white space collapsed), VTT unescaped;
# at most two lines per cue; long cues only where a sentence cannot be split.
same_text() { # TEXTFILE CAPTIONS MAXCHARS
    python3 - "$1" "$2" "$3" <<'PY'
import re, sys, html
src = " ".join(open(sys.argv[1], encoding="utf-8").read().split())
cap = open(sys.argv[2], encoding="utf-8").read()
maxc = int(sys.argv[3])
texts = []
for block in re.split(r"\n\s*\n", cap.strip()):
    lines = block.split("\n")
    for i, l in enumerate(lines):
        if "-->" in l:
            body = lines[i + 1:]
            assert 1 <= len(body) <= 2, ("cue with %d lines" % len(body), body)
            t = " ".join(body)
            if sys.argv[2].endswith(".vtt"):
                assert "<" not in t and ">" not in t, t
                t = html.unescape(t)
            assert len(t) <= maxc, ("cue of %d chars" % len(t), t)
            texts.append(t)
joined = " ".join(texts)
assert joined == src, "caption text differs from the original:\n%s\n%s" % (joined[:300], src[:300])
PY
}

# 1. the sample speech, WebVTT, default voice
"$K" -f "$SRC/samples/assembly-news.txt" -w "$T/a.wav" --captions "$T/a.vtt" 2>"$T/err" || fail "-w with --captions failed"
head -1 "$T/a.vtt" | grep -qx WEBVTT || fail "no WEBVTT header"
$CHECK "$T/a.wav" "$T/a.vtt" >"$T/out" || { cat "$T/out"; fail "a.vtt does not match the audio"; }
same_text "$SRC/samples/assembly-news.txt" "$T/a.vtt" 90 || fail "a.vtt text"
n_sent=$(grep -o '[.!?]' "$SRC/samples/assembly-news.txt" | wc -l)
n_cue=$(grep -c -- '-->' "$T/a.vtt")
[ "$n_cue" -gt "$((n_sent / 2))" ] || fail "only $n_cue cues for about $n_sent sentences"

# 2. slow speech (longer closures and pauses), SRT
"$K" -s 80 -f "$SRC/samples/assembly-news.txt" -w "$T/b.wav" --captions "$T/b.srt" 2>"$T/err" || fail "SRT run failed"
head -1 "$T/b.srt" | grep -qx 1 || fail "SRT does not start with cue number 1"
grep -q '^00:00:0[0-9],[0-9]\{3\} --> 00:00:[0-9][0-9],[0-9]\{3\}$' "$T/b.srt" || fail "no SRT time line"
! grep -q WEBVTT "$T/b.srt" || fail "WEBVTT header in an SRT file"
$CHECK "$T/b.wav" "$T/b.srt" >"$T/out" || { cat "$T/out"; fail "b.srt does not match the audio"; }
same_text "$SRC/samples/assembly-news.txt" "$T/b.srt" 90 || fail "b.srt text"

# 3. a long sentence with clauses is split at them; the original text (digits,
#    abbreviations) is shown, not the normalized words; VTT escapes & < >
cat >"$T/c.txt" <<'TXT'
Қысқа сөйлем.
2024 жылы 15 наурызда Астанада өткен жиында ҚР Үкіметі 3,5 млн теңге бөлінетінін айтты, ал облыс әкімдігі бұл қаржының жартысы мектептерге жұмсалатынын, қалғаны ауруханаларға берілетінін хабарлады.
«Джонсон & Джонсон» компаниясы <сынақ> өткізді.
TXT
"$K" -f "$T/c.txt" -w "$T/c.wav" --captions "$T/c.vtt" 2>"$T/err" || fail "c run failed"
$CHECK "$T/c.wav" "$T/c.vtt" >"$T/out" || { cat "$T/out"; fail "c.vtt does not match the audio"; }
same_text "$T/c.txt" "$T/c.vtt" 84 || fail "c.vtt text"
grep -q '^2024 жылы 15 наурызда' "$T/c.vtt" || fail "the clause does not start a cue with the original digits"
"$K" --normalize -f "$T/c.txt" >"$T/c.norm"
grep -q 'төртінші' "$T/c.norm" || fail "the normalizer no longer reads 2024 as words: update this test"
! grep -q 'төртінші\|Республикасы\|миллион' "$T/c.vtt" || fail "normalized words in the captions"
grep -q '&amp; Джонсон' "$T/c.vtt" || fail "& not escaped in WebVTT"
grep -q '&lt;сынақ&gt;' "$T/c.vtt" || fail "< > not escaped in WebVTT"
[ "$(grep -c -- '-->' "$T/c.vtt")" -ge 5 ] || fail "the long sentence was not split: $(cat "$T/c.vtt")"

# 4. no caption file when the audio cannot be written; bad caption names
"$K" -w "$T/nodir/x.wav" --captions "$T/x.vtt" "Сәлем." 2>"$T/err"
[ $? -eq 1 ] || fail "unwritable audio: want exit 1"
[ ! -e "$T/x.vtt" ] || fail "captions written although the audio failed"
"$K" -w "$T/y.wav" --captions "$T/y.txt" "Сәлем." 2>"$T/err"
[ $? -eq 2 ] || fail "--captions .txt: want exit 2"
"$K" --captions "$T/y.vtt" "Сәлем." 2>"$T/err"
[ $? -eq 2 ] || fail "--captions without -w: want exit 2"
# 5. both or neither: captions that cannot be written keep the audio from being written too
printf 'old audio' >"$T/keep.wav"
"$K" -w "$T/keep.wav" --captions "$T/nodir/keep.vtt" "Сәлем, әлем." 2>"$T/err"
[ $? -eq 1 ] || fail "unwritable captions: want exit 1"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "unwritable captions: want one line: $(cat "$T/err")"
grep -q "nodir/keep.vtt.*neither it nor $T/keep.wav was written" "$T/err" || fail "message: $(cat "$T/err")"
[ "$(cat "$T/keep.wav")" = "old audio" ] || fail "the audio was replaced although the captions failed"

# 6. invalid UTF-8 in the input becomes U+FFFD in the captions: the file stays valid UTF-8
printf 'Бір \377\376 екі үш. Төрт \300 бес.\n' >"$T/bad.txt"
"$K" -f "$T/bad.txt" -w "$T/bad.wav" --captions "$T/bad.srt" 2>"$T/err" || fail "invalid UTF-8 run failed"
iconv -f UTF-8 -t UTF-8 "$T/bad.srt" >/dev/null 2>&1 || fail "bad.srt is not valid UTF-8: $(od -c "$T/bad.srt" | head)"
grep -q "Бір �� екі үш." "$T/bad.srt" || fail "U+FFFD missing in bad.srt: $(cat "$T/bad.srt")"
[ -z "$(ls -A "$T" | grep '^\.')" ] || fail "temporary files left: $(ls -A "$T")"
echo ok
