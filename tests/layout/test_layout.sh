#!/bin/bash
# The house rules of src/ (public header only in the front ends, arrows down, no
# include cycles, no function over 130 lines): tests/layout/layout.py.
# usage: test_layout.sh KAZSPEAK SRCDIR BUILDDIR
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
exec python3 "$2/tests/layout/layout.py" "$2"
