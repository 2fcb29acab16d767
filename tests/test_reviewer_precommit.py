"""The reviewer's pre-commit hooks, run for real with `pre-commit try-repo` on a throw-away repository.

The hook manifest belongs to the project as a whole; these tests use the entries proposed in
docs/reviewer.md (REVIEW_HOOKS below) when the manifest does not have them yet, so the proposal itself is
what gets tested.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT

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


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of codeward's tracked files whose manifest has the reviewer's hooks."""
    source = tmp_path_factory.mktemp("codeward-hooks")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        origin = Path(ROOT) / name
        if origin.is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    manifest = source / ".pre-commit-hooks.yaml"
    ids = {hook["id"] for hook in yaml.safe_load(manifest.read_text())}
    if "codeward-review" not in ids:
        manifest.write_text(manifest.read_text().rstrip("\n") + "\n" + REVIEW_HOOKS)
    _git(source, "init", "-q")
    _git(source, "add", ".")
    _git(source, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "snapshot")
    return source


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("pre-commit-home"))


def _try_repo(hook_repo: Path, repo: Path, home: str, hook: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": home, "PRE_COMMIT_COLOR": "never"}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--all-files", "--verbose"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def test_proposed_hooks_validate(tmp_path: Path) -> None:
    manifest = tmp_path / ".pre-commit-hooks.yaml"
    manifest.write_text(REVIEW_HOOKS)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(manifest)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_review_and_secrets_hooks(hook_repo: Path, home: str, tmp_path: Path) -> None:
    repo = tmp_path / "user-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "ok.py").write_text("import json\n\n\ndef load(text):\n    return json.loads(text)\n")
    (repo / "README.md").write_text("hello\n")
    _git(repo, "add", ".")
    clean = _try_repo(hook_repo, repo, home, "codeward-review")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "codeward (Python review)" in clean.stdout and "Passed" in clean.stdout

    (repo / "app").mkdir()
    (repo / "app" / "handler.py").write_text(
        "import os\n\n\ndef handler(event, context):\n    os.system(event['cmd'])\n"
    )
    (repo / "deploy.env").write_text(f"AWS_ACCESS_KEY_ID={KEY}\n")
    _git(repo, "add", ".")
    review = _try_repo(hook_repo, repo, home, "codeward-review")
    assert review.returncode == 1, review.stdout + review.stderr
    assert "app/handler.py:5:5: CWR102 the Lambda event reaches the command run by os.system()" in review.stdout
    assert "ok.py:" not in review.stdout and "deploy.env" not in review.stdout

    secrets = _try_repo(hook_repo, repo, home, "codeward-secrets")
    assert secrets.returncode == 1, secrets.stdout + secrets.stderr
    assert "deploy.env:1:19: CWR201 hard-coded AWS access key id AKIA****" in secrets.stdout
    assert KEY not in secrets.stdout
