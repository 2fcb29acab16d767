"""One verdict: `codeward simulate` starts from lint's verdict.

- Every lint error that makes AWS refuse a definition (or fail on it) gives a non-success verdict:
  a pipeline is rejected at create/update, a build fails, a deployment fails at an event; never
  "Succeeded".
- A problem is reported once: the simulate hook does not repeat a lint finding, under its code or
  another one, and one suppression (or --ignore) silences both.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from codeward.linters.engine import lint_file, load_document
from codeward.linters.rules import all_rules
from codeward.linters.rules.pipeline import SOURCE_ACTION, action, api_case
from codeward.linters.simulate.command import rule_for
from codeward.linters.simulate.deploy import infer_platform
from codeward.linters.simulate.verdict import counts

from codeward.findings import Severity
from codeward.rule import Invalid
from tests.helpers import run_cli
from tests.rule_cases import materialise
from tests.test_rule_cases import _default_name


def _error_cases() -> list:
    out = []
    for rule in all_rules():
        if rule.severity < Severity.ERROR and not rule.code.startswith("CWA111"):
            continue
        for index, case in enumerate(rule.INVALID):
            out.append(pytest.param(rule, case, id=f"{rule.code}-invalid-{index}"))
    return out


def _simulate_json(path: str, *args: str) -> tuple[int, dict]:
    code, out, err = run_cli("simulate", path, "--isolated", "--format", "json", *args, cwd=os.path.dirname(path))
    assert code in (0, 1), err
    return code, json.loads(out)


def _simulate_text(path: str, *args: str) -> str:
    return run_cli("simulate", path, "--isolated", "--color", "never", *args, cwd=os.path.dirname(path))[1]


def _simulate(path: str, *args: str) -> tuple[int, dict, str]:
    return (*_simulate_json(path, *args), _simulate_text(path, *args))


@pytest.mark.parametrize(("rule", "case"), _error_cases())
def test_a_lint_error_is_reported_once_and_a_rejecting_one_gives_a_non_success_verdict(
    tmp_path: Path, rule: type, case: Invalid
) -> None:
    """Both promises on each case with one `simulate --format json` of it (two tests made it twice: CWF004's alias
    bomb costs about 2 s of CPU a simulate). First no problem reported by both hooks; then, where AWS rejects the
    file, simulate's verdict."""
    path = materialise(tmp_path, case.filename or _default_name(rule), case)
    code, report = _simulate_json(path)
    _, lint_out, _ = run_cli("lint", path, "--isolated", "--format", "json", cwd=os.path.dirname(path))
    lint = [(_folded(f["code"]), f["line"]) for f in json.loads(lint_out)["findings"]]
    simulate = [(_folded(f["code"]), f["line"]) for f in report["findings"]]
    assert not set(lint) & set(simulate), (lint, simulate)

    linted = lint_file(path)
    if linted.kind is None:
        return  # not a definition by content: no verdict to check
    platform = ""
    if linted.kind == "appspec":  # parsed again only where the platform matters (a YAML bomb costs 0.5 s a parse)
        platform = infer_platform(load_document(path, Path(path).read_text(encoding="utf-8")).data)
    rejecting = [f for f in linted.findings if counts(f, linted.kind, platform, rule_for)]
    if not rejecting:
        return  # AWS accepts this file (the error says what it does not do, or it is a warning here)
    text = _simulate_text(path)
    assert code == 1, text
    trace = report["trace"]
    verdict = trace.get("verdict")
    if verdict is not None:
        assert verdict["result"] in ("REJECTED", "FAILED")
        assert {r["code"] for r in verdict["reasons"]} == {f.code for f in rejecting}
    else:  # modelled by the simulator: an EC2 hook script missing from the revision
        assert {f.code for f in rejecting} == {"CWA104"} and trace["result"] == "FAILED", text
    assert "Succeeded" not in text.split("\n\n")[-2] and "SUCCEEDED" not in text.replace("ScriptMissing", "")
    # Lint's findings are not reported again.
    assert not report["findings"] or all(f["severity"] != "error" for f in report["findings"]), report["findings"]


def _folded(code: str) -> str:
    from codeward.suppress import SAME_PROBLEM

    return SAME_PROBLEM.get(code, code)


APPSPEC = "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: scripts/migrate.sh{comment}\n"


@pytest.mark.parametrize("code", ["CWA104", "CWA204"])
def test_one_suppression_silences_lint_and_simulate(tmp_path: Path, code: str) -> None:
    (tmp_path / ".git").mkdir()
    path = tmp_path / "appspec.yml"
    path.write_text(APPSPEC.format(comment=f"  # codeward: ignore[{code}]  (the build adds it)"))
    status, out, _ = run_cli("lint", str(path), "--isolated", cwd=str(tmp_path))
    assert status == 0, out
    for args in ((), ("--revision-dir", ".")):
        status, report, text = _simulate(str(path), *args)
        assert status == 0 and not report["findings"] and report["trace"]["result"] == "SUCCEEDED", text
    # Without the comment: lint reports CWA104, the dry run fails at AfterInstall naming it.
    path.write_text(APPSPEC.format(comment=""))
    status, report, text = _simulate(str(path))
    assert status == 1 and report["trace"]["result"] == "FAILED" and not report["findings"]
    assert "AfterInstall FAILED (ScriptMissing: scripts/migrate.sh is not in the revision)" in text
    assert "Verdict: the deployment fails at AfterInstall: ScriptMissing: scripts/migrate.sh (CWA104 line 5" in text
    # --ignore of either code silences both, too.
    for ignored in ("CWA104", "CWA204"):
        status, report, text = _simulate(str(path), "--ignore", ignored, "--revision-dir", ".")
        assert status == 0 and not report["findings"], text


def test_a_batch_graph_cycle_suppressed_for_lint_is_silent_in_simulate(tmp_path: Path) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_text(
        "version: 0.2\nbatch:\n  build-graph:\n    - identifier: a\n"
        "      depend-on: [a]  # codeward: ignore[CWB108]\nphases:\n  build:\n    commands: [make]\n"
    )
    status, out, _ = run_cli("lint", str(path), "--isolated", cwd=str(tmp_path))
    assert status == 0, out
    _, report, _ = _simulate(str(path))
    assert not [f for f in report["findings"] if f["code"] in ("CWB206", "CWB207")], report["findings"]


def test_a_pipeline_reading_an_artifact_nothing_produces_is_rejected(tmp_path: Path) -> None:
    deploy = action("D", "Deploy", "CodeDeploy", {"ApplicationName": "a", "DeploymentGroupName": "g"},
                    inputs=("Built",))  # fmt: skip
    spec = api_case(("Source", [SOURCE_ACTION]), ("Deploy", [deploy]))  # nothing outputs "Built"
    path = tmp_path / "pipeline.json"
    path.write_text(spec)
    status, report, text = _simulate(str(path))
    assert status == 1 and not report["findings"]
    assert report["trace"]["verdict"]["result"] == "REJECTED"
    assert "Execution would not start: rejected at create/update (CodePipeline rejects it): CWP107 line" in text
    assert "Succeeded" not in text
    # The findings formats carry findings only: the verdict goes to stderr, so the failing hook says why.
    status, out, err = run_cli("simulate", str(path), "--isolated", "--format", "concise", cwd=str(tmp_path))
    assert status == 1 and "CWP107" not in out and "rejected at create/update" in err
