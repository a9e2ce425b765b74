#!/bin/bash
# Batch throughput: 200 copies of samples/assembly-news.txt with -j 1 and -j 2
# (and -j N for the number of cores when that is more); prints wall times,
# audio made per second of wall time, and the speed-up.
# usage: bench/bench_batch.sh [KAZSPEAK] [FORMAT] [COPIES]
set -e
HERE=$(cd "$(dirname "$0")/.." && pwd)
K=${1:-$HERE/build/kazspeak}
FMT=${2:-wav}
N=${3:-200}
[ -x "$K" ] || { echo "no kazspeak program at $K (build first, or give its path)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/in"
for i in $(seq -w 1 "$N"); do cp "$HERE/samples/assembly-news.txt" "$T/in/news$i.txt"; done
cores=$(nproc 2>/dev/null || echo 1)
jobs="1 2"
[ "$cores" -gt 2 ] && jobs="$jobs $cores"
load=$(cut -d' ' -f1 /proc/loadavg)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if python3 -c "import sys; sys.exit(0 if float('$load') > $(nproc) - 0.5 else 1)"; then
    echo "note: the machine is busy; with autogroup scheduling ($(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo ?)) a session gets"
    echo "      one share of the CPU however many workers it runs, so -j N cannot show its speed-up now"
fi
echo "kazspeak --batch, $N copies of samples/assembly-news.txt ($(wc -c <"$HERE/samples/assembly-news.txt") bytes each), --format $FMT, $cores cores"
t1=
for j in $jobs; do
    rm -rf "$T/out"
    # wall time and CPU time (user+sys of all workers) of one batch run
    read -r wall cpu < <(python3 - "$K" "$T" "$j" "$FMT" <<'PY'
import resource, subprocess, sys, time
k, t, j, fmt = sys.argv[1:5]
s = time.monotonic()
r = subprocess.run([k, "--batch", "-q", "-o", t + "/out", "-j", j, "--format", fmt, t + "/in"],
                   stderr=open(t + "/err", "w"))
wall = time.monotonic() - s
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.2f %.2f" % (wall, ru.ru_utime + ru.ru_stime) if r.returncode == 0 else "fail 0")
PY
)
    [ "$wall" != fail ] || { cat "$T/err"; exit 1; }
    grep -q "^$N written, 0 skipped, 0 failed$" "$T/err" || { cat "$T/err"; exit 1; }
    audio=$(python3 - "$T/out" "$FMT" <<'PY'
import os, sys, subprocess
d, fmt = sys.argv[1:3]
f = os.path.join(d, sorted(os.listdir(d))[0])
try:
    if fmt == "wav":
        import wave
        w = wave.open(f); print("%.2f" % (w.getnframes() / w.getframerate()))
    else:
        print(subprocess.run(["soxi", "-D", f], capture_output=True, text=True).stdout.strip() or "0")
except Exception:
    print("0")
PY
)
    [ -z "$t1" ] && t1=$wall
    python3 - "$j" "$wall" "$t1" "$audio" "$N" "$cpu" <<'PY'
import sys
j, wall, t1, audio, n, cpu = (int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]),
                              int(sys.argv[5]), float(sys.argv[6]))
print("-j %-3d wall %7.2f s  cpu %7.2f s  %6.1f files/s  %6.0fx real time  speed-up %.2f" %
      (j, wall, cpu, n / wall, n * audio / wall if wall else 0, t1 / wall))
PY
done
# A re-run of the finished batch does no work.
s=$(date +%s.%N)
"$K" --batch -q -o "$T/out" --format "$FMT" "$T/in" 2>"$T/err"
e=$(date +%s.%N)
echo "re-run of the finished batch: $(cat "$T/err"), $(python3 -c "print('%.2f' % ($e - $s))") s"
