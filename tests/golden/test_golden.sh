#!/bin/bash
# Golden test of the normalizer through the CLI:
#   bash test_golden.sh <path-to-kazspeak> <srcdir> <builddir>
# Pipes column 2 of tests/golden/golden-dev.tsv through `kazspeak --normalize`
# and compares each line with column 3. Prints a diff per failing row; exit 1 on any failure.
set -u
prog=${1:?usage: test_golden.sh KAZSPEAK SRCDIR BUILDDIR}
src=${2:?srcdir}
build=${3:-.}
gold="$src/tests/golden/golden-dev.tsv"
[ -x "$prog" ] || { echo "no program: $prog"; exit 1; }
[ -f "$gold" ] || { echo "no golden file: $gold"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ks-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# skip the header line; keep rows in order
tail -n +2 "$gold" | cut -f1 >"$tmp/cat"
tail -n +2 "$gold" | cut -f2 >"$tmp/in"
tail -n +2 "$gold" | cut -f3 >"$tmp/want"
tail -n +2 "$gold" | cut -f4 >"$tmp/flag"
if ! KAZSPEAK_DATA="$src" "$prog" --data-dir "$src" --no-user-lexicon --normalize <"$tmp/in" >"$tmp/got" 2>"$tmp/err"; then
    echo "kazspeak --normalize failed:"; cat "$tmp/err"; exit 1
fi
total=$(wc -l <"$tmp/in")
got_lines=$(wc -l <"$tmp/got")
if [ "$got_lines" -ne "$total" ]; then
    echo "expected $total output lines, got $got_lines"; cat "$tmp/err"; exit 1
fi
fail=0
# a unit separator joins the columns ("paste -d '\\001'" would join with NUL/'0'/'1')
us=$(printf '\037')
paste -d "$us" "$tmp/cat" "$tmp/in" "$tmp/want" "$tmp/got" "$tmp/flag" >"$tmp/all"
row=1
while IFS="$us" read -r cat in want got flag; do
    row=$((row + 1))
    if [ "$want" != "$got" ]; then
        fail=$((fail + 1))
        echo "FAIL line $row [$cat]${flag:+ ($flag)}"
        echo "  input: $in"
        echo "  - want: $want"
        echo "  + got:  $got"
        diff <(tr ' ' '\n' <<<"$want") <(tr ' ' '\n' <<<"$got") | grep '^[<>]' | sed 's/^/    /'
    fi
done <"$tmp/all"
echo "golden: $((total - fail))/$total rows pass"
[ "$fail" -eq 0 ]
