"""End to end, the way a pull-request workflow runs it: a real git repository whose head commit introduces two
defects and fixes a third, `codeward lint --diff ... --post github` as a real process, and a GitHub stand-in on
127.0.0.1. The posted review has exactly the two new findings, on their lines; a second run posts nothing."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.github_api.gitrepo import GIT_ENV, commit, git, new_repo
from tests.github_api.server import FakeGitHub, serve, validator
from tests.helpers import ROOT, run_process

TOKEN = "ghp_" + "EndToEndToken0123456789abcdefghijklmnop"
BUILDSPEC = """version: 0.2
env:
  variables:
    NODE_ENV: production
phases:
  build:
    commands:
      - npm ci
      - npm test
  post_build:
    commands:
      - echo done
    finaly:
      - echo always
reports:
  jest:
    files:
      - junit.xml
    file-format: JUNIT_XML
"""


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[Path, Path, str, str]:
    pipeline = Path(ROOT, "examples", "pipeline", "lambda-pipeline.json").read_text()
    repo = new_repo(tmp_path / "r", {"ci/buildspec.yml": BUILDSPEC, "infra/release-pipeline.json": pipeline})
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-qb", "feature")
    # Fixed: the report format (JUNIT_XML is not a CodeBuild value). New: a password in plain text, and a
    # misspelled action key in the pipeline. Untouched: `finaly`, an old defect the review must leave alone.
    buildspec = BUILDSPEC.replace("JUNIT_XML", "JUNITXML").replace(
        "    NODE_ENV: production\n", "    NODE_ENV: production\n    DB_PASSWORD: Zq8v2LmT9xWc4RbK\n"
    )
    pipeline = pipeline.replace(
        '"OutputArtifacts": [{"Name": "FunctionZip"}]', '"OutputArtifact": [{"Name": "FunctionZip"}]'
    )
    head = commit(repo, {"ci/buildspec.yml": buildspec, "infra/release-pipeline.json": pipeline})
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": head}, "base": {"sha": base}}}))
    return repo, event, base, head


def run(repo: Path, event: Path, fake: FakeGitHub, *args: str) -> tuple[int, str, str]:
    env = {
        **GIT_ENV,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": fake.repo,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_API_URL": fake.url,
        "CODEWARD_FORMAT": "",
    }
    done = run_process("lint", "--no-cache", *args, cwd=str(repo), env=env)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pull_request_review_end_to_end(pull_request: tuple[Path, Path, str, str]) -> None:
    repo, event, base, head = pull_request
    buildspec = (repo / "ci" / "buildspec.yml").read_text()
    pipeline = (repo / "infra" / "release-pipeline.json").read_text()
    with serve(FakeGitHub(token=TOKEN, head_sha=head)) as fake:
        code, out, err = run(repo, event, fake, "--diff", f"{base}...HEAD", "--post", "github", "--format", "sarif",
                             "-o", "codeward.sarif")  # fmt: skip
        assert code == 1 and out == "", err
        assert (
            err == "codeward: posted 1 review on octo/demo#7: 2 comments, 0 findings in the summary, 0 already there\n"
        )
        assert fake.schema_errors == [] and len(fake.posted_reviews) == 1
        review = fake.posted_reviews[0].body
        assert list(validator("create-review-request").iter_errors(review)) == []
        assert review["commit_id"] == head and review["event"] == "COMMENT"
        got = [(c["path"], c["line"], c["body"].split(" · ")[0]) for c in review["comments"]]
        assert got == [
            ("ci/buildspec.yml", line_of(buildspec, "DB_PASSWORD"), "**CWB104"),
            ("infra/release-pipeline.json", line_of(pipeline, '"OutputArtifact"'), "**CWP001"),
        ]
        assert got[0][1] == 5
        assert "2 findings** (1 error, 1 warning): 2 commented inline." in review["body"]
        # The SARIF written alongside holds the same two findings (code scanning shows them on the PR's lines).
        sarif = json.loads((repo / "codeward.sarif").read_text())
        assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["CWB104", "CWP001"]

        code, out, err = run(repo, event, fake, "--diff", f"{base}...HEAD", "--post", "github", "--format", "concise")
        assert code == 1
        assert err == "codeward: nothing new to post on octo/demo#7 (2 findings already there)\n"
        assert len(fake.posted_reviews) == 1 and len(fake.comments) == 2
        assert all(TOKEN not in text for text in (out, err, (repo / "codeward.sarif").read_text()))
    assert "Zq8v2LmT9xWc4RbK" not in json.dumps(review)
    assert not os.path.exists(repo / ".codeward_cache")


APP_BASE = """import os
import subprocess

import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/report")
def report():
    name = request.args["name"]
    return subprocess.run(f"cat reports/{name}", shell=True, capture_output=True, timeout=5).stdout


def settings(path):
    with open(path) as handle:
        return yaml.load(handle)
"""
APP_HEAD = (
    APP_BASE.replace("return yaml.load(handle)", "return yaml.safe_load(handle)").replace(
        "import yaml\n", "import requests\nimport yaml\n"
    )
    + """

@app.route("/ping")
def ping():
    host = request.args["host"]
    os.system(f"ping -c 1 {host}")
    return "ok"


def fetch(url):
    return requests.get(url, verify=False, timeout=5)
"""
)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_python_review_end_to_end(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "r", {"service/app.py": APP_BASE, "README.md": "service\n"})
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-qb", "feature")
    head = commit(repo, {"service/app.py": APP_HEAD})
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": head}, "base": {"sha": base}}}))
    env = {**GIT_ENV, "GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "octo/demo", "GITHUB_EVENT_PATH": str(event)}
    with serve(FakeGitHub(token=TOKEN, head_sha=head)) as fake:
        env["GITHUB_API_URL"] = fake.url
        args = ("review", "--no-cache", "--format", "concise", "--diff", f"{base}...HEAD", "--post", "github")
        done = run_process(*args, cwd=str(repo), env=env)
        assert done.returncode == 1, done.stderr
        review = fake.posted_reviews[0].body
        assert list(validator("create-review-request").iter_errors(review)) == []
        # The fixed yaml.load and the untouched shell=True call (an old finding) are not in the review.
        got = [(c["path"], c["line"], c["body"].split(" · ")[0]) for c in review["comments"]]
        assert got == [
            ("service/app.py", line_of(APP_HEAD, "os.system("), "**CWR102"),
            ("service/app.py", line_of(APP_HEAD, "verify=False"), "**CWR301"),
        ]
        assert "[CWE-78](https://cwe.mitre.org/data/definitions/78.html)" in review["comments"][0]["body"]
        again = run_process(*args, cwd=str(repo), env=env)
        assert "nothing new to post on octo/demo#7 (2 findings already there)" in again.stderr
        assert len(fake.posted_reviews) == 1
        assert TOKEN not in done.stdout + done.stderr + again.stdout + again.stderr
