#!/usr/bin/env bash
# End to end: a private speech-dispatcher (own config, socket, logs) loads
# sd_kazspeak and plays into an ALSA `file` PCM; spd-say speaks a Kazakh date;
# the captured audio and the module's log are checked; the server is stopped.
# Usage: test_speechd_e2e.sh KAZSPEAK SRCDIR BUILDDIR   (needs the Debian package speech-dispatcher)
set -u
src=$2
build=$3
mod="$build/src/sd/sd_kazspeak"
[ -x "$mod" ] || { echo "missing $mod"; exit 1; }
for tool in speech-dispatcher spd-say python3; do
    if ! command -v $tool >/dev/null; then
        echo "SKIP: $tool not installed (Debian package speech-dispatcher; .ci setup installs it)"
        exit 77
    fi
done
if [ ! -e /usr/lib/x86_64-linux-gnu/speech-dispatcher/spd_alsa.so ] &&
   ! ls /usr/lib/*/speech-dispatcher/spd_alsa.so >/dev/null 2>&1; then
    echo "SKIP: speech-dispatcher's ALSA audio plugin is missing (package speech-dispatcher-audio-plugins)"
    exit 77
fi

tmp=$(mktemp -d /tmp/ks-speechd.XXXXXX)
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- speech-dispatcher log:"; tail -n 40 "$tmp/logs/speech-dispatcher.log" 2>/dev/null;
         echo "--- kazspeak log:"; tail -n 40 "$tmp/logs/kazspeak.log" 2>/dev/null; exit 1; }

mkdir -p "$tmp/conf/modules" "$tmp/logs" "$tmp/run" "$tmp/home"
cp "$src/src/sd/kazspeak.conf" "$tmp/conf/modules/kazspeak.conf"
cat > "$tmp/conf/speechd.conf" <<EOF
LogLevel 4
LogDir "$tmp/logs"
AudioOutputMethod "alsa"
AudioALSADevice "default"
DefaultLanguage "kk"
DefaultModule kazspeak
DefaultRate 0
AddModule "kazspeak" "$mod" "$tmp/conf/modules/kazspeak.conf"
EOF
cat > "$tmp/alsa.conf" <<EOF
pcm.!default {
    type file
    slave.pcm { type null }
    file "$tmp/capture.raw"
    format "raw"
}
EOF
export ALSA_CONFIG_PATH="$tmp/alsa.conf"
export SPEECHD_ADDRESS="unix_socket:$tmp/run/speechd.sock"
export HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" XDG_CONFIG_HOME="$tmp/home/.config"

speech-dispatcher -s -t 30 -C "$tmp/conf" -c unix_socket -S "$tmp/run/speechd.sock" \
    -P "$tmp/run/speechd.pid" -L "$tmp/logs" >"$tmp/logs/server.out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$tmp/run/speechd.sock" ] && break; sleep 0.1; done
[ -S "$tmp/run/speechd.sock" ] || fail "speech-dispatcher did not create its socket"

# the module is listed and offers kazspeak's voices
out=$(timeout 30 spd-say -O 2>&1) || fail "spd-say -O: $out"
echo "$out" | grep -qx "kazspeak" || fail "kazspeak not among the output modules: $out"
voices=$(timeout 30 spd-say -o kazspeak -L 2>&1) || fail "spd-say -L: $voices"
echo "$voices" | grep -q "default" || fail "no kazspeak voices listed: $voices"

timeout 60 spd-say -w -o kazspeak -l kk "2020 жылғы 3 маусым" || fail "spd-say failed"
sleep 0.5
[ -s "$tmp/capture.raw" ] || fail "no audio was captured"

python3 - "$tmp/capture.raw" <<'EOF' || fail "captured audio check"
import array, math, sys
data = open(sys.argv[1], "rb").read()
a = array.array("h"); a.frombytes(data[: len(data) // 2 * 2])
secs = len(a) / 22050
rms = math.sqrt(sum(x * x for x in a) / max(1, len(a)))
voiced = sum(1 for i in range(0, len(a), 441) if max((abs(x) for x in a[i:i + 441]), default=0) > 500) * 0.02
print("captured %.2f s (at 22050 Hz mono), rms %.0f, voiced %.2f s" % (secs, rms, voiced))
# "екі мың жиырмасыншы жылғы үшінші маусым" takes about 2.5-4 s; digits read as "2020 3" would be far shorter
ok = 1.8 < secs < 10 and rms > 200 and voiced > 1.2
sys.exit(0 if ok else 1)
EOF

grep -q "екі мың жиырмасыншы жылғы үшінші маусым" "$tmp/logs/kazspeak.log" ||
    fail "the module log does not show the normalized date"

# a long text cancelled from the client stops the module (703 in its log: "Module stop")
timeout 30 spd-say -o kazspeak -l kk "$(printf 'Қазақстан Республикасы Орталық Азиядағы мемлекет. %.0s' $(seq 200))" &
say=$!
sleep 1
timeout 10 spd-say -C || fail "spd-say -C failed"
wait $say
grep -q "stopped: 703" "$tmp/logs/kazspeak.log" || fail "the cancelled message was not stopped in the module"
grep "stopped: 703" "$tmp/logs/kazspeak.log"

echo "ok: speech-dispatcher spoke through sd_kazspeak"
exit 0
