#!/usr/bin/env bash
# No usable sound device: one line on stderr that suggests -w, exit status 3
# (scripts/read-sample.sh relies on it); --list-devices and --device.
set -u
. "$(dirname "$0")/lib.sh"
# A config whose default PCM is a card that does not exist.  A machine with
# real sound cards may still offer them to PortAudio: skip there.
if ls /dev/snd/pcmC* >/dev/null 2>&1; then echo "SKIP: this machine has sound cards"; exit 77; fi
printf 'pcm.!default { type hw; card 7 }\nctl.!default { type hw; card 7 }\n' > "$T/none.conf"

ALSA_CONFIG_PATH="$T/none.conf" "$K" "Сәлем" > "$T/out" 2> "$T/err"
rc=$?
[ $rc -eq 3 ] || fail "no device: exit $rc, expected 3 ($(cat "$T/err"))"
[ "$(wc -l < "$T/err")" -eq 1 ] || fail "no device: expected one line on stderr, got: $(cat "$T/err")"
grep -q -- "-w FILE" "$T/err" || fail "no device: message does not suggest -w: $(cat "$T/err")"
[ -s "$T/out" ] && fail "no device: stdout not empty"

ALSA_CONFIG_PATH="$T/none.conf" "$K" --list-devices > "$T/out" 2> "$T/err"
rc=$?
[ $rc -eq 3 ] || fail "--list-devices without devices: exit $rc, expected 3"
grep -q -- "-w FILE" "$T/err" || fail "--list-devices without devices: no -w hint: $(cat "$T/err")"

# With the capture config there is exactly one device, "default".
capture_conf "$T/cap.conf" "$T/capture.raw"
ALSA_CONFIG_PATH="$T/cap.conf" "$K" --list-devices > "$T/out" 2> "$T/err" || fail "--list-devices: exit $?"
[ -s "$T/err" ] && fail "--list-devices: stderr not empty: $(head -3 "$T/err")"
grep -Eq '^ *0  default .* 44100 Hz  ALSA .*\(default\)$' "$T/out" || fail "--list-devices output: $(cat "$T/out")"
[ "$(wc -l < "$T/out")" -eq 1 ] || fail "--list-devices: expected one device: $(cat "$T/out")"

# Unknown device: a usage error naming --list-devices, nothing played.
ALSA_CONFIG_PATH="$T/cap.conf" "$K" --device nosuchcard "Сәлем" 2> "$T/err"
rc=$?
[ $rc -eq 2 ] || fail "--device nosuchcard: exit $rc, expected 2"
grep -q -- "--list-devices" "$T/err" || fail "--device nosuchcard: message: $(cat "$T/err")"
ALSA_CONFIG_PATH="$T/cap.conf" "$K" --device 5 "Сәлем" 2> "$T/err"
[ $? -eq 2 ] || fail "--device 5: expected exit 2"

# The fallback of scripts/read-sample.sh: exit 3 -> write a file instead.
ALSA_CONFIG_PATH="$T/none.conf" "$K" "Сәлем" 2>/dev/null || { [ $? -eq 3 ] && "$K" "Сәлем" -w "$T/f.wav"; }
[ -s "$T/f.wav" ] || fail "fallback to -w did not write"
echo PASS
