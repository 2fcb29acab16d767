"""The GitHub Action (`action.yml`) and the example workflows: actionlint and shellcheck accept them, and the
action's shell steps run for real, in order, with the environment a GitHub runner gives a composite action's
steps (GITHUB_* and RUNNER_* variables, `bash --noprofile --norc -eo pipefail`, step outputs through
$GITHUB_OUTPUT), against a sample repository and a GitHub API stand-in on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.github_api.gitrepo import GIT_ENV, commit, git, new_repo
from tests.github_api.server import FakeGitHub, serve
from tests.helpers import ROOT
from tests.hook_repo import copy_tracked

ACTION = Path(ROOT, "action.yml")
CI = Path(ROOT, "examples", "ci")
WORKFLOWS = ["github-action.yml.example", "github-actions.yml.example", "github-actions-sharded.yml.example"]
TOKEN = "ghp_" + "ActionStepsToken0123456789abcdefghijklm"
BIN = Path(sys.executable).parent
BROKEN = "version: 0.2\nphases:\n  build:\n    comands: [make]\n"
CLEAN = "version: 0.2\nphases:\n  build:\n    commands: [make]\n"


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: `pip install -e '.[dev]'` brings it")
    return path


def test_actionlint_accepts_the_action_and_the_example_workflows(tmp_path: Path) -> None:
    """actionlint checks an action's metadata (inputs, required `shell:` of composite run steps, ...) through a
    workflow that uses it as `./`: the example that uses the action is rewritten to do so."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copy(ACTION, tmp_path / "action.yml")
    for name in WORKFLOWS:
        text = (CI / name).read_text()
        text = re.sub(r"codeward-dev/codeward@[0-9a-zA-Z_.]+", "./", text)
        (tmp_path / ".github" / "workflows" / name.replace(".example", "")).write_text(text)
    uses_local = (tmp_path / ".github" / "workflows" / "github-action.yml").read_text()
    assert uses_local.count("uses: ./") == 2
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # shellcheck for run: steps
    done = subprocess.run([_tool("actionlint"), "-no-color"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    # It does look: an input the action does not declare, and a run step without a shell, are errors.
    (tmp_path / ".github" / "workflows" / "github-action.yml").write_text(uses_local.replace("paths: src", "path: src"))
    metadata = yaml.safe_load(ACTION.read_text())
    del metadata["runs"]["steps"][0]["shell"]
    (tmp_path / "action.yml").write_text(yaml.safe_dump(metadata, sort_keys=False))
    done = subprocess.run([_tool("actionlint"), "-no-color", "-oneline"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1
    assert 'input "path" is not defined in action "codeward"' in done.stdout
    assert 'step 1 in "runs.steps" section in metadata of "codeward" action requires "shell" key' in done.stdout


def _steps() -> list[dict]:
    return yaml.safe_load(ACTION.read_text())["runs"]["steps"]


def test_shellcheck_accepts_the_actions_scripts() -> None:
    scripts = [step["run"] for step in _steps() if "run" in step]
    assert len(scripts) == 3
    for script in scripts:
        done = subprocess.run([_tool("shellcheck"), "-s", "bash", "-"], input=script, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout


# --- the steps, run the way a runner runs them -------------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Runner:
    """Runs a composite action's steps like the GitHub runner: inputs with their defaults, `${{ }}` in `env:`
    and `if:` evaluated (only the forms action.yml uses; anything else fails the test), each `run:` step as
    a script file given to `bash --noprofile --norc -eo pipefail`, outputs read back from $GITHUB_OUTPUT."""

    def __init__(self, tmp: Path, workspace: Path, environ: dict[str, str]) -> None:
        self.tmp, self.workspace, self.environ = tmp, workspace, environ
        self.outputs: dict[str, dict[str, str]] = {}

    def value(self, expression: str, inputs: dict[str, str]) -> str:
        if m := re.fullmatch(r"inputs\.([\w-]+)", expression):
            return inputs[m.group(1)]
        if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression):
            return self.outputs.get(m.group(1), {}).get(m.group(2), "")
        if expression == "github.token":
            return TOKEN
        if m := re.fullmatch(r"github\.event\.([\w.]+)", expression):
            value: object = json.loads(Path(self.environ["GITHUB_EVENT_PATH"]).read_text())
            for key in m.group(1).split("."):
                value = value.get(key, "") if isinstance(value, dict) else ""
            return str(value or "")
        pytest.fail(f"action.yml uses an expression this test does not evaluate: {expression}")

    def substitute(self, text: str, inputs: dict[str, str]) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1), inputs), text)

    def condition(self, text: str, inputs: dict[str, str]) -> bool:
        expression = EXPRESSION.sub(lambda m: m.group(1), text)
        terms = [t.strip() for t in expression.split("&&")]
        result = True
        for term in terms:
            m = re.fullmatch(r"([\w.-]+) (==|!=) '([^']*)'", term)
            assert m, f"condition this test does not evaluate: {term}"
            left = self.value(m.group(1), inputs)
            result = result and ((left == m.group(3)) == (m.group(2) == "=="))
        return result

    def run(self, given: dict[str, str], reuse: tuple[str, ...] = ()) -> tuple[int, str, list[str]]:
        """(exit status of the action, what its steps printed, the `uses:` steps that would have run); the steps
        named in `reuse` keep the outputs of an earlier run instead of running again (the install: slow)."""
        metadata = yaml.safe_load(ACTION.read_text())
        inputs = {name: spec.get("default", "") for name, spec in metadata["inputs"].items()}
        assert set(given) <= set(inputs), set(given) - set(inputs)
        inputs = {name: self.substitute(str(value), {}) for name, value in inputs.items()} | given
        printed, used = [], []
        for index, step in enumerate(metadata["runs"]["steps"]):
            if "if" in step and not self.condition(str(step["if"]), inputs):
                continue
            if step.get("id") in reuse:
                assert step["id"] in self.outputs
                continue
            if "uses" in step:
                used.append(f"{step['uses']} {self.substitute(json.dumps(step.get('with', {})), inputs)}")
                continue
            assert step["shell"] == "bash"
            script = self.tmp / f"step-{index}.sh"
            script.write_text(step["run"])
            output = self.tmp / f"output-{index}"
            output.write_text("")
            env = {**self.environ, "GITHUB_OUTPUT": str(output)}
            env.update({k: self.substitute(str(v), inputs) for k, v in step.get("env", {}).items()})
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                  cwd=self.workspace, env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
            printed.append(done.stdout + done.stderr)
            if "id" in step:
                pairs = [line.split("=", 1) for line in output.read_text().splitlines() if "=" in line]
                self.outputs[step["id"]] = dict(pairs)
            if done.returncode != 0:
                return done.returncode, "".join(printed), used
        return 0, "".join(printed), used


def runner_env(tmp: Path, workspace: Path, event_name: str, event: Path, api: str = "") -> dict[str, str]:
    """What the runner sets for a step (the subset codeward and action.yml read), on a clean PATH."""
    temp = tmp / "runner-temp"
    temp.mkdir(exist_ok=True)
    return {
        **GIT_ENV,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        # The runner checks an action out into a folder of its own; pip builds there (see copy_tracked).
        "GITHUB_ACTION_PATH": str(workspace.parent / "action-checkout"),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "octo/demo",
        "GITHUB_API_URL": api or "https://api.github.com",
        "GITHUB_SHA": git(workspace, "rev-parse", "HEAD"),
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
        "GITHUB_PATH": str(tmp / "path.txt"),
        "GITHUB_ENV": str(tmp / "env.txt"),
        "RUNNER_OS": "Linux",
        "RUNNER_TEMP": str(temp),
        "RUNNER_TOOL_CACHE": str(tmp / "toolcache"),
        # pip inside the action's venv: the same index settings as this machine, nothing else.
        **{k: v for k, v in os.environ.items() if k.startswith("PIP_")},
    }


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, str]:
    tmp = tmp_path_factory.mktemp("action")
    copy_tracked(tmp / "action-checkout")  # beside the workspace: runner_env
    repo = new_repo(tmp / "repo", {"ci/buildspec.yml": CLEAN, "deploy/buildspec.yml": BROKEN})
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-qb", "feature")
    head = commit(repo, {"ci/buildspec.yml": BROKEN})
    event = tmp / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": head}, "base": {"sha": base}}}))
    return repo, event, base, head


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_actions_steps_run_as_on_a_runner(tmp_path: Path, pull_request: tuple[Path, Path, str, str]) -> None:
    repo, event, base, head = pull_request
    # A push: the whole repository, annotations, SARIF; the step fails (findings), after the upload.
    runner = Runner(tmp_path, repo, runner_env(tmp_path, repo, "push", event))
    status, printed, used = runner.run({"sarif": "true"})
    assert status == 1, printed
    assert runner.outputs["install"]["codeward"] == str(tmp_path / "runner-temp" / "codeward-venv" / "bin" / "codeward")
    annotations = [line for line in printed.splitlines() if line.startswith("::")]
    assert [a.split("::")[1].split(",")[0] for a in annotations] == [
        "error file=ci/buildspec.yml",
        "error file=deploy/buildspec.yml",
    ]
    assert runner.outputs["run"]["exit-code"] == "1"
    sarif_file = runner.outputs["run"]["sarif-file"]
    assert sarif_file == str(tmp_path / "runner-temp" / "codeward" / "codeward-lint.sarif")
    sarif = json.loads(Path(sarif_file).read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["CWB001", "CWB001"]
    assert used == [
        f'github/codeql-action/upload-sarif@v4 {{"sarif_file": "{sarif_file}", "category": "codeward-lint"}}'
    ]
    # codeward went into a venv of its own, from the action's checkout: the job's Python is untouched.
    assert not (repo / ".venv").exists()
    installed = runner.outputs

    # A pull request: changed lines only, one review posted on the stand-in, no SARIF; a re-run posts nothing.
    with serve(FakeGitHub(token=TOKEN, head_sha=head)) as fake:
        environ = runner_env(tmp_path, repo, "pull_request", event, fake.url)
        runner = Runner(tmp_path, repo, environ)
        runner.outputs = dict(installed)
        given = {"diff-base": base, "post-review": "true", "annotations": "false"}
        status, printed, used = runner.run(given, reuse=("install",))
        assert status == 1, printed
        assert used == []
        plain = re.sub(r"\x1b\[[0-9;]*m", "", printed)  # concise output, coloured for the log
        assert "ci/buildspec.yml:4:5: CWB001" in plain and "deploy/" not in plain
        (review,) = fake.posted_reviews
        assert [(c["path"], c["line"]) for c in review.body["comments"]] == [("ci/buildspec.yml", 4)]
        status, printed, _ = runner.run(given, reuse=("install",))
        assert status == 1 and len(fake.posted_reviews) == 1
        assert TOKEN not in printed
        # From a fork, the token is read-only: a notice instead of a failed post; the findings still decide.
        fork = tmp_path / "fork-event.json"
        fork.write_text(json.dumps({"pull_request": {"number": 8, "head": {"sha": head, "repo": {"full_name": "eve/demo"}},
                                                     "base": {"sha": base, "repo": {"full_name": "octo/demo"}}}}))  # fmt: skip
        runner.environ = {**environ, "GITHUB_EVENT_PATH": str(fork)}
        status, printed, _ = runner.run(given, reuse=("install",))
        assert status == 1 and len(fake.posted_reviews) == 1
        assert "::notice title=codeward::pull request from the fork eve/demo: its token cannot post" in printed

    # Clean files pass; the simulate command dry-runs each file; a wrong command is a clear error.
    runner = Runner(tmp_path, repo, runner_env(tmp_path, repo, "push", event))
    runner.outputs = dict(installed)
    status, printed, _ = runner.run({"command": "simulate", "paths": "deploy/buildspec.yml"}, reuse=("install",))
    assert status == 1 and "::error file=deploy/buildspec.yml" in printed
    git(repo, "checkout", "-q", base)
    status, printed, _ = runner.run({"paths": "ci"}, reuse=("install",))
    assert status == 0 and "::error" not in printed
    status, printed, _ = runner.run({"command": "deploy"}, reuse=("install",))
    assert status == 2
    assert "::error title=codeward::command must be lint, review or simulate, not 'deploy'" in printed
    git(repo, "checkout", "-q", "feature")
