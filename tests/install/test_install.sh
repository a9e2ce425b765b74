#!/usr/bin/env bash
# `cmake --install` lays out the program, the library, its header, kazspeak.pc,
# voices, lexicon, kazspeak's own eSpeak NG data, sd_kazspeak and the man page;
# the installed program works from there (outside the build tree).
source "$(dirname "$0")/../cli/lib.sh"
P="$T/prefix"
cmake --install "$BUILD" --prefix "$P" >"$T/log" 2>&1 || { fail "cmake --install failed: $(tail -5 "$T/log")"; finish; exit 1; }
for f in bin/kazspeak include/kazspeak/kazspeak.h share/man/man1/kazspeak.1 \
         share/kazspeak/voices/default.voice share/kazspeak/voices/fast.voice \
         share/kazspeak/lexicon/acronyms.tsv share/kazspeak/lexicon/latin/2021.tsv \
         share/kazspeak/espeak-ng-data/phontab share/kazspeak/espeak-ng-data/kk_dict \
         share/kazspeak/espeak-ng-data/en_dict; do
  ok; [ -e "$P/$f" ] || fail "not installed: $f"
done
ok; ls "$P"/lib*/libkazspeak.so* >/dev/null 2>&1 || fail "libkazspeak.so not installed"
ok; pc=$(ls "$P"/lib*/pkgconfig/kazspeak.pc 2>/dev/null | head -1); [ -n "$pc" ] || fail "kazspeak.pc not installed"
ok; ls "$P"/lib*/speech-dispatcher-modules/sd_kazspeak "$P"/lib/speech-dispatcher-modules/sd_kazspeak >/dev/null 2>&1 \
  || find "$P" -name sd_kazspeak | grep -q . || fail "sd_kazspeak not installed"
# The installed program finds its installed data next to it; --data-dir and KAZSPEAK_DATA work too.
cp "$P/bin/kazspeak" "$T/kazspeak-copy"
out=$(echo "2020 жылғы 3 маусым" | "$P/bin/kazspeak" --normalize 2>"$T/err")   # finds ../share/kazspeak
ok; [ "$out" = "екі мың жиырмасыншы жылғы үшінші маусым" ] || fail "installed --normalize: '$out' $(cat "$T/err")"
KAZSPEAK_DATA="$P/share/kazspeak" "$T/kazspeak-copy" -q -w "$T/x.wav" "Сәлем, әлем!" 2>"$T/err" || fail "installed -w: $(cat "$T/err")"
ok; [ -s "$T/x.wav" ] || fail "installed -w wrote nothing"
# A program built against the installed library and header through pkg-config.
cat >"$T/use.c" <<'C'
#include <kazspeak/kazspeak.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
    ks_lexicon *lex; ks_normalizer *n; ks_error err; ks_buf out = {0};
    if (ks_lexicon_new(&lex, &err) || ks_lexicon_load_dir(lex, argv[1], &err) || ks_normalizer_new(&n, lex, &err)) {
        fprintf(stderr, "%s\n", err.msg); return 1; }
    const char *t = "ҚР-да 15%-ға";
    if (ks_normalize(n, t, strlen(t), &out, NULL, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    puts(out.data);
    ks_buf_free(&out); ks_normalizer_free(n); ks_lexicon_free(lex);
    return argc > 0 ? 0 : 1;
}
C
# A sanitized library (KS_SANITIZE build) needs its runtime in the program too.
san=""
if nm -D "$(ls "$P"/lib*/libkazspeak.so* | head -1)" 2>/dev/null | grep -q __asan_init; then san="-fsanitize=address,undefined"; fi
if PKG_CONFIG_PATH="$(dirname "$pc")" cc $san -o "$T/use" "$T/use.c" $(PKG_CONFIG_PATH="$(dirname "$pc")" pkg-config --cflags --libs kazspeak) 2>"$T/err"; then
  out=$(LD_LIBRARY_PATH="$P/lib:$(dirname "$(dirname "$pc")")" "$T/use" "$P/share/kazspeak/lexicon")
  ok; [ "$out" = "Қазақстан Республикасында он бес пайызға" ] || fail "library user: '$out'"
else
  fail "cannot build against the installed library: $(cat "$T/err")"
fi
finish
