"""Start and stop `kazspeak serve` for the tests and the benchmark."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

SAMPLE = ("Қазақстан Республикасы 1991 жылғы 16 желтоқсанда тәуелсіздігін жариялады. "
          "Бүгін Астанада үлкен жиналыс өтті, оған 250-ден астам адам қатысты. "
          "ЖІӨ 2023 жылы 5,1%-ға өсті. ")


class Server:
    """kazspeak serve on a free port; .port, .log(), .stop()."""

    def __init__(self, prog, args=(), env=None, tmpdir=None):
        self.tmp = tmpdir or tempfile.mkdtemp(prefix="kazspeak-serve-test.")
        self.logpath = os.path.join(self.tmp, "server-%d.log" % id(self))
        self.logf = open(self.logpath, "wb")
        e = dict(os.environ if env is None else env)
        e.setdefault("TMPDIR", self.tmp)
        e["KAZSPEAK_DATA"] = ""
        e["ESPEAK_DATA_PATH"] = ""
        argv = [prog, "serve"] + list(args)
        if not any(a.startswith("--listen") for a in args):
            argv += ["--listen", "127.0.0.1:0"]
        self.p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.logf, env=e)
        self.port = None
        self.host = "127.0.0.1"
        for _ in range(300):
            m = re.search(r"listening on http://(\S+):(\d+)/", self.log())
            if m:
                self.port = int(m.group(2))
                return
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        self.p.kill()
        sys.exit("FAIL: the server did not start: " + self.log())

    def log(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
            print("FAIL: the server did not stop within %d s" % timeout)
            rc = -999
        self.logf.close()
        return rc
