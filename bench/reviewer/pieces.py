"""How much of libcst's parse piece selection could save: which rules force which pieces of a file to be parsed.

    .venv/bin/python -m bench.reviewer.pieces                       # Django's `django/` (fetched like bench.reviewer.run)
    .venv/bin/python -m bench.reviewer.pieces DIR [DIR ...]         # any folders (the realcode projects' sources)

libcst's parse is the largest part of a review (README, "Speed"). A review could parse only the pieces of a file
that some active rule can report on, if a rule's text pre-filter (`needles`, `pattern`, `may_match`), asked of one
piece instead of the whole file, could say which pieces those are. This measures that before anything is built,
with CPython's parser alone (no review runs):

- a *piece* is a top-level `def` or `class` (granularity "top"), or a top-level `def` or a method of a top-level
  class ("member"); every other statement (imports, constants, `if`/`try` blocks, class attributes) is always
  parsed, so a piece's pre-filter reads its own text after that always-parsed text (an import alias or a
  constant the rule needs is there);
- a rule *forces* a piece when its pre-filter matches that text; the rules that follow untrusted data
  (`TaintSink`) are counted apart: a piece that names no source (`request`, `event`, ... or a route decorator)
  is the most they could let go, a lower bound of what they force (data reaches a piece from others too);
- the default rule set runs (every rule but those `codeward.reviewer.measured` leaves out by default), in the
  files where at least one rule is active at all (the others are never parsed with libcst already).

Prints the bytes of the files with active rules, the share in pieces no rule forces, per rule the bytes it forces
and those only it forces, and the same shares if the heaviest forcers had exact per-piece conditions.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass
class Tally:
    files: int = 0
    bytes: int = 0
    always: Counter = field(default_factory=Counter)  # granularity -> bytes always parsed
    free: Counter = field(default_factory=Counter)  # (granularity, with taint) -> bytes no rule forces
    forced: Counter = field(default_factory=Counter)  # (granularity, code) -> bytes
    sole: Counter = field(default_factory=Counter)  # (granularity, code) -> bytes only that rule forces
    without: Counter = field(default_factory=Counter)  # (granularity, k) -> bytes free without the k heaviest


def python_files(roots: list[str]) -> Iterator[str]:
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                if name.endswith(".py"):
                    yield os.path.join(folder, name)


def pieces(text: str, tree: ast.Module, granularity: str) -> tuple[str, list[str]]:
    """(the always-parsed text of the module, the pieces' texts, each after its class's always-parsed text)."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def source(stmt: ast.stmt) -> str:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        return text[starts[first - 1] : starts[stmt.end_lineno or stmt.lineno]]

    kept = [s for s in tree.body if isinstance(s, (*FUNCTIONS, ast.ClassDef))]
    always = "".join(source(s) for s in tree.body if s not in kept)
    out: list[str] = []
    for stmt in kept:
        if granularity == "member" and isinstance(stmt, ast.ClassDef):
            methods = [s for s in stmt.body if isinstance(s, FUNCTIONS)]
            head = "".join(source(s) for s in stmt.body if s not in methods)
            out += [head + "\0" + source(m) for m in methods]  # the class's own text travels with each method
        else:
            out.append("\0" + source(stmt))
    return always, out


def measure(roots: list[str], heaviest: list[str]) -> Tally:
    from codeward.reviewer.measured import in_default_set
    from codeward.reviewer.review import read_source
    from codeward.reviewer.rules import all_rules
    from codeward.reviewer.rules._base import ROUTE_DECORATOR, SOURCE_WORDS, TaintSink
    from codeward.reviewer.rules.meta import MetaRule

    rules = [r for r in all_rules() if not issubclass(r, MetaRule) and in_default_set(r.code)]
    tally = Tally()
    for path in python_files(roots):
        text, _ = read_source(path)
        if text is None:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        active = [r for r in rules if r.may_match(text, {"path": path, "taint": None})]
        if not active:
            continue
        tally.files += 1
        tally.bytes += len(text.encode())
        taint = any(issubclass(r, TaintSink) for r in active)
        shape = [r for r in active if not issubclass(r, TaintSink)]
        for granularity in ("top", "member"):
            always, texts = pieces(text, tree, granularity)
            tally.always[granularity] += len(text.encode()) - sum(len(t.partition("\0")[2].encode()) for t in texts)
            for piece in texts:
                own = piece.partition("\0")[2]
                size = len(own.encode())
                seen = always + piece.replace("\0", "")
                by = [r.code for r in shape if r.may_match(seen, {"path": path, "taint": None})]
                sourced = taint and (any(w in own for w in SOURCE_WORDS) or ROUTE_DECORATOR.search(own) is not None)
                for code in by:
                    tally.forced[granularity, code] += size
                if sourced:
                    tally.forced[granularity, "sources"] += size
                if len(by) + sourced == 1:
                    tally.sole[granularity, by[0] if by else "sources"] += size
                if not by:
                    tally.free[granularity, False] += size
                    if not sourced:
                        tally.free[granularity, True] += size
                for k in range(1, len(heaviest) + 1):
                    if not sourced and not [c for c in by if c not in heaviest[:k]]:
                        tally.without[granularity, k] += size
    return tally


def report(tally: Tally, roots: list[str], heaviest: list[str]) -> str:
    def share(value: int) -> str:
        return f"{value / 1e6:.2f} MB ({100 * value / max(tally.bytes, 1):.0f}%)"

    lines = [
        f"{tally.files} files with active rules under {', '.join(roots)}: {tally.bytes / 1e6:.2f} MB",
        "",
        "| granularity | always parsed | no shape rule forces | and names no source |",
        "|---|---|---|---|",
    ]
    for granularity in ("top", "member"):
        lines.append(
            f"| {granularity} | {share(tally.always[granularity])} | {share(tally.free[granularity, False])} "
            f"| {share(tally.free[granularity, True])} |"
        )
    lines += ["", "| rule | forces (member) | only it (member) | forces (top) |", "|---|---|---|---|"]
    codes = sorted({c for g, c in tally.forced if g == "member"}, key=lambda c: -tally.forced["member", c])
    for code in codes[:20]:
        lines.append(
            f"| {code} | {share(tally.forced['member', code])} | {share(tally.sole['member', code])} "
            f"| {share(tally.forced['top', code])} |"
        )
    lines += ["", "Free of every forcer but the k heaviest shape rules (and naming no source):"]
    for k in range(1, len(heaviest) + 1):
        lines.append(
            f"- without {', '.join(heaviest[:k])}: member {share(tally.without['member', k])}, "
            f"top {share(tally.without['top', k])}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folders", nargs="*", help="folders to measure (default: Django's source)")
    parser.add_argument("--version", default="5.2.8", help="Django version when no folder is given")
    parser.add_argument(
        "--heaviest", default="CWR120,CWR103,CWR608,CWR605,CWR304,CWR501", help="shape rules to take out in turn"
    )
    args = parser.parse_args(argv)
    roots = args.folders
    if not roots:
        from bench.reviewer.run import fetch_django

        roots = [str(fetch_django(args.version))]
    heaviest = [c for c in args.heaviest.split(",") if c]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    print(report(measure(roots, heaviest), roots, heaviest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
