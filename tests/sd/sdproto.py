"""sdproto.py - drive an output module the way speech-dispatcher 0.11 does.

The module is started with pipes on stdin/stdout.  A reader thread splits its
stdout into lines; a "705-AUDIO\\0<payload>" line is un-escaped (HDLC: 0x7D,
byte^0x20) into PCM.  The reader can be paused to act like a server whose
audio queue is full (the module must then block on the pipe yet still see STOP).
"""
import array
import math
import os
import subprocess
import threading
import time


class ModuleError(Exception):
    pass


def unescape(payload):
    """Undo HDLC escaping: 0x7D, b ^ 0x20 -> b."""
    parts = payload.split(b"\x7d")
    out = [parts[0]]
    for p in parts[1:]:
        if not p:
            raise ModuleError("escape at end of audio payload (or doubled escape)")
        out.append(bytes((p[0] ^ 0x20,)))
        out.append(p[1:])
    return b"".join(out)


class Module:
    def __init__(self, argv, env=None):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, bufsize=0)
        self.events = []          # (time, kind, value): ("line", str) | ("audio", bytes)
        self.cond = threading.Condition()
        self.reading = threading.Event()
        self.reading.set()
        self.closed = False
        self.pending_head = {}
        self.errors = []
        self.stderr_chunks = []
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()
        self.err_thread = threading.Thread(target=self._err_reader, daemon=True)
        self.err_thread.start()

    # ------------------------------------------------------------ reading
    def _err_reader(self):
        for chunk in iter(lambda: self.proc.stderr.read(4096), b""):
            self.stderr_chunks.append(chunk)

    def _reader(self):
        buf = b""
        f = self.proc.stdout
        while True:
            self.reading.wait()
            chunk = os.read(f.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            while True:
                nl = buf.find(b"\n")
                if nl < 0:
                    break
                line, buf = buf[:nl], buf[nl + 1:]
                self._line(line)
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def _line(self, line):
        now = time.monotonic()
        if line.startswith(b"705-AUDIO\x00"):
            try:
                pcm = unescape(line[len(b"705-AUDIO\x00"):])
            except ModuleError as e:
                self.errors.append(str(e))
                pcm = b""
            head = self.pending_head
            self.pending_head = {}
            n = int(head.get("num_samples", "-1"))
            if head.get("bits") != "16" or head.get("num_channels") != "1" or head.get("big_endian") != "0":
                self.errors.append("bad 705 header %r" % head)
            if n * 2 != len(pcm):
                self.errors.append("705 num_samples=%d but %d bytes" % (n, len(pcm)))
            if len(pcm) > 10000:
                self.errors.append("705 chunk of %d bytes > 10000" % len(pcm))
            self.rate = int(head.get("sample_rate", "0"))
            ev = (now, "audio", pcm)
        elif line.startswith(b"705-"):
            k, _, v = line[4:].decode().partition("=")
            self.pending_head[k] = v
            return
        elif line == b"705 AUDIO":
            return
        else:
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                self.errors.append("non-UTF-8 reply line %r" % line[:80])
                text = line.decode("utf-8", "replace")
            ev = (now, "line", text)
        with self.cond:
            self.events.append(ev)
            self.cond.notify_all()

    def pause_reading(self):
        self.reading.clear()

    def resume_reading(self):
        self.reading.set()

    # ------------------------------------------------------------ writing
    def send(self, *lines):
        data = "".join(l + "\n" for l in lines).encode("utf-8")
        t = time.monotonic()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()
        return t

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    # ------------------------------------------------------------ waiting
    def mark(self):
        with self.cond:
            return len(self.events)

    def wait_line(self, pred, start=0, timeout=30.0):
        """Index of the first line event at or after `start` whose text satisfies pred."""
        if isinstance(pred, str):
            want = pred
            pred = lambda s: s == want
        deadline = time.monotonic() + timeout
        with self.cond:
            i = start
            while True:
                while i < len(self.events):
                    t, kind, v = self.events[i]
                    if kind == "line" and pred(v):
                        return i
                    i += 1
                if self.closed:
                    raise ModuleError("module closed its output; last lines: %r" % self.lines(start)[-8:])
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ModuleError("timed out; lines so far: %r" % self.lines(start)[-12:])
                self.cond.wait(left)

    def wait_audio(self, start=0, timeout=30.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            i = start
            while True:
                while i < len(self.events):
                    if self.events[i][1] == "audio":
                        return i
                    i += 1
                left = deadline - time.monotonic()
                if self.closed or left <= 0:
                    raise ModuleError("no audio; lines: %r" % self.lines(start)[-12:])
                self.cond.wait(left)

    def lines(self, start=0, end=None):
        with self.cond:
            return [v for (t, k, v) in self.events[start:end] if k == "line"]

    def pcm(self, start=0, end=None):
        with self.cond:
            return b"".join(v for (t, k, v) in self.events[start:end] if k == "audio")

    def kinds(self, start=0, end=None):
        """Events as strings, runs of audio blocks collapsed to one 'AUDIO'."""
        out = []
        with self.cond:
            for (t, k, v) in self.events[start:end]:
                if k == "audio":
                    if not out or out[-1] != "AUDIO":
                        out.append("AUDIO")
                else:
                    out.append(v)
        return out

    def speak(self, ssml, start=None, timeout=60.0):
        """SPEAK a message and wait for its end event; returns (first index, end index)."""
        if start is None:
            start = self.mark()
        self.send("SPEAK", *[("." + l if l.startswith(".") else l) for l in ssml.split("\n")], ".")
        end = self.wait_line(lambda s: s in ("702 END", "703 STOP", "704 PAUSE") or s.startswith("301"),
                             start, timeout)
        return start, end

    def quit(self, timeout=10.0):
        try:
            self.send("QUIT")
        except BrokenPipeError:
            pass
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise ModuleError("module did not exit after QUIT")
        self.thread.join(5)
        return rc

    def stderr(self):
        return b"".join(self.stderr_chunks).decode("utf-8", "replace")


def samples(pcm):
    a = array.array("h")
    a.frombytes(pcm[: len(pcm) // 2 * 2])
    return a


def rms(pcm):
    a = samples(pcm)
    if not a:
        return 0.0
    return math.sqrt(sum(x * x for x in a) / len(a))


def voiced_seconds(pcm, rate, thr=500, win=0.02):
    """Seconds of 20 ms windows whose peak exceeds thr."""
    a = samples(pcm)
    n = max(1, int(rate * win))
    v = 0
    for i in range(0, len(a), n):
        w = a[i:i + n]
        if w and max(abs(x) for x in w) > thr:
            v += 1
    return v * win
