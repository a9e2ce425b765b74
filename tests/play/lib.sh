# Shared set-up for the playback tests (sourced): $K program, $SRC, $BUILD, $T temp dir.
# Playback is captured for real: ALSA_CONFIG_PATH points at a test-only ALSA
# configuration whose default PCM is the file plugin with an inline null slave
# (no sound card needed; not paced).
K=$1 SRC=$2 BUILD=$3
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 missing"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/kazspeak-play.XXXXXX")
trap 'rm -rf "$T"' EXIT
export KAZSPEAK_DATA= ESPEAK_DATA_PATH=
unset KAZSPEAK_TIMING KAZSPEAK_AUDIO_DEBUG
fail() { echo "FAIL: $*"; exit 1; }
# capture_conf FILE RAW: an ALSA config capturing playback into RAW
capture_conf() {
    printf 'pcm.!default { type file; slave.pcm { type null }; file "%s"; format "raw" }\n' "$2" > "$1"
}
