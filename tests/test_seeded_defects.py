"""Held-out evaluation: defects seeded into valid files by tests/seeded_defects.py, which knows nothing of
the rules, must be reported at the defect's line as often as README's table says (bench/seeded.py prints it),
less a stated margin."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from codeward.linters.engine import lint_text

from codeward.findings import Severity
from tests.helpers import ROOT
from tests.seeded_defects import Seeded, seeded_set


def detected(case: Seeded) -> bool:
    result = lint_text(str(case.source), case.text, base_dir=str(case.source.parent))
    return any(f.line == case.line and f.severity >= Severity.WARNING for f in result.findings)


# Seed 1121 was used while developing the generator and the loaders' error positions; 2026 was first
# run after that work and is the held-out figure.
HELD_OUT_SEED = 2026


def evaluate(seed: int = HELD_OUT_SEED) -> tuple[Counter, Counter, list[Seeded]]:
    total, found, missed = Counter(), Counter(), []
    for case in seeded_set(Path(ROOT) / "examples", seed=seed):
        total[case.category] += 1
        if detected(case):
            found[case.category] += 1
        else:
            missed.append(case)
    return total, found, missed


def readme_table() -> dict[str, tuple[int, int]]:
    """README's seeded-defects table: category -> (seeded, reported)."""
    text = (Path(ROOT) / "README.md").read_text(encoding="utf-8")
    table = text[text.index("<!-- seeded:start -->") : text.index("<!-- seeded:end -->")]
    rows = re.findall(r"^\| (.+?) \| (\d+) \| (\d+) \(", table, re.M)
    return {name.strip("*"): (int(seeded), int(reported)) for name, seeded, reported in rows}


# README's figure less one percentage point, about one defect of the 110: the set is seeded from examples/,
# which grows; two more misses than README shows is a regression (and README is regenerated with
# `bench/seeded.py --write` when the figures move).
MARGIN = 0.01


def test_seeded_defects_are_reported_at_their_line_as_readme_claims() -> None:
    total, found, missed = evaluate()
    claimed = readme_table()
    assert sum(total.values()) >= 100, total
    assert sorted(total) == sorted(name for name in claimed if name != "all")
    rate = sum(found.values()) / sum(total.values())
    seeded, reported = claimed["all"]
    detail = "\n".join(f"{c.source.relative_to(ROOT)}:{c.line} {c.category}: {c.description}" for c in missed[:40])
    assert rate >= reported / seeded - MARGIN, (
        f"{rate:.1%} detected, README says {reported / seeded:.1%}; missed:\n{detail}"
    )
    for category, (seeded, reported) in claimed.items():
        if category != "all" and total[category] == seeded:
            assert found[category] >= reported - 1, (category, found[category], reported)
