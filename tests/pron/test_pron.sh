#!/bin/bash
# Pronunciation quality of kazspeak's own eSpeak NG data folder.
# usage: bash test_pron.sh <kazspeak-binary> <srcdir> <builddir>
# Scores tests/pron/pron-dev.tsv (shared gold word list) with score.py against
# <builddir>/espeak-ng-data and FAILS if PER > 5 %, word accuracy < 80 % or
# stress agreement < 80 %.  Also prints (does not gate) the held-out list
# tests/pron/pron-extra.tsv.  Exit 77 (skip) only when python3/espeak-ng are absent.
set -u
bin=${1:?kazspeak binary}; src=${2:?source dir}; build=${3:?build dir}
here="$src/tests/pron"
data="$build/espeak-ng-data"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
command -v espeak-ng >/dev/null || { echo "SKIP: espeak-ng program not found"; exit 77; }
[ -f "$data/kk_dict" ] || { echo "FAIL: $data/kk_dict missing (build target kazspeak_espeak_data)"; exit 1; }

# Never let a user's ~/espeak-ng-data or ESPEAK_DATA_PATH leak in.
export HOME=/nonexistent
unset ESPEAK_DATA_PATH

fail=0
check() {   # name value op limit
    if awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN { exit !((op == "le") ? (v <= l) : (v >= l)) }'; then
        echo "ok   $1 = $2 % ($3 $4)"
    else
        echo "FAIL $1 = $2 % (must be $3 $4)"; fail=1
    fi
}

out=$(python3 "$here/score.py" "$here/pron-dev.tsv" "$data" --errors 15) || { echo "FAIL: score.py failed"; echo "$out"; exit 1; }
echo "$out"
per=$(echo "$out" | sed -n 's/^PER: \([0-9.]*\)%.*/\1/p')
acc=$(echo "$out" | sed -n 's/^word accuracy: \([0-9.]*\)%.*/\1/p')
str=$(echo "$out" | sed -n 's/^stress agreement: \([0-9.]*\)%.*/\1/p')
[ -n "$per" ] && [ -n "$acc" ] && [ -n "$str" ] || { echo "FAIL: could not read the scores"; exit 1; }
echo "== pron-dev.tsv (gated)"
check "PER" "$per" le 5
check "word accuracy" "$acc" ge 80
check "stress agreement" "$str" ge 80

echo "== pron-extra.tsv (held-out, kazspeak's own list; informational)"
python3 "$here/score.py" "$here/pron-extra.tsv" "$data" --errors 10 | grep -E '^(category|[a-z_\[]|most|  |stress|word|PER)' || fail=1

exit $fail
