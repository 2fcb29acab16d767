"""Where a review's CPU time goes: Django's source reviewed in one process as a review worker reviews it, each
phase's own CPU time (a phase's time excludes the phases it calls), without a profiler.

    .venv/bin/python -m bench.reviewer.phases            # Django (fetched like bench.reviewer.run)
    .venv/bin/python -m bench.reviewer.phases DIR        # another tree
    .venv/bin/python -m bench.reviewer.phases --askers   # also which rule's question ran each analysis first

Phases are entry points wrapped with a CPU clock: libcst's parse (for review and for other modules'
summaries), CPython's parse, the data-flow analysis (analyses, summaries, scope facts), the rules' text
pre-filters (`may_match`), the rules' walk (the rest of `_review_parsed`), the classifier's secret scores,
positions, the cyclic garbage collector, suppressions and reading. It also counts the analyses run (functions,
class bodies and modules analysed), which the machine's load leaves alone. cProfile is no guide here: it
inflates the Python parts several times over and not libcst's native parser.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.reviewer.run import fetch_django

Clock = Callable[[], float]


class Phases:
    """Exclusive CPU time per phase: the innermost wrapped call running is charged."""

    def __init__(self, clock: Clock = time.process_time) -> None:
        self.clock = clock
        self.seconds: dict[str, float] = {}
        self.stack: list[list[Any]] = [["other", clock()]]

    def _charge(self, phase: str, since: float, now: float) -> None:
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - since

    def wrap(self, owner: Any, name: str, phase: str, *, classmethod_: bool = False) -> None:
        original = owner.__dict__[name].__func__ if classmethod_ else getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            now = self.clock()
            top = self.stack[-1]
            self._charge(top[0], top[1], now)
            self.stack.append([phase, now])
            try:
                return original(*args, **kwargs)
            finally:
                now = self.clock()
                mine = self.stack.pop()
                self._charge(phase, mine[1], now)
                self.stack[-1][1] = now

        setattr(owner, name, classmethod(timed) if classmethod_ else timed)

    def close(self) -> dict[str, float]:
        now = self.clock()
        self._charge(self.stack[-1][0], self.stack[-1][1], now)
        self.stack[-1][1] = now
        return self.seconds


def instrument(phases: Phases) -> None:
    import codeward.reviewer.dataflow.module as module
    import codeward.reviewer.dataflow.project as project
    import codeward.reviewer.ml.confidence as confidence
    import codeward.reviewer.ml.finding as finding
    import codeward.reviewer.parse as parse
    import codeward.reviewer.pyast as pyast
    import codeward.reviewer.review as review
    from codeward.reviewer.rules import all_rules

    phases.wrap(parse, "_parse", "libcst parse")
    phases.wrap(pyast, "parse", "CPython parse")
    for name in ("analysis", "summary", "facts"):
        phases.wrap(module.ModuleInfo, name, "data flow")
    phases.wrap(project.Project, "_parse", "data flow: reading other modules")
    phases.wrap(confidence, "attach", "classifier (secret scores)")
    phases.wrap(finding, "score_findings", "finding model")
    phases.wrap(review, "_suppress", "suppressions")
    phases.wrap(review, "_resolve", "positions")
    phases.wrap(review, "_review_parsed", "rules' walk")
    phases.wrap(review, "read_source", "reading")
    phases.wrap(review, "_too_deep", "nesting pre-check")
    phases.wrap(gc, "collect", "garbage collector (explicit)")
    seen: set[type] = set()
    for rule in all_rules():
        for kind in rule.__mro__:
            if "may_match" in kind.__dict__ and kind not in seen:
                seen.add(kind)
                phases.wrap(kind, "may_match", "rules' text pre-filters", classmethod_=True)


def count_analyses() -> dict[str, int]:
    """Functions (class bodies, modules) the data flow analyses, counted as they first run: a figure the machine's
    load does not move, unlike the seconds."""
    import codeward.reviewer.dataflow.module as module

    counts = {"analyses": 0}
    original = module.ModuleInfo.analysis

    @functools.wraps(original)
    def counted(self: Any, node: Any) -> Any:
        if id(node) not in self.analyses:
            counts["analyses"] += 1
        return original(self, node)

    module.ModuleInfo.analysis = counted  # type: ignore[method-assign]
    return counts


def count_askers() -> dict[str, list[float]]:
    """Analyses a rule's question ran first, by the question's path (`hits < sink_hits < _base.py:visit_Call`):
    [count, CPU seconds including the summaries and parses they ran]. Analyses run inside another (callee
    summaries) are charged to the outer one."""
    import sys

    import codeward.reviewer.dataflow.module as module

    askers: dict[str, list[float]] = {}
    original = module.ModuleInfo.analysis
    depth = [0]

    @functools.wraps(original)
    def attributed(self: Any, node: Any) -> Any:
        if id(node) in self.analyses or depth[0]:
            return original(self, node)
        frame, trail = sys._getframe(1), []
        while frame is not None:
            where, name = frame.f_code.co_filename, frame.f_code.co_name
            if "/rules/" in where:
                trail.append(f"{where.rsplit('/', 1)[1]}:{name}")
                break
            if ("dataflow/query.py" in where or "reviewer/engine.py" in where) and name != "state":
                trail.append(name)
            frame = frame.f_back
        key = " < ".join(trail[-3:])
        depth[0] += 1
        start = time.process_time()
        try:
            return original(self, node)
        finally:
            depth[0] -= 1
            entry = askers.setdefault(key, [0, 0.0])
            entry[0] += 1
            entry[1] += time.process_time() - start

    module.ModuleInfo.analysis = attributed  # type: ignore[method-assign]
    return askers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("tree", nargs="?", help="a source tree (default: Django's django/ package)")
    parser.add_argument("--version", default="5.2.8", help="Django version (default: 5.2.8)")
    parser.add_argument("--askers", action="store_true", help="also the analyses each rule's question ran first")
    args = parser.parse_args(argv)
    from codeward.reviewer.review import Task, discover, review_in_worker, warm_up

    from codeward.config import Config

    tree = Path(args.tree).resolve() if args.tree else fetch_django(args.version)
    os.chdir(tree.parent)
    config = Config()
    files = discover([tree.name], config)
    warm_up()
    counts = count_analyses()
    askers = count_askers() if args.askers else {}
    phases = Phases()
    instrument(phases)
    findings = sum(len(review_in_worker(Task(path, config, None)).findings) for path in files)
    seconds = phases.close()
    total = sum(seconds.values())
    print(
        f"{len(files)} files, {findings} findings, {total:.2f} s CPU, {counts['analyses']} analyses;"
        f" load {os.getloadavg()[0]:.1f}"
    )
    for phase, spent in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"{phase:34s} {spent:7.2f} s {100 * spent / total:5.1f}%")
    if askers:
        print("\nanalyses a question ran first (with what they ran inside them):")
        for key, (count, spent) in sorted(askers.items(), key=lambda item: -item[1][1]):
            print(f"{int(count):5d} {spent:7.2f} s  {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
