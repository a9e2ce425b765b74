#!/usr/bin/env bash
# kazspeak serve: an accessibility audit of the operator panel with axe-core,
# run in headless Chromium. axe-core comes from the npm registry (npm pack) into
# a cache folder under the build dir on the first run; no manual step.
set -u
K=$1 SRC=$2 BUILD=$3
AXE_VERSION=4.10.2
PY=/usr/bin/python3
[ -x $PY ] && $PY -c 'import selenium' 2>/dev/null || { echo "SKIP: python3-selenium missing"; exit 77; }
CACHE=$BUILD/serve-cache
AXE=$CACHE/axe-core-$AXE_VERSION/axe.min.js
if [ ! -s "$AXE" ]; then
    command -v npm >/dev/null 2>&1 || { echo "SKIP: npm missing: cannot fetch axe-core"; exit 77; }
    mkdir -p "$CACHE/axe-core-$AXE_VERSION"
    tgz=$(cd "$CACHE" && npm pack --silent "axe-core@$AXE_VERSION" 2>/dev/null | tail -1)
    if [ -z "$tgz" ] || [ ! -s "$CACHE/$tgz" ]; then
        echo "SKIP: axe-core@$AXE_VERSION could not be fetched from the npm registry (offline?)"
        exit 77
    fi
    tar -xzf "$CACHE/$tgz" -C "$CACHE/axe-core-$AXE_VERSION" --strip-components=1 package/axe.min.js &&
        rm -f "$CACHE/$tgz" || { echo "FAIL: cannot unpack $tgz"; exit 1; }
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/kazspeak-serve-a11y.XXXXXX")
trap 'rm -rf "$T"' EXIT
export KAZSPEAK_DATA= ESPEAK_DATA_PATH=
$PY "$SRC/tests/serve/panel.py" audit "$K" "$T" "$AXE"
