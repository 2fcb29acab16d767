"""What a new user meets first: paths as the repository names them in every format, `--statistics`,
JUnit and GitLab mappings, usage errors, empty folders, fix texts that fit the finding, and one severity
for unused suppressions."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import run_cli

BROKEN = "version: 0.2\nphases:\n  build:\n    comands: [make]\n  instal:\n    commands: [npm ci]\n"
SECRET = "version: 0.2\nenv:\n  variables:\n    AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\nphases:\n  build:\n    commands: [make]\n"
FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit", "github-review")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "buildspec.yml").write_text(BROKEN)
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "buildspec-secret.yml").write_text(SECRET)
    return tmp_path


@pytest.mark.parametrize("fmt", FORMATS)
def test_paths_are_repository_relative_without_dot_slash(repo: Path, fmt: str) -> None:
    for given in ([], ["."], ["./ci/buildspec-secret.yml", "./buildspec.yml"], [str(repo / "buildspec.yml"), "ci"]):
        code, out, err = run_cli("lint", "--isolated", "--no-cache", "--format", fmt, *given, cwd=str(repo))
        assert code == 1, err
        assert "./" not in out.replace("https://", "").replace("file://", ""), (given, out)
        assert str(repo) not in out.replace(repo.as_uri(), ""), (given, out)
        assert "buildspec.yml" in out


def test_statistics_counts_findings_per_rule(repo: Path) -> None:
    code, out, _ = run_cli("lint", "--isolated", "--no-cache", "--statistics", cwd=str(repo))
    assert code == 1
    assert out.splitlines() == [
        "2\tCWB001\t[*] buildspec-unknown-key",
        "1\tCWB104\tbuildspec-plaintext-secret",
        "[*] fixable with --fix",
    ]
    _, out, _ = run_cli("lint", "--isolated", "--no-cache", "--statistics", "--format", "json", cwd=str(repo))
    assert json.loads(out) == [
        {"code": "CWB001", "name": "buildspec-unknown-key", "count": 2, "fixable": True},
        {"code": "CWB104", "name": "buildspec-plaintext-secret", "count": 1, "fixable": False},
    ]
    code, _, err = run_cli("lint", "--isolated", "--no-cache", "--statistics", "--format", "sarif", cwd=str(repo))
    assert code == 2 and "--statistics prints text or JSON" in err


def test_junit_info_is_a_passing_test_with_the_message_in_system_out(tmp_path: Path) -> None:
    # An unused suppression is info: it must not show as a failed test on a passing build.
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]  # codeward: ignore[CWB001]\n")  # fmt: skip
    code, out, _ = run_cli("lint", "--isolated", "--no-cache", "--format", "junit", cwd=str(tmp_path))
    assert code == 0
    root = ET.fromstring(out)
    assert (root.get("tests"), root.get("failures")) == ("1", "0")
    case = root.find("testsuite/testcase")
    assert case is not None and case.find("failure") is None
    system_out = case.find("system-out")
    assert system_out is not None
    assert (system_out.text or "").startswith("buildspec.yml:4:23: CWF011 unused suppression")


def test_gitlab_puts_cwe_findings_under_security(repo: Path) -> None:
    _, out, _ = run_cli("lint", "--isolated", "--no-cache", "--format", "gitlab", cwd=str(repo))
    categories = {issue["check_name"]: issue["categories"] for issue in json.loads(out)}
    assert categories == {"CWB001": ["Bug Risk"], "CWB104": ["Security"]}


def test_unknown_flag_after_a_subcommand_prints_that_subcommands_usage() -> None:
    for command in ("lint", "review", "simulate", "rules"):
        code, _, err = run_cli(command, "--bogus", "x")
        assert code == 2
        assert err.startswith(f"usage: codeward {command} ")
        assert err.rstrip().endswith(f"codeward {command}: error: unrecognized arguments: --bogus")


def test_a_folder_without_definition_files_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.yml").write_text("title: not a buildspec\n")
    code, out, err = run_cli("lint", "--isolated", "--no-cache", cwd=str(tmp_path))
    assert (code, out) == (0, "No files checked.\n")
    assert err.startswith("codeward: warning: no buildspec, AppSpec or pipeline files found in .;")
    assert "--kind" in err
    code, out, err = run_cli("review", "--isolated", "--no-cache", cwd=str(tmp_path))
    assert (code, out) == (0, "No files checked.\n")
    assert err == "codeward: warning: no Python files (*.py, *.pyi) found in .\n"


def test_fix_texts_fit_the_finding(tmp_path: Path) -> None:
    (tmp_path / "appspec.yml").write_text("os: linux\nhooks: {}\n")
    _, out, _ = run_cli("lint", "--isolated", "--no-cache", "--color", "never", cwd=str(tmp_path))
    assert 'CWA002 the AppSpec file is missing the required key "version"' in out
    fix = next(line for line in out.splitlines() if "= fix:" in line)
    assert fix.strip().startswith("= fix: Add the key the message names")
    _, out, _ = run_cli("review", "--isolated", "--no-cache", "missing.py", cwd=str(tmp_path))
    assert "CWR003 no such file" in out
    fix = next(line for line in out.splitlines() if "= fix:" in line)
    assert fix.strip().startswith("= fix: Correct the path if the file is missing")


def test_unused_suppressions_are_info_in_lint_and_review(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]  # codeward: ignore[CWB001]\n")  # fmt: skip
    (tmp_path / "app.py").write_text("import json\ndata = json.loads('{}')  # codeward: ignore[CWR106]\n")
    severities = {}
    for command in ("lint", "review"):
        code, out, _ = run_cli(command, "--isolated", "--no-cache", "--format", "json", cwd=str(tmp_path))
        assert code == 0
        severities.update({f["code"]: f["severity"] for f in json.loads(out)["findings"]})
    assert severities == {"CWF011": "info", "CWR002": "info"}
