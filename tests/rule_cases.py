"""Shared machinery for running rules' own VALID/INVALID cases (linters, simulator, reviewer)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from codeward.fixes import apply_fixes
from codeward.rule import Invalid, Valid


def case_params(rules: Iterable[type]) -> list[Any]:
    out = []
    for rule in rules:
        for index, case in enumerate(rule.VALID):
            out.append(pytest.param(rule, case, id=f"{rule.code}-valid-{index}"))
        for index, case in enumerate(rule.INVALID):
            out.append(pytest.param(rule, case, id=f"{rule.code}-invalid-{index}"))
    return out


def materialise(directory: Path, name: str, case: Valid | Invalid) -> str:
    """Write the case's file (and the other files of its tree; scripts starting with #! executable)."""
    target = directory / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(case.source, encoding="utf-8")
    for relative, content in case.files.items():
        extra = target.parent / relative
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text(content, encoding="utf-8")
        if content.startswith("#!"):
            extra.chmod(0o755)
    return str(target)


def check_case(rule: type, case: Valid | Invalid, findings: list[Any]) -> None:
    """VALID: no finding of the rule. INVALID: one at exactly (line, column), with the message substring
    and, when the case gives it, the fixed source after applying its fix; and the rule's findings are exactly
    that one and those the case lists in `also` (an extra finding fails). `findings` need `code`, `line`,
    `column`, `message` (and `fix` for fixed-source cases)."""
    mine = [f for f in findings if f.code == rule.code]
    if isinstance(case, Valid):
        assert not mine, "\n".join(f"{f.line}:{f.column} {f.message}" for f in mine)
        return
    at = [f for f in mine if (f.line, f.column) == (case.line, case.column)]
    assert at, f"expected {rule.code} at {case.line}:{case.column}, got " + repr(
        [(f.line, f.column, f.message) for f in mine]
    )
    expected = sorted([(case.line, case.column), *case.also])
    assert sorted((f.line, f.column) for f in mine) == expected, (
        f"{rule.code}: expected findings at {expected} (list the others in `also`), got "
        + repr(sorted((f.line, f.column, f.message) for f in mine))
    )
    if case.message:
        assert any(case.message in f.message for f in at), [f.message for f in at]
    if case.fixed is not None:
        fixed, count = apply_fixes(case.source, [f for f in at if f.fix])
        assert count, f"{rule.code} offers no fix here"
        assert fixed == case.fixed
