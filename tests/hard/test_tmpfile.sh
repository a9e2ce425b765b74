#!/usr/bin/env bash
# Audio output through an unnamed temporary file (O_TMPFILE): `kazspeak -w`
# killed with SIGKILL in the middle of a long file leaves nothing in the output
# folder (before, a hidden .NAME.XXXXXX stayed), an existing output file is
# left as it was, and a finished run replaces it keeping its permissions.
# The named fallback (KAZSPEAK_NO_TMPFILE=1) still works; after SIGKILL it
# does leave its .NAME.XXXXXX, which shows the check below can see one.
# Args: <kazspeak> <srcdir> <builddir>.
set -u
KS=$(realpath "$1")
T=$(mktemp -d "${TMPDIR:-/tmp}/kstmpf.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
FAILS=0
CHECKS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
check() { CHECKS=$((CHECKS + 1)); }
export HOME="$T/home" XDG_CONFIG_HOME="$T/xdg"

if ! python3 - "$T" <<'EOF' 2>/dev/null; then
import os, sys
fd = os.open(sys.argv[1], os.O_TMPFILE | os.O_RDWR, 0o600)
os.close(fd)
EOF
  echo "the filesystem of $T does not support O_TMPFILE" >&2
  exit 77
fi

# A text that takes many seconds to synthesize (about 0.9 s per 100 lines).
for i in $(seq 1 3000); do
  echo "2020 жылғы 3 маусымда Қазақстан Республикасында ЖІӨ 5,1 пайызға өсті. Бұл сөйлем $i."
done >"$T/big.txt"

# start_and_kill9 DIR NAME [env...]: start writing DIR/NAME, wait until the
# program holds a file in DIR open for writing and has written a few MB, then
# SIGKILL it.  Prints nothing; fails the test if it never started.
start_and_kill9() {
  local dir=$1 name=$2; shift 2
  env "$@" "$KS" -q -f "$T/big.txt" -w "$dir/$name" </dev/null >"$T/out" 2>"$T/err" &
  local pid=$!
  PIDS+=("$pid")
  local started=0
  for _ in $(seq 1 200); do # up to 10 s
    for fd in /proc/"$pid"/fd/*; do
      local target
      target=$(readlink "$fd" 2>/dev/null) || continue
      case "$target" in
      "$dir"/*)
        local size
        size=$(stat -L -c %s "$fd" 2>/dev/null || echo 0)
        if [ "${size:-0}" -gt 4000000 ]; then started=1; break 2; fi ;;
      esac
    done
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  check
  [ "$started" = 1 ] || fail "$name: the program never started writing into $dir ($(cat "$T/err"))"
}

# 1. A new file, SIGKILL: the folder stays empty.
mkdir "$T/d1"
start_and_kill9 "$T/d1" out.wav
check; [ -z "$(ls -A "$T/d1")" ] || fail "SIGKILL left files behind: $(ls -A "$T/d1")"

# 2. An existing 0600 file, SIGKILL: it is untouched and alone.
mkdir "$T/d2"
echo "old contents" >"$T/d2/keep.wav"
chmod 0600 "$T/d2/keep.wav"
start_and_kill9 "$T/d2" keep.wav
check; [ "$(ls -A "$T/d2")" = keep.wav ] || fail "SIGKILL over an existing file left: $(ls -A "$T/d2")"
check; [ "$(cat "$T/d2/keep.wav")" = "old contents" ] || fail "the existing file was changed by a killed run"

# 3. A finished run replaces it: still 0600, a real WAV, nothing else in the folder.
head -n 20 "$T/big.txt" >"$T/small.txt"
"$KS" -q -f "$T/small.txt" -w "$T/d2/keep.wav" 2>"$T/err"
rc=$?
check; [ $rc -eq 0 ] || fail "write failed: $(cat "$T/err")"
check; [ "$(ls -A "$T/d2")" = keep.wav ] || fail "after a finished run the folder holds: $(ls -A "$T/d2")"
check; [ "$(stat -c %a "$T/d2/keep.wav")" = 600 ] || fail "replaced file mode $(stat -c %a "$T/d2/keep.wav"), want 600"
check; [ "$(head -c 4 "$T/d2/keep.wav")" = RIFF ] || fail "replaced file is not a WAV"
check; [ "$(stat -c %s "$T/d2/keep.wav")" -gt 100000 ] || fail "replaced file too small"

# 4. A relative output name in the current folder, new file mode from the umask.
mkdir "$T/d3"
(cd "$T/d3" && umask 027 && "$KS" -q -f "$T/small.txt" -w rel.flac) 2>"$T/err"
check; [ "$(ls -A "$T/d3")" = rel.flac ] || fail "relative name: folder holds $(ls -A "$T/d3") ($(cat "$T/err"))"
check; [ "$(stat -c %a "$T/d3/rel.flac" 2>/dev/null)" = 640 ] || fail "new file mode $(stat -c %a "$T/d3/rel.flac" 2>/dev/null), want 640"

# 5. The named fallback: a finished run works and leaves nothing; a SIGKILL
#    leaves its .NAME.XXXXXX (the weakness O_TMPFILE removes).
mkdir "$T/d4"
KAZSPEAK_NO_TMPFILE=1 "$KS" -q -f "$T/small.txt" -w "$T/d4/named.wav" 2>"$T/err"
check; [ "$(ls -A "$T/d4")" = named.wav ] || fail "named fallback: folder holds $(ls -A "$T/d4") ($(cat "$T/err"))"
rm -f "$T/d4/named.wav"
start_and_kill9 "$T/d4" named.wav KAZSPEAK_NO_TMPFILE=1
check; ls -A "$T/d4" | grep -q '^\.named\.wav\.......$' ||
  fail "named fallback killed with SIGKILL: expected its .named.wav.XXXXXX, folder holds: $(ls -A "$T/d4")"

echo "$CHECKS checks, $FAILS failed" >&2
[ "$FAILS" -eq 0 ]
