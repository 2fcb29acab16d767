"""The ready-made CI integrations in examples/ci: codeward lints (and dry-runs) its own example buildspec, every
codeward command line in the examples is accepted by the real argument parser, the workflow and jobs have the
permissions and reports they need, and the comment-posting shell loops really run (CodeCommit and GitLab),
with stand-ins for `aws` and `curl` that record what they were given."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from codeward.cli import build_parser
from tests.github_api.gitrepo import GIT_ENV, commit, git, new_repo
from tests.helpers import ROOT, run_cli

CI = Path(ROOT) / "examples" / "ci"
BUILDSPEC = CI / "buildspec.yml"
WORKFLOW = CI / "github-actions.yml.example"
GITLAB = CI / "gitlab-ci.yml.example"
PRE_COMMIT = CI / "pre-commit-config.yaml.example"


def test_codeward_lints_its_own_example_buildspec() -> None:
    code, out, err = run_cli("lint", "--isolated", "--no-cache", "--format", "json", str(BUILDSPEC))
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["findings"] == [] and document["summary"]["files"] == 1
    code, out, err = run_cli("simulate", str(BUILDSPEC))
    assert code == 0, out + err
    assert "Phase complete: BUILD State: SUCCEEDED" in out


def _commands(text: str) -> list[str]:
    """Every `codeward ...` command line in a file, continuation lines joined, up to a shell separator."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    joined = code.replace("\\\n", " ")
    found = []
    for match in re.finditer(
        r"(?<![\w/-])codeward (?:\"\$command\"|(?:lint|review|simulate|report)\b)[^\n;|&#]*", joined
    ):
        found.append(" ".join(match.group(0).split()))
    return found


def _expand(command: str) -> list[list[str]]:
    words = shlex.split(command)
    variants = [["lint"], ["review"]] if words[1] == "$command" else [[words[1]]]
    out = []
    for sub in variants:
        # Shell variables become a word, or a number where the option wants one (--shard "$SHARD/4").
        number = lambda m: "1" if re.search(r"SHARD|INDEX|TOTAL", m.group(0)) else "x"  # noqa: E731
        args = sub + [re.sub(r"\$\{?[A-Z_]+(?::-)?\}?", number, w).replace("$command", sub[0]) for w in words[2:]]
        out.append(args)
    return out


@pytest.mark.parametrize(
    "path",
    [BUILDSPEC, WORKFLOW, GITLAB, CI / "github-actions-sharded.yml.example", CI / "gitlab-ci-sharded.yml.example"],
    ids=lambda p: p.name,
)
def test_every_codeward_command_in_the_examples_parses(path: Path) -> None:
    commands = _commands(path.read_text())
    assert len(commands) >= 3
    parser = build_parser()
    for command in commands:
        for args in _expand(command):
            try:
                parsed = parser.parse_args(args)
            except SystemExit:  # argparse's way of saying "bad option"
                pytest.fail(f"{path.name}: codeward does not accept {args}")
            assert parsed.command in ("lint", "review", "simulate", "report")


def test_github_workflow() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as a boolean
    assert set(triggers) == {"push", "pull_request"}
    scan, review = workflow["jobs"]["scan"], workflow["jobs"]["review"]
    assert scan["permissions"]["security-events"] == "write"
    uploads = [s for s in scan["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert [(u["with"]["sarif_file"], u["with"]["category"]) for u in uploads] == [
        ("codeward-lint.sarif", "codeward-lint"),
        ("codeward-review.sarif", "codeward-review"),
    ]
    sarif_step = next(s for s in scan["steps"] if s.get("name") == "SARIF for code scanning")
    assert "--output codeward-lint.sarif" in sarif_step["run"] and "--output codeward-review.sarif" in sarif_step["run"]
    assert review["if"] == "github.event_name == 'pull_request'"
    assert review["permissions"] == {"contents": "read", "pull-requests": "write"}
    checkout = review["steps"][0]
    assert checkout["with"] == {"ref": "${{ github.event.pull_request.head.sha }}", "fetch-depth": 0}
    posting = [s for s in review["steps"] if "--post github" in s.get("run", "")]
    assert len(posting) == 2
    for step in posting:
        assert step["env"]["GITHUB_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"
        assert step["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
        assert '--diff "$BASE_SHA...HEAD"' in step["run"]


def test_gitlab_jobs() -> None:
    jobs = yaml.safe_load(GITLAB.read_text())
    assert jobs[".codeward"]["variables"]["GIT_DEPTH"] == 0
    for name, tool in (("codeward-lint", "lint"), ("codeward-review", "review")):
        reports = jobs[name]["artifacts"]["reports"]
        assert reports == {"codequality": f"gl-code-quality-{tool}.json", "junit": f"codeward-{tool}.xml"}
        assert jobs[name]["artifacts"]["when"] == "always"
        assert f"codeward {tool} --format gitlab --output gl-code-quality-{tool}.json" in jobs[name]["script"][0]
    assert jobs["codeward-threads"]["rules"] == [
        {"if": '$CI_PIPELINE_SOURCE == "merge_request_event" && $CODEWARD_GITLAB_TOKEN'}
    ]


def test_user_pre_commit_config_names_real_hooks() -> None:
    config = yaml.safe_load(PRE_COMMIT.read_text())
    hooks = {hook["id"] for hook in yaml.safe_load((Path(ROOT) / ".pre-commit-hooks.yaml").read_text())}
    (repo,) = config["repos"]
    assert repo["repo"] == "https://github.com/codeward-dev/codeward"
    used = [hook["id"] for hook in repo["hooks"]]
    assert used == [
        "codeward-buildspec",
        "codeward-appspec",
        "codeward-pipeline",
        "codeward-simulate",
        "codeward-review",
        "codeward-secrets",
    ]
    assert set(used) <= hooks


# --- the posting loops, run for real -------------------------------------------------------------------------

RECORDER = """#!/bin/sh
# Stand-in for {name}: records its arguments (one JSON list a line) and answers GETs with $FAKE_ANSWER.
{python} -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@" >> "$RECORD"
case " $* " in *" --request POST "*) ;; *) [ -n "${{FAKE_ANSWER:-}}" ] && cat "$FAKE_ANSWER" ;; esac
exit 0
"""
CODEWARD = """#!/bin/sh
PYTHONPATH={root} exec {python} -m codeward "$@"
"""
BROKEN = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
BROKEN_HEAD = BROKEN.replace("    commands:\n", "    comands:\n") + "  post_build:\n    comands:\n      - echo\n"


def _bin(tmp_path: Path, name: str) -> Path:
    directory = tmp_path / "bin"
    directory.mkdir(exist_ok=True)
    (directory / "codeward").write_text(CODEWARD.format(root=shlex.quote(ROOT), python=shlex.quote(sys.executable)))
    (directory / name).write_text(RECORDER.format(name=name, python=shlex.quote(sys.executable)))
    for tool in directory.iterdir():
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return directory


def _recorded(path: Path) -> list[list[str]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _script(commands: Any) -> str:
    return "\n".join(commands) if isinstance(commands, list) else commands


def test_codecommit_comment_loop_posts_one_document_per_finding(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r", {"buildspec.yml": BROKEN})
    base = git(repo, "rev-parse", "HEAD")
    head = commit(repo, {"buildspec.yml": BROKEN_HEAD})
    script = _script(yaml.safe_load(BUILDSPEC.read_text())["phases"]["post_build"]["commands"])
    record = tmp_path / "aws.jsonl"
    env = {
        **os.environ,
        **GIT_ENV,
        "PATH": f"{_bin(tmp_path, 'aws')}{os.pathsep}{os.environ['PATH']}",
        "RECORD": str(record),
        "PULL_REQUEST_ID": "17",
        "REPOSITORY_NAME": "infra",
        "SOURCE_COMMIT": head,
        "DESTINATION_COMMIT": base,
    }
    done = subprocess.run(["sh", "-c", script], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    calls = _recorded(record)
    assert [call[:3] for call in calls] == [["codecommit", "post-comment-for-pull-request", "--cli-input-json"]] * 2
    documents = [json.loads(call[3]) for call in calls]
    assert [(d["location"]["filePath"], d["location"]["filePosition"]) for d in documents] == [
        ("buildspec.yml", 4),
        ("buildspec.yml", 7),
    ]
    assert {(d["pullRequestId"], d["repositoryName"], d["beforeCommitId"], d["afterCommitId"]) for d in documents} == {
        ("17", "infra", base, head)
    }
    # Not a pull-request build: the loop does nothing.
    record.unlink()
    env.pop("PULL_REQUEST_ID")
    done = subprocess.run(["sh", "-c", script], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not record.exists()


def test_gitlab_thread_loop_posts_new_threads_once(tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    work = new_repo(tmp_path / "work", {"buildspec.yml": BROKEN})
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    git(work, "checkout", "-qb", "feature")
    commit(work, {"buildspec.yml": BROKEN_HEAD})
    script = _script(yaml.safe_load(GITLAB.read_text())["codeward-threads"]["script"])
    record, existing = tmp_path / "curl.jsonl", tmp_path / "existing.json"
    existing.write_text("[]")
    env = {
        **os.environ,
        **GIT_ENV,
        "PATH": f"{_bin(tmp_path, 'curl')}{os.pathsep}{os.environ['PATH']}",
        "RECORD": str(record),
        "FAKE_ANSWER": str(existing),
        "CI_API_V4_URL": "https://gitlab.example.com/api/v4",
        "CI_PROJECT_ID": "5",
        "CI_MERGE_REQUEST_IID": "9",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CODEWARD_GITLAB_TOKEN": "glpat-" + "x" * 20,
    }
    done = subprocess.run(["sh", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    posts = [call for call in _recorded(record) if "POST" in call]
    assert len(posts) == 2
    threads = [json.loads(call[call.index("--data") + 1]) for call in posts]
    assert [t["position"]["new_line"] for t in threads] == [4, 7]
    assert all(
        call[-1] == "https://gitlab.example.com/api/v4/projects/5/merge_requests/9/discussions" for call in posts
    )
    # The merge request now holds both threads: a re-run posts nothing.
    existing.write_text(json.dumps([{"notes": [{"body": t["body"]}]} for t in threads]))
    record.unlink()
    done = subprocess.run(["sh", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [call for call in _recorded(record) if "POST" in call] == []
