#!/usr/bin/env bash
# The progress bar: shown on a terminal while writing a file (share done, audio
# time, time left), silenced by -q, absent when stderr is not a terminal.
source "$(dirname "$0")/lib.sh"
for i in 1 2 3 4 5; do cat "$SRC/samples/assembly-news.txt"; done >"$T/in.txt"
python3 - "$KS" "$T" "$SRC/samples/assembly-news.txt" <<'PY' || fail "progress bar on a terminal"
import os, pty, sys, subprocess
ks, t = sys.argv[1], sys.argv[2]
def run(extra, infile=None):
    master, slave = pty.openpty()
    p = subprocess.Popen([ks, '-f', infile or t + '/in.txt', '-w', t + '/o.wav'] + extra,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b''
    while True:
        try:
            b = os.read(master, 4096)
        except OSError:
            break
        if not b:
            break
        out += b
    p.wait()
    return p.returncode, out.decode('utf-8', 'replace')
rc, out = run([])
assert rc == 0, rc
frames = [f for f in out.split('\r') if f.strip()]
assert len(frames) >= 2, out
assert '100%' in frames[-1] and 'audio ' in frames[-1] and 'left ' in frames[-1], frames[-1]
assert any('%' in f and '100%' not in f for f in frames), 'no intermediate frame: ' + out
assert out.endswith('\n'), 'bar not ended by a newline'
# the bar shows what has been spoken, not what has been read: a short file is read
# in one go, yet its first frame is not 100% and the share only grows
import re
shares = [int(m.group(1)) for f in frames for m in [re.search(r'(\d+)%', f)] if m]
assert shares and shares[0] < 100, 'first frame already 100%: ' + frames[0]
assert shares == sorted(shares), shares
sf = [f for f in run([], sys.argv[3])[1].split('\r') if f.strip()]
assert sf and '100%' not in sf[0], 'short file: first frame ' + repr(sf[0])
rc, out = run(['-q'])
assert rc == 0 and out.strip() == '', 'output with -q: ' + repr(out)
print('progress frames:', len(frames), 'last:', frames[-1].strip())
PY
ok
"$KS" -f "$T/in.txt" -w "$T/o2.wav" 2>"$T/err" || fail "-w not on a tty"
ok; [ ! -s "$T/err" ] || fail "progress printed when stderr is not a terminal: $(head -c 200 "$T/err")"
finish
