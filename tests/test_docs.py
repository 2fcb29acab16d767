"""docs/rules.md is generated from the rules; it must not drift from them."""

from __future__ import annotations

from pathlib import Path

from codeward.rules_doc import listing
from tests.helpers import ROOT


def test_rules_reference_is_up_to_date() -> None:
    path = Path(ROOT) / "docs" / "rules.md"
    assert path.read_text() == listing("markdown"), "regenerate: codeward rules --format markdown > docs/rules.md"


def test_every_rule_has_an_anchor_its_help_uri_points_to() -> None:
    from codeward.linters.rules import all_rules

    text = (Path(ROOT) / "docs" / "rules.md").read_text()
    for rule in all_rules():
        anchor = rule.help_uri().split("#", 1)[1]
        assert f"### {rule.code} {rule.name}" in text and anchor == f"{rule.code.lower()}-{rule.name}"
