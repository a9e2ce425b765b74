#!/bin/bash
# Exact phoneme output of tricky words, one or more per rule category
# (tests/pron/tricky.tsv), with kazspeak's own eSpeak NG data folder.
# usage: bash test_tricky.sh <kazspeak-binary> <srcdir> <builddir>
set -u
bin=${1:?}; src=${2:?}; build=${3:?}
data="$build/espeak-ng-data"
command -v espeak-ng >/dev/null || { echo "SKIP: espeak-ng program not found"; exit 77; }
[ -f "$data/kk_dict" ] || { echo "FAIL: $data/kk_dict missing"; exit 1; }
export HOME=/nonexistent
unset ESPEAK_DATA_PATH
n=0; bad=0
while IFS=$'\t' read -r word want why; do
    case "$word" in ''|\#*) continue ;; esac
    n=$((n + 1))
    got=$(espeak-ng --path "$data" -v kk -q --ipa -- "$word")
    got=$(printf '%s' "$got" | tr -d ' \n')
    if [ "$got" = "$want" ]; then
        echo "ok   $word -> $got"
    else
        echo "FAIL $word -> $got (want $want: $why)"; bad=$((bad + 1))
    fi
done < "$src/tests/pron/tricky.tsv"
echo "$n words, $bad wrong"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
