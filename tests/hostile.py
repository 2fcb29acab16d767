"""An attacker's pull request, for the hostile-input tests: a real git repository with a base commit on
`main` and the attack committed on top (branch `pr`), a folder outside it holding a canary secret, and
codeward run as a real subprocess that records every file it opens (a Python audit hook), so a test can
assert that nothing outside the repository was read or written and no secret reached any output."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.github_api.gitrepo import GIT_ENV, git, new_repo, write

ROOT = Path(__file__).resolve().parent.parent
CANARY = "CANARY-d41d8cd98f00b204e980"  # stands for anything secret outside the repository
# A credential in a format codeward knows (an AWS access key id; AWS's documented example with its last
# characters changed) and a plaintext secret for buildspecs.
AWS_KEY = "AKIAIOSFODNN7QWERTYZ"
BUILD_SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYzq8Hx2Lk"

INJECTION = (
    "import subprocess\n\nfrom flask import request\n\n\n"
    "def run():\n"
    '    return subprocess.run(request.args["cmd"], shell=True, timeout=5)\n'
)
BASE_APP = "import subprocess\n\n\ndef run():\n    return subprocess.run(['ls'], timeout=5)\n"
PAYLOAD = INJECTION + f'\nKEY = "{AWS_KEY}"\n'  # both an injection and a credential
BASE_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
SECRET_BUILDSPEC = (
    f"version: 0.2\nenv:\n  variables:\n    API_TOKEN: {BUILD_SECRET}\nphases:\n  build:\n    commands:\n      - make\n"
)

# Runs codeward with an audit hook that logs each opened path (and whether for writing) to $AUDIT_LOG.
_PROBE = """
import os, sys
log = open(os.environ["AUDIT_LOG"], "w", encoding="utf-8", errors="surrogateescape")
def hook(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes)) and not isinstance(args[0], int):
        path = os.fsdecode(args[0])
        mode = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        writing = any(ch in mode for ch in "wax+") or bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        log.write(("W " if writing else "R ") + os.path.abspath(path) + "\\n")
        log.flush()
sys.addaudithook(hook)
from codeward.cli import main
sys.exit(main(sys.argv[1:]))
"""


@dataclass
class Attack:
    repo: Path
    outside: Path
    home: Path
    base: str = "main"
    snapshot: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    opened: list[tuple[str, str]]  # ("R" or "W", absolute path)
    files: dict[str, str]  # output files the test asked to collect


def attacker_pr(tmp_path: Path, base: dict[str, str | bytes], pr: dict[str, str | bytes | None],
                links: dict[str, str] | None = None, outside_files: dict[str, str] | None = None) -> Attack:  # fmt: skip
    """A repository whose `main` holds `base`; branch `pr` (checked out) adds `pr` and the symbolic links
    `links` (name -> target) in one commit. Beside it: `outside/` with a canary secret (and
    `outside_files`), and a home."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"token = {CANARY}\n")
    (outside / "victim.py").write_text(f"TOKEN = '{CANARY}'\n")
    write(outside, outside_files or {})
    home = tmp_path / "home"
    home.mkdir()
    repo = new_repo(tmp_path / "repo", base)
    git(repo, "checkout", "-qb", "pr")
    write(repo, pr)
    for name, target in (links or {}).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, repo / name)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "attack")
    attack = Attack(repo.resolve(), outside.resolve(), home.resolve())
    attack.snapshot = tree_state(outside)
    return attack


def tree_state(folder: Path) -> dict[str, str]:
    """Every file and link below `folder` with a digest of its content: a write anywhere changes it."""
    out = {}
    for current, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(current, name)
            if os.path.islink(path):
                out[path] = "link:" + os.readlink(path)
            elif os.path.isfile(path):
                with open(path, "rb") as handle:
                    out[path] = hashlib.sha256(handle.read()).hexdigest()
            else:
                out[path] = "dir"
    return out


def run_codeward(attack: Attack, *args: str, env: dict[str, str] | None = None, collect: tuple[str, ...] = (),
                 timeout: float = 120) -> Run:  # fmt: skip
    """codeward in the repository as CI runs it: a subprocess, git isolated from the user's configuration,
    a home of its own (user cache directory inside it), CI unset unless `env` says otherwise."""
    log = attack.home / f"audit-{len(list(attack.home.glob('audit-*')))}.log"
    full = {key: value for key, value in os.environ.items() if key not in ("CI", "CODEWARD_CACHE_DIR", "GITHUB_TOKEN")}
    full.update(GIT_ENV)
    full.update({"PYTHONPATH": str(ROOT), "HOME": str(attack.home), "XDG_CACHE_HOME": str(attack.home / ".cache"),
                 "AUDIT_LOG": str(log), **(env or {})})  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=attack.repo, env=full, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    opened = []
    if log.exists():
        for line in log.read_text(errors="replace").splitlines():
            kind, _, path = line.partition(" ")
            opened.append((kind, path))
    files = {}
    for name in collect:
        path = attack.repo / name
        if path.is_file() and not path.is_symlink():
            files[name] = path.read_text(errors="replace")
    return Run(done.returncode, done.stdout, done.stderr, opened, files)


def assert_contained(attack: Attack, run: Run, secrets: tuple[str, ...] = ()) -> None:
    """Nothing outside the repository read or written, no secret (nor the canary) in any output."""
    outside = str(attack.outside)
    touched = [(kind, path) for kind, path in run.opened if _real(path).startswith(outside + os.sep)]
    assert not touched, f"opened outside the repository: {touched}"
    assert tree_state(attack.outside) == attack.snapshot, "something was written outside the repository"
    for text in (run.stdout, run.stderr, *run.files.values()):
        for secret in (CANARY, *secrets):
            assert secret not in text, f"{secret[:6]}... leaked:\n{text[:2000]}"


def _real(path: str) -> str:
    try:
        return os.path.realpath(path)
    except OSError:
        return path


def assert_blocks(run: Run, *codes: str) -> None:
    """The run reports the findings and fails the way a finding fails CI: exit 1, never 0 or 2."""
    for code in codes:
        assert code in run.stdout or any(code in text for text in run.files.values()), (
            f"{code} not reported:\n{run.stdout}\n{run.stderr}"
        )
    assert run.code == 1, f"exit {run.code}, expected 1:\n{run.stdout}\n{run.stderr}"
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
