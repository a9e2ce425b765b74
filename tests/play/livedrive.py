#!/usr/bin/env python3
"""Drive `kazspeak -i` through a pseudo-terminal against a PACED output.

The paced output is a JACK server with the dummy driver (real-time, no sound
card) and jack_rec recording what kazspeak plays: PortAudio lists jack_rec's
client "jackrec" as an output device, so `--device jackrec` connects
kazspeak's output straight to the recorder from the first sample.

usage: livedrive.py SCENARIO KAZSPEAK TEXTFILE WORKDIR
Scenarios: pause (pause/resume, then quit), keys (next, speed, previous,
repeat, quit), ctrlc (Ctrl-C while speaking), pipe (text on stdin, keys from
/dev/tty).  Prints what it checked; exit 0 pass, 1 fail, 77 skip.
"""
import array
import fcntl
import os
import select
import shutil
import signal
import subprocess
import sys
import termios
import time
import wave

RATE = 22050
QUIET = 32


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Jack:
    def __init__(self, work):
        self.name = "kstest%d" % os.getpid()
        self.env = dict(os.environ, JACK_DEFAULT_SERVER=self.name, JACK_NO_START_SERVER="1")
        self.work = work
        self.server = subprocess.Popen(["jackd", "-n", self.name, "-d", "dummy", "-r", str(RATE), "-p", "256"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)
        self.rec = None
        for _ in range(100):
            if subprocess.run(["jack_lsp"], env=self.env, capture_output=True).returncode == 0:
                return
            time.sleep(0.05)
        self.close()
        print("SKIP: jackd (dummy driver) did not start")
        sys.exit(77)

    def record(self, seconds):
        self.wav = os.path.join(self.work, "rec.wav")
        self.rec = subprocess.Popen(["jack_rec", "-f", self.wav, "-d", str(seconds), "-b", "16", "system:capture_1"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)
        for _ in range(100):
            out = subprocess.run(["jack_lsp"], env=self.env, capture_output=True, text=True).stdout
            if "jackrec:" in out:
                return
            time.sleep(0.05)
        fail("jack_rec did not appear")

    def recording(self):
        self.rec.wait(timeout=60)
        with wave.open(self.wav, "rb") as w:
            a = array.array("h")
            a.frombytes(w.readframes(w.getnframes()))
        return a

    def close(self):
        for p in (self.rec, self.server):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()


class Live:
    """kazspeak -i on a pty that is its controlling terminal."""

    def __init__(self, argv, env, stdin_file=None):
        self.master, slave = os.openpty()
        self.before = termios.tcgetattr(slave)
        def child_setup():
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        stdin = open(stdin_file, "rb") if stdin_file else slave
        self.p = subprocess.Popen(argv, stdin=stdin, stdout=slave, stderr=slave, env=env,
                                  preexec_fn=child_setup, close_fds=True)
        if stdin_file:
            stdin.close()
        self.slave = slave
        self.out = b""
        self.t0 = time.time()

    def read(self, timeout):
        end = time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([self.master], [], [], max(0, end - time.time()))
            if not r:
                break
            try:
                d = os.read(self.master, 4096)
            except OSError:
                break
            if not d:
                break
            self.out += d
        return self.out

    def expect(self, text, timeout=10):
        start = len(self.out)
        end = time.time() + timeout
        while time.time() < end:
            if text.encode() in self.out[start:] or (text.encode() in self.out and start == 0):
                return time.time()
            self.read(0.05)
        fail("expected %r on the terminal; got:\n%s" % (text, self.out.decode(errors="replace")))

    def send(self, keys):
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)
        return time.time()

    def wait(self, timeout=20):
        end = time.time() + timeout
        while self.p.poll() is None and time.time() < end:
            self.read(0.05)
        if self.p.poll() is None:
            self.p.kill()
            fail("kazspeak did not exit; terminal:\n" + self.out.decode(errors="replace"))
        self.read(0.2)
        after = termios.tcgetattr(self.slave)
        return self.p.returncode, after == self.before


def silent_runs(a, min_len):
    runs, start = [], None
    for i, v in enumerate(a):
        if -QUIET <= v <= QUIET:
            if start is None:
                start = i
        else:
            if start is not None and i - start >= min_len:
                runs.append((start, i - start))
            start = None
    return runs


def wav_samples(path):
    with wave.open(path, "rb") as w:
        a = array.array("h")
        a.frombytes(w.readframes(w.getnframes()))
    return a


def find(ref, probe, lo, hi):
    """Offset in ref[lo:hi] where probe matches best (sum of abs differences)."""
    best, best_err = None, None
    for off in range(max(0, lo), min(hi, len(ref) - len(probe))):
        err = 0
        for i in range(0, len(probe), 4):
            err += abs(ref[off + i] - probe[i])
            if best_err is not None and err >= best_err:
                break
        if best_err is None or err < best_err:
            best, best_err = off, err
    return best, best_err


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    scenario, kaz, textfile, work = sys.argv[1:]
    for tool in ("jackd", "jack_rec", "jack_lsp"):
        if not shutil.which(tool):
            print("SKIP: %s not installed (Debian package jackd2)" % tool)
            sys.exit(77)
    jack = Jack(work)
    try:
        run(scenario, kaz, textfile, work, jack)
    finally:
        jack.close()


def run(scenario, kaz, textfile, work, jack):
    env = dict(jack.env, TERM="xterm", KAZSPEAK_DATA="", ESPEAK_DATA_PATH="")
    env.pop("KAZSPEAK_TIMING", None)
    argv = [kaz, "-i", "--plain", "--device", "jackrec"]
    if scenario == "pause":
        jack.record(9)
        live = Live(argv + ["-f", textfile], env)
        live.expect("Sentence 1 of 3")
        time.sleep(0.8)
        live.send(" ")
        live.expect("Paused at sentence 1 of 3")
        time.sleep(1.5)
        live.send(" ")
        live.expect("Playing sentence 1 of 3")
        live.expect("Sentence 2 of 3")
        live.send("q")
        live.expect("Quit at sentence 2 of 3")
        rc, restored = live.wait()
        if rc != 0:
            fail("exit status %d" % rc)
        if not restored:
            fail("terminal settings not restored")
        rec = jack.recording()
        ref = wav_samples(os.path.join(work, "s1.wav"))
        # the pause: one silence of about 1.5 s (speech pauses are far shorter)
        long_runs = [r for r in silent_runs(rec, int(0.9 * RATE))]
        first = next(i for i, v in enumerate(rec) if abs(v) > QUIET)
        long_runs = [r for r in long_runs if r[0] > first]
        if len(long_runs) != 1:
            fail("expected one long silence (the pause), found %s" % [(s / RATE, n / RATE) for s, n in long_runs])
        gap_start, gap_len = long_runs[0]
        if not 1.2 * RATE <= gap_len <= 2.2 * RATE:
            fail("pause silence lasted %.2f s for a 1.5 s pause" % (gap_len / RATE))
        print("ok: pause: %.2f s of silence for a 1.5 s pause" % (gap_len / RATE))
        # resumes where it paused: the audio after the gap continues sentence 1
        heard = gap_start - first                      # samples heard before the pause
        rfirst = next(i for i, v in enumerate(ref) if abs(v) > QUIET)
        after = rec[gap_start + gap_len: gap_start + gap_len + 2000]
        expect_at = rfirst + heard
        off, err = find(ref, after, expect_at - RATE // 2, expect_at + RATE // 10)
        if off is None or err > 2 * len(after):
            fail("audio after the pause does not continue sentence 1 (error %s)" % err)
        repeat_ms = 1000.0 * (expect_at - off) / RATE
        if not -20 <= repeat_ms <= 150:
            fail("resumed %.1f ms away from where it paused" % repeat_ms)
        print("ok: resumed where it paused (%.1f ms replayed)" % repeat_ms)
    elif scenario == "keys":
        jack.record(10)
        live = Live(argv + ["-f", textfile], env)
        live.expect("Sentence 1 of 3")
        time.sleep(0.4)
        live.send("\x1b[C")                      # Right: next sentence at once
        live.expect("Sentence 2 of 3")
        live.send("\x1b[A")                      # Up: faster
        live.expect("Speed 195")
        live.send("+")
        live.expect("Speed 215")
        live.send("\x1b[C")
        live.expect("Sentence 3 of 3")
        live.send("\x1b[D")                      # Left: previous
        live.expect("Sentence 2 of 3")
        time.sleep(0.3)
        live.send(" ")
        live.expect("Paused at sentence 2 of 3")
        live.send("\x1b[D")                      # Left while paused: stays paused
        live.expect("Sentence 1 of 3 (paused)")
        live.send("r")
        live.expect("Sentence 1 of 3 (paused)")
        live.send("q")
        live.expect("Quit at sentence 1 of 3")
        rc, restored = live.wait()
        if rc != 0:
            fail("exit status %d" % rc)
        if not restored:
            fail("terminal settings not restored")
        out = live.out.decode(errors="replace")
        if "\x1b" in out:
            fail("--plain output has escape sequences")
        rec = jack.recording()
        played = sum(1 for v in rec if abs(v) > QUIET) / RATE
        full = sum(1 for v in wav_samples(os.path.join(work, "all.wav")) if abs(v) > QUIET) / RATE
        if not 0.3 < played < full:
            fail("played %.2f s of sound; the whole text has %.2f s" % (played, full))
        print("ok: keys: next/speed/previous/pause/repeat/quit, %.2f s of %.2f s played" % (played, full))
    elif scenario == "ctrlc":
        jack.record(5)
        live = Live(argv + ["-f", textfile], env)
        live.expect("Sentence 1 of 3")
        time.sleep(0.3)
        live.send("\x03")
        rc, restored = live.wait()
        if rc not in (-signal.SIGINT, 130):
            fail("Ctrl-C: exit status %d" % rc)
        if not restored:
            fail("Ctrl-C: terminal settings not restored")
        print("ok: Ctrl-C ends at once and restores the terminal")
    elif scenario == "pipe":
        jack.record(5)
        live = Live(argv, env, stdin_file=textfile)
        live.expect("Sentence 1 of 3")
        live.send("n")
        live.expect("Sentence 2 of 3")
        live.send("q")
        live.expect("Quit at sentence 2 of 3")
        rc, restored = live.wait()
        if rc != 0 or not restored:
            fail("pipe: exit %d, restored %s" % (rc, restored))
        print("ok: text on stdin, keys from /dev/tty")
    elif scenario == "fast":
        # 600 wpm (eSpeak's speed-up above 450) in real time: no underflow
        jack.record(6)
        env2 = dict(env, KAZSPEAK_TIMING="1")
        p = subprocess.run([kaz, "-s", "600", "--device", "jackrec", "-f", textfile], env=env2,
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            fail("-s 600: exit %d: %s" % (p.returncode, p.stderr))
        if " 0 underflows" not in p.stderr:
            fail("-s 600: underflows: %s" % p.stderr)
        played = sum(1 for v in jack.recording() if abs(v) > QUIET) / RATE
        if played < 1.0:
            fail("-s 600: only %.2f s of sound recorded" % played)
        print("ok: -s 600 played in real time without underflows (%.2f s of sound)" % played)
    elif scenario == "interrupt":
        # --follow --interrupt: a new line cuts off the one being spoken
        jack.record(8)
        lines = open(textfile, encoding="utf-8").read().splitlines()
        env2 = dict(env, KAZSPEAK_TIMING="1")
        p = subprocess.Popen([kaz, "--follow", "--interrupt", "--device", "jackrec"], env=env2,
                             stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdin.write((lines[1] + "\n").encode())
        p.stdin.flush()
        time.sleep(0.8)
        p.stdin.write((lines[2] + "\n").encode())
        p.stdin.close()
        err = p.stderr.read().decode()
        if p.wait(timeout=30) != 0:
            fail("--interrupt: exit %d: %s" % (p.returncode, err))
        rec = jack.recording()
        played = sum(1 for v in rec if abs(v) > QUIET) / RATE
        whole = 0
        for i in (1, 2):
            w = os.path.join(work, "line%d.wav" % i)
            subprocess.run([kaz, "-w", w, lines[i]], env=env, check=True)
            whole += sum(1 for v in wav_samples(w) if abs(v) > QUIET) / RATE
        w3 = sum(1 for v in wav_samples(os.path.join(work, "line2.wav")) if abs(v) > QUIET) / RATE
        if not w3 < played < whole - 0.5:
            fail("--interrupt: %.2f s of sound; both lines whole %.2f s, the second alone %.2f s" % (played, whole, w3))
        if err.count("timing: line") != 2:
            fail("--interrupt: expected two lines spoken: %s" % err)
        print("ok: --interrupt cut the first line: %.2f s of sound (whole lines %.2f s)" % (played, whole))
    else:
        fail("unknown scenario " + scenario)


if __name__ == "__main__":
    main()
