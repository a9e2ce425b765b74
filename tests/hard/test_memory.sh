#!/bin/bash
# Memory stays bounded on any input: an 86 MB single line through --normalize,
# -x and -w, and a 50 MB SSML document, each under 64 MB of peak RSS (the
# synthesis runs are stopped after a few seconds: their peak comes early, while
# the input is read). Prints the figures.
# usage: test_memory.sh KAZSPEAK SRCDIR BUILDDIR
K=$1
SRC=$2
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
# a sanitized build's memory (shadow, quarantine) says nothing about the program's
if ldd "$K" 2>/dev/null | grep -q 'libasan\|libubsan'; then echo "sanitized build: memory not measured"; exit 77; fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
exec python3 - "$K" "$SRC" "$T" <<'PY'
import os, signal, subprocess, sys, time, html
ks, src, t = sys.argv[1:4]
sample = open(os.path.join(src, "samples/assembly-news.txt"), encoding="utf-8").read()
one = sample.replace("\n", " ").encode()
with open(t + "/line.txt", "wb") as f:          # one 86 MB line
    n = 0
    while n < 86 << 20:
        f.write(one); n += len(one)
    f.write(b"\n")
paras = [p for p in sample.split("\n") if p.strip()]
with open(t + "/doc.ssml", "w", encoding="utf-8") as f:   # a 50 MB document
    f.write('<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis">\n')
    n, i = 0, 0
    while n < 50 << 20:
        p = "<p><s>%s</s> <break time=\"200ms\"/></p>\n" % html.escape(paras[i % len(paras)])
        f.write(p); n += len(p.encode()); i += 1
    f.write("</speak>\n")

def peak(args, seconds=None):
    """Peak RSS in MB of one run (stopped after `seconds`, if given)."""
    p = subprocess.Popen([ks, "--no-user-lexicon"] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if seconds:
        time.sleep(seconds)
        p.send_signal(signal.SIGTERM)
    _, status, ru = os.wait4(p.pid, 0)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    return ru.ru_maxrss / 1024, code, err

LIMIT = 64
fails = 0
cases = [("--normalize, 86 MB line", ["--normalize", "-f", t + "/line.txt"], None, 0),
         ("-x, 86 MB line", ["-x", "-f", t + "/line.txt"], 8, None),
         ("-w, 86 MB line", ["-q", "-f", t + "/line.txt", "-w", t + "/a.wav"], 8, None),
         ("--ssml -w, 50 MB document", ["-q", "--ssml", "-f", t + "/doc.ssml", "-w", t + "/b.wav"], 8, None)]
for name, args, secs, want in cases:
    mb, code, err = peak(args, secs)
    ok = mb <= LIMIT and (want is None or code == want)
    print("%s %-28s peak RSS %6.1f MB (exit %d)" % ("ok:  " if ok else "FAIL:", name, mb, code))
    if not ok:
        fails += 1
        print("  stderr:", err[:300])
sys.exit(1 if fails else 0)
PY
