"""`--post github`: post the findings as a review on a GitHub pull request.

Where: the token from GITHUB_TOKEN; the repository and pull-request number from `--repo`/`--pr`, or from
GitHub Actions' GITHUB_REPOSITORY and the event file at GITHUB_EVENT_PATH; the API from GITHUB_API_URL
(GitHub Enterprise Server: https://HOST/api/v3), default https://api.github.com.

Idempotent: every comment (and every summary line) carries a hidden fingerprint; the pull request's review
comments and reviews are listed first, and a finding whose fingerprint is already there in a comment of the
token's own account (GET /user; the Actions bot for an Actions token; CODEWARD_GITHUB_LOGIN) is never posted
again. Fingerprints in anyone else's comments do not count: the pull request's author could paste them.
A run with nothing new posts nothing. Rate limits (429, or 403 with Retry-After / x-ratelimit-remaining: 0) are
retried with back-off. The token is sent only in the Authorization header to the API's own origin and never
appears in any output: messages are scrubbed of it, redirects to other hosts are refused.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    from codeward.diff import ChangeSet
    from codeward.output import Report

DEFAULT_API = "https://api.github.com"
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
MAX_ATTEMPTS = 5
MAX_WAIT = 60.0  # seconds; a longer rate-limit wait fails with a message instead of stalling the job
MAX_PAGES = 100


class GitHubError(Exception):
    """A posting problem, with what to do about it. Never contains the token."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status GitHub answered, when it did


@dataclass(frozen=True)
class Target:
    api: str
    repo: str
    number: int
    head_sha: str | None = None  # the pull request's head commit, from the event file
    base_sha: str | None = None  # its base commit: where the pull request's diff starts

    def path(self, tail: str) -> str:
        return f"/repos/{self.repo}/pulls/{self.number}/{tail}"


def target_from(environ: dict[str, str] | os._Environ[str], repo: str | None, pull: str | None) -> Target:
    api = (environ.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
    parts = urlsplit(api)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise GitHubError(f"GITHUB_API_URL {api!r} is not an http(s) URL (e.g. https://github.example.com/api/v3)")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise GitHubError(f"refusing to send GITHUB_TOKEN over plain http to {parts.hostname}; use an https:// API URL")
    event: dict[str, Any] = {}
    event_path = environ.get("GITHUB_EVENT_PATH")
    if event_path and (pull is None or repo is None):
        try:
            with open(event_path, encoding="utf-8") as handle:
                loaded = json.load(handle)
            event = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError) as exc:
            raise GitHubError(f"cannot read the event file GITHUB_EVENT_PATH={event_path}: {exc}") from None
    repo = repo or environ.get("GITHUB_REPOSITORY")
    if not repo:
        raise GitHubError("no repository: pass --repo OWNER/NAME (GitHub Actions sets GITHUB_REPOSITORY)")
    if not _REPO.match(repo):
        raise GitHubError(f"--repo {repo!r} is not OWNER/NAME")
    pr = event.get("pull_request") if isinstance(event.get("pull_request"), dict) else {}
    number: Any = pull if pull is not None else pr.get("number", event.get("number"))
    if number is None:
        raise GitHubError(
            "no pull request: pass --pr NUMBER, or run in a workflow triggered by pull_request "
            "(its event file at GITHUB_EVENT_PATH names the pull request)"
        )
    try:
        value = int(str(number))
    except ValueError:
        value = 0
    if value <= 0:
        raise GitHubError(f"--pr {number!r} is not a pull-request number")
    head, base = (
        (pr.get(side) or {}).get("sha") if isinstance(pr.get(side), dict) else None for side in ("head", "base")
    )
    return Target(api, repo, value, head if isinstance(head, str) else None, base if isinstance(base, str) else None)


class Client:
    """A small JSON client for the REST API over urllib, with retries on rate limits."""

    def __init__(
        self,
        api: str,
        token: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = MAX_ATTEMPTS,
        max_wait: float = MAX_WAIT,
        log: Callable[[str], None] | None = None,
    ) -> None:
        import urllib.request

        self.api = api.rstrip("/")
        self._token = token
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self.log = log or (lambda text: print(text, file=sys.stderr))
        origin = urlsplit(self.api)
        self._origin = (origin.scheme, origin.netloc)
        client = self

        class SameOriginRedirects(urllib.request.HTTPRedirectHandler):
            # urllib would resend the Authorization header to wherever a redirect points.
            def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
                target = urlsplit(newurl)
                if (target.scheme, target.netloc) != client._origin:
                    return None
                return super().redirect_request(req, fp, code, msg, headers, newurl)

        self._opener = urllib.request.build_opener(SameOriginRedirects)

    def scrub(self, text: str) -> str:
        from codeward.masking import scrub_tokens

        return scrub_tokens(text, [self._token]) if self._token else text

    def _url(self, path: str) -> str:
        url = path if path.startswith(("http://", "https://")) else self.api + path
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            raise GitHubError(f"refusing to follow a link to {parts.scheme}://{parts.netloc} (not {self.api})")
        return url

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
        import urllib.error
        import urllib.request

        url = self._url(path)
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self._token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "codeward",
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        delay = 1.0
        for attempt in range(1, self.max_attempts + 1):
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with self._opener.open(request, timeout=30) as response:
                    status, reply_headers, raw = response.status, dict(response.headers.items()), response.read()
            except urllib.error.HTTPError as exc:
                status, reply_headers, raw = exc.code, dict(exc.headers.items()) if exc.headers else {}, exc.read()
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if method == "GET" and attempt < self.max_attempts:
                    self.log(
                        f"codeward: {method} {urlsplit(path).path}: {self.scrub(str(reason))}; retrying in {delay:.0f} s"
                    )
                    self.sleep(delay)
                    delay *= 2
                    continue
                raise GitHubError(f"cannot reach {self.api}: {self.scrub(str(reason))}") from None
            lowered = {k.lower(): v for k, v in reply_headers.items()}
            wait = self._rate_limit_wait(status, lowered, delay)
            # Rate-limited requests were not processed, so even a POST can be retried; a 5xx on a POST may
            # have been, so only reads retry those (a re-run skips what was posted anyway).
            retry_server = method == "GET" and status in (500, 502, 503, 504)
            if (wait is not None or retry_server) and attempt < self.max_attempts:
                pause = wait if wait is not None else delay
                if pause > self.max_wait:
                    raise GitHubError(
                        f"GitHub rate limit: the next request is allowed in {pause:.0f} s (more than {self.max_wait:.0f} s"
                        "); run again later"
                    )
                self.log(
                    f"codeward: GitHub answered {status} to {method} {urlsplit(path).path}; retrying in {pause:.0f} s"
                )
                self.sleep(pause)
                delay *= 2
                continue
            try:
                payload = json.loads(raw.decode("utf-8")) if raw else None
            except ValueError:
                payload = None
            if status >= 300:  # a redirect that was not followed (another origin) is a failure too
                raise GitHubError(self._failure(method, path, status, payload), status)
            return status, lowered, payload
        raise GitHubError(f"{method} {urlsplit(path).path}: gave up after {self.max_attempts} attempts (rate limited)")

    def _rate_limit_wait(self, status: int, headers: dict[str, str], delay: float) -> float | None:
        if status not in (403, 429):
            return None
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                return delay
        if headers.get("x-ratelimit-remaining") == "0":
            try:
                return max(0.0, float(headers.get("x-ratelimit-reset", "")) - time.time()) + 1
            except ValueError:
                return delay
        return delay if status == 429 else None  # a plain 403 is a permission problem

    def _failure(self, method: str, path: str, status: int, payload: Any) -> str:
        detail = ""
        if isinstance(payload, dict):
            detail = str(payload.get("message", ""))
            errors = payload.get("errors")
            if isinstance(errors, list) and errors:
                detail += (
                    " (" + "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors) + ")"
                )
        hint = {
            401: "GITHUB_TOKEN was not accepted; is it expired or for another host?",
            403: "the token may not write pull requests: give the job `permissions: pull-requests: write` (pull "
            "requests from forks get a read-only token)",
            404: "no such repository or pull request, or the token cannot see it",
            422: "GitHub rejected the review",
        }.get(status, "")
        message = f"GitHub answered {status} to {method} {urlsplit(path).path}"
        if detail:
            message += f": {detail[:500]}"
        if hint:
            message += f". {hint}"
        return self.scrub(message)

    def paginate(self, path: str) -> list[Any]:
        items: list[Any] = []
        url: str | None = path + ("&" if "?" in path else "?") + "per_page=100"
        for _ in range(MAX_PAGES):
            if url is None:
                break
            _, headers, payload = self.request("GET", url)
            if not isinstance(payload, list):
                raise GitHubError(f"GET {path}: expected a JSON list from GitHub")
            items += payload
            match = _NEXT.search(headers.get("link", ""))
            url = urljoin(self.api + "/", match.group(1)) if match else None
        return items


def existing_fingerprints(client: Client, target: Target, environ: Any = None) -> set[str]:
    """Fingerprints already on the pull request, in review comments and review bodies (summaries) written
    by the token's own account: anyone can paste a fingerprint into a comment of theirs, and a finding
    must not go unposted because the pull request's author did."""
    from codeward.output.github_review import MARKER_RE

    items = client.paginate(target.path("comments")) + client.paginate(target.path("reviews"))
    marked = [item for item in items if isinstance(item, dict) and MARKER_RE.search(str(item.get("body") or ""))]
    if not marked:
        return set()
    me = own_login(client, os.environ if environ is None else environ).lower()
    mine = [item for item in marked if _author(item) == me]
    return {fp for item in mine for fp in MARKER_RE.findall(str(item.get("body") or ""))}


def _author(item: dict[str, Any]) -> str:
    user = item.get("user")
    login = user.get("login") if isinstance(user, dict) else None
    return login.lower() if isinstance(login, str) else ""


ACTIONS_BOT = "github-actions[bot]"


def own_login(client: Client, environ: Any) -> str:
    """The account GITHUB_TOKEN acts as: CODEWARD_GITHUB_LOGIN when set, else GET /user, else (a GitHub
    Actions token, which may not read /user) the Actions bot."""
    named = (environ.get("CODEWARD_GITHUB_LOGIN") or "").strip()
    if named:
        return named
    try:
        _, _, payload = client.request("GET", "/user")
    except GitHubError as exc:
        if exc.status in (401, 403, 404) and environ.get("GITHUB_ACTIONS") == "true":
            return ACTIONS_BOT
        raise GitHubError(
            f"cannot tell which account GITHUB_TOKEN posts as ({exc}); set CODEWARD_GITHUB_LOGIN to its login "
            "(a GitHub App posts as APP-SLUG[bot])"
        ) from None
    login = payload.get("login") if isinstance(payload, dict) else None
    if not isinstance(login, str) or not login:
        raise GitHubError("GET /user did not name the token's account; set CODEWARD_GITHUB_LOGIN to its login")
    return login


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def publish(
    report: Report,
    changes: ChangeSet | None,
    *,
    repo: str | None = None,
    pull: str | None = None,
    environ: dict[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Post what is new; return counts (posted comments, summary entries, skipped, reviews)."""
    from codeward.output import github_review

    env = os.environ if environ is None else environ
    say = log or (lambda text: print(text, file=sys.stderr))
    token = env.get("GITHUB_TOKEN", "")
    if not token.strip():
        raise GitHubError(
            "GITHUB_TOKEN is not set: in GitHub Actions add `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` to the "
            "step and `permissions: pull-requests: write` to the job"
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in token.strip()):
        # It would end up in an HTTP header, and in the error that refuses it.
        raise GitHubError("GITHUB_TOKEN contains a control character (a line break?); set it to the token alone")
    target = target_from(env, repo, pull)
    client = Client(target.api, token.strip(), sleep=sleep, log=say)
    if changes is None and target.base_sha:
        # No --diff: still learn which lines the pull request changed, so that findings elsewhere go to the
        # summary instead of being refused by GitHub.
        from codeward.diff import DiffError, compute

        try:
            changes = compute(f"{target.base_sha}...HEAD", require_checkout=False)
            report.changes = changes  # type: ignore[attr-defined]
        except DiffError as exc:
            say(f"codeward: note: cannot tell which lines the pull request changed ({exc}); commenting on every line")
    commit = changes.head if changes is not None else target.head_sha
    if changes is not None and target.head_sha and target.head_sha != changes.head:
        say(
            f"codeward: warning: reviewing {changes.head[:12]} but the pull request's head is {target.head_sha[:12]}; "
            "check out the head commit (actions/checkout with ref: ${{ github.event.pull_request.head.sha }}) or "
            "comments may land on the wrong lines"
        )
        commit = target.head_sha
    existing = existing_fingerprints(client, target, env)
    the_plan = github_review.plan(report, skip=existing)
    stats = {"comments": 0, "summary": len(the_plan.summary), "skipped": the_plan.skipped, "reviews": 0}
    where = f"{target.repo}#{target.number}"
    if the_plan.empty:
        say(f"codeward: nothing new to post on {where} ({_plural(the_plan.skipped, 'finding')} already there)")
        return stats
    for body in github_review.payloads(report, the_plan, commit_id=commit):
        try:
            client.request("POST", target.path("reviews"), body)
        except GitHubError as exc:
            if "422" not in str(exc) or not body["comments"]:
                raise
            # A line GitHub does not count as part of the diff (the local diff and the pull request's differ):
            # keep nothing back, move this batch's comments into the summary.
            say(f"codeward: {exc}; posting these findings in the review summary instead")
            moved = [(fp, finding) for fp, finding, comment in the_plan.comments if comment in body["comments"]]
            fallback = github_review.Plan(comments=[], summary=moved + (the_plan.summary if stats["reviews"] == 0 else []),
                                          skipped=the_plan.skipped)  # fmt: skip
            retry = dict(body, comments=[], body=github_review.summary_body(report, fallback))
            client.request("POST", target.path("reviews"), retry)
            stats["summary"] += len(moved)
            stats["reviews"] += 1
            continue
        stats["comments"] += len(body["comments"])
        stats["reviews"] += 1
    say(
        f"codeward: posted {_plural(stats['reviews'], 'review')} on {where}: {_plural(stats['comments'], 'comment')}, "
        f"{_plural(stats['summary'], 'finding')} in the summary, {stats['skipped']} already there"
    )
    return stats
