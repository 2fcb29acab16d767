"""Every file of examples/ simulates without a traceback, without a blocking error, and (for builds and
deployments) with a definite result; bad input gives findings, not tracebacks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_cli, run_process


def _examples() -> list[str]:
    out = []
    for root, _, files in os.walk(os.path.join(ROOT, "examples")):
        for name in files:
            low = name.lower()
            if (
                ("buildspec" in low and low.endswith((".yml", ".yaml")))
                or ("appspec" in low and low.endswith((".yml", ".yaml", ".json")))
                or ("pipeline" in low and low.endswith((".yml", ".yaml", ".json", ".template")))
            ):
                out.append(os.path.relpath(os.path.join(root, name), ROOT))
    return sorted(out)


@pytest.mark.parametrize("path", _examples())
def test_example_simulates(path: str) -> None:
    code, out, err = run_cli("simulate", path, "--format", "json", "--isolated", cwd=ROOT)
    assert code in (0, 1), err
    report = json.loads(out)
    blocking = [f for f in report["findings"] if f["severity"] == "error"]
    assert not blocking, blocking
    trace = report["trace"]
    results = [p["result"] for p in trace.get("pipelines", [])] or [trace.get("result")]
    # A pipeline whose template disables a stage's inbound transition waits there (InProgress).
    held = [p.get("held_at") for p in trace.get("pipelines", []) if p["result"] == "InProgress"]
    assert all(held), held
    assert all(r in ("SUCCEEDED", "Succeeded", "InProgress") for r in results), results


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_bad_input_gives_findings_not_tracebacks(tmp_path: Path) -> None:
    cases = [
        (write(tmp_path, "buildspec.yml", "version: 0.2\nphases: [\n"), [], "CWF001"),
        (write(tmp_path, "appspec.yml", "version: 0.0\nos: linux\n"), ["--revision-dir", "nope"], "CWA203"),
        (write(tmp_path, "appspec.yml", "version: 0.0\nos: linux\n"), ["--config", "Fastest"], "CWA202"),
        (
            write(
                tmp_path,
                "buildspec-graph.yml",
                "version: 0.2\nbatch:\n  build-graph:\n    - identifier: a\n      depend-on: [a]\nphases:\n  build:\n    commands: [make]\n",
            ),
            [],
            "CWB108",
        ),
        (
            write(tmp_path, "buildspec-var.yml", "version: 0.2\nphases:\n  build:\n    commands: [echo $NOPE]\n"),
            [],
            "CWB211",
        ),
    ]
    for path, args, code in cases:
        result = run_process("simulate", path, "--isolated", "--format", "concise", *args, cwd=str(tmp_path))
        assert "Traceback" not in result.stderr and result.returncode in (0, 1), result.stderr
        # The simulator's findings on stdout; lint's errors as the verdict on stderr (the findings formats
        # carry the simulation's own findings only, so lint's are not reported twice).
        assert f" {code} " in result.stdout or f"{code} line" in result.stderr, (result.stdout, result.stderr)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, "buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    for args, message in (
        (["--fail-at", "deploy"], "unknown phase"),
        (["--fail-at", "build:3"], "has 1 commands command"),
        (["--fail-at", "post_build"], "no post_build phase"),
        (["--timeout", "soon"], "invalid duration"),
    ):
        code, _, err = run_cli("simulate", path, "--isolated", *args)
        assert code == 2 and message in err, (args, err)


def test_nothing_runs_without_execute(tmp_path: Path) -> None:
    path = write(tmp_path, "buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands: [touch ran.txt]\n")
    code, out, _ = run_cli("simulate", path, "--isolated")
    assert code == 0 and "touch ran.txt" in out
    assert not (tmp_path / "ran.txt").exists()


def test_appspec_execute_runs_hooks_in_order_with_the_agent_environment(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    hook = '#!/bin/sh\necho "$LIFECYCLE_EVENT $APPLICATION_NAME $DEPLOYMENT_GROUP_NAME $DEPLOYMENT_ID" >> "$(dirname "$0")/../order.log"\n'
    for name in ("stop", "before", "after", "start", "validate"):
        script = tmp_path / "scripts" / f"{name}.sh"
        script.write_text(hook)
        script.chmod(0o755)
    spec = (
        "version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: scripts/validate.sh\n"
        "  ApplicationStart:\n    - location: scripts/start.sh\n  BeforeInstall:\n    - location: scripts/before.sh\n"
        "  AfterInstall:\n    - location: scripts/after.sh\n  ApplicationStop:\n    - location: scripts/stop.sh\n"
    )
    path = write(tmp_path, "appspec.yml", spec)
    code, out, err = run_cli("simulate", path, "--execute", "--isolated", "--application", "shop", "--format", "json")
    assert code == 0, err
    lines = (tmp_path / "order.log").read_text().splitlines()
    assert [line.split()[0] for line in lines] == [
        "ApplicationStop",
        "BeforeInstall",
        "AfterInstall",
        "ApplicationStart",
        "ValidateService",
    ]
    assert all(line.split()[1:3] == ["shop", "codeward-group"] and line.split()[3].startswith("d-") for line in lines)
    # A failing AfterInstall: later events are skipped, the exit status is the deployment's result.
    (tmp_path / "scripts" / "after.sh").write_text("#!/bin/sh\nexit 4\n")
    (tmp_path / "order.log").unlink()
    code, out, _ = run_cli("simulate", path, "--execute", "--isolated", "--first-deployment", "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["trace"]["result"] == "FAILED"
    assert [line.split()[0] for line in (tmp_path / "order.log").read_text().splitlines()] == ["BeforeInstall"]
    assert [(f["code"], f["line"]) for f in report["findings"]] == [("CWA208", 11)]


def test_several_files_for_pre_commit(tmp_path: Path) -> None:
    good = write(tmp_path, "buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    bad = write(tmp_path, "appspec.yml", "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: gone.sh\n")
    result = run_process("simulate", good, bad, "--isolated", "--format", "concise", cwd=str(tmp_path))
    assert result.returncode == 1, result.stderr
    # The missing hook script is lint's CWA104; the simulation fails at AfterInstall on it and names it,
    # without reporting it again as CWA204.
    assert "CWA204" not in result.stdout and "CWA104 line 5" in result.stderr
    assert "fails at AfterInstall: ScriptMissing" in result.stderr
    code, _, err = run_cli("simulate", good, bad, "--execute")
    assert code == 2 and "one with --execute" not in err and "several files" in err
