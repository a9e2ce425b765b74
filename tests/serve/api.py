#!/usr/bin/env python3
"""API tests of `kazspeak serve` with a real HTTP client (http.client).

usage: api.py KAZSPEAK WORKDIR
Prints one line per check; exit 0 pass, 1 fail.
"""
import array
import http.client
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from servelib import SAMPLE, Server  # noqa: E402

FAILED = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        FAILED.append(what)
    return cond


def request(port, method, path, body=None, headers=None, host="127.0.0.1", timeout=120):
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    h = dict(headers or {})
    if isinstance(body, str):
        body = body.encode("utf-8")
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, data


def form(**kw):
    return urllib.parse.urlencode(kw), {"Content-Type": "application/x-www-form-urlencoded"}


def wav_info(data):
    """(rate, channels, width, frames, rms) of a WAV; a streamed WAV (sizes unknown) is read to its end."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    if data[40:44] == b"\xff\xff\xff\xff":  # streamed: unknown sizes; patch for the wave module
        data = data[:4] + (len(data) - 8).to_bytes(4, "little") + data[8:40] + (len(data) - 44).to_bytes(4, "little") + data[44:]
    with wave.open(io.BytesIO(data), "rb") as w:
        a = array.array("h")
        a.frombytes(w.readframes(w.getnframes()))
        rms = (sum(x * x for x in a[::7]) / max(1, len(a[::7]))) ** 0.5
        return w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes(), rms


def good_wav(data, min_secs=0.5):
    i = wav_info(data)
    return i is not None and i[0] == 22050 and i[1] == 1 and i[2] == 2 and i[3] >= min_secs * 22050 and i[4] > 300


def duration_by_sox(data, ext, work):
    if not shutil.which("soxi"):
        return None
    path = os.path.join(work, "probe." + ext)
    with open(path, "wb") as f:
        f.write(data)
    r = subprocess.run(["soxi", "-D", path], capture_output=True, text=True)
    return float(r.stdout) if r.returncode == 0 and r.stdout.strip() else None


def main():
    prog, work = sys.argv[1], sys.argv[2]
    tmp = os.path.join(work, "tmp")
    os.makedirs(tmp, exist_ok=True)
    marker = "Жезқазғандағыбірегейсөз"

    # ---------------------------------------------------------------- the service
    s = Server(prog, ["-j", "2", "--no-panel", "--max-text", "20000", "--max-body", "100000"], tmpdir=tmp)
    p = s.port
    st, h, d = request(p, "GET", "/version")
    check(st == 200 and d.startswith(b"Mary TTS server") and b"kazspeak" in d, "/version: MaryTTS plain text")
    st, h, d = request(p, "GET", "/locales")
    check(st == 200 and d.split() == [b"kk"], "/locales lists kk")
    st, h, d = request(p, "GET", "/voices")
    lines = d.decode().splitlines()
    check(st == 200 and "default kk male espeak" in lines and all(len(x.split()) == 4 for x in lines),
          "/voices: 'name locale gender type' lines (%d voices)" % len(lines))
    check("access-control-allow-origin" not in h, "no CORS header unless --cors")

    q = urllib.parse.urlencode({"INPUT_TEXT": SAMPLE, "INPUT_TYPE": "TEXT", "OUTPUT_TYPE": "AUDIO",
                                "AUDIO": "WAVE_FILE", "LOCALE": "kk", "VOICE": "default"})
    st, h, d = request(p, "GET", "/process?" + q)
    check(st == 200 and h.get("content-type") == "audio/x-wav" and good_wav(d, 3)
          and int(h.get("content-length", -1)) == len(d) and wav_info(d)[3] * 2 + 44 <= len(d),
          "GET /process WAVE_FILE: a complete WAV with its length (%d bytes)" % len(d))
    body, hd = form(INPUT_TEXT=SAMPLE + marker, INPUT_TYPE="TEXT", OUTPUT_TYPE="AUDIO", AUDIO="WAVE_FILE", LOCALE="kk_KZ")
    st, h, d = request(p, "POST", "/process", body, hd)
    check(st == 200 and good_wav(d, 3), "POST /process (form) gives a WAV")
    body, hd = form(INPUT_TEXT='<speak>Сәлем <break time="500ms"/> <say-as interpret-as="cardinal">25</say-as></speak>',
                    INPUT_TYPE="SSML", OUTPUT_TYPE="AUDIO", AUDIO="WAVE", LOCALE="kk")
    st, h, d = request(p, "POST", "/process", body, hd)
    check(st == 200 and good_wav(d, 0.8), "POST /process INPUT_TYPE=SSML AUDIO=WAVE (streamed)")
    for bad, why in [({"INPUT_TEXT": "Сәлем", "LOCALE": "ru"}, "LOCALE=ru (not yet)"),
                     ({"INPUT_TEXT": "Сәлем", "LOCALE": "xx"}, "unknown LOCALE"),
                     ({"INPUT_TEXT": "Сәлем", "VOICE": "../../etc/passwd"}, "unknown VOICE (no path)"),
                     ({"INPUT_TEXT": "Сәлем", "OUTPUT_TYPE": "PHONEMES"}, "OUTPUT_TYPE other than AUDIO"),
                     ({"INPUT_TEXT": "Сәлем", "AUDIO": "AU_FILE"}, "AUDIO=AU_FILE"),
                     ({"INPUT_TEXT": "Сәлем", "INPUT_TYPE": "RAWMARYXML"}, "INPUT_TYPE=RAWMARYXML"),
                     ({"LOCALE": "kk"}, "no INPUT_TEXT"),
                     ({"INPUT_TEXT": "<speak><p>Сәлем</speak>", "INPUT_TYPE": "SSML"}, "malformed SSML")]:
        st, h, d = request(p, "GET", "/process?" + urllib.parse.urlencode(bad))
        check(st == 400 and d.count(b"\n") == 1, "400 on %s: %s" % (why, d.decode().strip()))

    t0 = time.time()
    st, h, d = request(p, "POST", "/api/speak", SAMPLE, {"Content-Type": "text/plain; charset=utf-8"})
    check(st == 200 and h.get("content-type") == "audio/wav" and h.get("transfer-encoding") == "chunked"
          and good_wav(d, 3), "POST /api/speak (text/plain body): streamed WAV, %.2f s of audio in %.2f s"
          % (wav_info(d)[3] / 22050 if wav_info(d) else 0, time.time() - t0))
    magic = {"ogg": (b"OggS", b"vorbis"), "opus": (b"OggS", b"OpusHead"), "flac": (b"fLaC", b""), "mp3": (b"", b"")}
    for fmt, (m0, m1) in magic.items():
        body, hd = form(text=SAMPLE, format=fmt, voice="news", rate="200", pitch="40")
        st, h, d = request(p, "POST", "/api/speak", body, hd)
        ok = st == 200 and d.startswith(m0) and m1 in d[:200] and int(h.get("content-length", -1)) == len(d)
        if fmt == "mp3":
            ok = ok and (d[:3] == b"ID3" or (d[0] == 0xFF and d[1] & 0xE0 == 0xE0))
        dur = duration_by_sox(d, fmt, tmp) if fmt != "opus" else None
        if dur is not None:
            ok = ok and dur > 3
        check(ok, "format=%s: %s, %d bytes%s" % (fmt, h.get("content-type"), len(d),
                                                 ", %.2f s by soxi" % dur if dur is not None else ""))
    body, hd = form(ssml='<speak>Бүгін <emphasis>маңызды</emphasis> күн. <mark name="m1"/>2024 жыл.</speak>')
    st, h, d = request(p, "POST", "/api/speak", body, hd)
    check(st == 200 and good_wav(d, 0.8), "POST /api/speak ssml=...")
    st, h, d = request(p, "POST", "/api/speak?format=flac", "<speak>Сәлем әлем.</speak>",
                       {"Content-Type": "application/ssml+xml"})
    check(st == 200 and d.startswith(b"fLaC"), "SSML body (application/ssml+xml), format in the query")
    for bad, why in [({"text": "Сәлем", "format": "aiff"}, "format=aiff"),
                     ({"text": "Сәлем", "rate": "5000"}, "rate=5000"),
                     ({"text": "Сәлем", "rate": "fast"}, "rate=fast"),
                     ({"text": "Сәлем", "pitch": "-1"}, "pitch=-1"),
                     ({"text": "Сәлем", "voice": "nobody"}, "voice=nobody"),
                     ({"text": "Сәлем", "type": "html"}, "type=html"),
                     ({"text": ""}, "empty text"),
                     ({"ssml": "<speak>unclosed"}, "malformed SSML")]:
        body, hd = form(**bad)
        st, h, d = request(p, "POST", "/api/speak", body, hd)
        check(st == 400, "400 on %s: %s" % (why, d.decode().strip()))
    st, h, d = request(p, "GET", "/api/speak")
    check(st == 405 and "allow" in h, "405 on GET /api/speak")
    st, h, d = request(p, "GET", "/nothing")
    check(st == 404, "404 on an unknown path")
    st, h, d = request(p, "POST", "/api/normalize", "ҚР-да 15%-ға өсті.", {"Content-Type": "text/plain"})
    check(st == 200 and "пайыз" in d.decode() and "он бес" in d.decode(), "/api/normalize: " + d.decode().strip())
    st, h, d = request(p, "GET", "/version", headers={"Host": "evil.example:80"})
    check(st == 403, "403 on a foreign Host header without a token (DNS rebinding)")

    # ---------------------------------------------------------------- caps
    st, h, d = request(p, "POST", "/api/speak", "а " * 100000, {"Content-Type": "text/plain"})
    check(st == 413, "413 on a 200 kB body (--max-body 100000): " + d.decode().strip())
    st, h, d = request(p, "POST", "/api/speak", "а " * 15000, {"Content-Type": "text/plain"})
    check(st == 413, "413 on a 30 kB text (--max-text 20000): " + d.decode().strip())

    def chunks():
        for _ in range(200):
            yield b"x" * 1000
    c = http.client.HTTPConnection("127.0.0.1", p, timeout=30)
    try:
        c.request("POST", "/api/speak", body=chunks(), headers={"Content-Type": "text/plain"}, encode_chunked=True)
        r = c.getresponse()
        st = r.status
    except (ConnectionError, BrokenPipeError):
        st = "closed"
    c.close()
    check(st == 413, "413 on a chunked 200 kB body without Content-Length (%s)" % st)
    rc = s.stop()
    log = s.log()
    check(rc == 0, "SIGTERM: exit status 0")
    check(marker not in log and "POST /api/speak" in log, "the request log has no text by default")
    check(not [x for x in os.listdir(tmp) if x.startswith("kazspeak-serve.")], "the private temporary folder is removed")

    # ---------------------------------------------------------------- a full queue: 503
    s = Server(prog, ["-j", "1", "--queue", "0", "--no-panel"], tmpdir=tmp)
    c1 = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
    c1.request("POST", "/api/speak", body=(SAMPLE * 10).encode(), headers={"Content-Type": "text/plain"})
    r1 = c1.getresponse()  # streaming: the worker is busy until we read it all
    st, h, d = request(s.port, "POST", "/api/speak", "Сәлем.", {"Content-Type": "text/plain"})
    check(st == 503 and h.get("retry-after") == "1", "503 with Retry-After when the queue is full: " + d.decode().strip())
    d1 = r1.read()
    c1.close()
    check(r1.status == 200 and good_wav(d1, 20), "the request in flight completes (%d bytes)" % len(d1))
    st, h, d = request(s.port, "POST", "/api/speak", "Сәлем.", {"Content-Type": "text/plain"})
    check(st == 200, "a new request is served once the worker is free")
    s.stop()

    # ---------------------------------------------------------------- the token
    r = subprocess.run([prog, "serve", "--listen", "0.0.0.0:0", "--no-panel"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 2 and "--token" in r.stderr, "a non-loopback address without --token is refused: "
          + r.stderr.strip())
    tok = os.path.join(tmp, "token")
    with open(tok, "w") as f:
        f.write("s3cret-token-0123456789abcdef\n")
    s = Server(prog, ["--listen", "0.0.0.0:0", "--token", tok, "-j", "1", "--no-panel"], tmpdir=tmp)
    st, h, d = request(s.port, "GET", "/voices")
    check(st == 401 and "bearer" in h.get("www-authenticate", "").lower(), "401 without a token on 0.0.0.0")
    body, hd = form(text="Сәлем.")
    st, h, d = request(s.port, "POST", "/api/speak", body, dict(hd, Authorization="Bearer wrong-token-0123456789abcdef"))
    check(st == 401, "401 with a wrong token")
    st, h, d = request(s.port, "POST", "/api/speak", body, dict(hd, Authorization="Bearer s3cret-token-0123456789abcdef"))
    check(st == 200 and good_wav(d, 0.3), "200 with the token")
    s.stop()

    # ---------------------------------------------------------------- SIGTERM with requests in flight
    s = Server(prog, ["-j", "2", "--queue", "16", "--no-panel"], tmpdir=tmp)
    results = [None] * 8

    def one(i):
        try:
            if i % 2:
                q = urllib.parse.urlencode({"INPUT_TEXT": SAMPLE * 25, "AUDIO": "WAVE_FILE"})
                results[i] = request(s.port, "GET", "/process?" + q)
            else:
                results[i] = request(s.port, "POST", "/api/speak", SAMPLE * 25, {"Content-Type": "text/plain"})
        except Exception as e:  # noqa: BLE001
            results[i] = (str(e), {}, b"")
    th = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in th:
        t.start()
    time.sleep(0.5)
    rc = s.stop(timeout=120)
    for t in th:
        t.join()
    ok = [r for r in results if r and r[0] == 200 and good_wav(r[2], 10)]
    check(len(ok) == 8, "SIGTERM with 8 requests in flight on 2 workers: %d of 8 complete, valid WAVs" % len(ok))
    import re
    m = re.search(r"stopping after (\d+) request", s.log())
    check(rc == 0 and m and int(m.group(1)) >= 4, "graceful stop: exit 0 (%s)" %
          [x for x in s.log().splitlines() if "stopping" in x])
    try:
        socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
        refused = False
    except OSError:
        refused = True
    check(refused, "nothing listens after the stop")

    if FAILED:
        print("FAIL: %d checks failed" % len(FAILED))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
