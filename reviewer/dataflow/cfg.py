"""Control-flow graphs of function and module bodies, built from libcst statements or from CPython's `ast`.

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
From `ast`, the same elements hold `ast`'s nodes (`withitem`, `match_case`, `AsyncFor` as a `For`...).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

# Edge conditions: None (always), ("if", expr, outcome), ("loop", For, outcome), ("case", MatchCase, subject, outcome).
Cond = tuple | None


@dataclass(slots=True)
class Block:
    index: int
    elements: list[tuple[str, Any]] = field(default_factory=list)
    succ: list[tuple[int, Cond]] = field(default_factory=list)
    preds: list[tuple[int, Cond]] = field(default_factory=list)


@dataclass(slots=True)
class CFG:
    blocks: list[Block]
    entry: int
    exit: int  # normal end and `return`
    raise_exit: int  # exceptions that leave the function
    yields: bool = False
    subjects: dict[int, Any] = field(default_factory=dict)  # id(MatchCase) -> the match subject


def element_key(kind: str, node: Any) -> int:
    """The id a query finds an element's state under."""
    if kind == "iter":
        return id(node.iter)  # type: ignore[attr-defined]
    if kind == "for":
        return id(node.target)  # type: ignore[attr-defined]
    return id(node)


class _Tree:
    """What the builder reads of one kind of tree, so that one builder serves both. The fields that hold a node
    or a list of nodes under the same name in both trees (`test`, `iter`, `target`, `items`, `handlers`,
    `cases`, `subject`, `guard`) are read directly; what differs is here: the statement kinds, where a body's
    statements are, the `else` and `finally` parts, and whether simple statements stand in a body themselves
    (`ast`) or inside a line (libcst's `SimpleStatementLine`, several when separated by `;`)."""

    kinds: dict[type, str]
    flat: bool

    def body(self, node: Any) -> Sequence[Any]:
        raise NotImplementedError

    def orelse(self, stmt: Any) -> Sequence[Any]:
        """The `else` statements of an `if`, a loop or a `try`, empty without one; an `elif` is an `if`
        statement alone in the `else` (the graph is the same either way)."""
        raise NotImplementedError

    def finalbody(self, stmt: Any) -> Sequence[Any]:
        raise NotImplementedError

    def smalls(self, line: Any) -> Sequence[Any]:
        return line.body

    def call(self, stmt: Any) -> Any:
        """The call an expression statement is, if it is one."""
        raise NotImplementedError

    def yields(self, stmt: Any) -> bool:
        raise NotImplementedError


class _Libcst(_Tree):
    kinds = {
        cst.SimpleStatementLine: "simple", cst.SimpleStatementSuite: "simple", cst.If: "if", cst.While: "while",
        cst.For: "for", cst.With: "with", cst.Try: "try", cst.TryStar: "try", cst.Match: "match",
        cst.FunctionDef: "def", cst.ClassDef: "def", cst.Return: "return", cst.Raise: "raise",
        cst.Break: "break", cst.Continue: "continue", cst.Assert: "assert",
    }  # fmt: skip
    flat = False

    def body(self, node: Any) -> Sequence[Any]:
        suite = node.body
        # A body on the header's line (`if x: y = 1`) is one `SimpleStatementSuite` holding small statements.
        return (suite,) if type(suite) is cst.SimpleStatementSuite else suite.body

    def orelse(self, stmt: Any) -> Sequence[Any]:
        orelse = stmt.orelse
        if orelse is None:
            return ()
        if type(orelse) is cst.If:
            return (orelse,)
        return self.body(orelse)

    def finalbody(self, stmt: Any) -> Sequence[Any]:
        return self.body(stmt.finalbody) if stmt.finalbody is not None else ()

    def call(self, stmt: Any) -> Any:
        if type(stmt) is cst.Expr and type(stmt.value) is cst.Call:
            return stmt.value
        return None

    def yields(self, stmt: Any) -> bool:
        value = getattr(stmt, "value", None)
        if type(value) is cst.Await:
            value = value.expression
        return type(value) is cst.Yield


class _Ast(_Tree):
    kinds = {
        ast.If: "if", ast.While: "while", ast.For: "for", ast.AsyncFor: "for", ast.With: "with",
        ast.AsyncWith: "with", ast.Try: "try", ast.Match: "match", ast.FunctionDef: "def",
        ast.AsyncFunctionDef: "def", ast.ClassDef: "def", ast.Return: "return", ast.Raise: "raise",
        ast.Break: "break", ast.Continue: "continue", ast.Assert: "assert",
    }  # fmt: skip
    if hasattr(ast, "TryStar"):  # 3.11
        kinds[ast.TryStar] = "try"
    flat = True

    def body(self, node: Any) -> Sequence[Any]:
        return node.body

    def orelse(self, stmt: Any) -> Sequence[Any]:
        return stmt.orelse

    def finalbody(self, stmt: Any) -> Sequence[Any]:
        return stmt.finalbody

    def call(self, stmt: Any) -> Any:
        if type(stmt) is ast.Expr and type(stmt.value) is ast.Call:
            return stmt.value
        return None

    def yields(self, stmt: Any) -> bool:
        value = getattr(stmt, "value", None)
        if type(value) is ast.Await:
            value = value.value
        return type(value) is ast.Yield or type(value) is ast.YieldFrom


LIBCST: _Tree = _Libcst()
AST: _Tree = _Ast()


class _Builder:
    def __init__(self, noreturn: Callable[[Any], bool], tree: _Tree) -> None:
        self.blocks: list[Block] = []
        self.noreturn = noreturn
        self.tree = tree
        self.loops: list[tuple[int, int]] = []  # (continue target, break target)
        self.handlers: list[list[int]] = []  # handler entries of the enclosing try bodies, innermost last
        self.exit = 0
        self.raise_exit = 0
        self.yields = False
        self.subjects: dict[int, Any] = {}

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

    def build(self, body: Sequence[Any]) -> CFG:
        entry = self.new()
        self.exit = self.new().index
        self.raise_exit = self.new().index
        end = self.stmts(body, entry)
        self.edge(end, self.blocks[self.exit])
        return CFG(self.blocks, entry.index, self.exit, self.raise_exit, self.yields, self.subjects)

    # -- statements -----------------------------------------------------------------------------------

    def stmts(self, body: Sequence[Any], cur: Block | None) -> Block | None:
        for stmt in body:
            if cur is None:
                cur = self.new()  # unreachable code: no predecessor, so no state
            cur = self.stmt(stmt, cur)
        return cur

    def stmt(self, stmt: Any, cur: Block) -> Block | None:
        tree = self.tree
        kind = tree.kinds.get(type(stmt))
        if kind == "simple":
            for small in tree.smalls(stmt):
                if cur is None:
                    cur = self.new()
                cur = self.small(small, cur)
            return cur
        if kind == "if":
            return self.if_(stmt, cur)
        if kind == "while":
            return self.while_(stmt, cur)
        if kind == "for":
            return self.for_(stmt, cur)
        if kind == "with":
            for item in stmt.items:
                cur.elements.append(("with", item))
            cur = self.may_raise(cur)
            return self.stmts(tree.body(stmt), cur)
        if kind == "try":
            return self.try_(stmt, cur)
        if kind == "match":
            return self.match(stmt, cur)
        if kind == "def":
            cur.elements.append(("def", stmt))
            return cur
        return self.small(stmt, cur) if tree.flat else cur

    def small(self, stmt: Any, cur: Block) -> Block | None:
        kind = self.tree.kinds.get(type(stmt))
        if kind == "return":
            cur.elements.append(("stmt", stmt))
            self.edge(cur, self.blocks[self.exit])
            return None
        if kind == "raise":
            cur.elements.append(("stmt", stmt))
            for target in self.raise_targets():
                self.edge(cur, self.blocks[target])
            return None
        if kind == "break":
            if self.loops:
                self.edge(cur, self.blocks[self.loops[-1][1]])
            return None
        if kind == "continue":
            if self.loops:
                self.edge(cur, self.blocks[self.loops[-1][0]])
            return None
        if kind == "assert":
            cur.elements.append(("test", stmt.test))
            ok = self.new()
            self.edge(cur, ok, ("if", stmt.test, True))
            for target in self.raise_targets():
                self.edge(cur, self.blocks[target], ("if", stmt.test, False))
            return ok
        cur.elements.append(("stmt", stmt))
        if self.tree.yields(stmt):
            self.yields = True
        call = self.tree.call(stmt)
        if call is not None and self.noreturn(call):
            for target in self.raise_targets():
                self.edge(cur, self.blocks[target])
            return None
        return self.may_raise(cur)

    def if_(self, stmt: Any, cur: Block) -> Block | None:
        cur.elements.append(("test", stmt.test))
        then = self.new()
        self.edge(cur, then, ("if", stmt.test, True))
        ends = [self.stmts(self.tree.body(stmt), then)]
        other = self.new()
        self.edge(cur, other, ("if", stmt.test, False))
        ends.append(self.stmts(self.tree.orelse(stmt), other))
        return self._join(ends)

    def _join(self, ends: list[Block | None]) -> Block | None:
        live = [end for end in ends if end is not None]
        if not live:
            return None
        after = self.new()
        for end in live:
            self.edge(end, after)
        return after

    def while_(self, stmt: Any, cur: Block) -> Block | None:
        head = self.new()
        self.edge(cur, head)
        head.elements.append(("test", stmt.test))
        body = self.new()
        self.edge(head, body, ("if", stmt.test, True))
        after = self.new()
        exhausted = self.new()
        self.edge(head, exhausted, ("if", stmt.test, False))
        self.loops.append((head.index, after.index))
        self.edge(self.stmts(self.tree.body(stmt), body), head)
        self.loops.pop()
        self.edge(self.stmts(self.tree.orelse(stmt), exhausted), after)
        return after if after.preds else None

    def for_(self, stmt: Any, cur: Block) -> Block | None:
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
        self.edge(self.stmts(self.tree.body(stmt), body), head)
        self.loops.pop()
        self.edge(self.stmts(self.tree.orelse(stmt), exhausted), after)
        return after if after.preds else None

    def try_(self, stmt: Any, cur: Block) -> Block | None:
        tree = self.tree
        entries = [self.new() for _ in stmt.handlers]
        for entry in entries:
            self.edge(cur, entry)
        start = self.new()
        self.edge(cur, start)
        if entries:
            self.handlers.append([e.index for e in entries])
        end = self.stmts(tree.body(stmt), start)
        if entries:
            self.handlers.pop()
        ends: list[Block | None] = []
        orelse = tree.orelse(stmt)
        if orelse and end is not None:
            other = self.new()
            self.edge(end, other)
            end = self.stmts(orelse, other)
        ends.append(end)
        for entry, handler in zip(entries, stmt.handlers, strict=True):
            entry.elements.append(("except", handler))
            ends.append(self.stmts(tree.body(handler), entry))
        finalbody = tree.finalbody(stmt)
        if not finalbody:
            return self._join(ends)
        fin = self.new()
        for e in ends:
            self.edge(e, fin)
        if not fin.preds:
            # Every path left by return or raise: the finally block still runs, then leaves the same way.
            self.edge(cur, fin)
            end = self.stmts(finalbody, fin)
            self.edge(end, self.blocks[self.exit])
            return None
        return self.stmts(finalbody, fin)

    def match(self, stmt: Any, cur: Block) -> Block | None:
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
            ends.append(self.stmts(self.tree.body(case), body_start))
            source = fail
        ends.append(source)
        return self._join(ends)


def build_cfg(body: Sequence[Any], noreturn: Callable[[Any], bool], tree: _Tree = LIBCST) -> CFG:
    """The graph of `body`, statements of libcst's tree (the default) or of CPython's `ast` (`tree=AST`): the
    same blocks, elements and edges for the same code, each holding the nodes of its own tree
    (`tests/test_dataflow_ast.py` compares the two on the standard library's modules)."""
    return _Builder(noreturn, tree).build(body)
