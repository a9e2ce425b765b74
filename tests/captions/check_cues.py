#!/usr/bin/env python3
"""Check a WebVTT/SRT caption file against its WAV audio.

usage: check_cues.py AUDIO.wav CAPTIONS.vtt|srt [--tolerance-ms 50] [--verbose]

Asserts: cue times increase and do not overlap, every cue lies inside the
audio's duration, and each cue starts within the tolerance of the first
non-silent audio after the previous cue's end (the audio of its sentence).
Exit 0 = ok, 1 = a check failed (printed)."""
import re
import struct
import sys
import wave


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, "16-bit mono expected"
        rate = w.getframerate()
        data = w.readframes(w.getnframes())
    return rate, struct.unpack("<%dh" % (len(data) // 2), data)


def parse_time(t):
    h, m, s = t.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def read_cues(path):
    text = open(path, encoding="utf-8").read()
    cues = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        for i, line in enumerate(lines):
            m = re.match(r"^(\d\d:\d\d:\d\d[.,]\d\d\d) --> (\d\d:\d\d:\d\d[.,]\d\d\d)$", line)
            if m:
                cues.append((parse_time(m.group(1)), parse_time(m.group(2)), " ".join(lines[i + 1:])))
                break
    return text, cues


def first_sound(pcm, rate, start_s, threshold=400, window_ms=5):
    """Start of the first window at or after start_s whose peak exceeds threshold."""
    win = max(1, rate * window_ms // 1000)
    i = max(0, int(start_s * rate))
    n = len(pcm)
    while i < n:
        j = i
        end = min(n, i + win)
        while j < end:
            if abs(pcm[j]) > threshold:
                return j / rate
            j += 1
        i = end
    return None


def main():
    args = sys.argv[1:]
    tol = 0.050
    verbose = "--verbose" in args
    args = [a for a in args if a != "--verbose"]
    if "--tolerance-ms" in args:
        k = args.index("--tolerance-ms")
        tol = float(args[k + 1]) / 1000
        del args[k:k + 2]
    wav_path, cap_path = args
    rate, pcm = read_wav(wav_path)
    duration = len(pcm) / rate
    text, cues = read_cues(cap_path)
    bad = 0
    if cap_path.endswith(".vtt") and not text.startswith("WEBVTT"):
        print("no WEBVTT header"); bad += 1
    if not cues:
        print("no cues"); return 1
    prev_end = 0.0
    worst = 0.0
    for k, (a, b, t) in enumerate(cues):
        if not (a < b):
            print("cue %d: start %.3f not before end %.3f" % (k + 1, a, b)); bad += 1
        if a < prev_end - 1e-9:
            print("cue %d: starts at %.3f before the previous cue ends (%.3f)" % (k + 1, a, prev_end)); bad += 1
        if b > duration + 0.0015:
            print("cue %d: ends at %.3f after the audio (%.3f s)" % (k + 1, b, duration)); bad += 1
        onset = first_sound(pcm, rate, prev_end)
        if onset is None:
            print("cue %d: no audio after %.3f" % (k + 1, prev_end)); bad += 1
        else:
            d = a - onset
            worst = max(worst, abs(d))
            if verbose or abs(d) > tol:
                print("cue %d: start %.3f, sound from %.3f (%+.0f ms) %s" % (k + 1, a, onset, d * 1000, t[:40]))
            if abs(d) > tol:
                bad += 1
        if not t.strip():
            print("cue %d: empty text" % (k + 1)); bad += 1
        prev_end = b
    print("%d cues, audio %.2f s, worst start offset %.0f ms, %d problems" % (len(cues), duration, worst * 1000, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
