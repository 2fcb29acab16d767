"""Runs every rule's own VALID and INVALID cases (Fixit style): each case is a file on disk, linted
through the real engine with every rule selected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from codeward.linters.engine import lint_file
from codeward.linters.rules import all_rules, rules_by_code

from codeward.rule import Invalid, Valid
from tests.findings_whole import check_whole
from tests.outputs_whole import case_text
from tests.outputs_whole import check_whole as check_all
from tests.rule_cases import case_params, check_case, materialise

DEFAULT_NAMES = {"buildspec": "buildspec.yml", "appspec": "appspec.yml", "pipeline": "pipeline.json"}


def _default_name(rule: type) -> str:
    kinds = sorted(rule.kinds)
    return DEFAULT_NAMES[kinds[0]] if len(kinds) == 1 else "buildspec.yml"


@pytest.mark.parametrize(("rule", "case"), case_params(all_rules()))
def test_rule_case(tmp_path: Path, rule: type, case: Valid | Invalid) -> None:
    path = materialise(tmp_path, case.filename or _default_name(rule), case)
    findings = lint_file(path).findings
    internal = [f for f in findings if f.code == "CWF900"]
    assert not internal, internal
    check_case(rule, case, findings)
    check_whole(rule, case, findings)
    # Every finding of the case, of any rule (another rule's finding changing on this case is a change too).
    check_all("lint-case", rule.code, case_text(case), findings, str(tmp_path))


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


# CWP108's cases have no action that takes exactly one artifact (its note's bound is then one number).
def test_an_action_taking_exactly_one_artifact_says_so(tmp_path: Path) -> None:
    from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, action, api_case

    deploy = action("Deploy", "Deploy", "CodeDeploy", {"ApplicationName": "a", "DeploymentGroupName": "g"},
                    inputs=("Code", "Code"))  # fmt: skip
    path = tmp_path / "pipeline.json"
    path.write_text(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]), ("Deploy", [deploy])))
    found = [(f.message, tuple(f.notes)) for f in lint_file(str(path)).findings if f.code == "CWP108"]
    assert found == [
        (
            'action "Deploy": Deploy/CodeDeploy action needs exactly 1 input artifact, has 2',
            ("Deploy/CodeDeploy accepts 1 input and no output artifacts.",),
        )
    ]
