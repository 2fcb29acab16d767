"""Every simulation rule's own VALID and INVALID cases, run through `codeward simulate` on real files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from codeward.linters.simulate.rules import all_rules, rules_by_code

from codeward.rule import Invalid, Valid
from tests.helpers import run_cli
from tests.rule_cases import case_params, check_case, materialise

DEFAULT_NAMES = {"buildspec": "buildspec.yml", "appspec": "appspec.yml", "pipeline": "pipeline.json"}


def materialise_case(tmp_path: Path, rule: type, case: Valid | Invalid) -> str:
    return materialise(tmp_path, case.filename or DEFAULT_NAMES[rule.kind], case)


def simulate_json(path: str, *args: str) -> tuple[int, dict]:
    code, out, err = run_cli("simulate", path, "--format", "json", "--isolated", *args, cwd=os.path.dirname(path))
    assert code in (0, 1), err
    return code, json.loads(out)


@pytest.mark.parametrize(("rule", "case"), case_params(all_rules()))
def test_rule_case(tmp_path: Path, rule: type, case: Valid | Invalid) -> None:
    path = materialise_case(tmp_path, rule, case)
    # Only this rule selected: the lint pass runs with the same selection, so other rules' errors do not
    # stop the simulation before this rule gets to speak.
    _, report = simulate_json(path, "--select", rule.code, *getattr(case, "args", ()))
    check_case(rule, case, [SimpleNamespace(**f) for f in report["findings"]])


def test_every_rule_is_documented_and_tested() -> None:
    for rule in all_rules():
        docs = rule.docs()
        assert docs.what and docs.why and docs.example and docs.fix, f"{rule.code} lacks a docs section"
        assert rule.VALID and rule.INVALID, f"{rule.code} needs VALID and INVALID cases"
        prefix = {"buildspec": "CWB2", "appspec": "CWA2", "pipeline": "CWP2"}[rule.kind]
        assert rule.code.startswith(prefix), rule.code


def test_codes_are_unique_and_named_after_their_module() -> None:
    from codeward.linters.rules import rules_by_code as lint_rules

    table = rules_by_code()
    assert not set(table) & set(lint_rules()), "a simulation code collides with a lint rule"
    names = [rule.name for rule in table.values()]
    assert len(names) == len(set(names))
    for code, rule in table.items():
        assert rule.__module__.rsplit(".", 1)[1].startswith(code)
