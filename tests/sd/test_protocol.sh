#!/usr/bin/env bash
# sd_kazspeak over stdin/stdout (no server, no sound card): replies, event order,
# index marks, STOP/PAUSE in the middle, rate/volume, CHAR/KEY, malformed input,
# audio decoded from the 705 blocks.  Usage: test_protocol.sh KAZSPEAK SRCDIR BUILDDIR
set -u
src=$2
build=$3
mod="$build/src/sd/sd_kazspeak"
if [ ! -x "$mod" ]; then
    echo "missing $mod"
    exit 1
fi
if ! command -v python3 >/dev/null; then
    echo "SKIP: python3 is needed to drive the module"
    exit 77
fi
exec python3 "$src/tests/sd/protocol_test.py" "$mod"
