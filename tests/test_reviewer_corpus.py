"""The labelled corpus (tests/reviewer_corpus): each vulnerable file is reported with the rule its label
names, each safe look-alike is not; and the scores bench/reviewer/evaluate.py prints hold."""

from __future__ import annotations

import pytest

from bench.reviewer.evaluate import Case, cases, codeward_findings, score_codeward

CASES = cases()


@pytest.fixture(scope="module")
def found() -> dict[str, set[str]]:
    return codeward_findings(CASES)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.category}/{c.path.rsplit('/', 1)[-1]}" for c in CASES])
def test_corpus_file(case: Case, found: dict[str, set[str]]) -> None:
    codes = found[case.path]
    assert "CWR001" not in codes and "CWR900" not in codes
    if case.vulnerable:
        assert case.code in codes, f"{case.code} missed; reported: {sorted(codes)}"
    else:
        assert case.code not in codes, f"{case.code} reported on the safe look-alike"


def test_corpus_is_paired_and_covers_every_category() -> None:
    vulnerable = {c.path.replace("_vuln.py", "") for c in CASES if c.vulnerable}
    safe = {c.path.replace("_safe.py", "") for c in CASES if not c.vulnerable}
    assert vulnerable == safe and len(vulnerable) >= 50
    assert {c.category for c in CASES} == {"injection", "secrets", "crypto", "aws", "leaks", "quality"}


def test_informedness_per_category(found: dict[str, set[str]]) -> None:
    scores = score_codeward(CASES, found)
    assert scores["overall"].informedness >= 0.9
    assert all(s.informedness >= 0.75 for s in scores.values()), {k: s.informedness for k, s in scores.items()}
    # Any finding at all (the way tools without a rule mapping are scored) must stay precise too.
    loose = score_codeward(CASES, found, any_finding=True)
    assert loose["overall"].fpr <= 0.1 and loose["overall"].informedness >= 0.85
