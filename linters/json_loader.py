"""JSON loading with positions. Accepts // and /* */ comments (for suppression comments), nothing else
beyond RFC 8259: trailing commas and single quotes are reported as the syntax errors they are."""

from __future__ import annotations

import bisect
import re
from json.decoder import scanstring
from typing import Any

from codeward.linters.document import PList, PMap, Problem, duplicate_key

from codeward.findings import Span

MAX_DEPTH = 100
_WS = re.compile(r"(?:[ \t\n\r]+|//[^\n]*|/\*.*?\*/)*", re.S)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class JSONSyntaxError(Exception):
    def __init__(self, message: str, offset: int, code: str = "CWF001") -> None:
        super().__init__(message)
        self.offset = offset
        self.code = code


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.problems: list[Problem] = []

    def pos(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.pos(start)
        end_line, end_col = self.pos(max(end, start + 1))
        return Span(line, col, end_line, end_col)

    def skip(self, i: int) -> int:
        return _WS.match(self.text, i).end()  # type: ignore[union-attr]

    def value(self, i: int, depth: int) -> tuple[Any, int]:
        text = self.text
        if i >= len(text):
            raise JSONSyntaxError("unexpected end of file, expected a value", i)
        ch = text[i]
        if ch == '"':
            try:
                return scanstring(text, i + 1, True)
            except ValueError as exc:
                raise JSONSyntaxError(f"invalid string: {str(exc).split(':')[0]}", getattr(exc, "pos", i)) from None
        if ch in "{[":
            if depth >= MAX_DEPTH:
                raise JSONSyntaxError(f"nesting deeper than {MAX_DEPTH} levels", i, "CWF008")
            return self.obj(i, depth + 1) if ch == "{" else self.arr(i, depth + 1)
        match = _NUMBER.match(text, i)
        if match and match.end() > i:
            number = match.group()
            return (float(number) if match.group(1) or match.group(2) else int(number)), match.end()
        for word, literal in _LITERALS.items():
            if text.startswith(word, i):
                return literal, i + len(word)
        if ch == "'":
            raise JSONSyntaxError("strings must use double quotes in JSON", i)
        raise JSONSyntaxError(f"unexpected character {ch!r}, expected a value", i)

    def _missing(self, value_end: int, found: int, closer: str) -> JSONSyntaxError:
        """A comma missing between two values on different lines belongs to the end of the first one."""
        if "\n" in self.text[value_end:found] and found < len(self.text) and self.text[found] in '"{[0123456789-tfn':
            return JSONSyntaxError("missing ',' after this value", value_end)
        return JSONSyntaxError(f"expected ',' or '{closer}' after a value", found)

    def obj(self, start: int, depth: int) -> tuple[PMap, int]:
        text = self.text
        result = PMap(Span(0, 0, 0, 0))
        i = self.skip(start + 1)
        if text.startswith("}", i):
            result.span = self.span(start, i + 1)
            return result, i + 1
        while True:
            if not text.startswith('"', i):
                raise JSONSyntaxError(
                    "trailing comma before '}'" if text.startswith("}", i) else "expected a double-quoted key", i
                )
            key, key_end = self.value(i, depth)
            key_span = self.span(i, key_end)
            i = self.skip(key_end)
            if not text.startswith(":", i):
                raise JSONSyntaxError("expected ':' after the key", i)
            i = self.skip(i + 1)
            value_start = i
            value, i = self.value(i, depth)
            if key in result:
                self.problems.append(duplicate_key(key, result, value, key_span))
            result.put(key, key_span, value, self.span(value_start, i))
            value_end, i = i, self.skip(i)
            if text.startswith(",", i):
                i = self.skip(i + 1)
                continue
            if text.startswith("}", i):
                result.span = self.span(start, i + 1)
                return result, i + 1
            raise self._missing(value_end, i, "}")

    def arr(self, start: int, depth: int) -> tuple[PList, int]:
        text = self.text
        result = PList(Span(0, 0, 0, 0))
        i = self.skip(start + 1)
        if text.startswith("]", i):
            result.span = self.span(start, i + 1)
            return result, i + 1
        while True:
            if text.startswith("]", i):
                raise JSONSyntaxError("trailing comma before ']'", i)
            value_start = i
            value, i = self.value(i, depth)
            result.put(value, self.span(value_start, i))
            value_end, i = i, self.skip(i)
            if text.startswith(",", i):
                i = self.skip(i + 1)
                continue
            if text.startswith("]", i):
                result.span = self.span(start, i + 1)
                return result, i + 1
            raise self._missing(value_end, i, "]")


def load_json(text: str) -> tuple[Any, list[Problem]]:
    parser = _Parser(text)
    try:
        i = parser.skip(0)
        if i >= len(text):
            return None, []
        data, end = parser.value(i, 0)
        end = parser.skip(end)
        if end < len(text):
            raise JSONSyntaxError("extra data after the top-level value", end)
    except JSONSyntaxError as exc:
        line, col = parser.pos(min(exc.offset, len(text)))
        message = f"JSON syntax error: {exc}" if exc.code == "CWF001" else str(exc)
        return None, [*parser.problems, Problem(exc.code, message, Span.point(line, col))]
    return data, parser.problems
