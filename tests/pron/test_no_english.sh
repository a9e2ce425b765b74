#!/bin/bash
# Pure Kazakh text never switches to eSpeak's English voice.
# usage: bash test_no_english.sh <kazspeak-binary> <srcdir> <builddir>
# Speaks the expected normalized texts of tests/golden/golden-dev.tsv (column 3)
# to IPA with kazspeak's data folder; eSpeak marks a language switch as "(en)".
# A switch is only allowed for a sentence that contains Latin-script words.
set -u
bin=${1:?}; src=${2:?}; build=${3:?}
gold="${KS_GOLDEN_TSV:-$src/tests/golden/golden-dev.tsv}"
data="$build/espeak-ng-data"
[ -f "$gold" ] || { echo "SKIP: $gold not there yet"; exit 77; }
command -v espeak-ng >/dev/null || { echo "SKIP: espeak-ng program not found"; exit 77; }
[ -f "$data/kk_dict" ] || { echo "FAIL: $data/kk_dict missing"; exit 1; }
export HOME=/nonexistent
unset ESPEAK_DATA_PATH

n=0; bad=0; latin=0
while IFS=$'\t' read -r id input expected rest; do
    [ -n "${expected:-}" ] || continue
    case "$id" in \#*) continue ;; esac
    [ "$expected" = "expected" ] && continue   # header line
    n=$((n + 1))
    if printf '%s' "$expected" | grep -q '[A-Za-z]'; then
        latin=$((latin + 1)); continue
    fi
    ipa=$(espeak-ng --path "$data" -v kk -q --ipa -- "$expected" 2>&1)
    if printf '%s' "$ipa" | grep -q '(en)'; then
        bad=$((bad + 1))
        printf 'FAIL %s: English switch in pure Kazakh text\n  text: %s\n  ipa:  %s\n' "$id" "$expected" "$ipa"
    fi
done < "$gold"
echo "$n sentences, $latin with Latin script (not checked), $bad switched to English"
[ "$n" -gt 0 ] || { echo "FAIL: no sentences read from $gold"; exit 1; }
[ "$bad" -eq 0 ]
