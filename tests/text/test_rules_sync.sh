#!/bin/bash
# The rule book and the golden file are copies of the shared reference
# (kk-normalization/RULES.md and golden-dev.tsv). Every "RULES §N" in the code
# points into docs/RULES.md. This test fails when either copy changes without
# tests/golden/README.md recording its new checksum, so an update of the
# reference is always a deliberate, reviewed step:
#   bash test_rules_sync.sh PROGRAM SRCDIR BUILDDIR
set -u
src=${2:?usage: test_rules_sync.sh PROGRAM SRCDIR BUILDDIR}
readme="$src/tests/golden/README.md"
fail=0
for f in docs/RULES.md tests/golden/golden-dev.tsv; do
    [ -f "$src/$f" ] || { echo "missing $f"; fail=1; continue; }
    have=$(sha256sum "$src/$f" | cut -d' ' -f1)
    want=$(sed -n "s|^sha256 $f: \([0-9a-f]\{64\}\).*|\1|p" "$readme")
    if [ -z "$want" ]; then
        echo "tests/golden/README.md records no checksum for $f (a line 'sha256 $f: <hex>')"; fail=1
    elif [ "$have" != "$want" ]; then
        echo "$f changed: sha256 $have, README.md records $want"
        echo "  update the copy from the shared reference and the checksum in README.md together"; fail=1
    fi
done
# every "RULES §N" cited in src/lib/text resolves to a section heading of docs/RULES.md
for n in $(grep -rhoE 'RULES(\.md)? §[0-9]+' "$src/src/lib/text" | grep -oE '[0-9]+$' | sort -un); do
    grep -qE "^## $n\. " "$src/docs/RULES.md" || { echo "RULES §$n is cited in src/lib/text but has no section"; fail=1; }
done
[ "$fail" -eq 0 ] && echo "rules sync: ok"
exit "$fail"
