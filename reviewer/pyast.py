"""CPython's own parser, run once per file for everything that needs it (the pre-check before libcst, the
classifier's secret candidates), and the pre-check itself: pathological nesting and chains are refused
before libcst's native parser, whose time and memory grow with the square of a chain's length, sees them.

A chain (`a + a + ... + a`, `a.b.c...`, `f()()()...`, `- - - a`, `lambda: lambda: ...`) is a nested
expression in the tree, so one measure covers both: the depth of the deepest expression. Only statements
long enough to reach the limit are walked (an expression `MAX_DEPTH` deep needs at least `MAX_DEPTH`
characters), so ordinary files cost one `ast.parse`, which the classifier needed anyway.
"""

from __future__ import annotations

import ast
import contextlib
import itertools
import sys
from collections.abc import Iterator

# Deeper than any hand-written expression by far; libcst parses a 1,000-long chain in a few hundredths of
# a second and a 5,000-long one in seconds, with memory to match (measured in reviewer/README figures).
MAX_DEPTH = 1000

_LAST: list[tuple[str, str, object]] = []


def parse(text: str, path: str | None = None) -> ast.Module:
    """`ast.parse(text)`, remembered for the last text (the same file's pre-check, libcst's cuts and the
    classifier); the exception it raised is raised again. Without a path, any remembered parse of the text
    will do (the path only names the file in a SyntaxError)."""
    if _LAST and _LAST[0][0] is text and (path is None or _LAST[0][1] == path):
        found = _LAST[0][2]
    else:
        path = path or "<unknown>"
        try:
            with cpython_limits():
                found = ast.parse(text, path)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            found = exc
        _LAST[:] = [(text, path, found)]
    if isinstance(found, BaseException):
        raise found
    return found  # type: ignore[return-value]


def forget(text: str) -> None:
    """Let the remembered tree of `text` go before libcst parses a large file (a 420 KB module's tree is 54 MiB;
    the classifier parses the text again, after libcst's tree is gone)."""
    if _LAST and _LAST[0][0] is text:
        _LAST.clear()


@contextlib.contextmanager
def cpython_limits() -> Iterator[None]:
    """The interpreter's default recursion limit while CPython's own parser or compiler runs: they scale
    their C recursion guard with it (3.11), and a review raises it for libcst's Python recursion, which
    would let a deep enough input overflow the C stack instead of raising RecursionError."""
    limit = sys.getrecursionlimit()
    if limit > DEFAULT_RECURSION:
        sys.setrecursionlimit(DEFAULT_RECURSION)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


DEFAULT_RECURSION = 1000


_COMPOUND = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While, ast.With,
    ast.AsyncWith, ast.Try, getattr(ast, "TryStar", ast.Try), getattr(ast, "Match", ast.If),
)  # fmt: skip
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def too_deep(tree: ast.Module, text: str, limit: int = MAX_DEPTH) -> tuple[int, int, int] | None:
    """(line, column, depth) of an expression nested deeper than `limit`, or None."""
    starts = [0, *itertools.accumulate(len(line) + 1 for line in text.split("\n"))]

    def length(node: ast.AST) -> int:
        line, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", None)
        if not line or end is None:
            return limit + 1  # no position: walk it
        return starts[end - 1] + (node.end_col_offset or 0) - starts[line - 1] - node.col_offset

    statements: list[ast.AST] = list(tree.body)
    while statements:
        statement = statements.pop()
        if isinstance(statement, _COMPOUND):
            for name in _BODIES:
                for child in getattr(statement, name, None) or ():
                    statements += getattr(child, "body", None) or [] if name in ("handlers", "cases") else [child]
            parts = [
                child
                for name, value in ast.iter_fields(statement)
                if name not in _BODIES
                for child in (value if isinstance(value, list) else [value])
                if isinstance(child, ast.AST)
            ]
        else:
            parts = [statement]
        for part in parts:
            if length(part) > limit:
                found = _deepest(part, limit)
                if found is not None:
                    return found
    return None


def _deepest(root: ast.AST, limit: int) -> tuple[int, int, int] | None:
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1, depth
        stack += [(child, depth + 1) for child in ast.iter_child_nodes(node)]
    return None


_DEPTH_KEYWORDS = frozenset({"not", "lambda", "await", "if", "else", "and", "or", "in", "is", "yield"})
_NOT_DEEPENING = frozenset({",", ";", ":", "=", ")", "]", "}", "->", ":="})


def longest_chain(text: str) -> int:
    """For a file CPython cannot parse (it may be newer syntax than this interpreter knows): the most
    operators and nesting keywords in one logical line, an upper bound of its expressions' depth, from the
    tokenizer alone (what it could read before an error)."""
    import io
    import tokenize

    longest = count = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                longest, count = max(longest, count), 0
            elif (token.type == tokenize.OP and token.string not in _NOT_DEEPENING) or (
                token.type == tokenize.NAME and token.string in _DEPTH_KEYWORDS
            ):
                count += 1
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    return max(longest, count)
