#!/bin/bash
# No audio back-end unless something plays: with -w, --stdout, --normalize,
# -x and --batch nothing may start PortAudio, PulseAudio or ALSA. Under an
# empty HOME (and, when run as root, also as an unprivileged user) no file
# appears under HOME and stderr stays empty.
# usage: test_no_audio_backend.sh KAZSPEAK SRCDIR BUILDDIR
K=$(readlink -f "$1")
T=$(mktemp -d)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=1; }

printf 'Сәлем, әлем! 2024 жылы.\n' >"$T/in.txt"
mkdir -p "$T/batch"
cp "$T/in.txt" "$T/batch/a.txt"
chmod -R a+rwX "$T"

# run_case LABEL RUNNER...: the command runs with HOME=$T/home (empty) and no
# XDG variables; afterwards HOME must still be empty and stderr empty.
run_case() {
  local label=$1; shift
  rm -rf "$T/home"; mkdir "$T/home"; chmod 777 "$T/home"
  (cd "$T" && env -u XDG_CONFIG_HOME -u XDG_RUNTIME_DIR -u PULSE_SERVER HOME="$T/home" "$@" \
      >"$T/stdout" 2>"$T/stderr" </dev/null)
  local rc=$?
  [ "$rc" -eq 0 ] || fail "$label: exit $rc: $(head -c 300 "$T/stderr")"
  [ -s "$T/stderr" ] && fail "$label: stderr not empty: $(head -c 300 "$T/stderr")"
  local left; left=$(find "$T/home" -mindepth 1 | head -5)
  [ -n "$left" ] && fail "$label: files appeared under HOME: $left"
  return 0
}

check_all() {
  local who=$1 run=$2
  run_case "$who -w" $run "$K" -q -f "$T/in.txt" -w "$T/out-$who.wav"
  run_case "$who --stdout" $run "$K" -q -f "$T/in.txt" --stdout
  run_case "$who --normalize" $run "$K" --normalize -f "$T/in.txt"
  run_case "$who -x" $run "$K" -x -f "$T/in.txt"
  run_case "$who --batch" $run "$K" -q --batch -o "$T/out-$who" -j 1 "$T/batch"
}

check_all self ""
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
  NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
  getent group nogroup >/dev/null || NOBODY="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
  # the unprivileged user must be able to read the build and the data
  if $NOBODY test -x "$K" && $NOBODY "$K" --normalize </dev/null >/dev/null 2>&1; then
    check_all nobody "$NOBODY"
  else
    echo "note: the build is not readable by nobody; checked as this user only"
  fi
fi
[ "$fails" -eq 0 ] && echo "no audio back-end started: HOME untouched and stderr empty in every case"
exit $fails
