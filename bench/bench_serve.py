#!/usr/bin/env python3
"""Load benchmark of `kazspeak serve`: N concurrent requests of the sample's
paragraphs on 127.0.0.1 (POST /api/speak, streamed WAV), each on its own
connection, all started at once. Reports requests per second, latency (whole
response) and first-byte latency (first audio byte), p50/p95, and fails (exit 1)
when any request fails.

usage: bench_serve.py KAZSPEAK SAMPLE.txt [CONCURRENT [JOBS [FORMAT]]]
"""
import http.client
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "serve"))
from servelib import Server  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    prog, sample = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    jobs = sys.argv[4] if len(sys.argv) > 4 else str(os.cpu_count() or 1)
    fmt = sys.argv[5] if len(sys.argv) > 5 else "wav"
    paras = [p.strip() for p in open(sample, encoding="utf-8").read().split("\n") if p.strip()]
    srv = Server(prog, ["-j", jobs, "--queue", str(max(64, n)), "--no-panel", "-q"])
    res = [None] * n
    go = threading.Event()

    def one(i):
        text = paras[i % len(paras)].encode("utf-8")
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=300)
        go.wait()
        t0 = time.monotonic()
        try:
            c.request("POST", "/api/speak?format=" + fmt, body=text, headers={"Content-Type": "text/plain"})
            r = c.getresponse()
            first = r.read(1)
            t1 = time.monotonic()
            rest = r.read()
            t2 = time.monotonic()
            ok = r.status == 200 and len(first + rest) > 1000
            res[i] = (ok, t1 - t0, t2 - t0, len(first) + len(rest), r.status)
        except Exception as e:  # noqa: BLE001
            res[i] = (False, 0, 0, 0, str(e))
        finally:
            c.close()

    th = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in th:
        t.start()
    time.sleep(0.2)
    w0 = time.monotonic()
    go.set()
    for t in th:
        t.join()
    wall = time.monotonic() - w0
    # first-byte latency without a queue: one request at a time
    single = []
    for i in range(10):
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=300)
        t0 = time.monotonic()
        c.request("POST", "/api/speak?format=" + fmt, body=paras[i % len(paras)].encode("utf-8"),
                  headers={"Content-Type": "text/plain"})
        r = c.getresponse()
        r.read(1)
        single.append(time.monotonic() - t0)
        r.read()
        c.close()
    srv.stop()
    bad = [r for r in res if not r[0]]
    good = [r for r in res if r[0]]
    audio = sum(r[3] for r in good) / 2 / 22050 if fmt == "wav" else 0
    print("bench_serve: %d concurrent %s requests (sample paragraphs, %d-%d bytes), %s workers, %d cores"
          % (n, fmt, min(len(p.encode()) for p in paras), max(len(p.encode()) for p in paras), jobs, os.cpu_count()))
    if good:
        lat = [r[2] for r in good]
        ttfb = [r[1] for r in good]
        print("bench_serve: %d ok, %d failed in %.2f s: %.1f requests/s; latency p50 %.0f ms, p95 %.0f ms; "
              "first byte p50 %.0f ms, p95 %.0f ms, min %.0f ms%s"
              % (len(good), len(bad), wall, len(good) / wall, pct(lat, 50) * 1000, pct(lat, 95) * 1000,
                 pct(ttfb, 50) * 1000, pct(ttfb, 95) * 1000, min(ttfb) * 1000,
                 "; %.0f s of audio (%.0fx real time)" % (audio, audio / wall) if audio else ""))
    print("bench_serve: one request at a time: first byte p50 %.1f ms, max %.1f ms"
          % (pct(single, 50) * 1000, max(single) * 1000))
    for r in bad[:5]:
        print("bench_serve: failed: %s" % (r[4],))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
