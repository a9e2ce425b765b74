#!/usr/bin/env bash
# Bad data files: a matrix of lexicons, voice profiles and Latin tables that are
# FIFOs, devices, sockets, directories, binary or oversize.  Each must give one
# clear line on stderr naming the file (and line where there is one), a
# non-zero exit, no crash, no output, and finish within seconds: these cases
# used to hang (a FIFO or /dev/zero read until EOF).  Every run is under
# `timeout 5`, so a hang fails the case instead of blocking the suite.
# Args: <kazspeak> <srcdir> <builddir>.
set -u
KS=$1
SRC=$2
BUILD=$3
T=$(mktemp -d "${TMPDIR:-/tmp}/kshard.XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0
CASES=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# The user's lexicon lives in $XDG_CONFIG_HOME/kazspeak/lexicon.tsv: each case
# gets its own empty config folder unless it sets one up.
export HOME="$T/home"
mkdir -p "$HOME"
fresh_xdg() {
  XDG="$T/xdg$CASES"
  rm -rf "$XDG"
  mkdir -p "$XDG/kazspeak"
}

# run NAME -- command...: runs with stdin "сәлем 5 км", a 5 s timeout; sets RC,
# OUT, ERR, SECS.
run() {
  local name=$1; shift 2
  local t0 t1
  t0=$(date +%s%N)
  echo "сәлем 5 км" | XDG_CONFIG_HOME="$XDG" timeout -s KILL 5 "$@" >"$T/out" 2>"$T/err"
  RC=$?
  t1=$(date +%s%N)
  SECS=$(( (t1 - t0) / 1000000 ))
  OUT=$(cat "$T/out")
  ERR=$(cat "$T/err")
}

# bad NAME WANT_LINE -- command...: exit 1..123, stderr exactly WANT_LINE, no stdout, < 3 s.
bad() {
  local name=$1 want=$2; shift 2
  CASES=$((CASES + 1))
  run "$name" "$@"
  if [ "$RC" -eq 137 ] || [ "$RC" -eq 124 ]; then fail "$name: hung (killed after 5 s)"; return; fi
  if [ "$RC" -ge 124 ] || [ "$RC" -eq 0 ]; then fail "$name: exit $RC, want an error exit (stderr: $ERR)"; return; fi
  if [ "$(wc -l <"$T/err")" -ne 1 ]; then fail "$name: want one stderr line, got: $ERR"; return; fi
  if [ "$ERR" != "$want" ]; then fail "$name: stderr '$ERR', want '$want'"; return; fi
  if [ -n "$OUT" ]; then fail "$name: unexpected stdout: $OUT"; return; fi
  if [ "$SECS" -gt 3000 ]; then fail "$name: took $SECS ms"; return; fi
  echo "ok   $name ($SECS ms): $ERR" >&2
}

# good NAME WANT_STDOUT -- command...: exit 0, stdout WANT_STDOUT, no stderr.
good() {
  local name=$1 want=$2; shift 2
  CASES=$((CASES + 1))
  run "$name" "$@"
  if [ "$RC" -ne 0 ]; then fail "$name: exit $RC (stderr: $ERR)"; return; fi
  if [ -n "$ERR" ]; then fail "$name: unexpected stderr: $ERR"; return; fi
  if [ "$OUT" != "$want" ]; then fail "$name: stdout '$OUT', want '$want'"; return; fi
  echo "ok   $name ($SECS ms)" >&2
}

KSN=("$KS" --normalize)
P="kazspeak: "
BIG=$((16 * 1024 * 1024))
LEX_HEADER=$'@kind\tunits\n'
printf '%s' "$LEX_HEADER" >"$T/units-head.tsv"

# ------------------------------------------------------------ the user's lexicon
fresh_xdg; U="$XDG/kazspeak/lexicon.tsv"; mkfifo "$U"
bad "user lexicon is a FIFO" "${P}$U: not a regular file" -- "${KSN[@]}"
fresh_xdg; U="$XDG/kazspeak/lexicon.tsv"; ln -s /dev/zero "$U"
bad "user lexicon -> /dev/zero" "${P}$U: not a regular file" -- "${KSN[@]}"
fresh_xdg; U="$XDG/kazspeak/lexicon.tsv"; ln -s /dev/urandom "$U"
bad "user lexicon -> /dev/urandom" "${P}$U: not a regular file" -- "${KSN[@]}"
fresh_xdg; U="$XDG/kazspeak/lexicon.tsv"; mkdir "$U"
bad "user lexicon is a directory" "${P}$U: is a directory" -- "${KSN[@]}"
fresh_xdg; U="$XDG/kazspeak/lexicon.tsv"; printf '%s# c\nкм\tx\0y\t-\ttest\n' "$LEX_HEADER" >"$U"
bad "user lexicon with a NUL byte" "${P}$U:3: NUL byte (not a text file)" -- "${KSN[@]}"
fresh_xdg; U="$XDG/kazspeak/lexicon.tsv"; truncate -s $((BIG + 1)) "$U"
bad "user lexicon over 16 MiB (sparse)" "${P}$U: larger than 16 MiB" -- "${KSN[@]}"
fresh_xdg; U="$XDG/kazspeak/lexicon.tsv"
{ cat "$T/units-head.tsv"; yes '# padding line' | head -c $((BIG - ${#LEX_HEADER} + 1)); } >"$U"
bad "user lexicon over 16 MiB (real text)" "${P}$U: larger than 16 MiB" -- "${KSN[@]}"
fresh_xdg; U="$XDG/kazspeak/lexicon.tsv"; ln -s "$T/nowhere" "$U"
good "user lexicon dangling symlink (skipped, as no file)" "сәлем бес километр" -- "${KSN[@]}"
fresh_xdg; U="$XDG/kazspeak/lexicon.tsv"; printf '\xEF\xBB\xBF@kind\tunits\r\nкм\tшақырым\tafter_num\ttest\r\n' >"$U"
good "user lexicon BOM+CRLF accepted" "сәлем бес шақырым" -- "${KSN[@]}"

# ------------------------------------------------------------ --lexicon FILE
fresh_xdg
bad "--lexicon /dev/zero" "${P}/dev/zero: not a regular file" -- "${KSN[@]}" --lexicon /dev/zero
bad "--lexicon /dev/urandom" "${P}/dev/urandom: not a regular file" -- "${KSN[@]}" --lexicon /dev/urandom
mkfifo "$T/fifo.tsv"
bad "--lexicon FIFO" "${P}$T/fifo.tsv: not a regular file" -- "${KSN[@]}" --lexicon "$T/fifo.tsv"
bad "--lexicon directory" "${P}$T: is a directory" -- "${KSN[@]}" --lexicon "$T"
printf '%sкм\tкило\0метр\t-\ttest\n' "$LEX_HEADER" >"$T/nul.tsv"
bad "--lexicon NUL byte on line 2" "${P}$T/nul.tsv:2: NUL byte (not a text file)" -- "${KSN[@]}" --lexicon "$T/nul.tsv"
head -c 8192 /dev/urandom | tr -d '\n\000' | head -c 2000 >"$T/bin.tsv"; printf '\n\0' >>"$T/bin.tsv"
bad "--lexicon binary junk" "${P}$T/bin.tsv:2: NUL byte (not a text file)" -- "${KSN[@]}" --lexicon "$T/bin.tsv"
truncate -s 1G "$T/huge.tsv"
bad "--lexicon 1 GiB sparse" "${P}$T/huge.tsv: larger than 16 MiB" -- "${KSN[@]}" --lexicon "$T/huge.tsv"
if python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/sock.tsv" 2>/dev/null; then
  bad "--lexicon socket" "${P}$T/sock.tsv: not a regular file" -- "${KSN[@]}" --lexicon "$T/sock.tsv"
fi

# ------------------------------------------------------------ voice files (-v FILE.voice)
printf 'name z\nlexicon /dev/zero\n' >"$T/zero.voice"
bad "voice with 'lexicon /dev/zero'" "${P}$T/zero.voice:2: lexicon /dev/zero: not a regular file" -- "${KSN[@]}" -v "$T/zero.voice"
printf 'name z\n# c\nlexicon fifo.tsv\n' >"$T/fifolex.voice"
bad "voice with a FIFO lexicon" "${P}$T/fifolex.voice:3: lexicon $T/fifo.tsv: not a regular file" -- "${KSN[@]}" -v "$T/fifolex.voice"
printf 'name z\nlexicon missing.tsv\n' >"$T/missing.voice"
bad "voice with a missing lexicon" "${P}$T/missing.voice:2: lexicon $T/missing.tsv: No such file or directory" -- "${KSN[@]}" -v "$T/missing.voice"
mkfifo "$T/fifo.voice"
bad "voice file is a FIFO" "${P}$T/fifo.voice: not a regular file" -- "${KSN[@]}" -v "$T/fifo.voice"
ln -s /dev/zero "$T/zero-link.voice"
bad "voice file -> /dev/zero" "${P}$T/zero-link.voice: not a regular file" -- "${KSN[@]}" -v "$T/zero-link.voice"
mkdir "$T/dir.voice"
bad "voice file is a directory" "${P}$T/dir.voice: is a directory" -- "${KSN[@]}" -v "$T/dir.voice"
printf 'name n\nrate 150\npitch\0 40\n' >"$T/nul.voice"
bad "voice file NUL byte on line 3" "${P}$T/nul.voice:3: NUL byte (not a text file)" -- "${KSN[@]}" -v "$T/nul.voice"
printf 'name d\nespeak kk\nrate 150\npitch 40\n\n# again\nrate 200\n' >"$T/dup.voice"
bad "voice file duplicate key" "${P}$T/dup.voice:7: duplicate key 'rate' (first at line 3)" -- "${KSN[@]}" -v "$T/dup.voice"
truncate -s $((BIG + 1)) "$T/big.voice"
bad "voice file over 16 MiB" "${P}$T/big.voice: larger than 16 MiB" -- "${KSN[@]}" -v "$T/big.voice"
printf '%sкм\tшақырым\tafter_num\ttest\n' "$LEX_HEADER" >"$T/mylex.tsv"
printf '\xEF\xBB\xBF# BOM and CRLF\r\nname bom\r\nespeak kk\r\nrate 150\r\nlexicon mylex.tsv\r\n' >"$T/bom.voice"
good "voice file BOM+CRLF accepted (its lexicon applied)" "сәлем бес шақырым" -- "${KSN[@]}" -v "$T/bom.voice"

# ------------------------------------------------------------ a data folder with bad files
# (voices/NAME.voice by name, lexicon/*.tsv, lexicon/latin/*.tsv)
mkdata() {
  D="$T/data$CASES"
  rm -rf "$D"
  mkdir -p "$D"
  cp -r "$SRC/voices" "$SRC/lexicon" "$D/"
  [ -d "$BUILD/espeak-ng-data" ] && ln -s "$BUILD/espeak-ng-data" "$D/espeak-ng-data"
}
mkdata; rm "$D/voices/news.voice"; mkfifo "$D/voices/news.voice"
bad "data folder: voices/news.voice is a FIFO (-v news)" "${P}$D/voices/news.voice: not a regular file" -- "${KSN[@]}" --data-dir "$D" -v news
mkdata; mkfifo "$D/lexicon/zz.tsv"
bad "data folder: lexicon/zz.tsv is a FIFO" "${P}$D/lexicon/zz.tsv: not a regular file" -- "${KSN[@]}" --data-dir "$D"
mkdata; ln -s /dev/urandom "$D/lexicon/aa.tsv"
bad "data folder: lexicon/aa.tsv -> /dev/urandom" "${P}$D/lexicon/aa.tsv: not a regular file" -- "${KSN[@]}" --data-dir "$D"
mkdata; rm "$D/lexicon/latin/2021.tsv"; mkfifo "$D/lexicon/latin/2021.tsv"
bad "data folder: Latin table 2021.tsv is a FIFO" "${P}$D/lexicon/latin/2021.tsv: not a regular file" -- "${KSN[@]}" --data-dir "$D" --script auto
mkdata; rm -f "$D/lexicon/latin/keep.tsv"; ln -s /dev/zero "$D/lexicon/latin/keep.tsv"
bad "data folder: optional keep.tsv -> /dev/zero" "${P}$D/lexicon/latin/keep.tsv: not a regular file" -- "${KSN[@]}" --data-dir "$D" --script auto
mkdata; rm -f "$D/lexicon/latin/keep.tsv"
good "data folder: optional keep.tsv missing (accepted)" "сәлем бес километр" -- "${KSN[@]}" --data-dir "$D" --script auto

echo "$CASES cases, $FAILS failed" >&2
[ "$FAILS" -eq 0 ]
