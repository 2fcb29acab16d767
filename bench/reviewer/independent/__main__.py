"""Score `codeward review` (and bandit, when installed) on independent labelled suites.

    python -m bench.reviewer.independent                     # both halves, codeward and bandit
    python -m bench.reviewer.independent --half development --cases   # + the development cases it gets wrong
    python -m bench.reviewer.independent --suite pyt --suite vulpy    # some suites only

The development half may be looked at case by case (--cases); the validation half is only ever reported
as aggregate figures, so that nobody tunes codeward to it. See README.md beside this file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile

from .cases import HALVES, Case, load_all
from .extract import line_range, materialize
from .mirror import MirrorMissing
from .score import Score, flagged, in_scope, index, tally
from .tools import ToolFailed, available, bandit, codeward

REPO = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def _fmt(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "n/a"
    return f"{x:+.2f}" if signed else f"{x:.2f}"


# In the validation half a row of few cases would tell how single cases fare: such rows are pooled.
MIN_VALIDATION_ROW = 20


def pool_small(rows: dict[str, Score], minimum: int) -> dict[str, Score]:
    """ROWS with every row of fewer than MINIMUM cases added into one 'other (N rows)' row."""
    kept = {name: s for name, s in rows.items() if s.cases >= minimum or name in ("overall", "injection")}
    small = [s for name, s in rows.items() if name not in kept]
    if small:
        other = Score()
        for s in small:
            other.tp, other.fn, other.fp, other.tn = other.tp + s.tp, other.fn + s.fn, other.fp + s.fp, other.tn + s.tn
        kept[f"other ({len(small)} rows under {minimum} cases)"] = other
    return kept


def table(title: str, rows: dict[str, Score]) -> str:
    lines = [f"#### {title}", "", "| | cases | vuln | safe | recall | FP rate | J |", "|---|---|---|---|---|---|---|"]
    for name in sorted(rows, key=lambda n: (n == "overall", n == "injection", n.startswith("other ("), n)):
        s = rows[name]
        label = f"**{name}**" if name in ("overall", "injection") else name
        lines.append(
            f"| {label} | {s.cases} | {s.tp + s.fn} | {s.fp + s.tn} | {_fmt(s.recall)} | {_fmt(s.fpr)} "
            f"| {_fmt(s.informedness, True)} |"
        )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    halves = HALVES if args.half == "all" else (args.half,)
    tools = [t for t in args.tools.split(",") if t]
    for tool in tools:
        if tool not in ("codeward", "bandit"):
            print(f"unknown tool {tool!r}", file=sys.stderr)
            return 2
    skipped_tools = [t for t in tools if not available(t)]
    tools = [t for t in tools if t not in skipped_tools]
    suites, cases = load_all()
    if args.suite:
        unknown = set(args.suite) - set(suites)
        if unknown:
            print(f"unknown suite(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
    chosen = [s for s in suites.values() if s.half in halves and (not args.suite or s.name in args.suite)]
    if args.keep and os.path.realpath(args.keep).startswith(REPO + os.sep):
        print("--keep must be outside the repository: fetched code is never to be committed", file=sys.stderr)
        return 2
    scratch = args.keep or tempfile.mkdtemp(prefix="codeward-indeval-")
    results: dict[str, list[tuple[Case, bool, list[str]]]] = {t: [] for t in tools}
    missing, unresolved = [], []
    try:
        for suite in chosen:
            mine = [c for c in cases if c.suite == suite.name]
            root = os.path.join(scratch, suite.name)
            try:
                where = materialize(suite, mine, root)
            except MirrorMissing as error:
                missing.append(f"{suite.name}: {error}")
                continue
            found = {}
            for tool in tools:
                found[tool] = index(codeward(root, tuple(args.codeward_arg)) if tool == "codeward" else bandit(root))
            for case in mine:
                lines = line_range(case, where[case.key])
                if lines is None:
                    unresolved.append(case)
                    continue
                for tool in tools:
                    hits = in_scope(found[tool], where[case.key], lines)
                    results[tool].append((case, flagged(tool, case, hits), sorted({h.rule for h in hits})))
    except ToolFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    report: dict[str, object] = {}
    for tool in tools:
        print(f"## {tool}\n")
        for half in halves:
            rows = [(c, hit) for c, hit, _ in results[tool] if suites[c.suite].half == half]
            if not rows:
                continue
            scores = tally(rows)
            if half == "validation":
                scores = {k: pool_small(v, MIN_VALIDATION_ROW) for k, v in scores.items()}
            print(f"### {half} half: {len(rows)} cases\n")
            print(table("per suite", scores["suite"] | scores["total"]))
            print(table("per category", scores["category"] | scores["total"]))
            report.setdefault(tool, {})[half] = {k: {n: s.row() for n, s in v.items()} for k, v in scores.items()}
        if args.cases:
            wrong = [(c, hit, rules) for c, hit, rules in results[tool]
                     if suites[c.suite].half != "validation" and hit != c.vulnerable]  # fmt: skip
            print(f"### {tool}: development and probe cases it gets wrong ({len(wrong)})\n")
            for case, _, rules in wrong:
                kind = "missed" if case.vulnerable else "false positive"
                seen = f" (rules on these lines: {', '.join(rules)})" if rules else ""
                print(f"- {kind}: {case.key} [{case.category}] {case.path} {case.scope}{seen}")
            print()
    for tool in skipped_tools:
        print(f"{tool} is not installed: not scored (pip install -e '.[bench]')")
    for line in missing:
        print(f"not scored, mirror missing: {line}")
    if unresolved:
        print(f"{len(unresolved)} case(s) not found in their file (function renamed?): not scored")
        for case in unresolved:
            if suites[case.suite].half != "validation":
                print(f"  {case.key} {case.path} {case.scope}")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"scores": report, "mirrors_missing": missing, "unresolved": len(unresolved)}, handle, indent=1)
    return 1 if missing and args.strict else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reviewer.independent", description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=(*HALVES, "all"), default="all")
    parser.add_argument("--suite", action="append", help="score only this suite (repeatable)")
    parser.add_argument("--tools", default="codeward,bandit", help="comma-separated: codeward, bandit")
    parser.add_argument("--cases", action="store_true", help="list the development cases each tool gets wrong")
    parser.add_argument("--json", metavar="FILE", help="also write the aggregate scores as JSON")
    parser.add_argument("--keep", metavar="DIR", help="extract into DIR and keep it (default: a temporary folder)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a suite's mirror is missing")
    parser.add_argument("--codeward-arg", action="append", default=[], metavar="ARG",
                        help="pass ARG to `codeward review` (repeatable; e.g. --codeward-arg=--extend-select=CWR1 "
                             "also counts the findings that are off by default)")  # fmt: skip
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
