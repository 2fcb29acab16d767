"""`--post github` against a real HTTP server on 127.0.0.1 that implements the endpoints used and checks every
request body against GitHub's published request schema: idempotence, pagination, rate limits, error messages,
and the token never appearing anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeward.github import Client, GitHubError, publish, target_from
from tests.github_api.gitrepo import GIT_ENV, commit, git, new_repo
from tests.github_api.server import FakeGitHub, serve, validator
from tests.helpers import run_cli

TOKEN = "ghp_" + "TestTokenValue0123456789abcdefghijklm"
BASE = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
HEAD = (
    "version: 0.2\nenv:\n  variables:\n    API_TOKEN: Zq8v2LmT9xWc4RbK\n"
    "phases:\n  build:\n    comands:\n      - make\n  post_build:\n    comands:\n      - echo done\n"
)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    for key in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH", "GITHUB_API_URL"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = new_repo(tmp_path / "r", {"buildspec.yml": BASE})
    git(repo, "checkout", "-qb", "feature")
    commit(repo, {"buildspec.yml": HEAD})
    return repo


def post(
    repo: Path, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, *extra: str, token: str | None = None
) -> tuple[int, str, str]:
    monkeypatch.setenv("GITHUB_TOKEN", token or fake.token)
    monkeypatch.setenv("GITHUB_API_URL", fake.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", fake.repo)
    args = ["lint", "--isolated", "--no-cache", "--format", "concise", "--post", "github", "--pr", str(fake.number)]
    return run_cli(*args, *extra, cwd=str(repo))


def test_first_run_posts_second_run_posts_nothing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve(FakeGitHub(token=TOKEN, page_size=2)) as fake:
        code, out, err = post(repo, fake, monkeypatch, "--diff", "main...HEAD")
        assert code == 1 and out.count("CWB") == 3
        assert (
            err == "codeward: posted 1 review on octo/demo#7: 3 comments, 0 findings in the summary, 0 already there\n"
        )
        assert [(r.method, r.path) for r in fake.requests] == [
            ("GET", "/repos/octo/demo/pulls/7/comments"),
            ("GET", "/repos/octo/demo/pulls/7/reviews"),
            ("POST", "/repos/octo/demo/pulls/7/reviews"),
        ]
        assert fake.schema_errors == []
        review = fake.posted_reviews[0].body
        assert [(c["path"], c["line"]) for c in review["comments"]] == [("buildspec.yml", n) for n in (4, 7, 10)]
        assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in fake.requests)
        assert fake.requests[0].headers["x-github-api-version"] == "2022-11-28"

        code, _, err = post(repo, fake, monkeypatch, "--diff", "main...HEAD")
        assert err == "codeward: nothing new to post on octo/demo#7 (3 findings already there)\n"
        assert len(fake.posted_reviews) == 1
        # Three comments at two per page: the second run read both pages of comments, then asked whose token
        # it holds (only its own account's comments count as already posted).
        second_run = fake.requests[3:]
        assert [(r.path.rsplit("/", 1)[1], r.query.get("page", ["1"])[0]) for r in second_run] == [
            ("comments", "1"), ("comments", "2"), ("reviews", "1"), ("user", "1"),
        ]  # fmt: skip


def test_only_new_findings_are_posted(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve(FakeGitHub(token=TOKEN)) as fake:
        post(repo, fake, monkeypatch, "--diff", "main...HEAD")
        commit(repo, {"buildspec.yml": HEAD + "  finaly:\n    - x\n"})
        _, _, err = post(repo, fake, monkeypatch, "--diff", "main...HEAD")
        assert "1 comment, 0 findings in the summary, 3 already there" in err
        new = fake.posted_reviews[1].body
        assert [c["line"] for c in new["comments"]] == [12] and "3 earlier findings are already commented" in new[
            "body"
        ]


def test_without_diff_the_event_gives_the_changed_lines(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pull request changed only post_build; the build-phase findings predate it.
    git(repo, "checkout", "-q", "main")
    commit(repo, {"buildspec.yml": HEAD.split("  post_build:")[0]})
    git(repo, "checkout", "-q", "feature")
    git(repo, "reset", "-q", "--hard", "main")
    head = commit(repo, {"buildspec.yml": HEAD})
    event = tmp_path / "event.json"
    base = git(repo, "rev-parse", "main")
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": head}, "base": {"sha": base}}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    with serve(FakeGitHub(token=TOKEN)) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", fake.token)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("GITHUB_REPOSITORY", fake.repo)
        code, _, err = run_cli(
            "lint", "--isolated", "--no-cache", "--post", "github", "--format", "concise", cwd=str(repo)
        )
        assert code == 1, err
        review = fake.posted_reviews[0].body
        assert review["commit_id"] == head
        # Line 7 is an unchanged line shown as context around the change: GitHub takes comments there too.
        assert [c["line"] for c in review["comments"]] == [7, 10]
        assert review["body"].count("<!-- codeward:fingerprint=") == 1
        assert "`buildspec.yml:4`" in review["body"] and "1 listed below" in review["body"]


def test_a_line_github_refuses_moves_the_batch_to_the_summary(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The pull request's own diff knows only lines 1-5: the comments on 7 and 10 are refused with 422.
    with serve(FakeGitHub(token=TOKEN, diff_lines={"buildspec.yml": {1, 2, 3, 4, 5}})) as fake:
        code, _, err = post(repo, fake, monkeypatch, "--diff", "main...HEAD")
        assert code == 1
        assert "GitHub answered 422" in err and "Pull request review thread line must be part of the diff" in err
        first, retry = (r.body for r in fake.posted_reviews)
        assert len(first["comments"]) == 3 and retry["comments"] == []
        assert retry["body"].count("<!-- codeward:fingerprint=") == 3
        assert "3 findings in the summary" in err
        # Those fingerprints are now in a review body: the next run posts nothing.
        _, _, err = post(repo, fake, monkeypatch, "--diff", "main...HEAD")
        assert "nothing new to post" in err and len(fake.posted_reviews) == 2


def test_rate_limits_are_retried_with_back_off(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeGitHub(token=TOKEN)
    fake.queue = [
        (429, {"Retry-After": "0"}, {"message": "slow down"}),
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"}, {"message": "API rate limit exceeded"}),
        (502, {}, {"message": "bad gateway"}),
    ]
    waits: list[float] = []
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", fake.repo)
    with serve(fake):
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        from codeward.diff import Scope
        from codeward.output import Report

        monkeypatch.chdir(repo)
        report = Report([], [])
        Scope().attach(report)
        stats = publish(report, None, pull="7", sleep=waits.append, log=lambda _: None)
    # Three refusals, then the listing went through; a clean pull request gets no review at all.
    assert [r.method for r in fake.requests] == ["GET"] * 5
    assert waits[0] == 0.0 and waits[1] == 1.0 and waits[2] == 4.0  # Retry-After, reset already passed (+1 s), doubling
    assert stats == {"comments": 0, "summary": 0, "skipped": 0, "reviews": 0}


def test_a_long_rate_limit_wait_fails_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeGitHub(token=TOKEN)
    fake.queue = [(403, {"Retry-After": "3600"}, {"message": "secondary rate limit"})]
    with serve(fake):
        client = Client(fake.url, TOKEN, sleep=lambda _: None, log=lambda _: None)
        with pytest.raises(GitHubError, match=r"next request is allowed in 3600 s.*run again later"):
            client.request("GET", "/repos/octo/demo/pulls/7/comments")


def test_a_server_error_on_post_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeGitHub(token=TOKEN)
    fake.queue = [(502, {}, {"message": "bad gateway"})]
    with serve(fake):
        client = Client(fake.url, TOKEN, sleep=lambda _: None, log=lambda _: None)
        with pytest.raises(GitHubError, match="GitHub answered 502 to POST"):
            client.request("POST", "/repos/octo/demo/pulls/7/reviews", {"event": "COMMENT", "body": "x"})
    assert len(fake.requests) == 1


def test_the_token_never_appears_in_output(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeGitHub(token=TOKEN)
    # A hostile or broken server echoing the credential back must not get it printed.
    fake.queue = [(403, {}, {"message": f"token {TOKEN} lacks pull_requests:write"})]
    with serve(fake):
        code, out, err = post(repo, fake, monkeypatch, "--diff", "main...HEAD")
    assert code == 2
    assert TOKEN not in out + err
    assert err.startswith(
        "codeward: error: GitHub answered 403 to GET /repos/octo/demo/pulls/7/comments: token *** lacks"
    )
    assert "permissions: pull-requests: write" in err
    with serve(FakeGitHub(token="other-token")) as wrong:
        code, out, err = post(repo, wrong, monkeypatch, "--diff", "main...HEAD", token=TOKEN)
    assert code == 2 and "GitHub answered 401" in err and "GITHUB_TOKEN was not accepted" in err
    assert TOKEN not in out + err


def test_redirects_to_another_host_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    other = FakeGitHub(token=TOKEN)
    with serve(other):
        fake = FakeGitHub(token=TOKEN)
        fake.queue = [(302, {"Location": f"{other.url}/repos/octo/demo/pulls/7/comments"}, None)]
        with serve(fake):
            client = Client(fake.url, TOKEN, sleep=lambda _: None, log=lambda _: None)
            with pytest.raises(GitHubError, match="GitHub answered 302"):
                client.request("GET", "/repos/octo/demo/pulls/7/comments")
    assert other.requests == []  # the token never travelled to the other origin


@pytest.mark.parametrize(
    ("env", "repo_flag", "pr_flag", "message"),
    [
        ({}, None, "7", "no repository: pass --repo OWNER/NAME"),
        ({"GITHUB_REPOSITORY": "octo/demo"}, None, None, "no pull request: pass --pr NUMBER"),
        ({"GITHUB_REPOSITORY": "octo/demo"}, None, "x", "--pr 'x' is not a pull-request number"),
        ({}, "not-a-repo", "7", "--repo 'not-a-repo' is not OWNER/NAME"),
        (
            {"GITHUB_API_URL": "http://github.example.com/api/v3"},
            "o/r",
            "7",
            "refusing to send GITHUB_TOKEN over plain",
        ),
        ({"GITHUB_API_URL": "ftp://x"}, "o/r", "7", "is not an http(s) URL"),
        ({"GITHUB_EVENT_PATH": "/nonexistent/event.json"}, "o/r", None, "cannot read the event file"),
    ],
)
def test_where_to_post_errors(env: dict[str, str], repo_flag: str | None, pr_flag: str | None, message: str) -> None:
    with pytest.raises(GitHubError) as caught:
        target_from(env, repo_flag, pr_flag)
    assert message in str(caught.value)


def test_target_from_the_actions_event(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 12, "pull_request": {"number": 12, "head": {"sha": "a" * 40}}}))
    target = target_from({"GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_PATH": str(event)}, None, None)
    assert (target.api, target.repo, target.number, target.head_sha) == ("https://api.github.com", "o/r", 12, "a" * 40)
    assert target.path("reviews") == "/repos/o/r/pulls/12/reviews"
    ghes = target_from({"GITHUB_API_URL": "https://ghe.example.com/api/v3/"}, "o/r", "3")
    assert ghes.api == "https://ghe.example.com/api/v3"


def test_missing_token_is_a_clear_error(repo: Path) -> None:
    code, _, err = run_cli(
        "lint", "--isolated", "--no-cache", "--post", "github", "--repo", "o/r", "--pr", "1", cwd=str(repo)
    )
    assert code == 2
    assert "codeward: error: GITHUB_TOKEN is not set: in GitHub Actions add `env: GITHUB_TOKEN:" in err


def test_posted_reviews_match_the_published_schema_even_when_large(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n" + "".join(
        f"  bogus{n}:\n    commands:\n      - x\n" for n in range(60)
    )
    commit(repo, {"buildspec.yml": many})
    with serve(FakeGitHub(token=TOKEN)) as fake:
        _, _, err = post(repo, fake, monkeypatch, "--diff", "main...HEAD")
    # At most 50 comments a review: two reviews, both valid, the second one saying so.
    assert [len(r.body["comments"]) for r in fake.posted_reviews] == [50, 10]
    assert all(list(validator("create-review-request").iter_errors(r.body)) == [] for r in fake.posted_reviews)
    assert "### codeward (part 2 of 2)" in fake.posted_reviews[1].body["body"]
    assert "posted 2 reviews on octo/demo#7: 60 comments" in err
