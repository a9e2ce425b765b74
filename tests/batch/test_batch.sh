#!/bin/bash
# Batch mode: several inputs incl. bad ones -> the others written, exit non-zero,
# summary; a re-run does no work; a touched input is redone; -j 1 and -j 2 give
# the same audio; --format and per-file captions.
# usage: test_batch.sh KAZSPEAK SRCDIR BUILDDIR
K=$1
SRC=$2
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
T=$(mktemp -d)
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; [ -f "$T/err" ] && sed 's/^/  stderr: /' "$T/err"; exit 1; }

mkdir -p "$T/in"
printf 'Сәлем, әлем! Қалайсың?\n' >"$T/in/a.txt"
head -c 900 "$SRC/samples/assembly-news.txt" | python3 -c 'import sys; b=sys.stdin.buffer.read(); sys.stdout.buffer.write(b.decode("utf-8","ignore").encode())' >"$T/in/b.txt"
printf 'Бір екі үш. Төрт бес алты.\n' >"$T/in/c.txt"
printf 'not a text file, ignored\n' >"$T/in/notes.md"
mkdir "$T/in/bad.txt"                       # a folder named like a text: its worker fails

# 1. first run: three written, three failed (the folder named .txt, a missing
#    file, a folder without texts), exit 1
mkdir "$T/empty"
"$K" --batch -o "$T/out" -j 2 "$T/in" "$T/missing.txt" "$T/empty" 2>"$T/err"
rc=$?
[ $rc -eq 1 ] || fail "first run: exit $rc, want 1"
grep -q '^3 written, 0 skipped, 3 failed$' "$T/err" || fail "first run: summary"
grep -q 'empty: no .txt files in this folder' "$T/err" || fail "the empty folder is not reported"
grep -q 'bad.txt: is a directory' "$T/err" || fail "the failing folder is not reported with its error"
grep -q 'missing.txt: No such file' "$T/err" || fail "the missing input is not reported"
for f in a b c; do
    [ -s "$T/out/$f.wav" ] || fail "$f.wav not written"
    python3 - "$T/out/$f.wav" <<'PY' || fail "$f.wav is not a valid non-empty WAV"
import sys, wave
w = wave.open(sys.argv[1]); assert w.getnframes() > w.getframerate() // 2, w.getnframes()
PY
done
[ ! -e "$T/out/bad.wav" ] || fail "bad.wav exists"
[ ! -e "$T/out/notes.wav" ] || fail "a .md file in the folder was read"
[ -z "$(ls -A "$T/out" | grep '^\.')" ] || fail "temporary files left: $(ls -A "$T/out")"

# 2. re-run of the finished inputs: no work, outputs untouched, exit 0
stat -c '%n %Y %y' "$T/out"/*.wav >"$T/m1"
"$K" --batch -o "$T/out" -j 2 "$T/in/a.txt" "$T/in/b.txt" "$T/in/c.txt" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] || fail "re-run: exit $rc, want 0"
grep -q '^0 written, 3 skipped, 0 failed$' "$T/err" || fail "re-run: summary"
stat -c '%n %Y %y' "$T/out"/*.wav >"$T/m2"
cmp -s "$T/m1" "$T/m2" || fail "re-run changed outputs: $(diff "$T/m1" "$T/m2")"

# 3. an edited input is redone, the others skipped
sleep 0.01; touch "$T/in/b.txt"
"$K" --batch -o "$T/out" "$T/in/a.txt" "$T/in/b.txt" "$T/in/c.txt" 2>"$T/err" || fail "third run failed"
grep -q '^1 written, 2 skipped, 0 failed$' "$T/err" || fail "edited input: summary"
[ "$T/out/b.wav" -nt "$T/in/b.txt" ] || fail "b.wav not redone"

# 4. -j 1 and -j 2 make the same audio
"$K" --batch -o "$T/j1" -j 1 "$T/in/a.txt" "$T/in/b.txt" "$T/in/c.txt" 2>"$T/err" || fail "-j 1 failed"
"$K" --batch -o "$T/j2" -j 2 "$T/in/a.txt" "$T/in/b.txt" "$T/in/c.txt" 2>"$T/err" || fail "-j 2 failed"
python3 - "$T/j1" "$T/j2" <<'PY' || fail "-j 1 and -j 2 differ"
import os, sys, wave
a, b = sys.argv[1:3]
assert sorted(os.listdir(a)) == sorted(os.listdir(b)) == ["a.wav", "b.wav", "c.wav"], (os.listdir(a), os.listdir(b))
for n in sorted(os.listdir(a)):
    wa, wb = wave.open(os.path.join(a, n)), wave.open(os.path.join(b, n))
    assert wa.getparams() == wb.getparams(), n
    assert wa.readframes(wa.getnframes()) == wb.readframes(wb.getnframes()), n
PY

# 5. --format flac with per-file captions; a re-run skips only when both exist
"$K" --batch -o "$T/fl" --format flac --captions srt "$T/in/a.txt" "$T/in/c.txt" 2>"$T/err" || fail "flac+srt batch failed"
for f in a c; do
    [ -s "$T/fl/$f.flac" ] || fail "$f.flac missing"
    [ -s "$T/fl/$f.srt" ] || fail "$f.srt missing"
    if command -v soxi >/dev/null; then
        d=$(soxi -D "$T/fl/$f.flac") || fail "soxi cannot read $f.flac"
        python3 -c "import sys; sys.exit(0 if float('$d') > 0.5 else 1)" || fail "$f.flac too short ($d s)"
    fi
    head -1 "$T/fl/$f.srt" | grep -qx 1 || fail "$f.srt does not start with cue 1"
done
grep -q '^00:00:0[0-9],[0-9][0-9][0-9] --> ' "$T/fl/c.srt" || fail "c.srt has no SRT time line"
grep -q 'Төрт бес алты' "$T/fl/c.srt" || fail "c.srt lacks the second sentence"
rm "$T/fl/a.srt"
"$K" --batch -o "$T/fl" --format flac --captions srt "$T/in/a.txt" "$T/in/c.txt" 2>"$T/err" || fail "flac re-run failed"
grep -q '^1 written, 1 skipped, 0 failed$' "$T/err" || fail "missing captions do not redo the file"
[ -s "$T/fl/a.srt" ] || fail "a.srt not remade"

# 6. usage errors
"$K" --batch "$T/in" 2>"$T/err"; [ $? -eq 2 ] || fail "--batch without -o: want exit 2"
"$K" --batch -o "$T/x" --format xyz "$T/in" 2>"$T/err"; [ $? -eq 2 ] || fail "--format xyz: want exit 2"
"$K" -o "$T/y" -w "$T/x.wav" hello 2>"$T/err"; [ $? -eq 2 ] || fail "-o without --batch: want exit 2"
[ ! -e "$T/x" ] || fail "a usage error created the output folder"

# 7. options reach the workers: a voice option changes the audio
"$K" --batch -o "$T/fast" -s 400 "$T/in/b.txt" 2>"$T/err" || fail "-s 400 batch failed"
python3 - "$T/j1/b.wav" "$T/fast/b.wav" <<'PY' || fail "-s 400 was not passed on to the worker"
import sys, wave
slow, fast = (wave.open(p).getnframes() for p in sys.argv[1:3])
assert fast < slow * 0.7, (slow, fast)
PY
# 8. the same file named twice (also through another path) is read once, and said so plainly
"$K" --batch -o "$T/twice" "$T/in/a.txt" "$T/in/../in/a.txt" 2>"$T/err" || fail "named twice: want exit 0"
grep -q "a.txt is named twice: it is read once, into $T/twice/a.wav" "$T/err" || fail "named twice: message"
grep -q '^1 written, 1 skipped, 0 failed$' "$T/err" || fail "named twice: summary"
# -q: silent when all went well
"$K" -q --batch -o "$T/quiet" "$T/in/a.txt" 2>"$T/err" || fail "-q batch failed"
[ ! -s "$T/err" ] || fail "-q batch printed: $(cat "$T/err")"
echo "ok"
