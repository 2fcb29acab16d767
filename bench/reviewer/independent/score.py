"""Match findings to labelled cases and add them up per suite and per category."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from .cases import Case
from .categories import INJECTION, bandit_tests, codeward_codes
from .tools import Finding


@dataclass
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def add(self, vulnerable: bool, flagged: bool) -> None:
        if vulnerable:
            self.tp += flagged
            self.fn += not flagged
        else:
            self.fp += flagged
            self.tn += not flagged

    @property
    def cases(self) -> int:
        return self.tp + self.fn + self.fp + self.tn

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def fpr(self) -> float | None:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else None

    @property
    def informedness(self) -> float | None:
        """Recall minus false-positive rate; only defined when there are both vulnerable and safe cases."""
        if self.recall is None or self.fpr is None:
            return None
        return self.recall - self.fpr

    def row(self) -> dict[str, object]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {"cases": self.cases, "vulnerable": self.tp + self.fn, "safe": self.fp + self.tn, "tp": self.tp,
                "fn": self.fn, "fp": self.fp, "tn": self.tn, "recall": r(self.recall),
                "false_positive_rate": r(self.fpr), "informedness": r(self.informedness)}  # fmt: skip


def rules_for(tool: str, category: str) -> frozenset[str]:
    return codeward_codes(category) if tool == "codeward" else bandit_tests(category)


def index(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(os.path.normpath(finding.path), []).append(finding)
    return by_file


def in_scope(findings: dict[str, list[Finding]], file: str, lines: tuple[int, int]) -> list[Finding]:
    start, end = lines
    return [f for f in findings.get(os.path.normpath(file), []) if f.line <= end and f.end_line >= start]


def flagged(tool: str, case: Case, hits: list[Finding]) -> bool:
    """A case is flagged when the tool reports a rule of the case's category on its lines."""
    return any(f.rule in rules_for(tool, case.category) for f in hits)


def tally(results: list[tuple[Case, bool]]) -> dict[str, dict[str, Score]]:
    """Scores per suite, per category, for injection categories together, and overall."""
    out: dict[str, dict[str, Score]] = {"suite": {}, "category": {}, "total": {}}
    for case, hit in results:
        out["suite"].setdefault(case.suite, Score()).add(case.vulnerable, hit)
        out["category"].setdefault(case.category, Score()).add(case.vulnerable, hit)
        if case.category in INJECTION:
            out["total"].setdefault("injection", Score()).add(case.vulnerable, hit)
        out["total"].setdefault("overall", Score()).add(case.vulnerable, hit)
    return out
