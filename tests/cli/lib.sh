# lib.sh - shared helpers for the CLI script tests (sourced).
# Every test is run as: bash test_X.sh <kazspeak> <srcdir> <builddir>
set -u
KS=$1
SRC=$2
BUILD=$3
T=$(mktemp -d "${TMPDIR:-/tmp}/kstest.XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0
CHECKS=0

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); }

# expect_fail NAME EXPECTED_STATUS MESSAGE_REGEX -- command...
# Runs the command, asserts its exit status, that stderr is exactly one line
# matching the regex, and that stdout is empty.
expect_fail() {
  local name=$1 want=$2 re=$3; shift 4
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  CHECKS=$((CHECKS + 1))
  if [ "$rc" -ne "$want" ]; then fail "$name: exit $rc, want $want (stderr: $(head -c 300 "$T/err"))"; return; fi
  local lines; lines=$(wc -l <"$T/err")
  if [ "$lines" -ne 1 ]; then fail "$name: $lines stderr lines, want 1: $(cat "$T/err")"; return; fi
  if ! grep -Eq -- "$re" "$T/err"; then fail "$name: message '$(cat "$T/err")' does not match /$re/"; return; fi
  if [ -s "$T/out" ]; then fail "$name: unexpected stdout: $(head -c 200 "$T/out")"; return; fi
}

# no_leftovers DIR BASENAME: neither BASENAME nor a .BASENAME.* temp file exists in DIR.
no_leftovers() {
  local dir=$1 base=$2
  CHECKS=$((CHECKS + 1))
  if [ -e "$dir/$base" ]; then fail "$dir/$base was left behind"; fi
  if ls -A "$dir" 2>/dev/null | grep -q "^\.$base\."; then fail "temporary file for $base left in $dir: $(ls -A "$dir")"; fi
}

finish() {
  echo "$CHECKS checks, $FAILS failed" >&2
  [ "$FAILS" -eq 0 ]
}
