"""Runs every rule's own VALID and INVALID cases (Fixit style): each case is a file on disk, linted
through the real engine with every rule selected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codeward.fixes import apply_fixes
from codeward.rule import Invalid, Valid
from linters.engine import lint_file
from linters.rules import all_rules, rules_by_code

DEFAULT_NAMES = {"buildspec": "buildspec.yml", "appspec": "appspec.yml", "pipeline": "pipeline.json"}


def _default_name(rule: type) -> str:
    kinds = sorted(rule.kinds)
    return DEFAULT_NAMES[kinds[0]] if len(kinds) == 1 else "buildspec.yml"


def _cases() -> list[tuple[str, type, Valid | Invalid]]:
    out = []
    for rule in all_rules():
        for index, case in enumerate(rule.VALID):
            out.append(pytest.param(rule, case, id=f"{rule.code}-valid-{index}"))
        for index, case in enumerate(rule.INVALID):
            out.append(pytest.param(rule, case, id=f"{rule.code}-invalid-{index}"))
    return out


def _materialise(tmp_path: Path, rule: type, case: Valid | Invalid) -> str:
    name = case.filename or _default_name(rule)
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(case.source, encoding="utf-8")
    for relative, content in case.files.items():
        extra = target.parent / relative
        extra.parent.mkdir(parents=True, exist_ok=True)
        if content.startswith("#!"):
            extra.write_text(content, encoding="utf-8")
            extra.chmod(0o755)
        else:
            extra.write_text(content, encoding="utf-8")
    return str(target)


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_rule_case(tmp_path: Path, rule: type, case: Valid | Invalid) -> None:
    path = _materialise(tmp_path, rule, case)
    findings = lint_file(path).findings
    internal = [f for f in findings if f.code == "CWF900"]
    assert not internal, internal
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
        assert rule.code and rule.name, rule
        assert docs.what and docs.why and docs.example and docs.fix, f"{rule.code} lacks a docs section"
        assert rule.VALID, f"{rule.code} has no VALID case"
        exempt = {"CWF005", "CWF006", "CWF012", "CWF013", "CWF900"}  # byte- or path-level: tests/test_loading.py
        assert rule.INVALID or rule.code in exempt, f"{rule.code} has no INVALID case"


def test_codes_and_names_are_unique() -> None:
    table = rules_by_code()
    names = [rule.name for rule in table.values()]
    assert len(names) == len(set(names))
    assert all(os.path.basename(rule.__module__.replace(".", "/")).startswith(rule.code) for rule in table.values())
