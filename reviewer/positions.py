"""Positions on demand: libcst keeps none, and a full PositionProvider pass costs as much as the parse.

Code generation walks the tree in source order, so we record ranges only while it runs and stop it as
soon as every node we were asked about has been passed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._position import CodePosition, CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState

from codeward.findings import Span


class _Done(Exception):
    pass


class _Recorder:
    """Stands in for the metadata provider: the codegen state stores ranges in `_computed`."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, CodeRange] = {}


class _State(PositionProvidingCodegenState):
    # Slotted parent: the extra attributes live in a __dict__ of this subclass.
    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = CodePosition(self.line, self.column)
        yield  # an exception (our _Done included) propagates without recording anything
        computed = self.provider._computed  # type: ignore[attr-defined]
        if start_node is not None:
            start = computed[start_node].start
        end = computed[end_node].end if end_node is not None else CodePosition(self.line, self.column)
        computed[node] = CodeRange(start, end)
        remaining: set[int] = self.__dict__["remaining"]
        if id(node) in remaining:
            remaining.discard(id(node))
            if not remaining:
                raise _Done


def positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, Span]:
    """Span of each node (keyed by id), 1-based lines and columns, end column exclusive."""
    wanted = {id(node): node for node in nodes}
    if not wanted:
        return {}
    recorder = _Recorder()
    state = _State(default_indent=module.default_indent, default_newline=module.default_newline, provider=recorder)
    state.__dict__["remaining"] = set(wanted)
    with contextlib.suppress(_Done):
        module._codegen(state)
    out: dict[int, Span] = {}
    for key, node in wanted.items():
        found = recorder._computed.get(node)
        if found is not None:
            out[key] = Span(found.start.line, found.start.column + 1, found.end.line, found.end.column + 1)
    return out
