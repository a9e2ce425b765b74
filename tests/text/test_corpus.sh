#!/bin/bash
# Corpus regression test: reads column 3 of tests/corpus/kk-real.tsv through
# `kazspeak --normalize` and compares each line with column 2 of tests/corpus/expected.tsv.
# Prints the accuracy and the rows read wrong; fails when fewer rows than MIN_OK are right.
#   bash test_corpus.sh KAZSPEAK SRCDIR BUILDDIR
set -u
MIN_OK=430 # raise as the normalizer improves; never lower without a reason in the commit
prog=${1:?usage: test_corpus.sh KAZSPEAK SRCDIR BUILDDIR}
src=${2:?srcdir}
real="$src/tests/corpus/kk-real.tsv"
exp="$src/tests/corpus/expected.tsv"
[ -f "$real" ] && [ -f "$exp" ] || { echo "no corpus: skipped"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ks-corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tail -n +2 "$real" | cut -f1 >"$tmp/id"
tail -n +2 "$real" | cut -f3 >"$tmp/in"
tail -n +2 "$exp" | cut -f1 >"$tmp/eid"
tail -n +2 "$exp" | cut -f2 >"$tmp/want"
cmp -s "$tmp/id" "$tmp/eid" || { echo "kk-real.tsv and expected.tsv ids differ"; exit 1; }
if ! KAZSPEAK_DATA="$src" "$prog" --data-dir "$src" --no-user-lexicon --normalize <"$tmp/in" >"$tmp/got" 2>"$tmp/err"; then
    echo "kazspeak --normalize failed:"; cat "$tmp/err"; exit 1
fi
total=$(wc -l <"$tmp/in")
[ "$(wc -l <"$tmp/got")" -eq "$total" ] || { echo "output line count differs"; exit 1; }
us=$(printf '\037')
paste -d "$us" "$tmp/id" "$tmp/want" "$tmp/got" >"$tmp/all"
ok=0
while IFS="$us" read -r id want got; do
    if [ "$want" = "$got" ]; then
        ok=$((ok + 1))
    else
        echo "WRONG $id"
        echo "  - want: $want"
        echo "  + got:  $got"
    fi
done <"$tmp/all"
pct=$(awk -v a="$ok" -v b="$total" 'BEGIN { printf "%.1f", 100 * a / b }')
echo "corpus: $ok/$total sentences read as expected ($pct%), minimum $MIN_OK"
[ "$ok" -ge "$MIN_OK" ]
