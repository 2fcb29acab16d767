"""The review formats from real lint runs on real git repositories: github-review (checked against the request
schema of GitHub's REST description and GitHub's comment rules), codecommit and gitlab-discussions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeward.diff import compute
from codeward.findings import Edit, Finding, Fix, Severity, Span
from codeward.output import Report
from codeward.output.github_review import MARKER_RE, comment_body, fence, md, plan, suggestion_lines
from tests.github_api.gitrepo import GIT_ENV, commit, git, new_repo
from tests.github_api.server import FakeGitHub, validator
from tests.helpers import run_cli

BASE = """version: 0.2
env:
  variables:
    NODE_ENV: production
phases:
  build:
    on-failure: ABORT
    commands:
      - make
reports:
  jest:
    files:
      - junit.xml
    file-format: JUNIT_XML
"""
# Head: fixes file-format (line 15), adds a plaintext secret (line 5) and misspells on-failure (line 8).
HEAD = (
    BASE.replace("    NODE_ENV: production\n", "    NODE_ENV: production\n    DB_PASSWORD: Zq8v2LmT9xWc4RbK\n")
    .replace("on-failure: ABORT", "on-failur: ABORT")
    .replace("JUNIT_XML", "JUNITXML")
)


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = new_repo(tmp_path / "r", {"ci/buildspec.yml": BASE})
    git(repo, "checkout", "-qb", "feature")
    commit(repo, {"ci/buildspec.yml": HEAD})
    return repo


def lint(repo: Path, *args: str) -> tuple[int, str, str]:
    return run_cli("lint", "--isolated", "--no-cache", "--diff", "main...HEAD", *args, cwd=str(repo))


def test_github_review_body_is_what_github_accepts(repo: Path) -> None:
    code, out, err = lint(repo, "--format", "github-review")
    assert (code, err) == (1, "")
    review = json.loads(out)
    assert list(validator("create-review-request").iter_errors(review)) == []
    changes = compute("main...HEAD", str(repo))
    hunk_lines = {
        path: {n for first, last in change.hunks for n in range(first, last + 1)}
        for path, change in changes.files.items()
    }
    assert FakeGitHub(token="t", diff_lines=hunk_lines).comment_problems(review) == []
    assert review["commit_id"] == git(repo, "rev-parse", "HEAD") and review["event"] == "COMMENT"
    assert [(c["path"], c["line"], c["side"], "start_line" in c) for c in review["comments"]] == [
        ("ci/buildspec.yml", 5, "RIGHT", False),
        ("ci/buildspec.yml", 8, "RIGHT", False),
    ]
    secret, key = (c["body"] for c in review["comments"])
    assert secret.startswith(
        "**CWB104 · buildspec-plaintext-secret** · warning · [CWE-798](https://cwe.mitre.org/data/definitions/798.html)"
    )
    assert "Zq8v2LmT9xWc4RbK" not in out  # the rule masks the value; nothing else may echo it
    assert "**Recommendation:** Store the value in Systems Manager Parameter Store" in secret
    assert "```suggestion" not in secret  # no fix, no suggestion
    assert key.startswith('**CWB001 · buildspec-unknown-key** · error\n\nunknown key "on-failur" in phases.build')
    assert "\n\n```suggestion\n    on-failure: ABORT\n```\n\n" in key
    assert len(MARKER_RE.findall(secret)) == 1 and len(MARKER_RE.findall(key)) == 1
    assert review["body"] == (
        "<!-- codeward:review -->\n\n### codeward\n\n**2 findings** (1 error, 1 warning): 2 commented inline."
    )


def test_fingerprints_do_not_depend_on_the_working_directory(repo: Path) -> None:
    _, top, _ = lint(repo, "--format", "github-review")
    _, inside, _ = run_cli(
        "lint", "--isolated", "--no-cache", "--diff", "main...HEAD", "--format", "github-review", cwd=str(repo / "ci")
    )
    assert MARKER_RE.findall(top) == MARKER_RE.findall(inside) and len(MARKER_RE.findall(top)) == 2
    assert json.loads(inside)["comments"][0]["path"] == "ci/buildspec.yml"


def test_codecommit_documents(repo: Path) -> None:
    code, out, err = lint(repo, "--format", "codecommit", "--repo", "infra", "--pr", "42")
    assert (code, err) == (1, "")
    documents = [json.loads(line) for line in out.splitlines()]
    head, base = git(repo, "rev-parse", "HEAD"), git(repo, "rev-parse", "main")
    assert [sorted(d) for d in documents] == [
        [
            "afterCommitId",
            "beforeCommitId",
            "clientRequestToken",
            "content",
            "location",
            "pullRequestId",
            "repositoryName",
        ]
    ] * 2
    first, second = documents
    assert (first["pullRequestId"], first["repositoryName"], first["beforeCommitId"], first["afterCommitId"]) == (
        "42", "infra", base, head,
    )  # fmt: skip
    assert first["location"] == {"filePath": "ci/buildspec.yml", "filePosition": 5, "relativeFileVersion": "AFTER"}
    assert second["location"]["filePosition"] == 8
    assert "Suggested text:\n```\n    on-failure: ABORT\n```" in second["content"]
    assert first["clientRequestToken"] == "codeward-" + MARKER_RE.findall(first["content"])[0]
    # The same findings give the same tokens: CodeCommit treats a repeat as the same request.
    _, again, _ = lint(repo, "--format", "codecommit", "--repo", "infra", "--pr", "42")
    assert [json.loads(line)["clientRequestToken"] for line in again.splitlines()] == [
        d["clientRequestToken"] for d in documents
    ]


def test_gitlab_discussions(repo: Path) -> None:
    code, out, _ = lint(repo, "--format", "gitlab-discussions")
    assert code == 1
    first, second = (json.loads(line) for line in out.splitlines())
    merge_base = git(repo, "merge-base", "main", "HEAD")
    assert first["position"] == {
        "position_type": "text",
        "base_sha": merge_base,
        "start_sha": git(repo, "rev-parse", "main"),
        "head_sha": git(repo, "rev-parse", "HEAD"),
        "old_path": "ci/buildspec.yml",
        "new_path": "ci/buildspec.yml",
        "new_line": 5,
    }
    assert second["position"]["new_line"] == 8
    assert "```suggestion:-0+0\n    on-failure: ABORT\n```" in second["body"]


def _report_for(path: Path, findings: list[Finding], changes: object = None) -> Report:
    report = Report(findings, [str(path)])
    report.changes = changes  # type: ignore[attr-defined]
    return report


def test_multi_line_ranges_and_findings_outside_the_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = "".join(f"key{n}: {n}\n" for n in range(1, 31))
    repo = new_repo(tmp_path / "r", {"a.yml": lines})
    commit(repo, {"a.yml": lines.replace("key10: 10\nkey11: 11\n", "key10: ten\nkey11: eleven\n")})
    monkeypatch.chdir(repo)
    changes = compute("HEAD~1..HEAD")
    hunk = changes.files["a.yml"].hunks[0]
    assert hunk == (7, 14)

    def at(line: int, end_line: int) -> Finding:
        return Finding("CWX001", f"spans {line}-{end_line}", "a.yml", Span(line, 1, end_line, 3), Severity.WARNING)

    # Inside one hunk: a range; reaching past it: anchored on its first changed line; elsewhere: the summary.
    report = _report_for(repo / "a.yml", [at(9, 11), at(10, 20), at(25, 26)], changes)
    the_plan = plan(report)
    placed = [(c.get("start_line"), c["line"]) for _, _, c in the_plan.comments]
    assert placed == [(9, 11), (None, 10)]
    assert [f.line for _, f in the_plan.summary] == [25]
    assert all(c.get("start_side", "RIGHT") == "RIGHT" for _, _, c in the_plan.comments)


def test_suggestions_replace_exactly_the_commented_lines(tmp_path: Path) -> None:
    target = tmp_path / "a.yml"
    target.write_text("a: 1\nb: 2\nc: 3\n")
    rename = Fix("rename", (Edit(Span(2, 1, 2, 2), "B"),))
    delete = Fix("delete line", (Edit(Span(2, 1, 3, 1), ""),))
    renamed = Finding("CWX001", "m", str(target), Span(2, 1, 2, 2), Severity.ERROR, fix=rename)
    deleted = Finding("CWX002", "m", str(target), Span(2, 1, 2, 5), Severity.ERROR, fix=delete)
    report = _report_for(target, [renamed, deleted])
    assert suggestion_lines(report, renamed) == (2, 2, "B: 2")
    assert suggestion_lines(report, deleted) == (2, 2, "")  # an empty suggestion deletes the line
    # A line another format masked (a secret) is never echoed back as a suggestion.
    report.source_lines(str(target))[1] = "b: *"
    assert suggestion_lines(report, renamed) is None


def test_markdown_is_inert_and_fences_are_long_enough(tmp_path: Path) -> None:
    assert md("key <script> for @octocat, `@team <b>` and a@b.c") == (
        "key &lt;script> for @\u200boctocat, `@team <b>` and a@b.c"
    )
    assert fence("no ticks") == "```" and fence("a ```` b") == "`````"
    target = tmp_path / "a.yml"
    target.write_text("x: 1\n")
    finding = Finding("CWX001", "value <img src=x> from @someone", str(target), Span(1, 1, 1, 2), Severity.INFO)
    body = comment_body(_report_for(target, [finding]), finding, "0123456789abcdef")
    assert body == (
        "**CWX001** · info\n\nvalue &lt;img src=x> from @\u200bsomeone\n\n<!-- codeward:fingerprint=0123456789abcdef -->"
    )


def test_without_diff_every_finding_is_a_comment_and_no_commit_is_named(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text(HEAD)
    code, out, _ = run_cli("lint", "--isolated", "--no-cache", "--format", "github-review", cwd=str(tmp_path))
    review = json.loads(out)
    assert code == 1 and "commit_id" not in review
    assert [c["line"] for c in review["comments"]] == [5, 8]
    assert [c["path"] for c in review["comments"]] == ["buildspec.yml"] * 2
