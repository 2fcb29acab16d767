"""An attacker's pull request, for the hostile-input tests: a real git repository with a base commit on
`main` and the attack committed on top (branch `pr`), a folder outside it holding a canary secret, and
codeward run as a real subprocess that records every file it opens (a Python audit hook), so a test can
assert that nothing outside the repository was read or written and no secret reached any output."""

from __future__ import annotations

import hashlib
import json
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

# An audit hook that logs each opened path (and whether for writing) to the file in state["log"].
_HOOK = """
import json, os, sys, traceback
state = {"log": None}
def hook(event, args):
    log = state["log"]
    if log is not None and event == "open" and args and isinstance(args[0], (str, bytes)) and not isinstance(args[0], int):
        path = os.fsdecode(args[0])
        mode = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        writing = any(ch in mode for ch in "wax+") or bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        log.write(("W " if writing else "R ") + os.path.abspath(path) + "\\n")
        log.flush()
sys.addaudithook(hook)
"""

# Runs codeward with the audit hook logging to $AUDIT_LOG.
_PROBE = (
    _HOOK
    + """
state["log"] = open(os.environ["AUDIT_LOG"], "w", encoding="utf-8", errors="surrogateescape")
from codeward.cli import main
sys.exit(main(sys.argv[1:]))
"""
)

# Several runs of the CLI in one interpreter, one after the other, each as its own process would see it: its
# own arguments and environment, file descriptors 1 and 2 pointed at files of its own (so the review workers
# it forks write there too), its own audit log, its exit status as `sys.exit(main(...))` would give it (an
# uncaught exception: the traceback on its standard error and status 1). codeward's one warn-once memory
# (codeward.cache._REFUSED) is emptied between runs. What is shared is what a test does not need fresh: the
# interpreter's start-up and its imports, about 0.2 s CPU a lint and 0.6 s a review (with the reviewer loaded
# before the first run, as tests.helpers.warm_review does, so that no run's review worker imports it again).
_BATCH = (
    _HOOK
    + """
cases = json.loads(os.environ.pop("CODEWARD_BATCH"))
if any("review" in case["args"] for case in cases):
    # What a review worker loads first (as tests.helpers.warm_review): each run's worker forks with it loaded.
    import gc
    from codeward.reviewer.review import warm_up
    threshold = gc.get_threshold()
    warm_up()
    gc.set_threshold(*threshold)
cwd, saved = os.getcwd(), (os.dup(1), os.dup(2))
codes = []
for case in cases:
    before = dict(os.environ)
    os.environ.update(case["env"])
    os.chdir(cwd)
    cache = sys.modules.get("codeward.cache")
    if cache is not None:
        cache._REFUSED.clear()
    outs = [os.open(case[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) for name in ("stdout", "stderr")]
    os.dup2(outs[0], 1)
    os.dup2(outs[1], 2)
    state["log"] = open(case["env"]["AUDIT_LOG"], "w", encoding="utf-8", errors="surrogateescape")
    try:
        from codeward.cli import main
        code = main(case["args"])
    except SystemExit as exc:
        code = exc.code
    except BaseException:
        traceback.print_exc()
        code = 1
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    state["log"], log = None, state["log"]
    log.close()
    for fd, out in zip((1, 2), outs):
        os.dup2(saved[fd - 1], fd)
        os.close(out)
    os.environ.clear()
    os.environ.update(before)
    codes.append(code)
print(json.dumps(codes))
"""
)


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
    args: tuple[str, ...] = ()  # the command line, named in assertion messages


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


def _environment(attack: Attack, log: Path, env: dict[str, str] | None) -> dict[str, str]:
    full = {key: value for key, value in os.environ.items() if key not in ("CI", "CODEWARD_CACHE_DIR", "GITHUB_TOKEN")}
    full.update(GIT_ENV)
    full.update({"PYTHONPATH": str(ROOT), "HOME": str(attack.home), "XDG_CACHE_HOME": str(attack.home / ".cache"),
                 "AUDIT_LOG": str(log), **(env or {})})  # fmt: skip
    return full


def _next_log(attack: Attack) -> Path:
    return attack.home / f"audit-{len(list(attack.home.glob('audit-*')))}.log"


def _read_log(log: Path) -> list[tuple[str, str]]:
    opened = []
    if log.exists():
        for line in log.read_text(errors="replace").splitlines():
            kind, _, path = line.partition(" ")
            opened.append((kind, path))
    return opened


def _collect(attack: Attack, collect: tuple[str, ...]) -> dict[str, str]:
    files = {}
    for name in collect:
        path = attack.repo / name
        if path.is_file() and not path.is_symlink():
            files[name] = path.read_text(errors="replace")
    return files


def run_codeward(attack: Attack, *args: str, env: dict[str, str] | None = None, collect: tuple[str, ...] = (),
                 timeout: float = 120) -> Run:  # fmt: skip
    """codeward in the repository as CI runs it: a subprocess, git isolated from the user's configuration,
    a home of its own (user cache directory inside it), CI unset unless `env` says otherwise."""
    log = _next_log(attack)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=attack.repo, env=_environment(attack, log, env), capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr, _read_log(log), _collect(attack, collect), args)


def run_codeward_many(attack: Attack, *runs: tuple[str, ...], env: dict[str, str] | None = None,
                      own_home: bool = False, timeout: float = 240) -> list[Run]:  # fmt: skip
    """The runs `run_codeward(attack, *args, env=env)` would make one after the other, made by one interpreter
    (_BATCH): each its own exit status, output, error output and audit log. With `own_home`, each run gets a
    home and user cache folder of its own, as if it were the first (without, they share the attack's home,
    as consecutive run_codeward calls do)."""
    cases = []
    for args in runs:
        log = _next_log(attack)
        log.touch()
        case_env = dict(env or {})
        if own_home:
            home = attack.home / f"run-{log.stem}"
            home.mkdir()
            case_env.update({"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")})
        case_env["AUDIT_LOG"] = str(log)
        outputs = {name: str(attack.home / f"{log.stem}.{name}") for name in ("stdout", "stderr")}
        cases.append({"args": list(args), "env": case_env, **outputs})
    full = _environment(attack, attack.home / "batch.log", env)
    full["CODEWARD_BATCH"] = json.dumps(cases)
    done = subprocess.run(
        [sys.executable, "-c", _BATCH], cwd=attack.repo, env=full, capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0 and not done.stderr, f"the batch itself failed:\n{done.stdout}\n{done.stderr}"
    codes = json.loads(done.stdout)
    assert len(codes) == len(cases), done.stdout
    return [_batch_run(code, case) for code, case in zip(codes, cases, strict=True)]


def _batch_run(code: int, case: dict) -> Run:
    stdout, stderr = (Path(case[name]).read_text() for name in ("stdout", "stderr"))
    return Run(code, stdout, stderr, _read_log(Path(case["env"]["AUDIT_LOG"])), {}, tuple(case["args"]))


def assert_contained(attack: Attack, run: Run, secrets: tuple[str, ...] = ()) -> None:
    """Nothing outside the repository read or written, no secret (nor the canary) in any output."""
    outside = str(attack.outside)
    touched = [(kind, path) for kind, path in run.opened if _real(path).startswith(outside + os.sep)]
    assert not touched, f"{_named(run)}opened outside the repository: {touched}"
    assert tree_state(attack.outside) == attack.snapshot, f"{_named(run)}something was written outside the repository"
    for text in (run.stdout, run.stderr, *run.files.values()):
        for secret in (CANARY, *secrets):
            assert secret not in text, f"{_named(run)}{secret[:6]}... leaked:\n{text[:2000]}"


def _real(path: str) -> str:
    try:
        return os.path.realpath(path)
    except OSError:
        return path


def assert_blocks(run: Run, *codes: str) -> None:
    """The run reports the findings and fails the way a finding fails CI: exit 1, never 0 or 2."""
    for code in codes:
        assert code in run.stdout or any(code in text for text in run.files.values()), (
            f"{_named(run)}{code} not reported:\n{run.stdout}\n{run.stderr}"
        )
    assert run.code == 1, f"{_named(run)}exit {run.code}, expected 1:\n{run.stdout}\n{run.stderr}"
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, _named(run) + run.stderr


def _named(run: Run) -> str:
    return f"codeward {' '.join(run.args)}: " if run.args else ""
