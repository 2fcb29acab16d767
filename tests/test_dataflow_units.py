"""The data-flow engine's pure helpers and pre-filters, stated directly. Whole reviews cannot see most of
their mistakes: a constant folded wrongly often only leaves a branch open (the finding stays), and a
pre-filter that lets too much through (a call taken for a possible sink, a file for a wrapper) costs time, not
findings. The mutation samples of the engine (bench/mutation-report.md) showed these two kinds of survivor in
every sample; each table here states what Python (or the filter's docstring) says the answer is."""

from __future__ import annotations

import os

import libcst as cst
import pytest
from codeward.reviewer.dataflow import fold
from codeward.reviewer.dataflow.engine import Engine, engine_for
from codeward.reviewer.dataflow.module import _collect_scope
from codeward.reviewer.dataflow.project import Project
from codeward.reviewer.dataflow.query import FileFlows, _literal
from codeward.reviewer.dataflow.values import UNKNOWN

# -- constant folding ----------------------------------------------------------------------------------------

BINARY = [
    (cst.Add(), 2, 3, 5), (cst.Add(), "ls ", "-l", "ls -l"), (cst.Subtract(), 2, 3, -1), (cst.Multiply(), "ab", 2, "abab"),
    (cst.Multiply(), 2, "ab", "abab"), (cst.Divide(), 7, 2, 3.5), (cst.FloorDivide(), 7, 2, 3), (cst.Modulo(), 7, 2, 1),
    (cst.Modulo(), "a%sc", "b", "abc"), (cst.Power(), 2, 10, 1024), (cst.LeftShift(), 1, 4, 16), (cst.RightShift(), 16, 4, 1),
    (cst.BitOr(), 1, 2, 3), (cst.BitAnd(), 3, 6, 2), (cst.BitXor(), 3, 6, 5),
    # Bounded: results too big to be worth knowing, or too costly to build, are not computed.
    (cst.Power(), 2, 65, UNKNOWN), (cst.Power(), 2, 64, 2**64), (cst.Multiply(), "a", 10_001, UNKNOWN),
    (cst.Multiply(), 10_001, "a", UNKNOWN), (cst.Multiply(), "a", 10_000, "a" * 10_000), (cst.LeftShift(), 1, 4097, UNKNOWN),
    (cst.LeftShift(), 1, 4095, 1 << 4095), (cst.LeftShift(), 1, 4096, UNKNOWN), (cst.Divide(), 1, 0, UNKNOWN), (cst.Add(), "a", 1, UNKNOWN),
    (cst.Add(), UNKNOWN, 1, UNKNOWN), (cst.Add(), 1, UNKNOWN, UNKNOWN), (cst.MatrixMultiply(), 1, 2, UNKNOWN),
    (cst.Add(), "a" * 6000, "b" * 5000, UNKNOWN),
]  # fmt: skip


def _short(value: object) -> str:
    return type(value).__name__ if isinstance(value, cst.CSTNode) else repr(value)[:12]


@pytest.mark.parametrize(("op", "left", "right", "expected"), BINARY, ids=_short)
def test_binary(op: cst.BaseBinaryOp, left: object, right: object, expected: object) -> None:
    assert fold.binary(op, left, right) == expected


COMPARE = [
    (cst.Equal(), 1, 1, True), (cst.Equal(), "a", "b", False), (cst.NotEqual(), "a", "b", True), (cst.LessThan(), 1, 2, True),
    (cst.LessThan(), 2, 2, False), (cst.LessThanEqual(), 2, 2, True), (cst.GreaterThan(), 3, 2, True),
    (cst.GreaterThan(), 2, 2, False), (cst.GreaterThanEqual(), 2, 2, True), (cst.In(), "a", ("a", "b"), True),
    (cst.In(), "c", ("a", "b"), False), (cst.NotIn(), "c", ("a", "b"), True), (cst.Is(), None, None, True),
    (cst.Is(), 1, None, False), (cst.Is(), True, True, True), (cst.Is(), "ab", "ab", True),
    (cst.IsNot(), None, None, False), (cst.IsNot(), "a", None, True), (cst.IsNot(), "ab", "ab", False),
    (cst.LessThan(), 1, "a", UNKNOWN), (cst.Equal(), UNKNOWN, 1, UNKNOWN), (cst.Equal(), 1, UNKNOWN, UNKNOWN),
]  # fmt: skip


@pytest.mark.parametrize(("op", "left", "right", "expected"), COMPARE)
def test_compare(op: cst.BaseCompOp, left: object, right: object, expected: object) -> None:
    found = fold.compare(op, left, right)
    assert found == expected and (found is UNKNOWN or type(found) is bool)


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [(cst.Not(), 0, True), (cst.Not(), "x", False), (cst.Minus(), 3, -3), (cst.Plus(), -3, -3), (cst.BitInvert(), 0, -1),
     (cst.Minus(), "x", UNKNOWN), (cst.Not(), UNKNOWN, UNKNOWN)],
)  # fmt: skip
def test_unary(op: cst.BaseUnaryOp, value: object, expected: object) -> None:
    assert fold.unary(op, value) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [("'ls'", "ls"), ('"ls"', "ls"), ("'''a'b'''", "a'b"), ('"""x"""', "x"), (r"'a\tb'", "a\tb"), ("b'x'", b"x"),
     ("r'a\\b'", "a\\b"), ("12", 12), ("0x10", 16), ("1.5", 1.5), ("2j", 2j), ("True", True), ("False", False),
     ("None", None), ("name", UNKNOWN), ("f'x'", UNKNOWN), ("[1]", UNKNOWN)],
)  # fmt: skip
def test_literal(source: str, expected: object) -> None:
    found = fold.literal(cst.parse_expression(source))
    assert found == expected and type(found) is type(expected)
    assert fold.literal(cst.parse_expression(source)) == expected  # the second time from the cache


CALLS = [
    ("len", ["abc"], {}, 3), ("len", [("a", "b")], {}, 2), ("len", [5], {}, UNKNOWN), ("len", [{"a": 1}], {}, 1), ("str", [], {}, ""),
    ("int", [], {}, 0), ("float", [], {}, 0.0), ("bool", [], {}, False), ("str", [12], {}, "12"), ("int", ["12"], {}, 12),
    ("float", ["1.5"], {}, 1.5), ("bool", [""], {}, False), ("bool", ["x"], {}, True), ("int", ["x"], {}, UNKNOWN),
    ("int", ["1"], {"base": 2}, UNKNOWN), ("str", [1, 2], {}, UNKNOWN), ("str", [("a",)], {}, UNKNOWN),
    ("tuple", ["ab"], {}, ("a", "b")), ("list", [("a",)], {}, ("a",)), ("set", ["aa"], {}, frozenset("a")),
    ("frozenset", [("a", "b")], {}, frozenset("ab")), ("tuple", [3], {}, UNKNOWN), ("min", [3, 1], {}, 1),
    ("max", [3, 1], {}, 3), ("min", [(4, 2)], {}, 2), ("max", [], {}, UNKNOWN), ("min", [1, 2], {"key": 1}, UNKNOWN),
    ("sum", [(1, 2)], {}, 3), ("sum", [(1.5,)], {}, 1.5), ("sum", [("a",)], {}, UNKNOWN), ("sum", [5], {}, UNKNOWN),
    ("sum", [(1,)], {"start": 1}, UNKNOWN), ("abs", [-2], {}, 2), ("abs", ["x"], {}, UNKNOWN), ("len", [UNKNOWN], {}, UNKNOWN), ("str", [], {"x": UNKNOWN}, UNKNOWN),
    ("hex", [1], {}, UNKNOWN), ("str", [10**5000], {}, UNKNOWN),
]  # fmt: skip


@pytest.mark.parametrize(("name", "args", "kwargs", "expected"), CALLS)
def test_call(name: str, args: list, kwargs: dict, expected: object) -> None:
    found = fold.call(name, args, kwargs)
    assert found == expected and type(found) is type(expected)


@pytest.mark.parametrize(
    ("receiver", "name", "args", "kwargs", "expected"),
    [("A", "lower", [], {}, "a"), ("a,b", "split", [","], {}, ("a", "b")), (",", "join", [("a", "b")], {}, "a,b"),
     (",", "join", ["ab"], {}, UNKNOWN), ("{}", "format", [1], {}, "1"), ("{}", "format", [("a",)], {}, UNKNOWN),
     ("{x}", "format", [], {"x": 2}, "2"), ("ab", "startswith", ["a"], {}, True), (b"ab", "decode", [], {}, "ab"),
     ("ab", "nosuch", [], {}, UNKNOWN), ("ab", "__len__", [], {}, UNKNOWN), (1, "lower", [], {}, UNKNOWN),
     (UNKNOWN, "lower", [], {}, UNKNOWN), ("ab", "strip", [UNKNOWN], {}, UNKNOWN), ("ab", "replace", [1, 2], {}, UNKNOWN),
     ("ab", "center", [20_000], {}, UNKNOWN), ("a\nb", "splitlines", [], {}, ("a", "b"))],
)  # fmt: skip
def test_method(receiver: object, name: str, args: list, kwargs: dict, expected: object) -> None:
    found = fold.method(receiver, name, args, kwargs)
    assert found == expected and type(found) is type(expected)


@pytest.mark.parametrize(
    ("value", "key", "expected"),
    [("abc", 0, "a"), ("abc", -1, "c"), (("a", "b"), 1, "b"), ({"k": "v"}, "k", "v"), ("abc", slice(0, 2), "ab"),
     ("abc", 5, UNKNOWN), (5, 0, UNKNOWN), (UNKNOWN, 0, UNKNOWN), ("abc", UNKNOWN, UNKNOWN), ({"k": "v"}, "x", UNKNOWN)],
)  # fmt: skip
def test_subscript(value: object, key: object, expected: object) -> None:
    assert fold.subscript(value, key) == expected


def test_small_and_the_augmented_operators() -> None:
    assert [fold.small(v) for v in ("a" * 10_000, "a" * 10_001, 1 << 4095, 1 << 4096, True, 1.5)] == [
        True, False, True, False, True, True]  # fmt: skip
    assert type(fold.plain_operator(cst.AddAssign())) is cst.Add
    assert type(fold.plain_operator(cst.BitXorAssign())) is cst.BitXor
    assert type(fold.plain_operator(cst.Add())) is cst.Add  # not an augmented one: itself


# Every construct of fold.py, stated (the whole-file mutation pass, bench/mutation-report.md "Seventh pass"):
# each operator of each table, each size bound at its edge, each type a helper accepts or refuses.

AUGMENTED = [
    (cst.AddAssign, cst.Add), (cst.SubtractAssign, cst.Subtract), (cst.MultiplyAssign, cst.Multiply),
    (cst.DivideAssign, cst.Divide), (cst.FloorDivideAssign, cst.FloorDivide), (cst.ModuloAssign, cst.Modulo),
    (cst.PowerAssign, cst.Power), (cst.LeftShiftAssign, cst.LeftShift), (cst.RightShiftAssign, cst.RightShift),
    (cst.BitOrAssign, cst.BitOr), (cst.BitAndAssign, cst.BitAnd), (cst.BitXorAssign, cst.BitXor),
]  # fmt: skip


@pytest.mark.parametrize(("augmented", "plain"), AUGMENTED, ids=lambda t: t.__name__)
def test_each_augmented_operator_is_its_binary_one(augmented: type, plain: type) -> None:
    assert type(fold.plain_operator(augmented())) is plain


SIZES = [
    (b"a" * 10_000, True), (b"a" * 10_001, False), (("a",) * 10_000, True), (("a",) * 10_001, False),
    (frozenset(range(10_000)), True), (frozenset(range(10_001)), False), (["a"] * 10_000, True), (["a"] * 10_001, False),
    (-(1 << 4095), True), (-(1 << 4096), False), (0, True), ({"k": "a" * 20_000}, True), (2j, True),
]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), SIZES, ids=lambda v: type(v).__name__)
def test_small_bounds_each_sized_type(value: object, expected: bool) -> None:
    assert fold.small(value) is expected


MORE_BINARY = [
    (cst.Multiply(), ("a",), 10_001, UNKNOWN), (cst.Multiply(), 10_001, ("a",), UNKNOWN), (cst.Multiply(), b"a", 10_001, UNKNOWN),
    (cst.Multiply(), ("a",), 2, ("a", "a")), (cst.Multiply(), "ab", -3, ""), (cst.Multiply(), 3, 4, 12),
    (cst.Power(), 2, -65, UNKNOWN), (cst.Power(), 2, -2, 0.25), (cst.Power(), 2.0, 65, UNKNOWN), (cst.Power(), 2, 0.5, 2**0.5),
    (cst.LeftShift(), 1, -1, UNKNOWN), (cst.LeftShift(), 1, 0, 1), (cst.RightShift(), 1, 5000, 0),
    (cst.Subtract(), "a", "b", UNKNOWN), (cst.Add(), (1,), (2,), (1, 2)), (cst.Add(), ("a",) * 6000, ("b",) * 5000, UNKNOWN),
    (cst.FloorDivide(), 1, 0, UNKNOWN), (cst.Modulo(), 1, 0, UNKNOWN), (cst.BitOr(), frozenset("a"), frozenset("b"), frozenset("ab")),
    # A negative count makes an empty sequence, however long the one repeated; a shift past 4096 bits is not
    # computed even where its result would be small (0 << 4097), one up to it is.
    (cst.Multiply(), "a" * 10_001, -1, ""), (cst.Multiply(), -1, ("a",) * 10_001, ()),
    (cst.LeftShift(), 0, 4096, 0), (cst.LeftShift(), 0, 4097, UNKNOWN),
]  # fmt: skip


MORE_COMPARE = [
    (cst.NotEqual(), 1, 1, False), (cst.LessThanEqual(), 3, 2, False), (cst.GreaterThanEqual(), 1, 2, False),
    (cst.NotIn(), "a", ("a",), False), (cst.In(), "b", "abc", True), (cst.In(), 1, 2, UNKNOWN), (cst.NotIn(), 1, 2, UNKNOWN),
    (cst.Is(), True, 1, False), (cst.IsNot(), True, 1, True), (cst.Is(), None, 0, False), (cst.IsNot(), 0, None, True),
    (cst.Is(), 2, 2, True), (cst.IsNot(), 2, 3, True), (cst.Equal(), "a", "a", True),
]  # fmt: skip


MORE_CALLS = [
    ("len", [frozenset("ab")], {}, 2), ("len", [["a"]], {}, 1), ("len", [b"ab"], {}, 2), ("len", ["a", "b"], {}, UNKNOWN),
    ("str", [None], {}, "None"), ("int", [True], {}, 1), ("float", [2], {}, 2.0),
    ("bool", [0], {}, False), ("int", [2.7], {}, 2), ("str", ["a" * 10_001], {}, UNKNOWN), ("str", [], {"object": 1}, UNKNOWN),
    ("int", ["1"], {}, 1), ("complex", [1], {}, UNKNOWN), ("tuple", [frozenset("a")], {}, ("a",)), ("list", ["ab"], {}, ("a", "b")),
    ("tuple", [["a"]], {}, ("a",)), ("tuple", ["a", "b"], {}, UNKNOWN), ("set", [["a", "a"]], {}, frozenset("a")),
    ("set", [("a",)], {}, frozenset("a")), ("frozenset", ["ab"], {}, frozenset("ab")), ("set", [1], {}, UNKNOWN),
    ("min", ["ba"], {}, "a"), ("max", [(1, 3)], {}, 3), ("max", [1, 3], {}, 3), ("max", [(1,)], {"default": 0}, UNKNOWN),
    ("min", [1, "a"], {}, UNKNOWN), ("sum", [[1, 2]], {}, 3), ("sum", [frozenset({1, 2})], {}, 3), ("sum", [(1, 2), 1], {}, UNKNOWN),
    ("sum", [(True,)], {}, 1), ("abs", [-1.5], {}, 1.5), ("abs", [-1, 2], {}, UNKNOWN), ("abs", [], {}, UNKNOWN), ("sum", [()], {}, 0),
]  # fmt: skip

MORE_UNARY = [
    (cst.Not(), "", True), (cst.Not(), 1, False), (cst.Minus(), 0.5, -0.5), (cst.Minus(), True, -1), (cst.Plus(), "x", UNKNOWN),
     (cst.Plus(), 2.5, 2.5), (cst.BitInvert(), 5, -6), (cst.BitInvert(), "x", UNKNOWN), (cst.BitInvert(), 1.5, UNKNOWN),
     (cst.Minus(), UNKNOWN, UNKNOWN), (cst.BitInvert(), UNKNOWN, UNKNOWN)
]  # fmt: skip

MORE_LITERALS = [
    ("u'x'", "x"), (r"b'\x00'", b"\x00"), (r"'a\'b'", "a'b"), ("1_000", 1000), ("0o17", 15), ("0b101", 5), ("1e3", 1000.0),
     (r"'''a\nb'''", "a\nb"), ("\"'\"", "'"), ("''", ""), ("''''''", ""), (r"rb'\x'", b"\\x"), ("...", UNKNOWN), ("none", UNKNOWN)
]  # fmt: skip

MORE_METHODS = [
    (b"a,b", "split", [b","], {}, (b"a", b"b")), ("a b", "rsplit", [], {}, ("a", "b")), ("a=b", "partition", ["="], {}, ("a", "=", "b")),
     ("{x}", "format", [], {"x": ("a",)}, UNKNOWN), ("{x}", "format", [], {"x": None}, "None"), ("-", "join", [("a",), 1], {}, UNKNOWN),
     ("-", "join", [["a", "b"]], {}, "a-b"), ("a b", "split", [], {"maxsplit": UNKNOWN}, UNKNOWN), ("a", "ljust", [10_001], {}, UNKNOWN),
     ("a", "ljust", [10_000], {}, "a" + " " * 9_999), ("ab", "upper", [], {}, "AB"), ("ab", "count", ["a"], {}, 1),
     ("ab", "find", ["z"], {}, -1), (("a",), "count", ["a"], {}, UNKNOWN), ("ab", "format", [], {}, "ab")
]  # fmt: skip

MORE_SUBSCRIPTS = [
    (["a", "b"], 1, "b"), (frozenset("a"), 0, UNKNOWN), ("a" * 20_000, slice(0, 10_001), UNKNOWN),
     ("a" * 20_000, slice(0, 10_000), "a" * 10_000), (b"ab", 0, 97), (("a", "b"), slice(1, None), ("b",)), ({1: "x"}, 1, "x"),
     # An unknown key is not the unknown key a folded dict holds: `{k: "x"}[j]` is not known to be "x".
     ({UNKNOWN: "x"}, UNKNOWN, UNKNOWN)
]  # fmt: skip

EDGES = (
    [(fold.binary, row[:3], row[3]) for row in MORE_BINARY]
    + [(fold.compare, row[:3], row[3]) for row in MORE_COMPARE]
    + [(fold.unary, row[:2], row[2]) for row in MORE_UNARY]
    + [(fold.literal, (cst.parse_expression(row[0]),), row[1]) for row in MORE_LITERALS]
    + [(fold.call, row[:3], row[3]) for row in MORE_CALLS]
    + [(fold.method, row[:4], row[4]) for row in MORE_METHODS]
    + [(fold.subscript, row[:2], row[2]) for row in MORE_SUBSCRIPTS]
)


@pytest.mark.parametrize(("helper", "args", "expected"), EDGES, ids=lambda v: getattr(v, "__name__", None))
def test_fold_edges(helper: object, args: tuple, expected: object) -> None:
    found = helper(*args)  # type: ignore[operator]
    assert found == expected and type(found) is type(expected)


# -- the pre-filters: which calls and texts can matter at all ------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> Engine:
    return engine_for(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("os.system(cmd)", True), ("subprocess.check_output(x)", True), ("check_output(x)", True), ("open(p)", True),
     ("cursor.execute(q)", True), ("self.check_output(x)", True), ("x.system(y)", True), ("run(x)", False),
     ("d.get(k)", False), ("foo.bar(x)", False), ("print(x)", False), ("sp.call(x)", False), ("os.system", False),
     ("format(x)\nfoo.bar(y)\nos.popen(z)", True), ("", False),
     # A MongoDB method is distinctive on an attribute (a collection), not on a plain name (`s.find(`).
     ("db.users.find(q)", True), ("self.coll.update_one(f, u)", True), ("s.find(x)", False), ("x.y.save(z)", False),
     # Names of module functions that str, bytes, containers or patterns also have as methods count only with
     # their module: `shutil.copy(`, `os.remove(`, `jwt.encode(`, `re.finditer(`, a bare `copy(`.
     ("shutil.copy(a, b)", True), ("os.remove(p)", True), ("jwt.encode(d, k)", True), ("re.finditer(p, s)", True),
     ("copy(a, b)", True), ("x.copy()", False), ("self.items.remove(x)", False), ("s.encode('utf-8')", False),
     ("b.decode()", False), ("s.replace('a', 'b')", False), ("pattern.finditer(s)", False)],
)  # fmt: skip
def test_sink_text(engine: Engine, text: str, expected: bool) -> None:
    """A function's text calls a sink when it names one the way code calls it: `module.function(`, a
    distinctive bare name (`check_output(`, also as a method: `x.system(`), a builtin sink (`open(`), a
    distinctive method (`.execute(`); a common one (`call`, `run`, `get`, and the methods of built-in types:
    `copy`, `encode`, `remove`) only with its module's usual name."""
    assert engine.sink_pattern().search(text) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [("'a'", True), ("'a' 'b'", True), ("'a' f'{x}'", False), ("f'{x}' 'a'", False), ("'a' 'b' f'{x}'", False),
     ("1", True), ("None", True), ("True", True), ("x", False), ("b'x'", True)],
)  # fmt: skip
def test_a_literal_argument(source: str, expected: bool) -> None:
    assert _literal(cst.parse_expression(source)) is expected


MAYBE_SINK_MODULE = """\
import os
import subprocess as sp
from helpers import run_it, noop
def wrapper(c):
    os.system(c)
def plain(c):
    return c.strip()
class Job:
    def go(self, c):
        os.popen(c)
    def name(self):
        return 'job'
"""


@pytest.mark.parametrize(
    ("call", "expected"),
    [("os.system(c)", True), ("os.system('ls')", False), ("sp.call(c)", True), ("wrapper(c)", True), ("plain(c)", False),
     ("x.go(c)", True), ("x.name(c)", False), ("x.execute(c)", True), ("x.whatever(c)", False), ("run_it(c)", True), ("noop(c)", False),
     ("fns[0](c)", False), ("make()(c)", False), ("nosuch.system(c)", False),
     # Without the name the walk resolved, a module that is not imported is not taken for one.
     ("subprocess.call(c)", False), ("len(c)", False), ("open(c)", True),
     ("unknown(c)", False)],
)  # fmt: skip
def test_maybe_sink(engine: Engine, tmp_path, call: str, expected: bool) -> None:
    """A call can be a sink if a model names it, it is a function or method of this module whose text calls a
    sink, or it calls into another project module; a call of something unknown, of an expression or with
    literal arguments only cannot."""
    (tmp_path / "helpers.py").write_text("import os\ndef run_it(c):\n    os.system(c)\ndef noop(c):\n    return c\n")
    path = tmp_path / "views.py"
    text = MAYBE_SINK_MODULE + call + "\n"
    path.write_text(text)
    module = cst.parse_module(text)
    flows = FileFlows(engine, str(path), module, text)
    try:
        node = module.body[-1].body[0].value  # type: ignore[attr-defined]
        assert flows.maybe_sink(node) is expected
    finally:
        flows.close()


def test_what_a_body_binds_and_names() -> None:
    """A comprehension's and a lambda's own variables bind nothing in the body around them; a walrus inside
    them does; nested definitions bind their name only. (Names bound by `as` (`import m as n`, `with ... as
    f`, `except E as e`) are not collected: children() skips `asname`, so _note's AsName branch is never
    reached; no finding was found to depend on it, closures read the enclosing analysis's values.)"""
    module = cst.parse_module(
        "def f(a, *b, c=1, **d):\n    global G\n    x = [y for y in a if (z := y)]\n    k = lambda w: w + v\n"
        "    for i, *j in a:\n        pass\n    import os.path\n    from m import o\n"
        "    def inner(q):\n        r = 1\n    class K:\n        s = 1\n"
        "    match a:\n        case [p, *rest] as whole:\n            pass\n    obj.attr = 2\n    G = call(x).meth()\n"
    )
    facts = _collect_scope(module.body[0])
    assert facts.bound == {"a", "b", "c", "d", "x", "z", "k", "i", "j", "os", "o", "inner", "K", "p",
                           "rest", "whole", "G"}  # fmt: skip
    assert facts.declared == {"G"}
    assert sorted(facts.called) == ["call", "meth"]
    assert {"v", "w", "y", "attr", "obj"} <= facts.names and "q" not in facts.names and "r" not in facts.names


def test_mentions_follows_the_module_functions_called(engine: Engine, tmp_path) -> None:
    """Whether a body names a word, itself or through the module's functions it calls; a cycle of calls that
    never names it does not."""
    text = ("def a():\n    return b()\ndef b():\n    return a()\ndef c():\n    return d()\ndef d():\n"
            "    return request.args\n")  # fmt: skip
    path = tmp_path / "m.py"
    path.write_text(text)
    module = cst.parse_module(text)
    flows = FileFlows(engine, str(path), module, text)
    try:
        info = flows.info
        words = frozenset({"request"})
        found = {name: info.mentions(info.functions[name], words) for name in ("a", "b", "c", "d")}
        assert found == {"a": False, "b": False, "c": True, "d": True}
    finally:
        flows.close()


def test_a_dependency_text_is_read_once_until_it_changes(tmp_path) -> None:
    """A file's text is kept while its size and modification time stay; when either changes it is read again."""
    path = tmp_path / "dep.py"
    path.write_text("A = 1\n")
    project = Project()
    assert project._text(str(path)) == "A = 1\n"
    stat = os.stat(path)
    path.write_text("B = 2\n")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    project.begin_file()
    assert project._text(str(path)) == "A = 1\n"  # kept: nothing tells it changed
    path.write_text("B = 22\n")
    assert project._text(str(path)) == "A = 1\n"  # within one file's review: as it was first read
    project.begin_file()
    assert project._text(str(path)) == "B = 22\n"
    path.unlink()
    project.begin_file()
    assert project._text(str(path)) == ""


def test_a_dependency_is_checked_on_disk_once_a_review(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import codeward.reviewer.dataflow.project as project_module

    path = tmp_path / "dep.py"
    path.write_text("def f():\n    return 1\n")
    stats: list[str] = []
    stamp = project_module._stamp
    monkeypatch.setattr(project_module, "_stamp", lambda p: stats.append(p) or stamp(p))
    project = Project()
    for _ in range(3):
        project.begin_file()
        for _ in range(5):
            assert project.defines(str(path), "f")
    assert stats == [str(path)] * 3  # the read's own stat, then one in each later review


# -- the project's modules (seed 33's survivors) -------------------------------------------------------------


def _tree(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize(
    ("dotted", "level", "expected"),
    [("util", 1, "pkg/sub/util.py"), ("util", 2, "pkg/util.py"), ("", 1, "pkg/sub/__init__.py"),
     ("", 2, "pkg/__init__.py"), ("sub.b", 2, "pkg/sub/b.py"), ("missing", 2, None)],
)  # fmt: skip
def test_a_relative_import_goes_up_one_folder_a_dot_after_the_first(
    tmp_path, dotted: str, level: int, expected: str | None
) -> None:
    _tree(tmp_path, {"pkg/__init__.py": "", "pkg/util.py": "", "pkg/sub/__init__.py": "", "pkg/sub/b.py": "",
                     "pkg/sub/util.py": ""})  # fmt: skip
    found = Project().resolve(str(tmp_path / "pkg" / "sub" / "b.py"), dotted, level)
    assert found == (str(tmp_path / expected) if expected else None)


def test_only_a_file_read_before_can_have_changed(tmp_path) -> None:
    path = tmp_path / "dep.py"
    path.write_text("A = 1\n")
    project = Project()
    assert project.changed(str(path)) is False  # never read: nothing derived from it to forget
    project._text(str(path))
    assert project.changed(str(path)) is False
    path.write_text("A = 22\n")
    project.begin_file()
    assert project.changed(str(path)) is True


def test_which_function_of_a_module_mentions_a_source(tmp_path) -> None:
    """Each function's answer is its own: the cache is by function, not by module."""
    path = tmp_path / "m.py"
    path.write_text("from flask import request\n\ndef a():\n    return request.args['x']\n\ndef b():\n    return 1\n")
    project = Project()
    found = [project.function_mentions_source(str(path), name) for name in ("a", "b", "a", "c")]
    assert found == [True, False, True, False]


def test_a_class_called_is_loaded_when_its_code_mentions_a_source(engine: Engine, tmp_path) -> None:
    """A reference to a class's instance (`Factory()`) names the class: its text decides."""
    path = tmp_path / "m.py"
    path.write_text(
        "from flask import request\n\nclass Factory:\n    def run(self):\n        return request.args['x']\n"
    )
    assert engine.worth_loading(f"@{path}::Factory()", [], None) is True
    assert engine.worth_loading(f"@{path}::Other()", [], None) is False
