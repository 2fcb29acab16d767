"""What every simulator shares: the document, the findings it reports, the trace it builds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from codeward.linters.document import Document, Path

from codeward.findings import Finding, Severity, Span
from codeward.masking import Masker

# What `--execute` passes on from codeward's own environment: enough for tools to find themselves, their
# locale and a temporary folder, and nothing else. A CI job's tokens (GITHUB_TOKEN, AWS keys, ...) reach the
# buildspec's commands and hook scripts only when named with --pass-env NAME.
BASE_ENVIRONMENT = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE",
                    "TERM", "TMPDIR", "TZ")  # fmt: skip


def command_environment(pass_env: tuple[str, ...] | list[str] = ()) -> dict[str, str]:
    """The environment `--execute` starts commands with: BASE_ENVIRONMENT and the --pass-env names."""
    import os

    return {name: os.environ[name] for name in (*BASE_ENVIRONMENT, *pass_env) if name in os.environ}


class SimulationError(Exception):
    """A problem with the command line that only shows once the file is loaded (say, --fail-at a phase
    the buildspec does not have). Reported as a usage error, exit status 2."""


@dataclass
class Trace:
    """A simulation's result: text lines for people, a JSON-able dict for scripts, and findings."""

    kind: str
    path: str
    lines: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    # --execute: the exit status the run ends with (0 when the build or deployment succeeded).
    exit_code: int | None = None
    # --execute with text output: each line also goes straight to the terminal (set by the command).
    sink: Any = None
    # Secret values (stored and plain-text credentials): masked in every line, the JSON trace and findings.
    masker: Masker = field(default_factory=Masker)
    # The lint errors that make AWS refuse the file or fail on it (suppressed and ignored ones excepted;
    # linters/simulate/verdict.py). A simulator that models one of them (EC2: a hook script missing from
    # the revision) fails where AWS would; lint reports them, the simulation does not report them again.
    lint_errors: list[Finding] = field(default_factory=list)
    # Whether a finding of the simulation's is ignored or suppressed (set by `codeward simulate`): a
    # simulator that acts on its own finding (a missing hook script fails its event) asks first.
    silenced: Any = None
    # The verdict line when the definition is rejected or fails because of lint errors: the run exits 1.
    rejected: str = ""
    # The line of the first lint finding the verdict names (for an annotation).
    rejected_line: int = 0

    def say(self, line: str = "") -> None:
        line = self.masker.text(line)
        self.lines.append(line)
        if self.sink is not None:
            self.sink(line + "\n")


class Sim:
    """The file being simulated and where findings go."""

    def __init__(self, document: Document, trace: Trace) -> None:
        self.document = document
        self.trace = trace

    def report(
        self,
        rule: Any,
        path: Path,
        message: str,
        *,
        key: bool = False,
        span: Span | None = None,
        notes: tuple[str, ...] = (),
        severity: Severity | None = None,
    ) -> None:
        where = span if span is not None else self.document.span(path, key=key)
        self.trace.findings.append(
            Finding(
                rule.code,
                message,
                self.document.path,
                where,
                severity if severity is not None else rule.severity,
                rule.name,
                notes=notes,
            )
        )

    def text(self, path: Path, value: Any) -> str:
        """A scalar as AWS reads it: YAML's `yes` or `8080` as written in the file, not Python's True/8080."""
        if isinstance(value, str):
            return value
        if value is None:
            return ""
        source = self.document.source(self.document.span(path))
        return source.strip() if source.strip() and "\n" not in source else str(value)

    def offset_span(self, path: Path, value: str, offset: int, length: int) -> Span:
        """The span of value[offset:offset+length] when the scalar is written on one line, plain or quoted;
        otherwise the whole value."""
        span = self.document.span(path)
        source = self.document.source(span)
        if span.line == span.end_line:
            start = None
            if source == value:
                start = span.column
            elif len(source) >= 2 and source[0] in "'\"" and source[-1] == source[0] and source[1:-1] == value:
                start = span.column + 1
            if start is not None:
                return Span(span.line, start + offset, span.line, start + offset + max(1, length))
        return span


def duration(seconds: float) -> str:
    """3725 -> "1h 2m 5s"; 0.25 -> "0.25s"."""
    if seconds < 60:
        return f"{seconds:.2f}s".replace(".00s", "s") if seconds != int(seconds) else f"{int(seconds)}s"
    whole = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if whole >= size:
            parts.append(f"{whole // size}{unit}")
            whole %= size
    return " ".join(parts)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|min|sec)?\s*$", re.I)


def parse_duration(text: str, default_unit: str = "m") -> float:
    """`90s`, `5m`, `1.5h`, `200ms`; a bare number is in `default_unit`. Raises ValueError."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"invalid duration {text!r} (expected e.g. 90s, 5m, 1h)")
    number = float(match.group(1))
    unit = (match.group(2) or default_unit).lower()
    factor = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}[unit]
    return number * factor


def suggest(word: str, choices: list[str]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f'; did you mean "{close[0]}"?' if close else ""
