"""Parsed definition files: plain dicts and lists that remember where every key and value came from.

PMap and PList are dict and list subclasses, so JSON-Schema-style validation and rules read them as
plain data, while the container keeps the source span of each child. A rule that knows a path therefore
knows its position without walking the file again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from codeward.findings import Span

Path = tuple[str | int, ...]


class PMap(dict):
    __slots__ = ("key_spans", "span", "value_spans")

    def __init__(self, span: Span) -> None:
        super().__init__()
        self.span = span
        self.key_spans: dict[str, Span] = {}
        self.value_spans: dict[str, Span] = {}

    def put(self, key: str, key_span: Span, value: Any, value_span: Span) -> None:
        self[key] = value
        self.key_spans[key] = key_span
        self.value_spans[key] = value_span


class PList(list):
    __slots__ = ("item_spans", "span")

    def __init__(self, span: Span) -> None:
        super().__init__()
        self.span = span
        self.item_spans: list[Span] = []

    def put(self, value: Any, span: Span) -> None:
        self.append(value)
        self.item_spans.append(span)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the file itself, found while loading it."""

    code: str
    message: str
    span: Span
    notes: tuple[str, ...] = ()
    # Why this occurrence is only a warning (the rule's severity otherwise), said in the finding's notes.
    downgrade: str = ""


@dataclass(slots=True)
class Document:
    path: str
    text: str
    data: Any
    kind: str = ""
    # "yaml" or "json"
    syntax: str = "yaml"
    problems: list[Problem] = field(default_factory=list)
    _lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    def get(self, path: Path, default: Any = None) -> Any:
        node = self.data
        for part in path:
            if (isinstance(node, dict) and isinstance(part, str) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            ):
                node = node[part]
            else:
                return default
        return node

    def span(self, path: Path, *, key: bool = False) -> Span:
        """Where the value at `path` (or its key, with key=True) stands; the nearest ancestor if absent."""
        best = self.data.span if isinstance(self.data, (PMap, PList)) else Span(1, 1, 1, 1)
        node = self.data
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, PMap) and isinstance(part, str) and part in node:
                best = node.key_spans[part] if (last and key) else node.value_spans[part]
                node = node[part]
            elif isinstance(node, PList) and isinstance(part, int) and 0 <= part < len(node):
                best = node.item_spans[part]
                node = node[part]
            else:
                break
        return best

    def source(self, span: Span) -> str:
        """The text covered by `span`."""
        lines = self.lines
        if span.line < 1 or span.line > len(lines):
            return ""
        if span.line == span.end_line:
            return lines[span.line - 1][span.column - 1 : span.end_column - 1]
        chunk = [lines[span.line - 1][span.column - 1 :]]
        chunk += lines[span.line : span.end_line - 1]
        if span.end_line <= len(lines):
            chunk.append(lines[span.end_line - 1][: span.end_column - 1])
        return "\n".join(chunk)


def parent_key(path: Path) -> str | int | None:
    return path[-1] if path else None


def duplicate_key(key: str, mapping: PMap, value: Any, span: Span) -> Problem:
    """CWF002 for `key` repeated in `mapping` with `value` at `span`.

    A repetition that writes the same value again changes nothing any parser reads (whichever occurrence it keeps,
    the value is the same), so it is a warning; a different value silently loses one of the two.
    """
    first = mapping.key_spans[key]
    if mapping[key] == value:
        return Problem(
            "CWF002",
            f'duplicate key "{key}" (first defined at line {first.line}) repeats the same value',
            span,
            downgrade="Both occurrences hold the same value, so every reader gets that value; delete the repetition.",
        )
    return Problem(
        "CWF002", f'duplicate key "{key}" (first defined at line {first.line}); only this last value is used', span
    )
