#!/usr/bin/env bash
# kazspeak serve: the operator panel in headless Chromium, used by keyboard
# alone, with the sound captured from a paced JACK dummy server (see
# tests/serve/panel.py). Needs chromium, chromium-driver, python3-selenium, jackd2.
set -u
K=$1 SRC=$2 BUILD=$3
PY=/usr/bin/python3
[ -x $PY ] && $PY -c 'import selenium' 2>/dev/null || { echo "SKIP: python3-selenium missing"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/kazspeak-serve-panel.XXXXXX")
trap 'rm -rf "$T"' EXIT
export KAZSPEAK_DATA= ESPEAK_DATA_PATH=
unset KAZSPEAK_TIMING KAZSPEAK_AUDIO_DEBUG
$PY "$SRC/tests/serve/panel.py" drive "$K" "$T"
