#!/bin/bash
# The README's reader example compiles against the public header and the
# library, runs, prints each sentence as it is spoken and writes a WAV file.
# usage: test_readme_example.sh KAZSPEAK SRCDIR BUILDDIR
SRC=$2
BUILD=$(readlink -f "$3")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v cc >/dev/null || { echo "no C compiler"; exit 77; }
# the C block after the marker line
awk '/<!-- reader-example -->/{m=1; next} m && /^```c/{c=1; next} c && /^```/{exit} c{print}' \
  "$SRC/README.md" >"$T/example.c"
[ -s "$T/example.c" ] || fail "no reader example in README.md"
lib=$(ls "$BUILD"/libkazspeak.so 2>/dev/null | head -1)
[ -n "$lib" ] || fail "no libkazspeak.so in $BUILD"
san=""
nm -D "$lib" 2>/dev/null | grep -q __asan_init && san="-fsanitize=address,undefined"
cc -std=c11 -Wall -Wextra -Werror $san -I"$SRC/src/include" -o "$T/example" "$T/example.c" \
  -L"$BUILD" -lkazspeak -Wl,-rpath,"$BUILD" 2>"$T/err" || fail "does not compile: $(cat "$T/err")"
SRCABS=$(readlink -f "$SRC"); (cd "$T" && ASAN_OPTIONS=detect_leaks=0 ./example "$SRCABS" >"$T/out" 2>"$T/err") || fail "exit $?: $(cat "$T/err")"
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "want two sentences, got: $(cat "$T/out")"
grep -q '^0.00 s: 2020 жылғы 3 маусымда ЖІӨ 5,1%-ға өсті\. *-> екі мың жиырмасыншы жылғы үшінші маусымда' "$T/out" \
  || fail "first sentence: $(head -1 "$T/out")"
grep -q 'Сессия 15:30-да басталады\. *-> [Сс]ессия он бес' "$T/out" || fail "second: $(tail -1 "$T/out")"
[ -s "$T/example.wav" ] || fail "no example.wav"
head -c 4 "$T/example.wav" | grep -q RIFF || fail "example.wav is not a WAV file"
[ "$(stat -c %s "$T/example.wav")" -gt 50000 ] || fail "example.wav too short"
echo "README reader example: compiled, ran, $(stat -c %s "$T/example.wav") bytes of WAV; $(tail -1 "$T/out")"
