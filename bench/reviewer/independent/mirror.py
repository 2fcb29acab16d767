"""Read the fetched repositories (git directories under /work/.mirror) without a work tree.

A suite names a repository and a commit; its files are read with `git show COMMIT:PATH`, so nothing is
checked out and nothing fetched is ever written into this repository. When a mirror is absent the
error says which `fetch` source brings it.
"""

from __future__ import annotations

import os
import subprocess
from functools import cache

MIRRORS = os.environ.get("CODEWARD_MIRRORS", "/work/.mirror")


class MirrorMissing(Exception):
    """The repository (or the commit) a suite needs is not on this machine."""


def git_dir(repo: str) -> str:
    """The git directory of `owner/name` under MIRRORS (snapshots come bare or as clones)."""
    base = os.path.join(MIRRORS, repo.replace("/", "+"), "repo")
    for candidate in (os.path.join(base, ".git"), base):
        if os.path.isfile(os.path.join(candidate, "HEAD")) and os.path.isdir(os.path.join(candidate, "objects")):
            return candidate
    raise MirrorMissing(f"no mirror of {repo} under {MIRRORS}: bring it with the fetch tool, source github:{repo}")


def _git(repo: str, *args: str) -> bytes:
    result = subprocess.run(["git", f"--git-dir={git_dir(repo)}", *args], capture_output=True, timeout=120)
    if result.returncode != 0:
        raise MirrorMissing(f"{repo}: git {' '.join(args)} failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


@cache
def has_commit(repo: str, commit: str) -> bool:
    try:
        _git(repo, "cat-file", "-e", f"{commit}^{{commit}}")
    except MirrorMissing:
        return False
    return True


def show(repo: str, commit: str, path: str) -> bytes:
    """The bytes of PATH at COMMIT."""
    if not has_commit(repo, commit):
        raise MirrorMissing(
            f"the mirror of {repo} lacks commit {commit}: fetch it again (source github:{repo}) "
            "or update the suite's commit in data/suites.json after re-labelling"
        )
    return _git(repo, "show", f"{commit}:{path}")


def list_files(repo: str, commit: str, prefix: str = "") -> list[str]:
    """Paths of the files at COMMIT, under PREFIX when given."""
    args = ["ls-tree", "-r", "--name-only", commit]
    if prefix:
        args += ["--", prefix]
    return [line for line in _git(repo, *args).decode("utf-8", "replace").splitlines() if line]
