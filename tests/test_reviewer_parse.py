"""The reviewer's libcst parse: trees equal libcst's own, large files parsed in pieces within bounded memory."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import libcst
import pytest
from codeward.reviewer import parse

from tests.helpers import ROOT

STDLIB = Path(sysconfig.get_paths()["stdlib"])


@pytest.mark.parametrize("name", ["argparse.py", "typing.py", "inspect.py"])  # _pydecimal.py: the next test
def test_trees_equal_libcsts_own_and_print_back(name: str) -> None:
    text = (STDLIB / name).read_text(encoding="utf-8")
    module = parse.parse_module(text)
    assert module.code == text
    assert module.deep_equals(libcst.parse_module(text))


def test_a_large_file_is_parsed_in_pieces() -> None:
    text = (STDLIB / "_pydecimal.py").read_text(encoding="utf-8")  # 229 KB
    joined = parse._in_pieces(text)
    assert joined is not None
    assert joined.code == text
    assert joined.deep_equals(libcst.parse_module(text))


def test_pieces_keep_the_lines_around_their_cuts(monkeypatch: pytest.MonkeyPatch) -> None:
    # Cuts fall between every top-level statement: comments before and after them, a block's trailing comment,
    # decorators, two statements on one line, a statement over several lines, no newline at the end.
    text = textwrap.dedent(
        """\
        # header comment

        import os  # trailing
        a = 1; b = 2


        # before f
        @decorator(
            1,
        )
        def f():
            return (
                os.sep
            )
            # the block's last line


        # between
        class C:
            x = 1
        if a:
            pass
        else:
            b = 3
        # footer"""
    )
    monkeypatch.setattr(parse, "PIECE", 1)
    cuts = parse.starts(text)
    assert cuts == [2, 3, 7, 18, 20]  # 0-based: import, a = 1, the decorator, class, if
    joined = parse._in_pieces(text)
    assert joined is not None
    assert joined.code == text
    assert joined.deep_equals(libcst.parse_module(text))


def test_pieces_with_other_indentation_fall_back_to_one_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "def f():\n    return 1\n\n\ndef g():\n  return 2\n"  # the pieces' own default indents differ
    monkeypatch.setattr(parse, "PIECE", 1)
    assert parse._in_pieces(text) is None
    module = parse.parse_module(text)
    assert module.code == text
    assert module.deep_equals(libcst.parse_module(text))


def test_text_cpython_refuses_is_parsed_whole() -> None:
    assert parse.starts("def f(:\n") == []


@pytest.mark.skipif(importlib.util.find_spec("numpy") is None, reason="numpy (the dev extra) not installed")
def test_a_large_test_module_parses_in_bounded_memory() -> None:
    # numpy's 420 KB test_multiarray.py: libcst's parser alone grows the process by about 280 MiB when the
    # file is parsed whole, about 100 MiB in pieces (memory, unlike time, does not depend on the machine's load).
    spec = importlib.util.find_spec("numpy")
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin).parent / "_core" / "tests" / "test_multiarray.py"
    if not path.exists():
        pytest.skip("this numpy has no _core/tests/test_multiarray.py")
    script = textwrap.dedent(
        """
        import resource, sys
        from codeward.reviewer.parse import parse_module
        text = open(sys.argv[1], encoding="utf-8").read()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        module = parse_module(text)
        assert module.code == text
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
        """
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) < 160, result.stdout


def test_a_file_with_injection_findings_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules' walk and the classifier's sink walk share one libcst tree; the review lets it go at its end."""
    from codeward.reviewer.review import review_text

    calls: list[int] = []
    real = parse._parse
    monkeypatch.setattr(parse, "_parse", lambda text: calls.append(len(text)) or real(text))
    text = "import os\nfrom flask import request\n\ndef view():\n    os.system(request.args['c'])\n"
    findings = review_text("app.py", text)
    assert [(f.code, f.span.line) for f in findings if f.code == "CWR102"] == [("CWR102", 5)]
    assert next(f for f in findings if f.code == "CWR102").confidence is not None  # the classifier scored it
    assert calls == [len(text)]
    assert parse._last is None


def test_libcst_classes_answer_isinstance_as_their_hierarchy_says() -> None:
    # After the switch to type's own checks, isinstance and issubclass over every pair of libcst classes give what
    # the classes' MROs say, which is what ABCMeta answered before (libcst registers no virtual subclasses).
    parse.plain_isinstance()
    kinds = [k for k in vars(libcst).values() if isinstance(k, type) and issubclass(k, libcst.CSTNode)]
    assert len(kinds) >= 150
    assert all(type(k) is parse._PlainChecks for k in kinds)
    name = libcst.Name("x")
    for kind in kinds:
        for other in kinds:
            assert issubclass(other, kind) == (kind in other.__mro__)
        assert isinstance(name, kind) == (kind in libcst.Name.__mro__)
    assert not isinstance(object(), libcst.CSTNode) and not issubclass(int, libcst.BaseExpression)
    # A class that registers virtual subclasses keeps ABCMeta's checks.
    import abc

    class Virtual(abc.ABC):
        @abc.abstractmethod
        def run(self) -> None: ...

    Virtual.register(int)
    assert parse._registered(Virtual) and not parse._registered(libcst.Name)


_BINDING_SHAPES = (
    "Assign", "AugAssign", "AnnAssign", "For", "CompFor", "AsName", "NamedExpr", "Global", "Nonlocal", "FunctionDef",
    "ClassDef", "Lambda",
)  # fmt: skip


def _bindings_met(body: list, children: Callable[[Any], list]) -> list:
    """The binding nodes a rule's search of a function body meets, in the order it meets them (nested
    definitions met, not entered, as the searches in reviewer/rules/injection.py do)."""
    kinds = tuple(getattr(libcst, name) for name in _BINDING_SHAPES)
    met, stack = [], list(body)
    while stack:
        item = stack.pop()
        if isinstance(item, kinds):
            met.append(item)
        if isinstance(item, libcst.FunctionDef | libcst.ClassDef | libcst.Lambda):
            continue
        stack.extend(children(item))
    return met


@pytest.mark.parametrize("name", ["argparse.py", "inspect.py", "tarfile.py", "<every binding form>"])
def test_binding_children_meet_what_libcsts_children_meet(name: str) -> None:
    from codeward.reviewer.dataflow.nodes import binding_children

    every_form = textwrap.dedent(
        """\
        def f(a):
            global g
            import os.path as osp, sys
            from x import (y as z, w)
            try:
                v: int = 1
            except (KeyError, ValueError) as error:
                v += 1
            with open(a) as handle, lock:
                s = t = [q for q in handle if (r := q)]
            for i, (j, k) in enumerate(a):
                def inner(): n = 1
                lam = lambda: (m := 1)
            else:
                pass
            match a:
                case [b, *c] if (d := b):
                    e = d
                case {"k": h, **rest}:
                    nonlocal_like = h
            while (u := a.pop()):
                class C: attr = u
            return {p: o for p, o in a.items()}
        """
    )
    text = every_form if name.startswith("<") else (STDLIB / name).read_text(encoding="utf-8")
    module = libcst.parse_module(text)
    functions = [n for n in _bindings_met(module.body, lambda n: n.children) if isinstance(n, libcst.FunctionDef)]
    inner = [n for f in functions for n in _bindings_met(f.body.body, lambda n: n.children)]
    functions += [n for n in inner if isinstance(n, libcst.FunctionDef)]  # `inner` in every_form
    assert functions
    met_anywhere: set[str] = set()
    for function in functions:
        slow = _bindings_met(function.body.body, lambda n: n.children)
        fast = _bindings_met(function.body.body, binding_children)
        # The same nodes; statements in the same order (the searches return assigned values in that order), the
        # names bound inside expressions and handlers perhaps in another (`except E as e`: libcst prints the name
        # before the handler's body, its fields hold the body first), which no search's answer depends on.
        assert sorted(map(id, fast)) == sorted(map(id, slow))
        statements = (
            libcst.Assign,
            libcst.AugAssign,
            libcst.AnnAssign,
            libcst.For,
            libcst.FunctionDef,
            libcst.ClassDef,
        )
        assert [id(n) for n in fast if isinstance(n, statements)] == [id(n) for n in slow if isinstance(n, statements)]
        met_anywhere.update(type(n).__name__ for n in slow)
    if name.startswith("<"):
        assert met_anywhere == set(_BINDING_SHAPES) - {"Nonlocal"} | {"Global"}
