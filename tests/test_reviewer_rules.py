"""Every reviewer rule's own VALID and INVALID cases, each written to disk and reviewed through the real
engine with every rule selected; plus the catalogue's invariants."""

from __future__ import annotations

from pathlib import Path

import pytest
from codeward.reviewer.review import review_file
from codeward.reviewer.rules import all_rules, rules_by_code
from codeward.reviewer.rules.meta import MetaRule

from codeward.rule import Invalid, Valid
from tests.findings_whole import check_whole
from tests.outputs_whole import case_text
from tests.outputs_whole import check_whole as check_all
from tests.rule_cases import case_params, check_case, materialise


@pytest.mark.parametrize(("rule", "case"), case_params(all_rules()))
def test_rule_case(tmp_path: Path, rule: type, case: Valid | Invalid) -> None:
    findings = review_file(materialise(tmp_path, case.filename or "case.py", case)).findings
    assert not [f for f in findings if f.code == "CWR900"], findings
    if rule.code != "CWR001":
        assert not [f for f in findings if f.code == "CWR001"], "the case does not parse"
    check_case(rule, case, findings)
    check_whole(rule, case, findings)
    # Every finding of the case, of any rule (another rule's finding changing on this case is a change too).
    check_all("review-case", rule.code, case_text(case), findings, str(tmp_path))


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
