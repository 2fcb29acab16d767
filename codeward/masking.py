"""One masking step for everything codeward prints: no output carries a secret in full.

A `Masker` learns secrets from findings of rules marked `secret` (the finding's span is the credential) and
from values a simulator knows to be secret; it then masks source lines (text output, SARIF snippets,
review comments, fingerprints), trace lines and JSON documents alike. A masked value keeps at most a
quarter of its characters, four at most, so that a reader can recognise it and nobody can use it.

`scrub_tokens` is the last line of defence for error messages: it removes the values of the tokens codeward
may hold from the environment (GITHUB_TOKEN and the like), in every spelling an error may give them.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import Any

from codeward.findings import Finding, Span

MIN_VALUE = 6  # shorter values would blank out ordinary words (spans are masked whatever their length)
# Environment variables whose values are credentials codeward or its CI may hold.
TOKEN_VARIABLES = (
    "GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN", "CODECOMMIT_TOKEN", "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID",
)  # fmt: skip


def mask_value(value: str) -> str:
    """`value` with all but its first quarter (four characters at most) starred, same length."""
    keep = min(4, len(value) // 4)
    return value[:keep] + "*" * (len(value) - keep)


def mask_segment(segment: str, first: bool) -> str:
    """A flagged span's text on one line, masked; on its first line a string prefix and opening quote
    stay (and the closing quote, when the span ends there) so the line still reads as code."""
    if not segment:
        return segment
    prefix = ""
    if first:
        head = len(segment) - len(segment.lstrip("rRbBuUfF"))
        quote = segment[head : head + 3] if segment[head : head + 3] in ('"""', "'''") else segment[head : head + 1]
        if quote and quote[0] not in "'\"":
            quote = ""
        prefix = segment[: head + len(quote)] if quote else ""
    body = segment[len(prefix) :]
    suffix = prefix[len(prefix.rstrip("'\"")) :] if first else ""
    if suffix and body.endswith(suffix):
        body = body[: -len(suffix)]
    else:
        suffix = ""
    keep = min(4, len(body) // 4) if first else 0
    return prefix + body[:keep] + "*" * (len(body) - keep) + suffix


_LITERAL = re.compile(r"""^\s*[rRbBuUfF]{0,2}('{3}|"{3}|'|")(.*?)(?:\1)?\s*$""", re.S)


def _literal_body(text: str) -> str:
    """The value inside a quoted literal (any string prefix), or the text itself."""
    match = _LITERAL.match(text)
    return match.group(2) if match else text.strip()


class Masker:
    """Secret spans by file and secret values anywhere; apply with `lines`, `text` and `data`."""

    def __init__(self) -> None:
        self.spans: dict[str, list[Span]] = {}
        self.values: set[str] = set()
        self._ordered: list[str] | None = None

    def add_value(self, value: str) -> None:
        value = value.strip()
        if len(value) >= MIN_VALUE and value not in self.values:
            self.values.add(value)
            self._ordered = None

    def add_span(self, path: str, span: Span) -> None:
        self.spans.setdefault(path, []).append(span)

    def add_findings(self, findings: list[Finding], is_secret: Callable[[str], bool]) -> None:
        for finding in findings:
            if is_secret(finding.code):
                self.add_span(finding.path, finding.span)

    def learn_values(self, path: str, lines: list[str]) -> None:
        """Remember the text under each secret span of `path` as a value, so that it is masked wherever
        else it appears (a trace, another line)."""
        for span in self.spans.get(path, ()):
            for number in range(span.line, min(span.end_line, len(lines)) + 1):
                line = lines[number - 1]
                start = span.column - 1 if number == span.line else 0
                end = span.end_column - 1 if number == span.end_line else len(line)
                self.add_value(_literal_body(line[start:end]))

    def lines(self, path: str, lines: list[str]) -> list[str]:
        """`lines` of `path` with its secret spans and every known secret value masked (in place)."""
        for span in self.spans.get(path, ()):
            for number in range(span.line, min(span.end_line, len(lines)) + 1):
                line = lines[number - 1]
                first = number == span.line
                start = span.column - 1 if first else len(line) - len(line.lstrip())
                end = span.end_column - 1 if number == span.end_line else len(line)
                lines[number - 1] = line[:start] + mask_segment(line[start:end], first) + line[end:]
        if self.values:
            for index, line in enumerate(lines):
                lines[index] = self.text(line)
        return lines

    def text(self, text: str) -> str:
        if not self.values or not text:
            return text
        if self._ordered is None:
            self._ordered = sorted(self.values, key=len, reverse=True)
        for value in self._ordered:
            if value in text:
                text = text.replace(value, mask_value(value))
        return text

    def data(self, value: Any) -> Any:
        """A JSON-able structure with every string masked."""
        if not self.values:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value


def known_tokens(environ: dict[str, str] | os._Environ[str] | None = None) -> list[str]:
    env = os.environ if environ is None else environ
    return [env[name] for name in TOKEN_VARIABLES if len(env.get(name, "").strip()) >= MIN_VALUE]


def scrub_tokens(text: str, tokens: list[str] | None = None) -> str:
    """`text` without any known token, whether it appears raw, stripped, escaped (repr or JSON, as an
    exception about a header value prints it) or one line of it at a time."""
    for token in known_tokens() if tokens is None else tokens:
        forms = {token, token.strip(), repr(token)[1:-1], json.dumps(token)[1:-1], repr(token.encode())[2:-1]}
        forms.update(part for part in token.replace("\r", "\n").split("\n") if len(part.strip()) >= MIN_VALUE)
        for form in sorted(forms, key=len, reverse=True):
            if len(form.strip()) >= MIN_VALUE:
                text = text.replace(form, "***")
    return text
