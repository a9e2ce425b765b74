#!/usr/bin/env bash
# kazspeak serve: the HTTP API with a real client (tests/serve/api.py): WAV and
# the other formats, MaryTTS parameters and listings, 400/401/403/404/405/413/503,
# the token, and SIGTERM with requests in flight.
set -u
K=$1 SRC=$2 BUILD=$3
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 missing"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/kazspeak-serve-api.XXXXXX")
trap 'rm -rf "$T"' EXIT
export KAZSPEAK_DATA= ESPEAK_DATA_PATH=
python3 "$SRC/tests/serve/api.py" "$K" "$T"
