#!/usr/bin/env bash
# Install every Debian package kazspeak's build, tests and program need.
# Runs apt-get update first (only when something is missing), uses sudo only
# when not root, and installs nothing that is already there.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git
  # libraries (headers + runtime)
  libespeak-ng-dev espeak-ng-data portaudio19-dev libsndfile1-dev libsamplerate0-dev
  libutf8proc-dev libasound2-dev
  # audio files: MP3, Ogg Opus, resampling for Opus, EBU R128 loudness
  libmp3lame-dev libopus-dev libogg-dev libsoxr-dev libebur128-dev
  # eSpeak NG's compiler for our Kazakh rules (build time) and the reference CLI (benchmark)
  espeak-ng
  # tests: scorer, audio checks, sanitizers/fuzzing, valgrind, speech-dispatcher end-to-end
  python3 sox libsox-fmt-mp3 clang libclang-rt-14-dev valgrind speech-dispatcher util-linux procps
  # audio-file tests: an independent reader of tags (ffprobe) and loudness meter (ebur128 filter)
  ffmpeg
  # paced playback tests (a JACK server with the dummy driver)
  jackd2
  # kazspeak serve: HTTP server library; API tests and the load benchmark (curl);
  # the operator panel in headless Chromium (selenium) with axe-core from npm
  libmicrohttpd-dev curl chromium chromium-driver python3-selenium
)
# npm fetches axe-core for the panel's accessibility audit; a Node.js from elsewhere may bring its own
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "setup: not root and sudo is missing; install as root: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
