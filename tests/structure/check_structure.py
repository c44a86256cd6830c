#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Structural checks of the tree and of the built objects (docs/architecture.md).

  check_structure.py layers ROOT            what each folder may include
  check_structure.py citations ROOT         every *.md a source cites is in the repository
  check_structure.py cycles NAME OBJ...     no file-level call cycle between these objects
  check_structure.py graph OBJ...           print the file-level call graph (for the docs)
  check_structure.py no-test-symbols FILE... no symbol of a shipped binary names "test"

Each check prints what it found and exits 1 on a violation. The call graph
is read from the objects with nm: file A calls file B when A's undefined
symbols include one that B defines, so a cycle is what the linker sees, not
what a comment claims."""
import os
import re
import subprocess
import sys

SOURCE_EXT = (".c", ".h")

# Layers, bottom to top (docs/architecture.md). A folder may include its own
# headers and those of the layers listed for it, never a layer above.
LAYER_INCLUDES = {
    "src/util": {"util", "carta"},
    "src/crypto": {"util", "carta", "crypto"},
    "src/apdu": {"util", "carta", "crypto", "apdu"},
    "src/cards": {"util", "carta", "crypto", "apdu", "cards"},
    "src/pkcs11": {"util", "carta", "crypto", "apdu", "pkcs11"},
    "tools/carta-tool": {"util", "carta", "crypto", "apdu"},
}
# System headers that belong to one place only (docs/design.md "Layers").
# carta-tool sign/verify (issue 14) are the documented exception: OpenSSL's
# CMS API and the PKCS#11 module's header (tools/carta-tool/tool.h).
TOOL_SIGN = ("tools/carta-tool/sign", "tools/carta-tool/verify", "tools/carta-tool/p11client",
             "tools/carta-tool/tsl")
OWNED_SYSTEM = {
    "openssl/": ("src/crypto/",) + TOOL_SIGN,
    "winscard.h": ("src/apdu/pcsc.c",),
    "pcsclite.h": ("src/apdu/pcsc.c",),
    "reader.h": ("src/apdu/pcsc.c",),
    "p11-kit/pkcs11.h": ("src/pkcs11/", "tools/carta-tool/p11client"),
    # carta-tool doctor loads other PKCS#11 modules to find one showing
    # carta's card; it never loads carta's module through it
    "p11-kit/p11-kit.h": ("tools/carta-tool/doctor_modules.c",),
    # the trusted list for verify --ca (ETSI TS 119 612 XML)
    "libxml/": ("tools/carta-tool/tsl.c",),
}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+([<"])([^">]+)[">]', re.M)


def sources(root, top):
    for d, _, files in os.walk(os.path.join(root, top)):
        for f in sorted(files):
            if f.endswith(SOURCE_EXT):
                yield os.path.relpath(os.path.join(d, f), root)


def layer_of(path):
    for top in sorted(LAYER_INCLUDES, key=len, reverse=True):
        if path.startswith(top + "/"):
            return top
    return None


def cards_include_ok(path, inc):
    """Framework files (src/cards/*.c) never reach into a family folder; a
    family reaches the framework and its own folder; only the registry knows
    every family."""
    parts = inc.split("/")
    if parts[0] != "cards" or len(parts) == 2:
        return True
    rel = path.split("/")
    if os.path.basename(path) == "registry.c" and len(rel) == 3:
        return True
    return len(rel) == 4 and rel[2] == parts[1]


def check_layers(root):
    bad = []
    for top in LAYER_INCLUDES:
        for path in sources(root, top):
            text = open(os.path.join(root, path), encoding="utf-8").read()
            for kind, inc in INCLUDE_RE.findall(text):
                first = inc.split("/")[0]
                if kind == '"' and "/" in inc and first not in LAYER_INCLUDES[top]:
                    bad.append(f"{path}: includes {inc} (layer {top} may include "
                               f"{', '.join(sorted(LAYER_INCLUDES[top]))})")
                elif kind == '"' and top == "src/cards" and not cards_include_ok(path, inc):
                    bad.append(f"{path}: includes {inc} (framework or another family)")
    for top in ("src", "tools", "tests", "include"):
        for path in sources(root, top):
            text = open(os.path.join(root, path), encoding="utf-8").read()
            for kind, inc in INCLUDE_RE.findall(text):
                for hdr, owners in OWNED_SYSTEM.items():
                    hit = inc.startswith(hdr) if hdr.endswith("/") else inc == hdr
                    if kind == "<" and hit and not path.startswith(owners) \
                            and not path.startswith(("tests/", "tools/vcard/")):
                        bad.append(f"{path}: includes <{inc}> (only {', '.join(owners)})")
    for line in bad:
        print("layers: " + line)
    print(f"layers: {len(bad)} violation(s)")
    return not bad


CITE_RE = re.compile(r"(?<![\w./-])((?:\.\./)*[\w./-]*[\w-]\.md)\b")
CITE_EXT = (".c", ".h", ".sh", ".py", ".txt", ".in", ".map")


def c_comments(text):
    """(line number, comment text) of every line that holds a C comment."""
    out, inside = [], False
    for n, line in enumerate(text.splitlines(), 1):
        rest, parts = line, []
        while rest:
            if inside:
                end = rest.find("*/")
                parts.append(rest if end < 0 else rest[:end])
                rest, inside = ("", True) if end < 0 else (rest[end + 2:], False)
                continue
            start, slash = rest.find("/*"), rest.find("//")
            if slash >= 0 and (start < 0 or slash < start):
                parts.append(rest[slash + 2:])
                break
            if start < 0:
                break
            rest, inside = rest[start + 2:], True
        if parts:
            out.append((n, " ".join(parts)))
    return out


def hash_comments(text):
    """(line number, text after a '#' that starts a comment): shell, CMake, Python."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        m = re.search(r"(^|\s)#(?!!)(.*)", line)
        if m:
            out.append((n, m.group(2)))
    return out


def check_citations(root):
    bad = []
    for top in ("src", "include", "tools", "tests", "CMakeLists.txt", ".ci"):
        base = os.path.join(root, top)
        walk = [(root, [], [top])] if os.path.isfile(base) else os.walk(base)
        for d, _, files in walk:
            for f in files:
                if not (f.endswith(CITE_EXT) or f in ("CMakeLists.txt", "run")):
                    continue
                path = os.path.relpath(os.path.join(d, f), root)
                try:
                    text = open(os.path.join(root, path), encoding="utf-8").read()
                except UnicodeDecodeError:
                    continue
                comments = c_comments(text) if f.endswith((".c", ".h")) else hash_comments(text)
                if f.endswith(".py"):   # docstrings too
                    comments += list(enumerate(text.splitlines(), 1))
                for n, line in comments:
                    for cite in CITE_RE.findall(line):
                        if cite.startswith("../") or not os.path.isfile(os.path.join(root, cite)):
                            bad.append(f"{path}:{n}: cites {cite}")
    for line in bad:
        print("citations: " + line)
    print(f"citations: {len(bad)} citation(s) that do not resolve inside the repository")
    return not bad


def nm(path, *flags):
    out = subprocess.run(["nm", *flags, path], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def symbols(obj):
    defined, undefined = set(), set()
    for line in nm(obj):
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRGSV":
            defined.add(parts[2])
    return defined, undefined


def short(obj):
    """src/cards/cns/ops.c from .../CMakeFiles/carta.dir/src/cards/cns/ops.c.o"""
    m = re.search(r"\.dir/(.*)\.o$", obj)
    return m.group(1) if m else obj


def call_graph(objs):
    owner, uses = {}, {}
    for o in objs:
        d, u = symbols(o)
        for s in d:
            owner[s] = short(o)
        uses[short(o)] = u
    graph = {f: set() for f in uses}
    for f, u in uses.items():
        for s in u:
            g = owner.get(s)
            if g and g != f:
                graph[f].add(g)
    return graph


def sccs(graph):
    """Tarjan's strongly connected components (iterative)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on:
                    low[v] = min(low[v], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def check_cycles(name, objs):
    graph = call_graph(objs)
    found = sccs(graph)
    for comp in found:
        print(f"cycles {name}: " + " <-> ".join(comp))
        for f in comp:
            print(f"    {f} -> {', '.join(sorted(g for g in graph[f] if g in comp))}")
    print(f"cycles {name}: {len(found)} cycle(s) among {len(graph)} files")
    return not found


def print_graph(objs):
    graph = call_graph(objs)
    for f in sorted(graph):
        print(f"{f} -> {', '.join(sorted(graph[f])) or '(nothing of these)'}")
    return True


def check_no_test_symbols(files):
    bad = []
    for f in files:
        for line in nm(f, "--defined-only"):
            parts = line.split()
            if parts and "test" in parts[-1].lower():
                bad.append(f"{os.path.basename(f)}: {parts[-1]}")
    for line in bad:
        print("no-test-symbols: " + line)
    print(f"no-test-symbols: {len(bad)} symbol(s) naming 'test' in {len(files)} file(s)")
    return not bad


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "layers":
        ok = check_layers(args[0])
    elif cmd == "citations":
        ok = check_citations(args[0])
    elif cmd == "cycles":
        ok = check_cycles(args[0], args[1:])
    elif cmd == "graph":
        ok = print_graph(args)
    elif cmd == "no-test-symbols":
        ok = check_no_test_symbols(args)
    else:
        print(__doc__)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
