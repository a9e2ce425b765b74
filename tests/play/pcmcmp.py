#!/usr/bin/env python3
"""Compare PCM captured from the ALSA file plugin with WAV files kazspeak wrote.

usage: pcmcmp.py CAPTURE.raw WAV[:FROM[:TO]] [WAV[:FROM[:TO]]...]

WAV:FROM:TO takes samples [FROM, TO) of the file (TO empty = to the end), e.g.
to cut a two-line reference (eSpeak keeps state between utterances of one
process, so a line's samples depend on the line before it).

The capture must be the WAVs' samples, one after another, each with its
leading silence trimmed (a prefix of quiet samples dropped, at most a few ms
of it kept), followed by optional zero padding.  Exit 0 when it matches, 1
with a one-line reason when not.
"""
import array
import sys
import wave

QUIET = 32          # |sample| <= QUIET counts as silence (the sink's threshold)
MAX_KEEP = 400      # at most this many quiet samples may remain before the sound


def samples_of_wav(spec):
    parts = spec.split(":")
    path = parts[0]
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            sys.exit("%s: not 16-bit mono" % path)
        a = array.array("h")
        a.frombytes(w.readframes(w.getnframes()))
        rate = w.getframerate()
    lo = int(parts[1]) if len(parts) > 1 and parts[1] else 0
    hi = int(parts[2]) if len(parts) > 2 and parts[2] else len(a)
    return a[lo:hi], rate


def first_loud(a, start=0):
    for i in range(start, len(a)):
        if a[i] > QUIET or a[i] < -QUIET:
            return i
    return len(a)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cap = array.array("h")
    with open(sys.argv[1], "rb") as f:
        cap.frombytes(f.read())
    pos = 0
    for path in sys.argv[2:]:
        ref, rate = samples_of_wav(path)
        loud = first_loud(ref)
        if loud == len(ref):
            print("FAIL: %s is silent" % path)
            return 1
        # the capture continues with the reference from some k <= loud,
        # where loud - k <= MAX_KEEP (a few ms kept before the sound)
        cl = first_loud(cap, pos)
        if cl == len(cap):
            print("FAIL: capture ends before the sound of %s (at sample %d)" % (path, pos))
            return 1
        kept = cl - pos
        k = loud - kept
        if kept > MAX_KEEP or k < 0:
            print("FAIL: %s: %d quiet samples kept before the sound (reference has %d)" % (path, kept, loud))
            return 1
        tail = ref[k:]
        got = cap[pos:pos + len(tail)]
        if got != tail:
            n = min(len(got), len(tail))
            diff = next((i for i in range(n) if got[i] != tail[i]), n)
            print("FAIL: %s differs from the capture at reference sample %d (capture %d of %d, %d trimmed)"
                  % (path, k + diff, pos + diff, len(cap), k))
            return 1
        print("ok: %s: %d samples, %d leading silence trimmed (%.1f ms), %d kept"
              % (path, len(ref), k, 1000.0 * k / rate, kept))
        pos += len(tail)
    rest = cap[pos:]
    if any(rest):
        print("FAIL: %d unexpected non-zero samples after the last text" % sum(1 for x in rest if x))
        return 1
    print("ok: capture matches (%d samples, %d zero padding)" % (len(cap), len(rest)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
