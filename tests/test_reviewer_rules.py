"""Every reviewer rule's own VALID and INVALID cases, each written to disk and reviewed through the real
engine with every rule selected; plus the catalogue's invariants."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeward.fixes import apply_fixes
from codeward.rule import Invalid, Valid
from reviewer.review import review_file
from reviewer.rules import all_rules, rules_by_code
from reviewer.rules.meta import MetaRule


def _cases() -> list:
    out = []
    for rule in all_rules():
        for index, case in enumerate(rule.VALID):
            out.append(pytest.param(rule, case, id=f"{rule.code}-valid-{index}"))
        for index, case in enumerate(rule.INVALID):
            out.append(pytest.param(rule, case, id=f"{rule.code}-invalid-{index}"))
    return out


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_rule_case(tmp_path: Path, rule: type, case: Valid | Invalid) -> None:
    target = tmp_path / (case.filename or "case.py")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(case.source, encoding="utf-8")
    findings = review_file(str(target)).findings
    assert not [f for f in findings if f.code == "CWR900"], findings
    if rule.code != "CWR001":
        assert not [f for f in findings if f.code == "CWR001"], "the case does not parse"
    mine = [f for f in findings if f.code == rule.code]
    if isinstance(case, Valid):
        assert not mine, "\n".join(f"{f.line}:{f.column} {f.message}" for f in mine)
        return
    at = [f for f in mine if (f.line, f.column) == (case.line, case.column)]
    assert at, f"expected {rule.code} at {case.line}:{case.column}, got " + repr(
        [(f.line, f.column, f.message) for f in mine]
    )
    if case.message:
        assert any(case.message in f.message for f in at), [f.message for f in at]
    if case.fixed is not None:
        fixed, count = apply_fixes(case.source, [f for f in at if f.fix])
        assert count, f"{rule.code} offers no fix here"
        assert fixed == case.fixed


def test_every_rule_is_documented_and_tested() -> None:
    for rule in all_rules():
        docs = rule.docs()
        assert rule.code.startswith("CWR") and len(rule.code) == 6 and rule.name, rule
        assert docs.what and docs.why and docs.example and docs.fix, f"{rule.code} lacks a docs section"
        assert rule.VALID, f"{rule.code} has no VALID case"
        assert rule.INVALID or rule.code in {"CWR003", "CWR900"}, f"{rule.code} has no INVALID case"
        assert rule.category in ("security", "resource-leak", "secrets", "input-validation", "aws-best-practices",
                                 "code-quality"), rule  # fmt: skip
        assert rule.category in rule.tags


def test_security_rules_carry_cwe_and_security_severity() -> None:
    for rule in all_rules():
        if rule.category in ("security", "input-validation", "secrets"):
            assert rule.cwe and rule.security_severity is not None, rule.code
            assert 0.0 < rule.security_severity <= 10.0
        if issubclass(rule, MetaRule):
            continue
        assert rule.cwe, f"{rule.code}: every finding names its CWE"


def test_codes_and_names_are_unique_and_at_least_forty_detectors() -> None:
    table = rules_by_code()
    names = [rule.name for rule in table.values()]
    assert len(names) == len(set(names))
    detectors = [r for r in table.values() if not issubclass(r, MetaRule)]
    assert len(detectors) >= 40, len(detectors)
