"""Precision and recall of `codeward review` on the labelled corpus (tests/reviewer_corpus), per category.

Every corpus file starts with `# codeward-corpus: vulnerable CODE` or `# codeward-corpus: safe CODE`: a
realistic vulnerable snippet and its safe look-alike (the same code with the fix a reviewer would ask
for). A vulnerable file counts as found when codeward reports CODE in it; a safe file is a false positive
when codeward reports CODE there. Informedness is recall minus the false-positive rate.

With `--tools`, bandit and `ruff check --select S` run on the same files (when installed); having no
per-rule mapping, they count a file as flagged when they report anything in it, and codeward is also
scored that way ("any finding") for comparison.

    python -m bench.reviewer.evaluate [--tools] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "reviewer_corpus")
_LABEL = re.compile(r"^# codeward-corpus: (vulnerable|safe) (CWR\d{3})\s*$", re.M)


@dataclass(frozen=True)
class Case:
    path: str
    category: str
    vulnerable: bool
    code: str


@dataclass
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, vulnerable: bool, flagged: bool, path: str) -> None:
        if vulnerable:
            self.tp += flagged
            self.fn += not flagged
        else:
            self.fp += flagged
            self.tn += not flagged
        if flagged != vulnerable:
            self.misses.append(os.path.relpath(path, ROOT))

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def informedness(self) -> float:
        return self.recall - self.fpr

    def row(self, name: str) -> dict[str, object]:
        return {
            "name": name, "tp": self.tp, "fn": self.fn, "fp": self.fp, "tn": self.tn,
            "precision": round(self.precision, 3), "recall": round(self.recall, 3),
            "false_positive_rate": round(self.fpr, 3), "informedness": round(self.informedness, 3),
        }  # fmt: skip


def cases(corpus: str = CORPUS) -> list[Case]:
    out = []
    for category in sorted(os.listdir(corpus)):
        folder = os.path.join(corpus, category)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as handle:
                match = _LABEL.search(handle.read(300))
            if match is None:
                raise ValueError(f"{path}: no '# codeward-corpus: vulnerable|safe CODE' label")
            out.append(Case(path, category, match.group(1) == "vulnerable", match.group(2)))
    return out


def codeward_findings(items: list[Case]) -> dict[str, set[str]]:
    sys.path.insert(0, ROOT)
    from codeward.reviewer.review import review_file

    return {case.path: {f.code for f in review_file(case.path).findings} for case in items}


def score_codeward(items: list[Case], found: dict[str, set[str]], *, any_finding: bool = False) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for case in items:
        codes = found[case.path] - {"CWR002"}
        flagged = bool(codes) if any_finding else case.code in codes
        for key in (case.category, "overall"):
            scores.setdefault(key, Score()).add(case.vulnerable, flagged, case.path)
    return scores


def _tool_flags(items: list[Case], tool: str) -> dict[str, bool] | None:
    paths = [case.path for case in items]
    if tool == "bandit":
        if shutil.which("bandit") is None and not _module_available("bandit"):
            return None
        result = subprocess.run(
            [sys.executable, "-m", "bandit", "-q", "-f", "json", *paths], capture_output=True, text=True, timeout=600
        )
        flagged = {os.path.abspath(r["filename"]) for r in json.loads(result.stdout or "{}").get("results", [])}
    else:
        if not _module_available("ruff"):
            return None
        result = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "S", "--output-format", "json",
             "--no-cache", "--ignore-noqa", *paths],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        flagged = {os.path.abspath(r["filename"]) for r in json.loads(result.stdout or "[]")}
    return {case.path: os.path.abspath(case.path) in flagged for case in items}


def _module_available(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def score_tool(items: list[Case], flags: dict[str, bool]) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for case in items:
        for key in (case.category, "overall"):
            scores.setdefault(key, Score()).add(case.vulnerable, flags[case.path], case.path)
    return scores


def table(title: str, scores: dict[str, Score]) -> str:
    lines = [
        f"### {title}",
        "",
        "| category | files | precision | recall | FP rate | informedness |",
        "|---|---|---|---|---|---|",
    ]
    for name in sorted(scores, key=lambda n: (n == "overall", n)):
        s = scores[name]
        total = s.tp + s.fn + s.fp + s.tn
        label = f"**{name}**" if name == "overall" else name
        lines.append(
            f"| {label} | {total} | {s.precision:.2f} | {s.recall:.2f} | {s.fpr:.2f} | {s.informedness:+.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tools", action="store_true", help="also score bandit and ruff --select S")
    parser.add_argument("--json", metavar="FILE", help="write the scores as JSON")
    args = parser.parse_args(argv)
    items = cases()
    found = codeward_findings(items)
    report = {"codeward (rule that matches the label)": score_codeward(items, found)}
    if args.tools:
        report["codeward (any finding)"] = score_codeward(items, found, any_finding=True)
        for tool, label in (("bandit", "bandit (any finding)"), ("ruff", "ruff --select S (any finding)")):
            flags = _tool_flags(items, tool)
            if flags is not None:
                report[label] = score_tool(items, flags)
    pairs = sum(1 for c in items if c.vulnerable)
    print(f"Labelled corpus: {len(items)} files ({pairs} vulnerable, {len(items) - pairs} safe look-alikes)\n")
    for title, scores in report.items():
        print(table(title, scores))
    misses = report["codeward (rule that matches the label)"]["overall"].misses
    if misses:
        print("codeward misclassified:", *misses, sep="\n  ")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({t: [s.row(n) for n, s in sc.items()] for t, sc in report.items()}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
