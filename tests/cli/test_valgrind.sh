#!/usr/bin/env bash
# The CLI under valgrind on short inputs: no invalid access, no leak.
source "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 77; }
if nm -C "$KS" 2>/dev/null | grep -q __asan_init; then echo "sanitized build: valgrind cannot run it" >&2; exit 77; fi
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect)
TEXT="2020 жылғы 3 маусымда ҚР-да ЖІӨ 5,1%-ға өсті. Бағасы \$2 млн. XXI ғасыр, 14:30-да, т.б."
run() {
  local name=$1; shift
  "${VG[@]}" "$@" >"$T/out" 2>"$T/err"; local rc=$?
  ok; if [ $rc -eq 99 ] || grep -q "ERROR SUMMARY: [1-9]\|definitely lost: [1-9]" "$T/err"; then
    fail "$name: valgrind found errors: $(head -c 2000 "$T/err")"; fi
  echo "$rc"
}
printf '%s\n%s\n' "$TEXT" "Бір екі үш" >"$T/in.txt"
rc=$(run normalize "$KS" --normalize -f "$T/in.txt"); ok; [ "$rc" = 0 ] || fail "normalize rc=$rc"
rc=$(run explain "$KS" --explain -f "$T/in.txt"); ok; [ "$rc" = 0 ] || fail "explain rc=$rc"
rc=$(run write "$KS" -q -f "$T/in.txt" -w "$T/o.wav"); ok; [ "$rc" = 0 ] || fail "write rc=$rc"
rc=$(run mp3 "$KS" -q "$TEXT" -w "$T/o.mp3"); ok; [ "$rc" = 0 ] || fail "mp3 rc=$rc"
rc=$(run badvoice "$KS" -v nosuch -w "$T/o2.wav" "x"); ok; [ "$rc" = 1 ] || fail "badvoice rc=$rc"
printf '\xff\xfe bad utf8 \x00 nul\n' >"$T/bad.txt"
rc=$(run badutf8 "$KS" --normalize -f "$T/bad.txt"); ok; [ "$rc" = 0 ] || fail "bad utf8 rc=$rc"
finish
