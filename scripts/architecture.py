#!/usr/bin/env python3
"""Checks the shape README's architecture section promises, over src/ (test modules excluded):

- layers: domain imports nothing from http, store, signing or flows; flows and store import
  nothing from http; store imports nothing from flows;
- no import cycle among files: a file depends on every file whose items it names (crate::,
  super::, self:: paths, and a mod.rs naming its own child module); a mod.rs re-exporting its
  children (`pub use child::X`) is that module's face, not an import;
- no function longer than 80 lines.

Prints one line per finding and exits 1 when there is any. Run from the repository's root.
"""
import os
import re
import sys

MAX_FUNCTION_LINES = 80
LAYERS = [
    ("src/domain/", ("src/http/", "src/store/", "src/signing/", "src/flows/")),
    ("src/flows/", ("src/http/",)),
    ("src/store/", ("src/http/", "src/flows/")),
]


def sources():
    for folder, _, names in os.walk("src"):
        for name in sorted(names):
            if name.endswith(".rs"):
                path = os.path.join(folder, name)
                text = open(path, encoding="utf-8").read()
                cut = text.find("#[cfg(test)]")
                yield path, text if cut < 0 else text[:cut]


def module_of(path):
    parts = path[len("src/"):-len(".rs")].split("/")
    return tuple(parts[:-1] if parts[-1] in ("mod", "lib", "main") else parts)


def expand(prefix, tree):
    """The full paths of a use tree such as `a::{b, c::{d, e}}`."""
    tree = tree.strip()
    if "{" not in tree:
        return [prefix + [s for s in tree.split("::") if s.strip()]]
    head, rest = tree.split("{", 1)
    head_parts = [s for s in head.split("::") if s.strip()]
    inner, depth, items, current = rest, 1, [], ""
    for ch in inner:
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0:
            items.append(current)
            break
        if ch == "," and depth == 1:
            items.append(current)
            current = ""
        else:
            current += ch
    return [p for item in items if item.strip() for p in expand(prefix + head_parts, item)]


def dependencies(path, body, modules):
    here = module_of(path)

    def resolve(segments):
        segments = [s.strip() for s in segments if s.strip() and s.strip() != "self"]
        for n in range(len(segments), 0, -1):
            if tuple(segments[:n]) in modules:
                return modules[tuple(segments[:n])]
        return None

    found = set()
    for match in re.finditer(r"\b(crate|super)::((?:[A-Za-z_][A-Za-z_0-9]*::)*(?:\{[^;]*?\}(?=\s*;)|[A-Za-z_][A-Za-z_0-9]*))", body):
        root, tree = match.groups()
        # `super` of `a/b/c.rs` (module a::b::c) and of `a/b/mod.rs` (module a::b) alike: drop one segment.
        base = [] if root == "crate" else list(here[:-1])
        for full in expand(base, tree):
            target = resolve(full)
            if target:
                found.add(target)
    own_lines = "\n".join(l for l in body.split("\n") if not re.match(r"\s*pub(\([a-z]+\))? use ", l))
    for match in re.finditer(r"^\s*(?:pub(?:\([a-z]+\))? )?mod ([a-z_0-9]+);", body, re.M):
        child = match.group(1)
        if re.search(r"(?<![A-Za-z_0-9:])(?:self::)?" + child + r"::", own_lines):
            target = resolve(list(here) + [child])
            if target:
                found.add(target)
    found.discard(path)
    return found


def cycles(graph):
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def long_functions(path, body):
    lines = body.split("\n")
    for start, line in enumerate(lines):
        if not re.match(r"\s*(pub(\([a-z]+\))? )?(async )?(const )?fn \w+", line):
            continue
        depth, opened = 0, False
        for end in range(start, len(lines)):
            depth += lines[end].count("{") - lines[end].count("}")
            opened = opened or "{" in lines[end]
            if (opened and depth <= 0) or (not opened and lines[end].rstrip().endswith(";")):
                break
        if end - start + 1 > MAX_FUNCTION_LINES:
            yield f"{path}:{start + 1}: {line.strip()} is {end - start + 1} lines (at most {MAX_FUNCTION_LINES})"


def main():
    files = dict(sources())
    modules = {module_of(p): p for p in files}
    graph = {p: dependencies(p, body, modules) for p, body in files.items()}
    findings = []
    for layer, forbidden in LAYERS:
        for path in sorted(graph):
            if path.startswith(layer):
                findings += [f"{path} imports {d}, a layer above it" for d in sorted(graph[path]) if d.startswith(forbidden)]
    findings += ["files in an import cycle: " + ", ".join(c) for c in cycles(graph)]
    for path, body in sorted(files.items()):
        findings += list(long_functions(path, body))
    for finding in findings:
        print(finding)
    print(f"{len(files)} files, {sum(len(d) for d in graph.values())} imports between them, {len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
