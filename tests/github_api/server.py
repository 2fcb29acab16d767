"""A GitHub REST API stand-in on 127.0.0.1 for the posting tests: the endpoints codeward uses, with request
bodies checked against the schema of GitHub's published description (schemas.json) and GitHub's documented
rules for review comments (a comment's lines must be in the pull request's diff, one side, start before end).
It records every request, keeps the posted reviews and comments, and answers lists page by page with Link
headers, so a second run sees what the first one posted."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema

with open(os.path.join(os.path.dirname(__file__), "schemas.json"), encoding="utf-8") as _handle:
    SCHEMAS = json.load(_handle)
_ROUTE = re.compile(r"^/repos/([^/]+)/([^/]+)/pulls/(\d+)/(comments|reviews)$")


def validator(name: str) -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator({**SCHEMAS, "$ref": f"#/{name}"})


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: Any


@dataclass
class FakeGitHub:
    token: str
    repo: str = "octo/demo"
    number: int = 7
    head_sha: str = "0" * 40
    # path -> lines of the head version a review comment may sit on (the diff's hunks); None: any line.
    diff_lines: dict[str, set[int]] | None = None
    page_size: int = 100  # GitHub's per_page maximum; tests lower it to exercise pagination
    # The token's account (reviews and comments are posted as it) and GET /user's answer: 200 with the login,
    # or 403 as for a GitHub Actions token ("Resource not accessible by integration").
    login: str = "github-actions[bot]"
    user_status: int = 200
    requests: list[Recorded] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    # Canned answers served first, one per request: (status, headers, body).
    queue: list[tuple[int, dict[str, str], Any]] = field(default_factory=list)
    schema_errors: list[str] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def posted_reviews(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST"]

    def comment_problems(self, body: dict[str, Any]) -> list[str]:
        """GitHub's rules beyond the schema (documented with the endpoint)."""
        problems = []
        if body.get("event") in ("COMMENT", "REQUEST_CHANGES") and not body.get("body"):
            problems.append("body is required for COMMENT and REQUEST_CHANGES")
        for comment in body.get("comments", []):
            line, start = comment.get("line"), comment.get("start_line")
            if line is None:
                problems.append(f"{comment['path']}: line is required")
                continue
            if comment.get("side", "RIGHT") not in ("LEFT", "RIGHT") or comment.get("start_side", "RIGHT") not in (
                "LEFT",
                "RIGHT",
            ):
                problems.append(f"{comment['path']}: side must be LEFT or RIGHT")
            if start is not None and start >= line:
                problems.append(f"{comment['path']}: start_line must precede line")
            if self.diff_lines is not None:
                allowed = self.diff_lines.get(comment["path"], set())
                for number in range(start or line, line + 1):
                    if number not in allowed:
                        problems.append("Pull request review thread line must be part of the diff")
                        break
        return problems


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = "<invalid json>"
        with fake._lock:
            headers = {k.lower(): v for k, v in self.headers.items()}
            fake.requests.append(Recorded(method, parts.path, parse_qs(parts.query), headers, body))
            if fake.queue:
                status, headers, answer = fake.queue.pop(0)
                return self._send(status, answer, headers)
            if self.headers.get("Authorization") != f"Bearer {fake.token}":
                return self._send(401, {"message": "Bad credentials"})
            if method == "GET" and parts.path == "/user":
                if fake.user_status != 200:
                    return self._send(fake.user_status, {"message": "Resource not accessible by integration"})
                return self._send(200, {"login": fake.login, "id": 1, "type": "User"})
            match = _ROUTE.match(parts.path)
            if not match or f"{match.group(1)}/{match.group(2)}" != fake.repo or int(match.group(3)) != fake.number:
                return self._send(404, {"message": "Not Found"})
            kind = match.group(4)
            if method == "GET":
                return self._list(fake, kind, parse_qs(parts.query), parts.path)
            if kind != "reviews":
                return self._send(404, {"message": "Not Found"})
            errors = [e.message for e in validator("create-review-request").iter_errors(body)]
            if errors:
                fake.schema_errors += errors
                return self._send(422, {"message": "Invalid request.", "errors": errors})
            problems = fake.comment_problems(body)
            if problems:
                return self._send(422, {"message": "Unprocessable Entity", "errors": problems})
            return self._send(200, self._create(fake, body))

    def _list(self, fake: FakeGitHub, kind: str, query: dict[str, list[str]], path: str) -> None:
        items = fake.comments if kind == "comments" else fake.reviews
        per_page = min(int(query.get("per_page", ["30"])[0]), fake.page_size)
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            headers["Link"] = f'<{fake.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        return self._send(200, chunk, headers)

    def _create(self, fake: FakeGitHub, body: dict[str, Any]) -> dict[str, Any]:
        review_id = len(fake.reviews) + 1
        base = f"{fake.url}/repos/{fake.repo}/pulls/{fake.number}"
        html = f"https://github.invalid/{fake.repo}/pull/{fake.number}"
        user = {"login": fake.login, "id": 41898282}
        review = {
            "id": review_id,
            "node_id": f"PRR_{review_id}",
            "user": user,
            "body": body.get("body", ""),
            "state": "COMMENTED" if body.get("event") == "COMMENT" else body.get("event", "PENDING"),
            "html_url": f"{html}#pullrequestreview-{review_id}",
            "pull_request_url": base,
            "_links": {"html": {"href": html}, "pull_request": {"href": base}},
            "submitted_at": "2024-01-01T00:00:00Z",
            "commit_id": body.get("commit_id", fake.head_sha),
            "author_association": "NONE",
        }
        fake.reviews.append(review)
        for comment in body.get("comments", []):
            comment_id = len(fake.comments) + 1
            fake.comments.append(
                {
                    "url": f"{fake.url}/repos/{fake.repo}/pulls/comments/{comment_id}",
                    "pull_request_review_id": review_id,
                    "id": comment_id,
                    "node_id": f"PRRC_{comment_id}",
                    "diff_hunk": "@@ -1 +1 @@",
                    "path": comment["path"],
                    "commit_id": review["commit_id"],
                    "original_commit_id": review["commit_id"],
                    "user": user,
                    "body": comment["body"],
                    "created_at": "2024-01-01T00:00:00Z",
                    "updated_at": "2024-01-01T00:00:00Z",
                    "html_url": f"{html}#discussion_r{comment_id}",
                    "pull_request_url": base,
                    "author_association": "NONE",
                    "_links": {
                        "self": {"href": f"{fake.url}/repos/{fake.repo}/pulls/comments/{comment_id}"},
                        "html": {"href": f"{html}#discussion_r{comment_id}"},
                        "pull_request": {"href": base},
                    },
                    "start_line": comment.get("start_line"),
                    "start_side": comment.get("start_side"),
                    "line": comment["line"],
                    "original_line": comment["line"],
                    "side": comment.get("side", "RIGHT"),
                    "subject_type": "line",
                }
            )
        return review

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGitHub


@contextmanager
def serve(fake: FakeGitHub) -> Iterator[FakeGitHub]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
