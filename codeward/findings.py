"""The one findings model every part of codeward reports with."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field, replace


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Span:
    """A source range: 1-based lines, 1-based columns in code points, end column exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> Span:
        return cls(line, column, line, column + 1)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text of `span` with `text`."""

    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    description: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    path: str
    span: Span
    severity: Severity
    name: str = ""
    fix: Fix | None = None
    confidence: float | None = None
    # Extra lines of explanation shown under the caret in text output.
    notes: tuple[str, ...] = field(default=())
    # Other lines the finding depends on (a data flow's source and steps): `--diff` keeps the finding when
    # one of them changed, since changing a source line is enough to introduce an injection.
    related: tuple[int, ...] = field(default=())
    # The data flow itself, source first and sink last: (where, what happens there).
    flow: tuple[tuple[Span, str], ...] = field(default=())

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)

    def fingerprint(self, source_line: str = "") -> str:
        """A key that survives unrelated edits: rule, path and the flagged line's text, no line number."""
        digest = hashlib.sha256()
        for part in (self.code, self.path, " ".join(source_line.split()), self.message):
            digest.update(part.encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
        return digest.hexdigest()[:16]

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.code)
