#!/usr/bin/env python3
"""Time from writing one finished sentence into a pipe that stays open to the
first output of kazspeak (--stdout audio, -x phonemes, --normalize text).

Usage: pipe_latency.py PROGRAM MODE [ROUNDS]   MODE: stdout | phonemes | normalize
Prints one line per round and a summary: "MODE: median X ms, max Y ms (N rounds)".
Exit 1 when a round produced nothing within 5 s.
"""
import os, select, subprocess, sys, time

def first_output(prog, mode, sentence, ending):
    args = {"stdout": ["--stdout", "-q"], "phonemes": ["-x"], "normalize": ["--normalize"]}[mode]
    p = subprocess.Popen([prog] + args + ["--no-user-lexicon"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, bufsize=0)
    fd = p.stdout.fileno()
    got = b""
    need = 45 if mode == "stdout" else 1  # a streamed WAV header is 44 bytes: wait for audio
    # let the program start and read its data first, then time the sentence alone
    time.sleep(0.3)
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        got += chunk
    t0 = time.monotonic()
    p.stdin.write((sentence + ending).encode())
    elapsed = None
    while time.monotonic() - t0 < 5:
        r, _, _ = select.select([fd], [], [], 0.01)
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            got += chunk
            if len(got) >= need:
                elapsed = time.monotonic() - t0
                break
    p.stdin.close()
    p.kill()
    p.wait()
    return elapsed

def main():
    prog, mode = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    cases = [("Қазақстан 1991 жылы тәуелсіздігін жариялады.", " "),
             ("Бүгін ауа райы жылы болады!", "\n"),
             ("Жиналыс 15:30-да басталады", "\n")]  # no terminator: the line end ends it
    times = []
    for i in range(rounds):
        s, e = cases[i % len(cases)]
        if mode == "normalize":
            e = "\n"  # --normalize answers a whole line
        t = first_output(prog, mode, s, e)
        if t is None:
            print(f"{mode}: round {i + 1}: no output within 5 s for {s!r}+{e!r}")
            return 1
        times.append(t * 1000)
        print(f"{mode}: round {i + 1}: {t * 1000:.1f} ms")
    times.sort()
    print(f"{mode}: median {times[len(times) // 2]:.1f} ms, max {times[-1]:.1f} ms ({len(times)} rounds)")
    return 0

if __name__ == "__main__":
    sys.exit(main())
