"""Positions on demand: libcst keeps none, and a full PositionProvider pass costs as much as the parse.

Code generation walks the tree in source order, so we record ranges only while it runs and stop it as
soon as every node we were asked about has been passed. The state below counts lines and columns itself
and keeps no generated text: libcst's own position state splits every token with a regular expression
and keeps every token, which made positions a fifth of a review's time on large files.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState

from codeward.findings import Span

# What libcst's code generation counts as a line break (a lone carriage return too).
_NEWLINE = re.compile(r"\r\n?|\n")

Range = tuple[int, int, int, int]  # start line (1-based), start column (0-based), end line, end column


class _Done(Exception):
    pass


class _State(CodegenState):
    """Same ranges as libcst's PositionProvider: a node that records its syntactic position (without the
    whitespace it owns) keeps that one; any other node gets the range of everything it generated."""

    # Slotted parent: these attributes live in a __dict__ of this subclass.
    def __init__(self, module: cst.Module, wanted: set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = 1
        self.column = 0
        self.stack: list[tuple[int, int]] = []
        self.computed: dict[int, Range] = {}  # by id: libcst nodes hash in Python
        self.remaining = wanted

    def _advance(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def add_token(self, value: str) -> None:
        self._advance(value)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self._advance(token)

    def pop_trailing_newline(self) -> None:
        pass  # only ever at the very end of the module, after every position we could want

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        line, column = self.stack.pop()
        key = id(node)
        if key not in self.computed:
            self._record(key, (line, column, self.line, self.column))

    def _record(self, key: int, where: Range) -> None:
        self.computed[key] = where
        remaining = self.remaining
        if key in remaining:
            remaining.discard(key)
            if not remaining:
                raise _Done

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        line, column = self.line, self.column
        yield  # an exception (our _Done included) propagates without recording anything
        if start_node is not None:
            line, column = self.computed[id(start_node)][:2]
        end = self.computed[id(end_node)][2:] if end_node is not None else (self.line, self.column)
        self._record(id(node), (line, column, *end))


def positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, Span]:
    """Span of each node (keyed by id), 1-based lines and columns, end column exclusive."""
    wanted = {id(node): node for node in nodes}  # the nodes kept alive while their ids are keys
    if not wanted:
        return {}
    state = _State(module, set(wanted))
    with contextlib.suppress(_Done):
        module._codegen(state)
    out: dict[int, Span] = {}
    for key in wanted:
        found = state.computed.get(key)
        if found is not None:
            line, column, end_line, end_column = found
            out[key] = Span(line, column + 1, end_line, end_column + 1)
    return out
