#!/usr/bin/env bash
# Synthesis benchmarks (issue 2). Prints figures; not a test.
#  1. build/kazspeak -w against espeak-ng -v kk -w on the same normalized text
#     (the bundled sample repeated N times, default 100): wall-time ratio (target <= 1.05).
#     espeak-ng runs twice: with the system data and with kazspeak's own data folder
#     (same kk rules as kazspeak, so the same amount of speech).
#  2. Time to the first audio byte on --stdout for a 5 MB input (target <= 20 ms).
#  3. Peak RSS on --stdout for a large input (default 5 MB; BENCH_BIG_MB=50 for the
#     issue's 50 MB figure, which takes ~25 minutes of CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
KS=${KS:-build/kazspeak}
N=${BENCH_REPEAT:-100}
BIG_MB=${BENCH_BIG_MB:-5}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

for i in $(seq 1 "$N"); do cat samples/assembly-news.txt; done >"$T/raw.txt"
"$KS" --normalize -f "$T/raw.txt" >"$T/norm.txt"
echo "input: sample x $N = $(wc -c <"$T/norm.txt") bytes of normalized text"

best() { # best of 3 wall times of a command, in seconds
  local b=""
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    b=$(python3 -c "import sys; t=$e-$s; b='$b'; print(t if not b else min(t, float(b)))")
  done
  echo "$b"
}
tk=$(best "$KS" -q -f "$T/norm.txt" -w "$T/k.wav")
te=$(best env -u ESPEAK_DATA_PATH espeak-ng -v kk -f "$T/norm.txt" -w "$T/e.wav")
to=$(best env ESPEAK_DATA_PATH="$PWD/build/espeak-ng-data" espeak-ng -v kk -f "$T/norm.txt" -w "$T/o.wav")
printf 'kazspeak -w                       %7.3f s  audio %s s\n' "$tk" "$(soxi -D "$T/k.wav")"
printf 'espeak-ng -w (system kk data)     %7.3f s  audio %s s\n' "$te" "$(soxi -D "$T/e.wav")"
printf 'espeak-ng -w (kazspeak kk data)   %7.3f s  audio %s s\n' "$to" "$(soxi -D "$T/o.wav")"
python3 -c "print('ratio kazspeak / espeak-ng (same data):   %.3f  (target <= 1.05)' % ($tk/$to))"
python3 -c "print('ratio kazspeak / espeak-ng (system data): %.3f' % ($tk/$te))"

# Wall time on a shared machine is noisy: instruction counts (valgrind callgrind,
# repeatable) on 2 copies of the sample compare the work itself.
if command -v valgrind >/dev/null; then
  for i in 1 2; do cat samples/assembly-news.txt; done >"$T/small.txt"
  "$KS" --normalize -f "$T/small.txt" >"$T/small-norm.txt"
  # every sentence is synthesized in a child process: count the children too
  ik=$(valgrind --tool=callgrind --trace-children=yes --callgrind-out-file=/dev/null "$KS" -q -j 1 -f "$T/small-norm.txt" -w "$T/ks.wav" 2>&1 | awk '/I   refs/{gsub(",","",$4); s+=$4} END{print s}')
  ie=$(ESPEAK_DATA_PATH="$PWD/build/espeak-ng-data" valgrind --tool=callgrind --callgrind-out-file=/dev/null espeak-ng -v kk -f "$T/small-norm.txt" -w "$T/es.wav" 2>&1 | awk '/I   refs/{gsub(",","",$4); print $4}')
  python3 -c "print('instructions kazspeak %d, espeak-ng %d: ratio %.4f' % ($ik, $ie, $ik/$ie))"
fi

# 2 + 3: first byte and peak RSS
python3 - "$KS" "$T" "$BIG_MB" <<'PY'
import os, subprocess, sys, time, resource
ks, tmp, big_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
sample = open('samples/assembly-news.txt', 'rb').read()
def make(mb):
    path = os.path.join(tmp, f'in{mb}.txt')
    with open(path, 'wb') as f:
        n = 0
        while n < mb * 1024 * 1024:
            f.write(sample); n += len(sample)
    return path
five = make(5)
times = []
for _ in range(5):
    t0 = time.monotonic()
    p = subprocess.Popen([ks, '-f', five, '--stdout'], stdout=subprocess.PIPE)
    got = b''
    while len(got) < 46:
        chunk = p.stdout.read1(4096)
        if not chunk: break
        got += chunk
    times.append((time.monotonic() - t0) * 1000)
    p.kill(); p.wait()
print('time to first audio byte, --stdout, 5 MB input: best %.1f ms, median %.1f ms (target <= 20 ms)' %
      (min(times), sorted(times)[2]))
big = make(big_mb) if big_mb != 5 else five
t0 = time.monotonic()
p = subprocess.Popen([ks, '-f', big, '--stdout'], stdout=subprocess.DEVNULL)
rss = []
while p.poll() is None:
    try:
        for line in open(f'/proc/{p.pid}/status'):
            if line.startswith('VmRSS:'):
                rss.append(int(line.split()[1]))
    except OSError:
        pass
    time.sleep(1)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f'{big_mb} MB input --stdout: {time.monotonic()-t0:.1f} s, peak RSS {peak/1024:.1f} MB (target <= 30 MB); '
      f'RSS samples first {rss[:3]} last {rss[-3:]} kB')
PY
