"""The data flow reading CPython's `ast` (bench/reviewer/ast-move.md step 1), each piece giving what it gives from
libcst's tree: the control-flow graph (block for block, edge for edge, each element and condition holding the
same code) and constant folding."""

from __future__ import annotations

import ast
import sysconfig
import textwrap
from pathlib import Path
from typing import Any

import libcst
import pytest
from codeward.reviewer.dataflow import fold
from codeward.reviewer.dataflow.cfg import AST, CFG, LIBCST, build_cfg
from codeward.reviewer.dataflow.nodes import children

STDLIB = Path(sysconfig.get_paths()["stdlib"])
NORETURN = frozenset({"sys.exit", "abort", "os._exit"})

EVERY_FORM = textwrap.dedent(
    """\
    import sys
    x = 1; y = 2
    if x: pass
    def f(a, b):
        if a:
            return 1
        elif b:
            a = 2
        else:
            if a > b:
                b = 3
        while a:
            if b: break
            if a: continue
            a -= 1
        else:
            b = 1
        for i, (j, k) in enumerate(a):
            if i: break
        else:
            i = 0
        try:
            g()
            h()
        except (KeyError, ValueError) as error:
            raise
        except Exception:
            sys.exit(1)
        else:
            x = 1
        finally:
            y = 2
        try:
            return a
        finally:
            log(a)
        try:
            pass
        except* OSError as group:
            abort()
        assert a, "message"
        with open(a) as handle, lock:
            s = t = [q for q in handle if (r := q)]
        match a:
            case [b, *c] if (d := b):
                e = d
            case {"k": h, **rest}:
                return h
            case Point(x=0) | None:
                pass
            case _:
                raise ValueError(a)
        x = yield a
        y = yield from b
        lambda: (yield)
        class C:
            attr = 1
            def m(self): return (yield)
        os._exit(0); unreachable()
    async def g(a):
        async with a as b:
            await b
        async for c in a:
            await (yield c)
        return await a
    while True:
        pass
    """
)


def _expr(module: libcst.Module, node: Any) -> str:
    return ast.unparse(ast.parse("(" + module.code_for_node(node) + "\n)", mode="eval").body)


def _libcst_sig(module: libcst.Module, kind: str, node: Any) -> tuple:
    if kind == "stmt":
        return (kind, ast.unparse(ast.parse(module.code_for_node(node)).body[0]))
    if kind == "test":
        return (kind, _expr(module, node))
    if kind == "iter":
        return (kind, _expr(module, node.iter))
    if kind == "for":
        return (kind, _expr(module, node.target))
    if kind == "with":
        target = _expr(module, node.asname.name) if node.asname is not None else None
        return (kind, _expr(module, node.item), target)
    if kind == "except":
        name = node.name.name.value if node.name is not None else None
        return (kind, _expr(module, node.type) if node.type is not None else None, name)
    if kind == "case":
        match = ast.parse("match _:\n case " + module.code_for_node(node.pattern) + ":\n  pass").body[0]
        return (kind, ast.unparse(match.cases[0].pattern))  # type: ignore[attr-defined]
    assert kind == "def"
    return (kind, node.name.value)


def _ast_sig(kind: str, node: Any) -> tuple:
    if kind in ("stmt", "test"):
        return (kind, ast.unparse(node))
    if kind == "iter":
        return (kind, ast.unparse(node.iter))
    if kind == "for":
        return (kind, ast.unparse(node.target))
    if kind == "with":
        target = ast.unparse(node.optional_vars) if node.optional_vars is not None else None
        return (kind, ast.unparse(node.context_expr), target)
    if kind == "except":
        return (kind, ast.unparse(node.type) if node.type is not None else None, node.name)
    if kind == "case":
        return (kind, ast.unparse(node.pattern))
    assert kind == "def"
    return (kind, node.name)


def _cond(cond: tuple | None, sig: Any) -> tuple | None:
    if cond is None:
        return None
    if cond[0] == "if":
        return ("if", sig("test", cond[1]), cond[2])
    if cond[0] == "loop":
        return ("loop", sig("for", cond[1]), cond[2])
    return ("case", sig("case", cond[1]), sig("test", cond[2]), cond[3])


def _shape(cfg: CFG, sig: Any) -> tuple:
    blocks = tuple(
        (
            tuple(sig(kind, node) for kind, node in block.elements),
            tuple((succ, _cond(cond, sig)) for succ, cond in block.succ),
            tuple((pred, _cond(cond, sig)) for pred, cond in block.preds),
        )
        for block in cfg.blocks
    )
    subjects = sorted(sig("test", subject) for subject in cfg.subjects.values())
    return blocks, cfg.entry, cfg.exit, cfg.raise_exit, cfg.yields, subjects


def _dotted(node: Any, name: type, attribute: type, attr: Any, base: Any) -> str | None:
    parts = []
    while type(node) is attribute:
        parts.append(attr(node))
        node = base(node)
    return ".".join([node.value if name is libcst.Name else node.id, *reversed(parts)]) if type(node) is name else None


def _libcst_noreturn(call: libcst.Call) -> bool:
    return _dotted(call.func, libcst.Name, libcst.Attribute, lambda n: n.attr.value, lambda n: n.value) in NORETURN


def _ast_noreturn(call: ast.Call) -> bool:
    return _dotted(call.func, ast.Name, ast.Attribute, lambda n: n.attr, lambda n: n.value) in NORETURN


def _libcst_bodies(module: libcst.Module) -> list[tuple[str, Any]]:
    """The module's body, then every function's and class's body, in source order."""
    out: list[tuple[str, Any]] = [("<module>", module.body)]
    stack: list[Any] = list(reversed(module.body))
    while stack:
        node = stack.pop()
        if type(node) in (libcst.FunctionDef, libcst.ClassDef):
            out.append((node.name.value, LIBCST.body(node)))  # as the analysis reads it
        stack.extend(reversed(children(node)))
    return out


def _ast_bodies(module: ast.Module) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("<module>", module.body)]
    stack: list[Any] = list(reversed(module.body))
    while stack:
        node = stack.pop()
        if type(node) in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            out.append((node.name, node.body))
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return out


@pytest.mark.parametrize("name", ["<every form>", "argparse.py", "tarfile.py", "enum.py", "typing.py"])
def test_the_graph_from_ast_is_the_graph_from_libcst(name: str) -> None:
    text = EVERY_FORM if name.startswith("<") else (STDLIB / name).read_text(encoding="utf-8")
    module = libcst.parse_module(text)
    tree = ast.parse(text)
    cst_bodies, ast_bodies = _libcst_bodies(module), _ast_bodies(tree)
    assert [n for n, _ in cst_bodies] == [n for n, _ in ast_bodies]
    kinds: set[str] = set()
    for (_, cst_body), (_, ast_body) in zip(cst_bodies, ast_bodies, strict=True):
        from_cst = build_cfg(cst_body, _libcst_noreturn, LIBCST)
        from_ast = build_cfg(ast_body, _ast_noreturn, AST)
        assert _shape(from_ast, _ast_sig) == _shape(from_cst, lambda k, n: _libcst_sig(module, k, n))
        kinds.update(kind for block in from_ast.blocks for kind, _ in block.elements)
        kinds.update(c[0] for block in from_ast.blocks for _, c in block.succ if c is not None)
    if name.startswith("<"):
        # Every element and condition kind met, and the forms that end a block without an element did end one.
        assert kinds == {"stmt", "test", "iter", "for", "with", "except", "case", "def", "if", "loop"}
        f = build_cfg(ast_bodies[1][1], _ast_noreturn, AST)
        ends = [e for block in f.blocks for e in block.elements if e[0] == "stmt" and "exit" in ast.unparse(e[1])]
        assert len(ends) == 2  # sys.exit(1), os._exit(0)
        assert f.yields
        assert not build_cfg(ast_bodies[0][1], _ast_noreturn, AST).yields


def test_a_call_that_never_returns_ends_its_block_from_either_tree() -> None:
    text = "def f(a):\n    if a:\n        sys.exit(1)\n    return a\n"
    for body, noreturn, tree in (
        (libcst.parse_module(text).body[0].body.body, _libcst_noreturn, LIBCST),  # type: ignore[attr-defined]
        (ast.parse(text).body[0].body, _ast_noreturn, AST),  # type: ignore[attr-defined]
    ):
        cfg = build_cfg(body, noreturn, tree)
        exit_call = next(i for i, b in enumerate(cfg.blocks) if any(k == "stmt" for k, _ in b.elements[:1]) and
                         not any(k == "test" for k, _ in b.elements) and b.index != 0)  # fmt: skip
        assert [succ for succ, _ in cfg.blocks[exit_call].succ] == [cfg.raise_exit]


# A body on its header's line is a libcst `SimpleStatementSuite` of small statements, which the graph once left
# out: `if x: cmd = request.args["c"]` assigned nothing, `if bad: return` exited nowhere, `def run(c): os.system(c)`
# had an empty body.
ONE_LINE_BODIES = [
    ("taint assigned in a one-line if", "cmd = 'ls'\nif request.args: cmd = request.args['c']\nos.system(cmd)\n", [5]),
    ("one-line guard exits", "c = request.args['c']\nif not re.fullmatch('[a-z]+', c): return\nos.system(c)\n", []),
    ("one-line loop", "cmd = ''\nfor p in request.args.getlist('p'): cmd = cmd + p\nos.system(cmd)\n", [5]),
    ("one-line try", "try: cmd = request.args['c']\nexcept KeyError: cmd = 'ls'\nos.system(cmd)\n", [5]),
]


@pytest.mark.parametrize(
    ("body", "expected"), [case[1:] for case in ONE_LINE_BODIES], ids=[c[0] for c in ONE_LINE_BODIES]
)
def test_a_body_on_its_headers_line_is_analysed(body: str, expected: list[int]) -> None:
    from tests.test_dataflow import lines

    assert lines(body) == expected


def test_a_one_line_function_is_a_wrapper_of_its_sink() -> None:
    from tests.test_dataflow import reported

    body = "def run(c): os.system(c)\n\n@app.route('/x')\ndef view():\n    run(request.args['c'])\n"
    assert reported(body) == [(5, "CWR102")]


FOLDED = [
    "'a'", "b'x'", '"""t"""', "'\\n'", "r'\\d'", "1j", "0x10", "1_000", "1.5e3", "True", "None", "...", "x",
    "1 + 2", "'a' * 3", "3 * 'a'", "'ab' * 6000", "2 ** 64", "2 ** 65", "1 << 4096", "1 << 4097", "7 // 2", "7 / 2",
    "7 % 3", "'%s!' % 'x'", "3 // 0", "6 >> 1", "6 | 1", "6 & 3", "6 ^ 3", "5 - 9", "2.5 * 2",
    "-5", "+1.5", "not 0", "not 'a'", "~3", "-'a'", "-(2 ** 3)",
    "1 < 2", "2 <= 1", "1 > 2", "2 >= 2", "1 == 1.0", "1 != 2", "'a' in 'abc'", "'z' not in 'abc'", "None is None",
    "True is not False", "1 is 1", "'a' < 1",
]  # fmt: skip


def _fold(node: Any) -> Any:
    """What the analysis computes for a literal, a binary or unary operation or a single comparison of either tree."""
    kind = type(node)
    if kind is libcst.BinaryOperation or kind is ast.BinOp:
        op = node.operator if kind is libcst.BinaryOperation else node.op
        return fold.binary(op, _fold(node.left), _fold(node.right))
    if kind is libcst.UnaryOperation:
        return fold.unary(node.operator, _fold(node.expression))
    if kind is ast.UnaryOp:
        return fold.unary(node.op, _fold(node.operand))
    if kind is libcst.Comparison:
        (target,) = node.comparisons
        return fold.compare(target.operator, _fold(node.left), _fold(target.comparator))
    if kind is ast.Compare:
        return fold.compare(node.ops[0], _fold(node.left), _fold(node.comparators[0]))
    return fold.literal(node)


@pytest.mark.parametrize("text", FOLDED)
def test_folding_an_ast_expression_gives_what_folding_libcsts_gives(text: str) -> None:
    from_ast = _fold(ast.parse(text, mode="eval").body)
    from_cst = _fold(libcst.parse_expression(text))
    assert type(from_ast) is type(from_cst)
    assert from_ast == from_cst


def test_every_augmented_assignment_folds_alike_from_either_tree() -> None:
    text = "x += 7\nx -= 7\nx *= 7\nx /= 7\nx //= 7\nx %= 7\nx **= 7\nx <<= 7\nx >>= 7\nx |= 7\nx &= 7\nx ^= 7\n"
    from_cst = [fold.plain_operator(line.body[0].operator) for line in libcst.parse_module(text).body]
    from_ast = [fold.plain_operator(stmt.op) for stmt in ast.parse(text).body]  # type: ignore[attr-defined]
    assert len({type(op) for op in from_ast}) == len({type(op) for op in from_cst}) == 12
    assert [fold.binary(op, 13, 7) for op in from_ast] == [fold.binary(op, 13, 7) for op in from_cst]
    # And every comparison operator (the table holds each of libcst's ten with its `ast` twin).
    comparisons = ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"]
    for op in comparisons:
        left, right = ("'a'", "'abc'") if "in" in op else ("2", "3")
        text = f"{left} {op} {right}"
        assert _fold(ast.parse(text, mode="eval").body) == _fold(libcst.parse_expression(text))
    assert len(fold._COMPARE) == 2 * len(comparisons) and len(fold._BINARY) == 24


def _scopes_libcst(module: libcst.Module) -> list[Any]:
    """The module, then every function, class and lambda, in source order."""
    out: list[Any] = [module]
    stack: list[Any] = list(reversed(module.body))
    while stack:
        node = stack.pop()
        if type(node) in (libcst.FunctionDef, libcst.ClassDef, libcst.Lambda):
            out.append(node)
        stack.extend(reversed(children(node)))
    return out


def _scopes_ast(tree: ast.Module) -> list[Any]:
    out: list[Any] = [tree]
    stack: list[Any] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if type(node) in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda):
            out.append(node)
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return out


@pytest.mark.parametrize("name", ["<every form>", "argparse.py", "tarfile.py", "enum.py", "typing.py", "inspect.py"])
def test_a_scopes_facts_from_ast_are_its_facts_from_libcst(name: str) -> None:
    from codeward.reviewer.dataflow.module import _collect_scope, collect_scope_ast

    text = EVERY_FORM if name.startswith("<") else (STDLIB / name).read_text(encoding="utf-8")
    text += "\nwith f() as w, g(): import a.b as ab, c\nfrom d import e as ee, ff\nprint(lambda q=1: q)\n"
    text += "match m:\n    case P(k=0) | {'x': 1, **rest} | None | [*_]: pass\n"
    cst_scopes, ast_scopes = _scopes_libcst(libcst.parse_module(text)), _scopes_ast(ast.parse(text))
    assert len(cst_scopes) == len(ast_scopes) > 1
    for cst_scope, ast_scope in zip(cst_scopes, ast_scopes, strict=True):
        want, got = _collect_scope(cst_scope), collect_scope_ast(ast_scope)
        assert (got.names, got.bound, got.declared) == (want.names, want.bound, want.declared)
        # How often each name is bound (as-names counted too) and which have one `name = value`: what
        # `Analysis._alias` reads.
        assert got.counts == want.counts
        assert set(got.assigned) == set(want.assigned)
        assert sorted(got.called) == sorted(want.called)


IMPORTS = [
    "import os", "import os.path", "import os.path as osp, sys", "import a.b.c as d", "from os import path",
    "from os.path import join as j, exists", "from . import x", "from .. import x as y", "from .mod import *",
    "from ...pkg.sub import (a, b as c)", "from __future__ import annotations", "from x import *",
]  # fmt: skip


@pytest.mark.parametrize("text", IMPORTS)
def test_an_import_reads_the_same_from_either_tree(text: str) -> None:
    from codeward.reviewer.dataflow.module import _import_parts

    from_cst = _import_parts(libcst.parse_statement(text).body[0])  # type: ignore[attr-defined]
    assert _import_parts(ast.parse(text).body[0]) == from_cst
    assert from_cst[3] or from_cst[0]
