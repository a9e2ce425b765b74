#!/bin/bash
# Leftover test (issue 12): after normalization no digit, no % ₸ $ € № = × /, no all-caps
# Cyrillic word that is not meant to be kept, and no input word silently dropped, over
# the golden inputs and the real corpus (tests/corpus/, when present). See leftover.py.
#   bash test_leftover.sh KAZSPEAK SRCDIR BUILDDIR
set -u
prog=${1:?usage: test_leftover.sh KAZSPEAK SRCDIR BUILDDIR}
src=${2:?srcdir}
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
exec python3 "$src/tests/text/leftover.py" "$prog" "$src"
