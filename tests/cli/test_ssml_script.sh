#!/usr/bin/env bash
# --ssml and --script through the program.
source "$(dirname "$0")/lib.sh"
command -v soxi >/dev/null || { echo "sox not installed" >&2; exit 77; }

# SSML: a break lengthens the audio; say-as goes through the Kazakh rules.
printf '<speak>Бір екі үш.</speak>' >"$T/a.ssml"
printf '<speak>Бір екі <break time="1500ms"/> үш.</speak>' >"$T/b.ssml"
"$KS" -q --ssml -f "$T/a.ssml" -w "$T/a.wav" || fail "ssml a"
"$KS" -q --ssml -f "$T/b.ssml" -w "$T/b.wav" || fail "ssml b"
da=$(soxi -D "$T/a.wav"); db=$(soxi -D "$T/b.wav")
ok; awk -v a="$da" -v b="$db" 'BEGIN{exit !(b > a + 1.2)}' || fail "break: $db s is not 1.2 s longer than $da s"
# without --ssml the tags would be read aloud: much longer than the SSML reading
"$KS" -q -f "$T/a.ssml" -w "$T/plain.wav" || fail "plain"
dp=$(soxi -D "$T/plain.wav")
ok; awk -v a="$da" -v p="$dp" 'BEGIN{exit !(p > a * 1.5)}' || fail "tags not read as SSML? $da vs $dp"
# say-as ordinal spoken like the normalizer's "5-ші" (same audio length within 10 %)
printf '<speak><say-as interpret-as="ordinal">5</say-as> сынып</speak>' >"$T/o.ssml"
"$KS" -q --ssml -f "$T/o.ssml" -w "$T/o.wav" || fail "say-as"
"$KS" -q -w "$T/o2.wav" "бесінші сынып" || fail "reference"
d1=$(soxi -D "$T/o.wav"); d2=$(soxi -D "$T/o2.wav")
ok; awk -v a="$d1" -v b="$d2" 'BEGIN{r=a/b; exit !(r > 0.9 && r < 1.1)}' || fail "say-as ordinal $d1 s vs бесінші $d2 s"
# --stdout works with SSML too
"$KS" --ssml -f "$T/a.ssml" --stdout >"$T/s.wav" || fail "ssml stdout"
ok; [ "$(stat -c %s "$T/s.wav")" -gt 10000 ] || fail "ssml stdout too short"

# Malformed SSML: one line with line and column, no file.
printf '<speak>\n  <p>text</speak>' >"$T/bad.ssml"
expect_fail "malformed ssml" 1 "bad.ssml: line 2, column [0-9]+: " -- "$KS" --ssml -f "$T/bad.ssml" -w "$T/bad.wav"
no_leftovers "$T" bad.wav
expect_fail "ssml + normalize" 2 "--ssml cannot be combined" -- "$KS" --ssml --normalize

# Kazakh Latin script
out=$(echo "Qazaqstan Respublikasy 2020 jyly tәuelsız." | "$KS" --normalize)
ok; case "$out" in "Қазақстан Республикасы екі мың жиырмасыншы жылы"*) ;; *) fail "latin auto: $out";; esac
out=$(echo "Apple, Reuters men Microsoft kompaniialary." | "$KS" --normalize)
ok; case "$out" in "Apple, Reuters "*"Microsoft "*) ;; *) fail "latin auto names: $out";; esac
out=$(echo "Qazaqstan" | "$KS" --normalize --script cyrl)
ok; [ "$out" = "Qazaqstan" ] || fail "--script cyrl changed the text: $out"
out=$(echo "Qazaqstan" | "$KS" --normalize --script latn)
ok; [ "$out" = "Қазақстан" ] || fail "--script latn: $out"
expect_fail "bad --script" 2 "--script must be auto, cyrl or latn, not 'greek'" -- "$KS" --script greek --normalize
finish
