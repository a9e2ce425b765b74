#!/usr/bin/env bash
# Soak: stream a large text (default 50 MB: the bundled sample repeated) through
# `kazspeak --stdout` into /dev/null, sampling the process's RSS every second.
# Prints the curve's start, middle and end and the peak; memory must stay flat.
# Usage: bench/soak.sh [MB]     (50 MB takes roughly 25 minutes of one core)
set -euo pipefail
cd "$(dirname "$0")/.."
KS=${KS:-build/kazspeak}
MB=${1:-50}
T=$(mktemp -d)
trap 'rm -rf "$T"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true' EXIT
python3 - "$T/in.txt" "$MB" <<'PY'
import sys
sample = open('samples/assembly-news.txt', 'rb').read()
with open(sys.argv[1], 'wb') as f:
    n = 0
    while n < int(sys.argv[2]) * 1024 * 1024:
        f.write(sample); n += len(sample)
PY
echo "input: $(du -h "$T/in.txt" | cut -f1)"
start=$(date +%s)
"$KS" -f "$T/in.txt" --stdout >/dev/null &
pid=$!
: >"$T/rss"
while kill -0 "$pid" 2>/dev/null; do
  awk '/^VmRSS:/{print $2}' "/proc/$pid/status" 2>/dev/null >>"$T/rss" || true
  sleep 1
done
wait "$pid"; rc=$?
end=$(date +%s)
python3 - "$T/rss" "$rc" "$((end - start))" <<'PY'
import sys
rss = [int(x) for x in open(sys.argv[1]).read().split()]
rc, secs = int(sys.argv[2]), int(sys.argv[3])
if not rss:
    sys.exit('no RSS samples')
n = len(rss)
first = rss[:5]; mid = rss[n//2:n//2+5]; last = rss[-5:]
print(f'exit status {rc}, {secs} s, {n} samples (kB)')
print(f'start {first}  middle {mid}  end {last}')
print(f'peak {max(rss)/1024:.1f} MB; growth from the 10th sample to the end: {(rss[-1]-rss[min(9,n-1)])} kB')
PY
