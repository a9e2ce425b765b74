#!/usr/bin/env python3
"""leftover.py - after normalization nothing unread may be left, nothing dropped.

    leftover.py KAZSPEAK SRCDIR

Runs `KAZSPEAK --normalize` over the golden inputs (tests/golden/golden-dev.tsv) and, when
present, the real corpus (tests/corpus/kk-real.tsv with tests/corpus/expected.tsv), and
reports for each row:
  * a digit, or one of  % ₸ $ € № = × /  left in the output (':' between digits is
    covered by the digits);
  * an all-caps Cyrillic word (2+ letters) left in the output;
  * an input word (Cyrillic, 3+ letters) that the expected reading keeps but the output
    dropped.
Something the expected reading itself keeps (a headline "КЕНТАУ:", "ТЕСТ.ҚАЗ") is meant
to be kept and is not a leftover.  Rows listed in tests/text/leftover-known.txt ("golden:LINE" or a
corpus id, one per line) are counted but do
not fail; a listed row that is clean fails, so the list only shrinks.  Exit 1 on any
leftover."""
import os
import re
import subprocess
import sys

SYMBOLS = "%₸$€№=×/"
CAPS = re.compile(r"(?<![\w-])[А-ЯЁӘҒҚҢӨҰҮҺІ]{2,}(?![\w-])")
WORD = re.compile(r"(?<![\w-])[а-яёәғқңөұүһі]{3,}(?![\w])")


def leftovers(inp, out, want):
    bad = []
    for ch in sorted(set(re.findall(r"[0-9]", out))):
        if ch not in want:
            bad.append("digit " + ch)
    for ch in SYMBOLS:
        if ch in out and ch not in want:
            bad.append("symbol " + ch)
    for w in CAPS.findall(out):
        if w not in want:
            bad.append("caps " + w)
    low_out = out.lower()
    for w in WORD.findall(inp):
        if w in want and w not in low_out:
            bad.append("dropped " + w)
    return bad


def normalize(prog, src, lines):
    env = dict(os.environ, KAZSPEAK_DATA=src)
    r = subprocess.run([prog, "--data-dir", src, "--no-user-lexicon", "--normalize"],
                       input="\n".join(lines) + "\n", capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit("kazspeak --normalize failed: " + r.stderr)
    got = r.stdout.split("\n")[:len(lines)]
    if len(got) != len(lines):
        sys.exit("expected %d output lines, got %d" % (len(lines), len(got)))
    return got


def listed(path, pat):
    if not os.path.exists(path):
        return set()
    return {m.group(0) for m in (re.match(pat, l) for l in open(path, encoding="utf-8")) if m}


def check(name, rows, known, prog, src):
    got = normalize(prog, src, [r[1] for r in rows])
    fail = xfail = 0
    for (key, inp, want), out in zip(rows, got):
        bad = leftovers(inp, out, want)
        if bad and key in known:
            xfail += 1
        elif bad:
            fail += 1
            print("LEFTOVER %s: %s\n  input: %s\n  got:   %s" % (key, "; ".join(bad), inp, out))
        elif key in known:
            fail += 1
            print("%s is clean now: remove it from tests/text/leftover-known.txt" % key)
    print("%s: %d/%d rows clean (%d known)" % (name, len(rows) - fail - xfail, len(rows), xfail))
    return fail


def main():
    prog, src = sys.argv[1], sys.argv[2]
    fail = 0
    gold = os.path.join(src, "tests/golden/golden-dev.tsv")
    rows = []
    with open(gold, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            c = line.rstrip("\n").split("\t")
            if n > 1 and len(c) >= 3:
                rows.append(("golden:%d" % n, c[1], c[2]))
    known = listed(os.path.join(src, "tests/text/leftover-known.txt"), r"^\S+")
    fail += check("golden", rows, known, prog, src)
    real = os.path.join(src, "tests/corpus/kk-real.tsv")
    exp = os.path.join(src, "tests/corpus/expected.tsv")
    if os.path.exists(real) and os.path.exists(exp):
        want = {}
        with open(exp, encoding="utf-8") as f:
            for line in f:
                c = line.rstrip("\n").split("\t")
                if len(c) >= 2 and c[0] != "id":
                    want[c[0]] = c[1]
        rows = []
        with open(real, encoding="utf-8") as f:
            for line in f:
                c = line.rstrip("\n").split("\t")
                if len(c) >= 3 and c[0] != "id" and c[0] in want:
                    rows.append((c[0], c[2], want[c[0]]))
        fail += check("corpus", rows, known, prog, src)
    else:
        print("corpus: tests/corpus/kk-real.tsv not here yet, skipped")
    sys.exit(1 if fail else 0)


if __name__ == "__main__":
    main()
