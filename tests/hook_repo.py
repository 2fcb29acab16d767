"""One installed pre-commit environment for every test that runs the hooks for real.

`pre-commit` installs a hook repository's environment once per (repository URL, commit) in its home
folder. `try-repo` uses a throw-away store of its own, so each of its runs installs codeward again, and the
tests also gave pre-commit a new URL (a clone) and a new home each time. Here, once per test session: a git repository
holding the working tree as it is (tracked files, uncommitted edits included) in one commit, and one
pre-commit home; `run_hooks` does what `try-repo` does through that home. Under pytest-xdist the workers share both (the first builds them under a file lock;
pre-commit itself locks its store while installing)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import ROOT


@dataclass(frozen=True)
class HookRepo:
    path: Path  # a git repository: the working tree's tracked files, one commit
    sha: str
    home: str  # PRE_COMMIT_HOME, shared

    def pre_commit(self, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PRE_COMMIT_HOME": self.home, "PRE_COMMIT_COLOR": "never"}
        env.pop("PYTHONPATH", None)
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
        )

    def run_hooks(self, cwd: Path, *hooks: str) -> subprocess.CompletedProcess[str]:
        """What `try-repo` does (a configuration naming this repository at its commit and the hooks), through
        the shared store: the environment is installed once for the whole session."""
        config = cwd.parent / f"{cwd.name}-pre-commit-config.yaml"
        listed = "".join(f"      - id: {hook}\n" for hook in hooks)
        config.write_text(f"repos:\n  - repo: {self.path}\n    rev: {self.sha}\n    hooks:\n{listed}")
        return self.pre_commit(cwd, "run", "--config", str(config), "--all-files", "--verbose")


def git(cwd: str | Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def copy_tracked(source: Path) -> Path:
    """The checkout's tracked files as they are (uncommitted edits included) in `source`. What pip builds from:
    a build from the checkout itself writes build/ and *.egg-info there, and two at once (test_packaging's wheel
    in one xdist worker, the action's install in the other) mixed their files: a wheel without
    codeward/linters/rules/buildspec/ failed test_packaging."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        origin = Path(ROOT) / name
        if origin.is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    return source


def _build(base: Path) -> None:
    source = copy_tracked(base / "codeward")
    git(source, "init", "-q")
    git(source, "add", ".")
    git(source, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--no-verify", "-m", "snapshot")
    (base / "home").mkdir()


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder that `make` fills once per test session, shared by the xdist workers (the first to need it makes
    it under a file lock, the others wait and reuse it): a module-scoped fixture is made again in each worker
    that runs one of its tests, and pytest-xdist's --dist loadgroup, which would keep them together, does not
    group under pytest 9.2 (it renames a test by setting `_nodeid`, which pytest no longer reads)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    from filelock import FileLock

    folder = tmp_path_factory.getbasetemp().parent / name
    with FileLock(str(folder) + ".lock"):
        done = folder / ".made"
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that failed half-way
            folder.mkdir()
            make(folder)
            done.write_text("")
    return folder


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    if shutil.which("git") is None:
        pytest.skip("git is needed for pre-commit")
    base = shared_folder(tmp_path_factory, "hooks", _build)
    return HookRepo(base / "codeward", git(base / "codeward", "rev-parse", "HEAD"), str(base / "home"))
