"""The reviewer's pre-commit hooks, run for real with `pre-commit try-repo` on a throw-away repository.

The hooks come from the manifest through the session's shared pre-commit environment (tests/hook_repo.py);
REVIEW_HOOKS below is what the manifest must say for them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT
from tests.hook_repo import HookRepo

REVIEW_HOOKS = """\
- id: codeward-review
  name: codeward (Python review)
  description: Review Python files for injection, leaks, secrets, AWS practices and code quality.
  entry: codeward review
  language: python
  types_or: [python, pyi]
  require_serial: true
  minimum_pre_commit_version: "2.9.0"
  stages: [pre-commit, pre-merge-commit, pre-push, manual]
- id: codeward-secrets
  name: codeward (secrets in text files)
  description: Find credentials in known token formats and passwords in URLs in any text file.
  entry: codeward review --secrets-only
  language: python
  types: [text]
  require_serial: true
  minimum_pre_commit_version: "2.9.0"
  stages: [pre-commit, pre-merge-commit, pre-push, manual]
"""
KEY = "AKIA4MZT7QYH2BXCN5LD"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is needed for pre-commit")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_the_manifest_has_the_review_hooks_and_validates() -> None:
    shipped = {hook["id"]: hook for hook in yaml.safe_load((Path(ROOT) / ".pre-commit-hooks.yaml").read_text())}
    for hook in yaml.safe_load(REVIEW_HOOKS):
        assert shipped[hook["id"]] == hook
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(Path(ROOT) / ".pre-commit-hooks.yaml")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_review_and_secrets_hooks(hook_repo: HookRepo, tmp_path: Path) -> None:
    repo = tmp_path / "user-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "ok.py").write_text("import json\n\n\ndef load(text):\n    return json.loads(text)\n")
    (repo / "README.md").write_text("hello\n")
    _git(repo, "add", ".")
    clean = hook_repo.run_hooks(repo, "codeward-review")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "codeward (Python review)" in clean.stdout and "Passed" in clean.stdout

    (repo / "app").mkdir()
    (repo / "app" / "handler.py").write_text(
        # An API Gateway event: its query string is what an HTTP client sent (a Lambda event of unknown shape
        # would be another system's data, reported at info, which never blocks a commit).
        "import os\n\n\ndef handler(event, context):\n    os.system(event['queryStringParameters']['cmd'])\n"
    )
    (repo / "deploy.env").write_text(f"AWS_ACCESS_KEY_ID={KEY}\n")
    _git(repo, "add", ".")
    review = hook_repo.run_hooks(repo, "codeward-review")
    assert review.returncode == 1, review.stdout + review.stderr
    assert (
        "app/handler.py:5:5: CWR102 the Lambda event's queryStringParameters reaches the command run by os.system()"
        in review.stdout
    )
    assert "ok.py:" not in review.stdout and "deploy.env" not in review.stdout

    secrets = hook_repo.run_hooks(repo, "codeward-secrets")
    assert secrets.returncode == 1, secrets.stdout + secrets.stderr
    assert "deploy.env:1:19: CWR201 hard-coded AWS access key id AKIA****" in secrets.stdout
    assert KEY not in secrets.stdout
