"""Releases and the pinned instructions: the version lives in one place, the changelog is in shape, and the
pre-commit configuration users copy works against this repository: hooks installed from a clone at a commit
SHA run on a sample repository, and the commit the README and examples pin exists and defines their hooks."""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from codeward import __version__
from tests.helpers import ROOT
from tests.hook_repo import HookRepo

EXAMPLE = Path(ROOT, "examples", "ci", "pre-commit-config.yaml.example")
CODEWARD_URL = "https://github.com/codeward-dev/codeward"
# Where users are told to pin codeward: pre-commit's rev, pip's @REF and the Action's @REF.
PIN = re.compile(r"(?:rev: |codeward-dev/codeward@|CODEWARD_VERSION: )([0-9a-f]{40}|v\d+\.\d+\.\d+|PINNED_SHA)\b")
PINNED_FILES = [
    "README.md",
    "docs/editors.md",
    *(str(p.relative_to(ROOT)) for p in sorted(Path(ROOT, "examples", "ci").iterdir())),
]
ISSUE_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    comands: [make]\n"
KEY = "AKIA4MZT7QYH2BXCN5LD"


def _git(cwd: str | Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_version_lives_in_one_place() -> None:
    project = tomllib.loads(Path(ROOT, "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert version("codeward") == __version__
    headings = re.findall(r"(?m)^## (.+)$", Path(ROOT, "CHANGELOG.md").read_text())
    assert headings, "CHANGELOG.md has no release headings"
    for heading in headings:
        assert heading == "Unreleased" or re.fullmatch(r"\d+\.\d+\.\d+ - \d{4}-\d{2}-\d{2}", heading), heading
    released = [h.split(" - ")[0] for h in headings if h != "Unreleased"]
    # The newest release in the changelog is the version in the code (or nothing is released yet).
    assert not released or released[0] == __version__


def _pins() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name in PINNED_FILES:
        for ref in PIN.findall(Path(ROOT, name).read_text()):
            found.setdefault(ref, set()).add(name)
    return found


def _git_checkout() -> bool:
    if shutil.which("git") is None:
        return False
    done = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip() == "true"


def test_readme_and_examples_pin_one_existing_commit_with_their_hooks() -> None:
    pins = _pins()
    assert len(pins) == 1, f"README and examples/ci pin different refs: {pins}"
    (ref,) = pins
    assert set(pins[ref]) >= {"README.md", "examples/ci/pre-commit-config.yaml.example"}
    assert re.fullmatch(r"[0-9a-f]{40}|v\d+\.\d+\.\d+", ref), f"{ref} is neither a full commit SHA nor a tag"
    if not _git_checkout():
        pytest.skip("not a git checkout: cannot look the pinned commit up")
    if _git(ROOT, "rev-parse", "--is-shallow-repository") == "true":
        pytest.skip("shallow clone: the pinned commit may be outside the fetched history")
    manifest = yaml.safe_load(_git(ROOT, "show", f"{ref}:.pre-commit-hooks.yaml"))
    defined = {hook["id"] for hook in manifest}
    config = yaml.safe_load(EXAMPLE.read_text())
    used = {hook["id"] for hook in config["repos"][0]["hooks"]}
    readme_used = set(re.findall(r"- id: (codeward-[a-z]+)", Path(ROOT, "README.md").read_text()))
    assert used | readme_used <= defined, f"{ref} does not define {sorted((used | readme_used) - defined)}"
    # What the pinned instructions use exists at that commit: the Action, `report merge`, `server` and its extra.
    assert yaml.safe_load(_git(ROOT, "show", f"{ref}:action.yml"))["runs"]["using"] == "composite"
    cli = _git(ROOT, "show", f"{ref}:codeward/cli.py")
    assert '("report", "codeward.report_merge")' in cli and '("server", "codeward.server")' in cli
    assert "server" in tomllib.loads(_git(ROOT, "show", f"{ref}:pyproject.toml"))["project"]["optional-dependencies"]
    # The pinned commit is on this branch's history, so it exists wherever main does.
    assert subprocess.run(["git", "merge-base", "--is-ancestor", ref, "HEAD"], cwd=ROOT).returncode == 0


def test_readme_pointers_point_the_right_way() -> None:
    """`see "Section" above|below` in the README names a section on that side."""
    text = Path(ROOT, "README.md").read_text()
    headings = {m.group(1): m.start() for m in re.finditer(r"(?m)^#+ (.+)$", text)}
    pointers = list(re.finditer(r'see "([^"]+)" (above|below)', text))
    assert pointers
    for pointer in pointers:
        name, side = pointer.groups()
        assert name in headings, f"no section {name!r}"
        assert (headings[name] < pointer.start()) == (side == "above"), f'"{name}" is not {side}'


def test_example_config_installs_the_hooks_from_a_clone_at_heads_sha(tmp_path: Path, hook_repo: HookRepo) -> None:
    """What a user does with the example: the hooks come from a git URL at a commit SHA, not from a working
    tree. The session's hook repository (the checkout in one commit) stands in for the URL, its SHA for the
    pin; the environment pre-commit installs for it is shared with the other hook tests."""
    config = EXAMPLE.read_text().replace(CODEWARD_URL, str(hook_repo.path))
    config = re.sub(r"rev: \S+", f"rev: {hook_repo.sha}", config)
    repo = tmp_path / "user-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(config)
    (repo / "ci").mkdir()
    (repo / "ci" / "buildspec.yml").write_text(ISSUE_BUILDSPEC)
    (repo / "app.py").write_text("import subprocess, socket\nsubprocess.run(socket.socket().recv(99), shell=True)\n")
    (repo / "deploy.env").write_text(f"AWS_ACCESS_KEY_ID={KEY}\n")
    _git(repo, "add", ".")
    run = hook_repo.pre_commit(repo, "run", "--all-files")
    assert run.returncode == 1, run.stdout + run.stderr
    status = dict(re.findall(r"(?m)^(codeward \([^)]*\))\.+(Passed|Failed|\(no files to check\)Skipped)$", run.stdout))
    assert status == {
        "codeward (CodeBuild buildspec)": "Failed",
        "codeward (CodeDeploy AppSpec)": "(no files to check)Skipped",
        "codeward (CodePipeline)": "(no files to check)Skipped",
        "codeward (simulate, dry run)": "Failed",
        "codeward (Python review)": "Failed",
        "codeward (secrets in text files)": "Failed",
    }, run.stdout
    assert 'ci/buildspec.yml:4:5: CWB001 unknown key "comands"' in run.stdout
    assert "app.py:2:" in run.stdout and "deploy.env:1:" in run.stdout
    assert KEY not in run.stdout
    # The fix hook is opt-in: nothing was rewritten.
    assert (repo / "ci" / "buildspec.yml").read_text() == ISSUE_BUILDSPEC
    # Asked for, it fixes the file.
    opted = (repo / ".pre-commit-config.yaml").read_text().replace("# - id: codeward-fix", "- id: codeward-fix")
    (repo / ".pre-commit-config.yaml").write_text(opted.replace("#   stages: [pre-commit]", "  stages: [pre-commit]"))
    fixed = hook_repo.pre_commit(repo, "run", "codeward-fix", "--all-files")
    assert fixed.returncode == 1 and "files were modified by this hook" in fixed.stdout, fixed.stdout
    assert (repo / "ci" / "buildspec.yml").read_text() == ISSUE_BUILDSPEC.replace("comands", "commands")


def test_try_repo_leaves_files_alone(tmp_path: Path, hook_repo: HookRepo) -> None:
    """`pre-commit try-repo` runs every hook of the manifest; the fix hook must not be among them.

    try-repo writes a configuration listing every id of the manifest (no stages of its own) and runs it with a
    throw-away store, which installs codeward again (about 10 s); `run_hooks` runs the same configuration through
    the session's store, so the manifest's stages alone decide which hooks run, as they do for try-repo."""
    repo = tmp_path / "user-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "buildspec.yml").write_text(ISSUE_BUILDSPEC)
    _git(repo, "add", ".")
    manifest = yaml.safe_load(Path(ROOT, ".pre-commit-hooks.yaml").read_text())
    ids = [hook["id"] for hook in manifest]
    assert "codeward-fix" in ids
    run = hook_repo.run_hooks(repo, *ids)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "codeward (CodeBuild buildspec)" in run.stdout and "apply safe fixes" not in run.stdout
    assert (repo / "buildspec.yml").read_text() == ISSUE_BUILDSPEC
