#!/usr/bin/env bash
# `cmake --install` works at any prefix: two prefixes (one plain --prefix, one
# through DESTDIR), the first then moved elsewhere.  From each: the program
# (normalize, write a tagged MP3), a pkg-config client of the shared library
# and one of the static library (ks_data_find(NULL) must find the installed
# data, then normalize), and the speech-dispatcher module through a private
# speech-dispatcher server (its own config, socket and logs; ALSA into a file).
source "$(dirname "$0")/../cli/lib.sh"
unset KAZSPEAK_DATA ESPEAK_DATA_PATH

install_to() { # install_to PREFIX [DESTDIR]
  if [ -n "${2:-}" ]; then
    DESTDIR="$2" cmake --install "$BUILD" --prefix "$1" >"$T/log" 2>&1
  else
    cmake --install "$BUILD" --prefix "$1" >"$T/log" 2>&1
  fi || { fail "cmake --install $*: $(tail -5 "$T/log")"; finish; exit 1; }
  ok; ! grep -q "/usr/local/etc\|Installing: /etc" "$T/log" || fail "installed outside the prefix: $(grep -m1 etc "$T/log")"
}

P1="$T/one/usr-like"
install_to "$P1"
install_to /opt/kazspeak-test "$T/dest"
P2="$T/dest/opt/kazspeak-test"
mkdir -p "$T/elsewhere"
mv "$T/one" "$T/elsewhere/one"
P1="$T/elsewhere/one/usr-like"

cat >"$T/use.c" <<'C'
#include <kazspeak/kazspeak.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    char root[4096], espeak[4096], lexdir[4200];
    ks_lexicon *lex; ks_normalizer *n; ks_error err; ks_buf out = {0};
    if (ks_data_find(NULL, root, sizeof root, espeak, sizeof espeak, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    snprintf(lexdir, sizeof lexdir, "%s/lexicon", root);
    if (ks_lexicon_new(&lex, &err) || ks_lexicon_load_dir(lex, lexdir, &err) || ks_normalizer_new(&n, lex, &err)) {
        fprintf(stderr, "%s\n", err.msg); return 1; }
    const char *t = "ҚР-да 15%-ға";
    if (ks_normalize(n, t, strlen(t), &out, NULL, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    printf("%s\n%s\n", root, out.data);
    ks_buf_free(&out); ks_normalizer_free(n); ks_lexicon_free(lex);
    return 0;
}
C
# A sanitized library (KS_SANITIZE build) needs its runtime in the program too.
san=""
if nm -D "$(ls "$P2"/lib*/libkazspeak.so* | head -1)" 2>/dev/null | grep -q __asan_init; then san="-fsanitize=address,undefined"; fi

speechd_check() { # speechd_check PREFIX
  local P=$1 d="$T/sd-$2"
  if ! command -v speech-dispatcher >/dev/null || ! command -v spd-say >/dev/null ||
     ! ls /usr/lib/*/speech-dispatcher/spd_alsa.so >/dev/null 2>&1; then
    echo "note: speech-dispatcher (with its ALSA plugin) not installed: module check skipped" >&2; return; fi
  local mod conf
  mod=$(ls "$P"/lib*/speech-dispatcher-modules/sd_kazspeak 2>/dev/null | head -1)
  conf="$P/etc/speech-dispatcher/modules/kazspeak.conf"
  ok; [ -x "$mod" ] || { fail "$P: no sd_kazspeak"; return; }
  ok; [ -f "$conf" ] || { fail "$P: module config not under the prefix"; return; }
  mkdir -p "$d/conf" "$d/logs" "$d/run" "$d/home"
  cat >"$d/conf/speechd.conf" <<EOF2
LogLevel 4
LogDir "$d/logs"
AudioOutputMethod "alsa"
AudioALSADevice "default"
DefaultLanguage "kk"
DefaultModule kazspeak
AddModule "kazspeak" "$mod" "$conf"
EOF2
  printf 'pcm.!default { type file; slave.pcm { type null }; file "%s"; format "raw" }\n' "$d/capture.raw" >"$d/alsa.conf"
  (
    export ALSA_CONFIG_PATH="$d/alsa.conf" SPEECHD_ADDRESS="unix_socket:$d/run/speechd.sock"
    export HOME="$d/home" XDG_RUNTIME_DIR="$d/run" XDG_CONFIG_HOME="$d/home/.config"
    speech-dispatcher -s -t 30 -C "$d/conf" -c unix_socket -S "$d/run/speechd.sock" -P "$d/run/speechd.pid" \
      -L "$d/logs" >"$d/logs/server.out" 2>&1 &
    pid=$!
    for _ in $(seq 100); do [ -S "$d/run/speechd.sock" ] && break; sleep 0.1; done
    rc=0
    timeout 60 spd-say -w -o kazspeak -l kk "2020 жылғы 3 маусым" >"$d/say.out" 2>&1 || rc=1
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    exit $rc
  ) || true
  ok; [ -s "$d/capture.raw" ] || fail "$P: the module spoke nothing: $(grep -h -i -m3 "data folder\|error" "$d/logs"/*.log 2>/dev/null)"
  ok; grep -q "екі мың жиырмасыншы жылғы үшінші маусым" "$d/logs/kazspeak.log" 2>/dev/null ||
    fail "$P: the module log does not show the normalized date"
}

k=0
for P in "$P1" "$P2"; do
  k=$((k + 1))
  for f in bin/kazspeak include/kazspeak/kazspeak.h share/man/man1/kazspeak.1 \
           share/kazspeak/voices/default.voice share/kazspeak/lexicon/acronyms.tsv \
           share/kazspeak/lexicon/latin/2021.tsv share/kazspeak/espeak-ng-data/phontab \
           share/kazspeak/espeak-ng-data/kk_dict etc/speech-dispatcher/modules/kazspeak.conf; do
    ok; [ -e "$P/$f" ] || fail "not installed: $P/$f"
  done
  ok; ls "$P"/lib*/libkazspeak.so.0 >/dev/null 2>&1 || fail "$P: libkazspeak.so not installed"
  ok; ls "$P"/lib*/libkazspeak.a >/dev/null 2>&1 || fail "$P: libkazspeak.a not installed"
  pc=$(ls "$P"/lib*/pkgconfig/kazspeak.pc 2>/dev/null | head -1)
  ok; [ -n "$pc" ] || { fail "$P: kazspeak.pc not installed"; continue; }
  export PKG_CONFIG_PATH="$(dirname "$pc")"
  cflags=$(echo $(pkg-config --cflags kazspeak))
  ok; [ "$(echo $cflags | wc -w)" = 1 ] && [ "$(realpath -m "${cflags#-I}")" = "$(realpath "$P/include")" ] ||
    fail "$P: kazspeak.pc Cflags '$cflags' (want only -I<prefix>/include, no private defines)"

  # the program
  out=$(echo "2020 жылғы 3 маусым" | "$P/bin/kazspeak" --normalize 2>"$T/err")
  ok; [ "$out" = "екі мың жиырмасыншы жылғы үшінші маусым" ] || fail "$P: --normalize: '$out' $(cat "$T/err")"
  "$P/bin/kazspeak" -q -w "$T/x$k.mp3" --title "Сынақ" "Сәлем, әлем!" 2>"$T/err" || fail "$P: -w: $(cat "$T/err")"
  ok; [ -s "$T/x$k.mp3" ] || fail "$P: -w wrote nothing"

  # a pkg-config client of the shared library, and of the static one
  libdir=$(dirname "$pc")/..
  if cc $san -o "$T/use$k" "$T/use.c" $(pkg-config --cflags --libs kazspeak) 2>"$T/err"; then
    out=$(LD_LIBRARY_PATH="$libdir" "$T/use$k" 2>&1)
    ok; [ "$(echo "$out" | tail -1)" = "Қазақстан Республикасында он бес пайызға" ] || fail "$P: shared-library user: '$out'"
    ok; [ "$(echo "$out" | head -1)" = "$(realpath "$P/share/kazspeak")" ] || fail "$P: ks_data_find(NULL) gave '$(echo "$out" | head -1)'"
  else
    fail "$P: cannot build against the shared library: $(cat "$T/err")"
  fi
  static_libs=$(pkg-config --static --libs kazspeak | sed 's/-lkazspeak//')
  if cc $san -o "$T/use-static$k" "$T/use.c" $(pkg-config --cflags kazspeak) "$libdir/libkazspeak.a" $static_libs 2>"$T/err"; then
    ok; ! ldd "$T/use-static$k" | grep -q libkazspeak || fail "$P: the static client uses the shared library"
    # a static client's code is in the program, not beside the data: it names the data folder
    out=$(KAZSPEAK_DATA="$P/share/kazspeak" "$T/use-static$k" 2>&1)
    ok; [ "$(echo "$out" | tail -1)" = "Қазақстан Республикасында он бес пайызға" ] || fail "$P: static-library user: '$out'"
  else
    fail "$P: cannot build against the static library: $(cat "$T/err")"
  fi
  unset PKG_CONFIG_PATH

  speechd_check "$P" "$k"
done
finish
