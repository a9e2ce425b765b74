#!/usr/bin/env bash
# Bilingual reading in every front end: a Russian span is really spoken by eSpeak
# NG's ru voice (same number of samples as `espeak-ng -v ru` on the same text,
# at the same rate), in files (-w), --stdout, playback, --follow, -i, captions,
# SSML xml:lang and batch; Kazakh text reads byte-identically to --lang kk.
set -u
K=$1 SRC=$2 BUILD=$3
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 missing"; exit 77; }
command -v espeak-ng >/dev/null 2>&1 || { echo "SKIP: espeak-ng program missing"; exit 77; }
[ -f "$BUILD/espeak-ng-data/ru_dict" ] || { echo "SKIP: no ru_dict in the data folder"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/kazspeak-lang.XXXXXX")
trap 'rm -rf "$T"' EXIT
export KAZSPEAK_DATA= ESPEAK_DATA_PATH=
fail() { echo "FAIL: $*"; exit 1; }
frames() { python3 -c "import wave,sys; print(wave.open(sys.argv[1]).getnframes())" "$1"; }
# near A B [PERCENT]: A within PERCENT (default 1) % of B
near() { python3 -c "import sys; a,b,p=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]); sys.exit(0 if abs(a-b)<=b*p/100 else 1)" "$1" "$2" "${3:-1}"; }

RU="Государственные органы рассматривают обращения граждан."
RUN="В 2020 году государственные органы рассмотрели обращения граждан."
RUN_SAID="В две тысячи двадцатом году государственные органы рассмотрели обращения граждан."
KK="Мемлекеттік органдар азаматтардың өтініштерін қарайды."
MIX="Мемлекет басшысы «Закон и порядок» деп атап өтті."

# references from eSpeak NG itself (system data, same ru_dict)
espeak-ng -v ru -s 175 -w "$T/ref_ru.wav" "$RU" || fail "espeak-ng -v ru"
espeak-ng -v ru -s 175 -w "$T/ref_run.wav" "$RUN_SAID" || fail "espeak-ng -v ru (numbers)"
REF=$(frames "$T/ref_ru.wav"); REFN=$(frames "$T/ref_run.wav")

# 1. files (-w): the Russian sentence is the ru voice, not the Kazakh one
printf '%s\n' "$RU" > "$T/ru.txt"
"$K" -q -f "$T/ru.txt" -w "$T/auto.wav" || fail "-w auto"
"$K" -q --lang kk -f "$T/ru.txt" -w "$T/kk.wav" || fail "-w --lang kk"
A=$(frames "$T/auto.wav"); B=$(frames "$T/kk.wav")
near "$A" "$REF" || fail "-w: $A samples, espeak-ng -v ru has $REF"
near "$B" "$REF" 10 && fail "--lang kk should read Russian with the Kazakh voice ($B vs $REF)"
"$K" -q --lang ru -f "$T/ru.txt" -w "$T/ru.wav" || fail "-w --lang ru"
near "$(frames "$T/ru.wav")" "$REF" || fail "--lang ru"
# numbers in the Russian span are read by the Russian normalizer (as eSpeak reads the words)
printf '%s\n' "$RUN" > "$T/run.txt"
"$K" -q -f "$T/run.txt" -w "$T/run.wav" || fail "-w numbers"
near "$(frames "$T/run.wav")" "$REFN" || fail "-w: 'В 2020 году' is not read as '$RUN_SAID' ($(frames "$T/run.wav") vs $REFN)"
# the rate reaches the Russian voice too
espeak-ng -v ru -s 300 -w "$T/ref_fast.wav" "$RU"
"$K" -q -s 300 -f "$T/ru.txt" -w "$T/fast.wav" || fail "-s 300"
near "$(frames "$T/fast.wav")" "$(frames "$T/ref_fast.wav")" || fail "-s 300 does not reach the ru voice"
echo "ok: files"

# 2. Kazakh text: byte-identical to --lang kk (the reading before this feature)
printf '%s\nҚазақстан 1991 жылы тәуелсіздігін жариялады. 2020 жылғы 3 маусымда ЖІӨ 5,1%%-ға өсті.\n' "$KK" > "$T/kk.txt"
"$K" -q -f "$T/kk.txt" -w "$T/kk_auto.wav" && "$K" -q --lang kk -f "$T/kk.txt" -w "$T/kk_kk.wav" || fail "kk -w"
cmp -s "$T/kk_auto.wav" "$T/kk_kk.wav" || fail "Kazakh text does not read byte-identically with --lang auto and kk"
echo "ok: Kazakh unchanged"

# 3. mixed sentence: one utterance, longer than its Kazakh part, different from all-Kazakh
printf '%s\n' "$MIX" > "$T/mix.txt"
"$K" -q -f "$T/mix.txt" -w "$T/mix.wav" && "$K" -q --lang kk -f "$T/mix.txt" -w "$T/mix_kk.wav" || fail "mix -w"
cmp -s "$T/mix.wav" "$T/mix_kk.wav" && fail "the Russian quotation was read by the Kazakh voice"
echo "ok: mixed"

# 4. --stdout: the same audio as -w
"$K" -q --stdout -f "$T/ru.txt" > "$T/stdout.wav" || fail "--stdout"
python3 - "$T/stdout.wav" "$T/auto.wav" <<'PY' || fail "--stdout differs from -w"
import sys, wave
raw = open(sys.argv[1], "rb").read()
w = wave.open(sys.argv[2]); ref = w.readframes(w.getnframes())
i = raw.find(b"data")
sys.exit(0 if raw[i + 8:] == ref else 1)
PY
echo "ok: --stdout"

# 5. captions keep the original text (digits), the audio says the words
"$K" -q -f "$T/run.txt" -w "$T/cap.wav" --captions "$T/cap.vtt" || fail "--captions"
grep -q "В 2020 году" "$T/cap.vtt" || fail "captions lost the original text: $(cat "$T/cap.vtt")"
near "$(frames "$T/cap.wav")" "$REFN" || fail "captions run: audio is not the Russian reading"
echo "ok: captions"

# 6. SSML: xml:lang on speak, s, p, voice, lang
# the whole document in Russian is what espeak-ng -v ru says
printf '<speak xml:lang="ru">%s</speak>\n' "$RU" > "$T/w.ssml"
"$K" -q --ssml -f "$T/w.ssml" -w "$T/w.wav" || fail "SSML speak xml:lang"
near "$(frames "$T/w.wav")" "$REF" 3 || fail "SSML speak xml:lang=ru: $(frames "$T/w.wav") vs $REF"
for doc in "<speak xml:lang=\"ru\">$RU</speak>" "<speak><s xml:lang=\"ru\">$RU</s></speak>" \
           "<speak><p xml:lang=\"ru-RU\">$RU</p></speak>" "<speak><voice xml:lang=\"ru\">$RU</voice></speak>" \
           "<speak><lang xml:lang=\"ru\">$RU</lang></speak>"; do
    printf '%s\n' "$doc" > "$T/d.ssml"
    printf '%s\n' "$doc" | sed 's/ xml:lang="[^"]*"//' > "$T/plain.ssml"
    "$K" -q --ssml -f "$T/d.ssml" -w "$T/d.wav" || fail "SSML $doc"
    "$K" -q --ssml --lang ru -f "$T/plain.ssml" -w "$T/d_ru.wav" || fail "SSML --lang ru $doc"
    "$K" -q --ssml --lang kk -f "$T/plain.ssml" -w "$T/d_kk.wav" || fail "SSML --lang kk $doc"
    D=$(frames "$T/d.wav")
    near "$D" "$(frames "$T/d_ru.wav")" || fail "SSML not read in Russian: $doc ($D vs $(frames "$T/d_ru.wav"))"
    near "$D" "$(frames "$T/d_kk.wav")" 10 && fail "SSML read in Kazakh: $doc"
done
printf '<speak><s xml:lang="ru">%s</s></speak>\n' "$RUN" > "$T/n.ssml"
"$K" -q --ssml -f "$T/n.ssml" -w "$T/n.wav" || fail "SSML numbers"
near "$(frames "$T/n.wav")" "$REFN" 3 || fail "SSML Russian numbers"
# Kazakh and Russian parts in one document, a mark in between; --lang kk ignores xml:lang
printf '<speak><s>%s</s><s xml:lang="ru">%s</s><mark name="m"/><s xml:lang="kk">%s</s></speak>\n' "$KK" "$RU" "$KK" > "$T/m.ssml"
"$K" -q --ssml -f "$T/m.ssml" -w "$T/m.wav" && "$K" -q --lang kk --ssml -f "$T/m.ssml" -w "$T/m_kk.wav" || fail "SSML mixed"
cmp -s "$T/m.wav" "$T/m_kk.wav" && fail "SSML xml:lang ignored"
printf '<speak><s>%s</s></speak>\n' "$KK" > "$T/k.ssml"
"$K" -q --ssml -f "$T/k.ssml" -w "$T/k1.wav" && "$K" -q --lang kk --ssml -f "$T/k.ssml" -w "$T/k2.wav" || fail "SSML kk"
cmp -s "$T/k1.wav" "$T/k2.wav" || fail "Kazakh SSML changed"
echo "ok: SSML"

# 7. batch workers get --lang
mkdir -p "$T/in" "$T/out"
cp "$T/ru.txt" "$T/in/ru.txt"
"$K" --batch -q -j 1 -o "$T/out" "$T/in" >/dev/null 2>&1 || fail "batch"
near "$(frames "$T/out/ru.wav")" "$REF" || fail "batch: not Russian"
"$K" --batch -q -j 1 --lang kk -o "$T/out2" "$T/in" >/dev/null 2>&1 || fail "batch --lang kk"
near "$(frames "$T/out2/ru.wav")" "$REF" 10 && fail "batch --lang kk not passed on"
echo "ok: batch"

# 8. playback, --follow and -i, captured through ALSA's file plugin
printf 'pcm.!default { type file; slave.pcm { type null }; file "%s"; format "raw" }\n' "$T/capture.raw" > "$T/cap.conf"
play() { rm -f "$T/capture.raw"; ALSA_CONFIG_PATH="$T/cap.conf" "$K" "$@" 2> "$T/err"; }
if play -f "$T/ru.txt" < /dev/null && [ -s "$T/capture.raw" ]; then
    python3 "$SRC/tests/play/pcmcmp.py" "$T/capture.raw" "$T/auto.wav" >/dev/null || fail "playback differs from -w"
    play --follow < "$T/ru.txt" || fail "--follow: $(head -2 "$T/err")"
    python3 "$SRC/tests/play/pcmcmp.py" "$T/capture.raw" "$T/auto.wav" >/dev/null || fail "--follow differs from -w"
    # -i wants a terminal for its keys: script(1) gives it one
    if command -v script >/dev/null 2>&1; then
        rm -f "$T/capture.raw"
        timeout 60 script -qec "env ALSA_CONFIG_PATH='$T/cap.conf' '$K' -i --plain -f '$T/ru.txt'" /dev/null \
            < /dev/null > "$T/iout" 2>&1 || fail "-i: $(tail -2 "$T/iout")"
        python3 "$SRC/tests/play/pcmcmp.py" "$T/capture.raw" "$T/auto.wav" >/dev/null || fail "-i differs from -w"
        echo "ok: playback, --follow, -i"
    else
        echo "ok: playback, --follow (no script(1) for -i)"
    fi
else
    echo "note: no ALSA capture here; playback not checked ($(head -1 "$T/err"))"
fi

# 9. usage
"$K" --lang fr "x" 2>/dev/null; [ $? -eq 2 ] || fail "--lang fr should be a usage error"
echo "PASS"
