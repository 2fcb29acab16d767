"""Control-flow graphs of function and module bodies, built from libcst statements.

A block holds elements that run in order; edges leave a block unconditionally, or on one outcome of a test
(`if`, `while`, `assert`, a comprehension's `if`, a `case` pattern), which the analysis uses to refine what
it knows on each side (`if x in ALLOWED:` clears `x` on the true edge only). Loops are back edges;
`break`, `continue`, `return`, `raise` and calls that never return (`abort()`, `sys.exit()`) end their block.
Statements inside `try` may raise: each gets an edge to the handlers, so a handler sees every state the body
passed through.

Elements, and the node each is keyed by (queries find the state before the nearest such node):
- ("stmt", small statement): assignments, expressions, return, raise, del, imports;
- ("test", expression): an `if`/`while`/`assert`/`elif` test, a `match` subject, a `case` guard;
- ("iter", For): evaluates the iterable once, before the loop;  ("for", For): binds the target each turn;
- ("with", WithItem): evaluates the context manager and binds `as`;
- ("except", ExceptHandler): binds `as` to the exception;  ("case", MatchCase): binds the pattern's names;
- ("def", FunctionDef | ClassDef): binds the name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

# Edge conditions: None (always), ("if", expr, outcome), ("loop", For, outcome), ("case", MatchCase, subject, outcome).
Cond = tuple | None


@dataclass(slots=True)
class Block:
    index: int
    elements: list[tuple[str, cst.CSTNode]] = field(default_factory=list)
    succ: list[tuple[int, Cond]] = field(default_factory=list)
    preds: list[tuple[int, Cond]] = field(default_factory=list)


@dataclass(slots=True)
class CFG:
    blocks: list[Block]
    entry: int
    exit: int  # normal end and `return`
    raise_exit: int  # exceptions that leave the function
    yields: bool = False
    subjects: dict[int, cst.BaseExpression] = field(default_factory=dict)  # id(MatchCase) -> the match subject


def element_key(kind: str, node: cst.CSTNode) -> int:
    """The id a query finds an element's state under."""
    if kind == "iter":
        return id(node.iter)  # type: ignore[attr-defined]
    if kind == "for":
        return id(node.target)  # type: ignore[attr-defined]
    return id(node)


class _Builder:
    def __init__(self, noreturn: Callable[[cst.Call], bool]) -> None:
        self.blocks: list[Block] = []
        self.noreturn = noreturn
        self.loops: list[tuple[int, int]] = []  # (continue target, break target)
        self.handlers: list[list[int]] = []  # handler entries of the enclosing try bodies, innermost last
        self.exit = 0
        self.raise_exit = 0
        self.yields = False
        self.subjects: dict[int, cst.BaseExpression] = {}

    def new(self) -> Block:
        block = Block(len(self.blocks))
        self.blocks.append(block)
        return block

    def edge(self, a: Block | None, b: Block, cond: Cond = None) -> None:
        if a is None:
            return
        a.succ.append((b.index, cond))
        b.preds.append((a.index, cond))

    def raise_targets(self) -> list[int]:
        return self.handlers[-1] if self.handlers else [self.raise_exit]

    def may_raise(self, cur: Block) -> Block:
        """Inside `try`: what ran so far may be what a handler sees."""
        if not self.handlers:
            return cur
        for target in self.handlers[-1]:
            self.edge(cur, self.blocks[target])
        nxt = self.new()
        self.edge(cur, nxt)
        return nxt

    def build(self, body: Sequence[cst.CSTNode]) -> CFG:
        entry = self.new()
        self.exit = self.new().index
        self.raise_exit = self.new().index
        end = self.stmts(body, entry)
        self.edge(end, self.blocks[self.exit])
        return CFG(self.blocks, entry.index, self.exit, self.raise_exit, self.yields, self.subjects)

    # -- statements -----------------------------------------------------------------------------------

    def stmts(self, body: Sequence[cst.CSTNode], cur: Block | None) -> Block | None:
        for stmt in body:
            if cur is None:
                cur = self.new()  # unreachable code: no predecessor, so no state
            cur = self.stmt(stmt, cur)
        return cur

    def suite(self, suite: cst.BaseSuite, cur: Block | None) -> Block | None:
        return self.stmts(suite.body, cur)  # type: ignore[arg-type]

    def stmt(self, stmt: cst.CSTNode, cur: Block) -> Block | None:
        if isinstance(stmt, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            for small in stmt.body:
                if cur is None:
                    cur = self.new()
                cur = self.small(small, cur)
            return cur
        if isinstance(stmt, cst.If):
            return self.if_(stmt, cur)
        if isinstance(stmt, cst.While):
            return self.while_(stmt, cur)
        if isinstance(stmt, cst.For):
            return self.for_(stmt, cur)
        if isinstance(stmt, cst.With):
            for item in stmt.items:
                cur.elements.append(("with", item))
            cur = self.may_raise(cur)
            return self.suite(stmt.body, cur)
        if isinstance(stmt, cst.Try | cst.TryStar):
            return self.try_(stmt, cur)
        if isinstance(stmt, cst.Match):
            return self.match(stmt, cur)
        if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            cur.elements.append(("def", stmt))
            return cur
        return cur

    def small(self, stmt: cst.BaseSmallStatement, cur: Block) -> Block | None:
        if isinstance(stmt, cst.Return):
            cur.elements.append(("stmt", stmt))
            self.edge(cur, self.blocks[self.exit])
            return None
        if isinstance(stmt, cst.Raise):
            cur.elements.append(("stmt", stmt))
            for target in self.raise_targets():
                self.edge(cur, self.blocks[target])
            return None
        if isinstance(stmt, cst.Break):
            if self.loops:
                self.edge(cur, self.blocks[self.loops[-1][1]])
            return None
        if isinstance(stmt, cst.Continue):
            if self.loops:
                self.edge(cur, self.blocks[self.loops[-1][0]])
            return None
        if isinstance(stmt, cst.Assert):
            cur.elements.append(("test", stmt.test))
            ok = self.new()
            self.edge(cur, ok, ("if", stmt.test, True))
            for target in self.raise_targets():
                self.edge(cur, self.blocks[target], ("if", stmt.test, False))
            return ok
        cur.elements.append(("stmt", stmt))
        if _has_yield(stmt):
            self.yields = True
        if isinstance(stmt, cst.Expr) and isinstance(stmt.value, cst.Call) and self.noreturn(stmt.value):
            for target in self.raise_targets():
                self.edge(cur, self.blocks[target])
            return None
        return self.may_raise(cur)

    def if_(self, stmt: cst.If, cur: Block) -> Block | None:
        cur.elements.append(("test", stmt.test))
        then = self.new()
        self.edge(cur, then, ("if", stmt.test, True))
        ends = [self.suite(stmt.body, then)]
        other = self.new()
        self.edge(cur, other, ("if", stmt.test, False))
        if isinstance(stmt.orelse, cst.If):
            ends.append(self.if_(stmt.orelse, other))
        elif isinstance(stmt.orelse, cst.Else):
            ends.append(self.suite(stmt.orelse.body, other))
        else:
            ends.append(other)
        return self._join(ends)

    def _join(self, ends: list[Block | None]) -> Block | None:
        live = [end for end in ends if end is not None]
        if not live:
            return None
        after = self.new()
        for end in live:
            self.edge(end, after)
        return after

    def while_(self, stmt: cst.While, cur: Block) -> Block | None:
        head = self.new()
        self.edge(cur, head)
        head.elements.append(("test", stmt.test))
        body = self.new()
        self.edge(head, body, ("if", stmt.test, True))
        after = self.new()
        exhausted = self.new()
        self.edge(head, exhausted, ("if", stmt.test, False))
        self.loops.append((head.index, after.index))
        self.edge(self.suite(stmt.body, body), head)
        self.loops.pop()
        end = self.suite(stmt.orelse.body, exhausted) if stmt.orelse is not None else exhausted
        self.edge(end, after)
        return after if after.preds else None

    def for_(self, stmt: cst.For, cur: Block) -> Block | None:
        cur.elements.append(("iter", stmt))
        head = self.new()
        self.edge(cur, head)
        body = self.new()
        body.elements.append(("for", stmt))
        self.edge(head, body, ("loop", stmt, True))
        after = self.new()
        exhausted = self.new()
        self.edge(head, exhausted, ("loop", stmt, False))
        self.loops.append((head.index, after.index))
        self.edge(self.suite(stmt.body, body), head)
        self.loops.pop()
        end = self.suite(stmt.orelse.body, exhausted) if stmt.orelse is not None else exhausted
        self.edge(end, after)
        return after if after.preds else None

    def try_(self, stmt: cst.Try | cst.TryStar, cur: Block) -> Block | None:
        entries = [self.new() for _ in stmt.handlers]
        for entry in entries:
            self.edge(cur, entry)
        start = self.new()
        self.edge(cur, start)
        if entries:
            self.handlers.append([e.index for e in entries])
        end = self.suite(stmt.body, start)
        if entries:
            self.handlers.pop()
        ends: list[Block | None] = []
        if stmt.orelse is not None and end is not None:
            other = self.new()
            self.edge(end, other)
            end = self.suite(stmt.orelse.body, other)
        ends.append(end)
        for entry, handler in zip(entries, stmt.handlers, strict=True):
            entry.elements.append(("except", handler))
            ends.append(self.suite(handler.body, entry))
        if stmt.finalbody is None:
            return self._join(ends)
        fin = self.new()
        for e in ends:
            self.edge(e, fin)
        if not fin.preds:
            # Every path left by return or raise: the finally block still runs, then leaves the same way.
            self.edge(cur, fin)
            end = self.suite(stmt.finalbody.body, fin)
            self.edge(end, self.blocks[self.exit])
            return None
        return self.suite(stmt.finalbody.body, fin)

    def match(self, stmt: cst.Match, cur: Block) -> Block | None:
        cur.elements.append(("test", stmt.subject))
        ends: list[Block | None] = []
        source = cur
        for case in stmt.cases:
            entry = self.new()
            self.edge(source, entry, ("case", case, stmt.subject, True))
            entry.elements.append(("case", case))
            self.subjects[id(case)] = stmt.subject
            fail = self.new()
            self.edge(source, fail, ("case", case, stmt.subject, False))
            body_start = entry
            if case.guard is not None:
                entry.elements.append(("test", case.guard))
                body_start = self.new()
                self.edge(entry, body_start, ("if", case.guard, True))
                self.edge(entry, fail, ("if", case.guard, False))
            ends.append(self.suite(case.body, body_start))
            source = fail
        ends.append(source)
        return self._join(ends)


def _has_yield(stmt: cst.CSTNode) -> bool:
    value = getattr(stmt, "value", None)
    if isinstance(value, cst.Await):
        value = value.expression
    return isinstance(value, cst.Yield)


def build_cfg(body: Sequence[cst.CSTNode], noreturn: Callable[[cst.Call], bool]) -> CFG:
    return _Builder(noreturn).build(body)
