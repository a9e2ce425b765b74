#!/usr/bin/env bash
# --stdout streams a WAV equal, sample for sample, to the file -w writes;
# a closed pipe ends quietly with a non-zero status.
source "$(dirname "$0")/lib.sh"
IN="$SRC/samples/assembly-news.txt"
"$KS" -q -f "$IN" -w "$T/a.wav" || fail "-w failed"
"$KS" -f "$IN" --stdout >"$T/b.wav" || fail "--stdout failed"
python3 - "$T/a.wav" "$T/b.wav" <<'PY' || fail "stdout WAV differs from -w WAV"
import sys, struct
def pcm(path):
    d = open(path, 'rb').read()
    assert d[:4] == b'RIFF' and d[8:12] == b'WAVE', path
    i = 12
    while i + 8 <= len(d):
        cid, size = d[i:i+4], struct.unpack('<I', d[i+4:i+8])[0]
        if cid == b'data':
            end = len(d) if size == 0xFFFFFFFF else i + 8 + size
            return d[i+8:end]
        i += 8 + size + (size & 1)
    raise SystemExit(path + ': no data chunk')
a, b = pcm(sys.argv[1]), pcm(sys.argv[2])
print('samples:', len(a) // 2, len(b) // 2)
sys.exit(0 if a == b and len(a) > 22050 * 2 * 60 else 1)
PY
ok
# Pipe closed early: quiet, non-zero.
set -o pipefail
"$KS" -f "$IN" --stdout 2>"$T/err" | head -c 1000 >/dev/null
rc=$?
ok; [ $rc -ne 0 ] || fail "SIGPIPE case exited 0"
ok; [ ! -s "$T/err" ] || fail "SIGPIPE case printed: $(cat "$T/err")"
finish
