#!/usr/bin/env bash
# speech-dispatcher module: language=ru / language=en voices, Russian spans in
# language=kk messages, LIST VOICES. Usage: test_sd_lang.sh KAZSPEAK SRCDIR BUILDDIR
set -u
src=$2 build=$3
mod="$build/src/sd/sd_kazspeak"
[ -x "$mod" ] || { echo "SKIP: no sd_kazspeak"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
command -v espeak-ng >/dev/null || { echo "SKIP: espeak-ng program missing"; exit 77; }
[ -f "$build/espeak-ng-data/ru_dict" ] || { echo "SKIP: no ru_dict"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/kazspeak-sdlang.XXXXXX")
trap 'rm -rf "$T"' EXIT
espeak-ng -v ru -s 175 -w "$T/ru.wav" "Государственные органы рассматривают обращения граждан." || exit 1
espeak-ng -v ru -s 175 -w "$T/run.wav" "В две тысячи двадцатом году государственные органы рассмотрели обращения граждан." || exit 1
exec python3 "$src/tests/lang/sd_lang_test.py" "$mod" "$T/ru.wav" "$T/run.wav"
