"""Buildspecs written inside CloudFormation templates (`AWS::CodeBuild::Project` `Source.BuildSpec` and
`SecondarySources[].BuildSpec`): a YAML block (`|`, `>`), a quoted or JSON string, the template of an
`Fn::Sub` (`!Sub |`), in hand-written templates and CDK-synthesised `*.template.json` alike.

Each one is checked with every buildspec rule, and its findings are placed at the template's own line
and column: the scalar is read again from the template's source, character by character (block
indentation and folding, quotes and escapes), so that every character of the buildspec knows where it
was written. Where that reading does not give back the loaded value (an unusual form), the findings
stand at the start of the value. In an `Fn::Sub` template, `${!Name}` is the literal `${Name}` CodeBuild
receives; `${Name}` (a parameter or resource) is left as written. A `BuildSpec` that names a file
(`buildspec-test.yml`, an S3 ARN) is not inline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from codeward.linters.document import Document, Path

from codeward.findings import Span

PROJECT = "AWS::CodeBuild::Project"
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX = {"x": 2, "u": 4, "U": 8}


@dataclass
class Inline:
    project: str  # the resource's logical id
    path: Path  # where the buildspec string stands in the template
    text: str  # the buildspec as CodeBuild receives it (`${!X}` read as `${X}`)
    # (line, column) in the template of each character of `text`; None when the source could not be read
    positions: list[tuple[int, int]] | None
    start: Span  # the value's own span (where findings stand without positions)


def inline_buildspecs(document: Document) -> Iterator[Inline]:
    data = document.data
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        return
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") != PROJECT:
            continue
        props = resource.get("Properties")
        if not isinstance(props, dict):
            continue
        sources: list[tuple[Path, Any]] = [(("Source",), props.get("Source"))]
        secondary = props.get("SecondarySources")
        if isinstance(secondary, list):
            sources += [(("SecondarySources", i), s) for i, s in enumerate(secondary)]
        for where, source in sources:
            if not isinstance(source, dict) or "BuildSpec" not in source:
                continue
            path: Path = ("Resources", logical_id, "Properties", *where, "BuildSpec")
            found = _string(source["BuildSpec"], path)
            if found is None:
                continue
            at, text, sub = found
            if not is_inline(text):
                continue
            span = document.span(at)
            positions = scalar_positions(document, span, text)
            if sub:
                text, positions = _sub_literals(text, positions)
            yield Inline(str(logical_id), at, text, positions, span)


def _string(value: Any, path: Path) -> tuple[Path, str, bool] | None:
    if isinstance(value, str):
        return path, value, False
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        body = value["Fn::Sub"]
        if isinstance(body, str):
            return (*path, "Fn::Sub"), body, True
        if isinstance(body, list) and body and isinstance(body[0], str):
            return (*path, "Fn::Sub", 0), body[0], True
    return None


def is_inline(text: str) -> bool:
    """A buildspec's content, not the name of a buildspec file (`ci/buildspec.yml`, an S3 ARN)."""
    stripped = text.strip()
    return "\n" in stripped or stripped.startswith("{") or bool(re.match(r"version\s*:", stripped))


def _sub_literals(text: str, positions: list[tuple[int, int]] | None) -> tuple[str, list[tuple[int, int]] | None]:
    out: list[str] = []
    kept: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        if text.startswith("${!", i):
            out.append("${")
            if positions is not None:
                kept += positions[i : i + 2]
            i += 3
            continue
        out.append(text[i])
        if positions is not None:
            kept.append(positions[i])
        i += 1
    return "".join(out), (kept if positions is not None else None)


def scalar_positions(document: Document, span: Span, value: str) -> list[tuple[int, int]] | None:
    """Where each character of the scalar `value` written at `span` stands, or None."""
    lines = document.lines
    if not 1 <= span.line <= len(lines):
        return None
    reader = _Reader(lines, span.line - 1, span.column - 1)
    reader.skip_tag()
    char = reader.peek()
    try:
        if char in ("|", ">"):
            chars = reader.block(folded=char == ">")
        elif char == '"':
            chars = reader.double_quoted()
        elif char == "'":
            chars = reader.single_quoted()
        else:
            chars = reader.plain(len(value))
    except IndexError:
        return None
    if chars is None or "".join(c for c, _ in chars) != value:
        return None
    return [where for _, where in chars]


class _Reader:
    """Reads one scalar from the template's lines; positions are 1-based (line, column)."""

    def __init__(self, lines: list[str], row: int, col: int) -> None:
        self.lines = lines
        self.row = row
        self.col = col

    def peek(self) -> str:
        line = self.lines[self.row]
        return line[self.col] if self.col < len(line) else "\n"

    def skip_tag(self) -> None:
        line = self.lines[self.row]
        if self.col < len(line) and line[self.col] == "!":
            while self.col < len(line) and not line[self.col].isspace():
                self.col += 1
            while self.col < len(line) and line[self.col] in " \t":
                self.col += 1
            if self.col >= len(line):  # `!Sub` alone on its line, the scalar on the next
                self.row += 1
                self.col = len(self.lines[self.row]) - len(self.lines[self.row].lstrip(" "))

    def block(self, *, folded: bool) -> list[tuple[str, tuple[int, int]]] | None:
        header = self.lines[self.row][self.col :].split("#", 1)[0].strip()
        indicators = header[1:]
        chomp = "-" if "-" in indicators else "+" if "+" in indicators else ""
        digits = [c for c in indicators if c.isdigit()]
        parent = len(self.lines[self.row]) - len(self.lines[self.row].lstrip(" "))
        row = self.row + 1
        indent = None
        if digits:
            indent = parent + int(digits[0])
        # The content: lines more indented than the block's indentation, and empty lines among them.
        content: list[tuple[int, str]] = []  # (row, line)
        while row < len(self.lines):
            line = self.lines[row]
            if line.strip() == "":
                content.append((row, line))
                row += 1
                continue
            leading = len(line) - len(line.lstrip(" "))
            if indent is None:
                if leading <= parent:
                    break
                indent = leading
            if leading < indent:
                break
            content.append((row, line))
            row += 1
        if indent is None:
            return None
        out: list[tuple[str, tuple[int, int]]] = []
        kinds: list[str] = []  # per content line: "empty", "more" (more indented) or "text"
        breaks: list[int] = []  # index in `out` of each line's line break
        for r, line in content:
            text = line[indent:] if len(line) > indent else ""
            kind = (
                "empty" if not text.strip() and len(line) <= indent else "more" if text[:1] in (" ", "\t") else "text"
            )
            if kind == "empty":
                text = ""
            for i, c in enumerate(text):
                out.append((c, (r + 1, indent + i + 1)))
            breaks.append(len(out))
            out.append(("\n", (r + 1, len(line) + 1)))
            kinds.append(kind)
        if folded:
            drop: set[int] = set()
            space: set[int] = set()
            for i, kind in enumerate(kinds):
                if kind != "text":
                    continue
                j = i + 1
                while j < len(kinds) and kinds[j] == "empty":
                    j += 1
                if j < len(kinds) and kinds[j] == "text":
                    (space if j == i + 1 else drop).add(breaks[i])
            out = [(" ", w) if k in space else (c, w) for k, (c, w) in enumerate(out) if k not in drop]
        # Chomping: strip all final line breaks (-), keep them (+), or keep one (clip).
        end = len(out)
        while end and out[end - 1][0] == "\n":
            end -= 1
        if chomp == "-":
            out = out[:end]
        elif chomp == "":
            out = out[: end + 1] if end < len(out) and end > 0 else out[:end]
        return out

    def double_quoted(self) -> list[tuple[str, tuple[int, int]]] | None:
        out: list[tuple[str, tuple[int, int]]] = []
        row, col = self.row, self.col + 1
        while True:
            line = self.lines[row]
            if col >= len(line):  # a line break inside the quotes: folded
                row, col = self._fold(out, row)
                continue
            c = line[col]
            if c == '"':
                return out
            if c == "\\":
                nxt = line[col + 1] if col + 1 < len(line) else "\n"
                if nxt == "\n":  # an escaped line break: joined without a space
                    row += 1
                    col = len(self.lines[row]) - len(self.lines[row].lstrip(" \t"))
                    continue
                if nxt in _HEX:
                    size = _HEX[nxt]
                    out.append((chr(int(line[col + 2 : col + 2 + size], 16)), (row + 1, col + 1)))
                    col += 2 + size
                    continue
                if nxt not in _ESCAPES:
                    return None
                out.append((_ESCAPES[nxt], (row + 1, col + 1)))
                col += 2
                continue
            out.append((c, (row + 1, col + 1)))
            col += 1

    def single_quoted(self) -> list[tuple[str, tuple[int, int]]] | None:
        out: list[tuple[str, tuple[int, int]]] = []
        row, col = self.row, self.col + 1
        while True:
            line = self.lines[row]
            if col >= len(line):
                row, col = self._fold(out, row)
                continue
            c = line[col]
            if c == "'":
                if col + 1 < len(line) and line[col + 1] == "'":
                    out.append(("'", (row + 1, col + 1)))
                    col += 2
                    continue
                return out
            out.append((c, (row + 1, col + 1)))
            col += 1

    def plain(self, size: int) -> list[tuple[str, tuple[int, int]]]:
        """A plain scalar: to the end of the line (or a comment), folded over the lines that continue it."""
        out: list[tuple[str, tuple[int, int]]] = []
        row, col = self.row, self.col
        while True:
            line = self.lines[row]
            text = re.split(r"\s#", line[col:], maxsplit=1)[0].rstrip()
            out += [(c, (row + 1, col + i + 1)) for i, c in enumerate(text)]
            if len(out) >= size or row + 1 >= len(self.lines):
                return out
            row, col = self._fold(out, row)

    def _fold(self, out: list[tuple[str, tuple[int, int]]], row: int) -> tuple[int, int]:
        """A line break inside a flow scalar: trailing white space dropped, one break a space, empty lines
        line breaks; returns where the next line's text starts."""
        while out and out[-1][0] in " \t" and out[-1][1][0] == row + 1:
            out.pop()
        where = (row + 1, len(self.lines[row]) + 1)
        row += 1
        empty = 0
        while not self.lines[row].strip():
            empty += 1
            row += 1
        out.extend([("\n", where)] * empty if empty else [(" ", where)])
        return row, len(self.lines[row]) - len(self.lines[row].lstrip(" \t"))


def place(inline: Inline, span: Span) -> Span:
    """A span of the inline buildspec's text as the template's span."""
    if inline.positions is None or not inline.positions:
        return inline.start
    starts = _line_starts(inline.text)

    def offset(line: int, column: int) -> int:
        if line - 1 >= len(starts):
            return len(inline.text)
        return min(starts[line - 1] + column - 1, len(inline.text))

    begin = offset(span.line, span.column)
    end = offset(span.end_line, span.end_column)
    positions = inline.positions
    first = positions[min(begin, len(positions) - 1)]
    if end <= begin:
        return Span(first[0], first[1], first[0], first[1] + 1)
    end = min(end, len(positions))
    last = positions[end - 1]
    # The end is where the next character was written, when on the same line (an escape such as \" is
    # two characters of the template for one of the buildspec).
    following = positions[end] if end < len(positions) else None
    end_column = following[1] if following and following[0] == last[0] and following[1] > last[1] else last[1] + 1
    return Span(first[0], first[1], last[0], end_column)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts
