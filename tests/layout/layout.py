#!/usr/bin/env python3
"""The house rules of src/, checked from the code itself (docs: README "Layout").

1. The program (src/cli/) and the speech-dispatcher module (src/sd/) include only
   the public header and their own headers: no path into src/lib.
2. Arrows point down: src/lib/text/ never includes engine/, audio/ or the reader;
   engine/ and audio/ never include text/; nothing in src/lib includes src/cli or src/sd.
3. No include cycle among the files of src/.
4. No function longer than MAX_FUNC lines.
Prints one line per violation; exit 1 when there is any.
"""
import os, re, sys

MAX_FUNC = 130
src = os.path.join(sys.argv[1], "src")
files = {}
for root, _, names in os.walk(src):
    for n in names:
        if n.endswith((".c", ".h")):
            p = os.path.relpath(os.path.join(root, n), src)
            files[p] = open(os.path.join(root, n), encoding="utf-8", errors="replace").read()

inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
by_base = {}
for p in files:
    by_base.setdefault(os.path.basename(p), []).append(p)

def resolve(p, name):
    """The file an include names: beside the includer, by relative path, else the one file of that name."""
    here = os.path.normpath(os.path.join(os.path.dirname(p), name))
    if here in files:
        return here
    if name.startswith("kazspeak/"):
        return "include/" + name
    cands = by_base.get(os.path.basename(name), [])
    # the library's private include folders: src/lib, lib/text, lib/engine, lib/audio
    for c in cands:
        if c.startswith("lib/") and p.startswith("lib/"):
            return c
    return cands[0] if len(cands) == 1 else None

problems = []
graph = {}
for p, text in files.items():
    deps = []
    for name in inc_re.findall(text):
        r = resolve(p, name)
        if r is None:
            continue
        deps.append(r)
        top = p.split("/")[0]
        if top in ("cli", "sd") and r.split("/")[0] not in (top, "include"):
            problems.append(f"{p}: includes {name} ({r}): the program and the module use only the public header")
        if p.startswith("lib/text/") and (r.startswith(("lib/engine/", "lib/audio/")) or r == "lib/reader.c"):
            problems.append(f"{p}: includes {name}: the text stage never reaches the engine or the sinks")
        if p.startswith(("lib/engine/", "lib/audio/")) and r.startswith("lib/text/"):
            problems.append(f"{p}: includes {name}: the engine and the sinks never reach the text stage")
        if p.startswith("lib/") and r.split("/")[0] in ("cli", "sd"):
            problems.append(f"{p}: includes {name}: the library never reaches a front end")
    graph[p] = deps

# include cycles (depth-first search)
state = {}
def visit(p, stack):
    state[p] = 1
    stack.append(p)
    for d in graph.get(p, []):
        if state.get(d) == 1:
            problems.append("include cycle: " + " -> ".join(stack[stack.index(d):] + [d]))
        elif d in graph and not state.get(d):
            visit(d, stack)
    stack.pop()
    state[p] = 2
for p in sorted(graph):
    if not state.get(p):
        visit(p, [])

# long functions: from a line starting a definition to its closing brace in column 0
for p, text in files.items():
    if not p.endswith(".c"):
        continue
    start = name = None
    for i, line in enumerate(text.split("\n"), 1):
        if start is None and line == "{":
            start = i
        elif start is not None and line == "}":
            if i - start > MAX_FUNC:
                problems.append(f"{p}:{start}: a function of {i - start} lines (at most {MAX_FUNC})")
            start = None

for m in problems:
    print(m)
print(f"layout: {len(files)} files, {sum(len(v) for v in graph.values())} includes, {len(problems)} problems")
sys.exit(1 if problems else 0)
