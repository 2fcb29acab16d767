"""Hostile-input fuzzing (hypothesis): Python and YAML built for nesting, chains and long lines. Each input is
reviewed or linted in a worker process under a time and memory limit (codeward.runner), and the test asserts
the worker neither died, nor ran over its limit, nor failed inside codeward: every input gets an ordinary
result (findings, or a CWR003/CWF0xx finding that says why the file was refused).

Kept modest for the suite (a few dozen examples per generator); raise CODEWARD_FUZZ_EXAMPLES for a long run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeward.runner import Limits, run_isolated
from tests.helpers import warm_review

EXAMPLES = int(os.environ.get("CODEWARD_FUZZ_EXAMPLES", "15"))
# What a file may cost: generous for a busy machine (the attacks this guards against took minutes and
# gigabytes); the pre-check and the window keep the real figures far below.
# The limit that matters is the worker's CPU time (20 s, read from /proc). A worker kept off the CPU is waited
# for up to wall_factor times that: on this 2-core machine at load 20 a worker gets about a tenth of a CPU.
LIMITS = Limits(seconds=20.0, memory=1024 * 1024 * 1024, wall_factor=30.0)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

size = st.integers(min_value=1, max_value=8_000)


def _python_piece(kind: str, n: int) -> str:
    return {
        "plus": "x = " + "+".join(["a"] * n),
        "attr": "x = a" + ".b" * n,
        "calls": "x = f" + "()" * n,
        "index": "x = a" + "[0]" * n,
        "neg": "x = " + "-" * n + "a",
        "not": "x = " + "not " * n + "a",
        "lambda": "x = " + "lambda: " * n + "a",
        "ifexp": "x = " + "a if b else " * n + "c",
        "await": "async def f():\n    return " + "await " * n + "a",
        "parens": "x = " + "(" * n + "a" + ")" * n,
        "lists": "x = " + "[" * n + "]" * n,
        "dicts": "x = " + "{'a': " * n + "1" + "}" * n,
        "split": "x = (a\n" + "    + a\n" * n + ")",
        "concat": "x = " + " ".join(["'ab'"] * n),
        "fstring": "x = " + 'f"{' * min(n, 200) + "a" + '}"' * min(n, 200),
        "longline": "x = '" + "A" * (n * 50) + "'",
        "tokens": "X = [" + ", ".join(f'"AKIA{i:06d}QWERTYZXCV"' for i in range(min(n, 6_000))) + "]",
        "indent": "".join("    " * i + "if a:\n" for i in range(min(n, 120))) + "    " * min(n, 120) + "pass",
        "statements": "import subprocess\n" + "subprocess.call(x, shell=True)\n" * min(n, 2_000),
    }[kind]


PYTHON_KINDS = ("plus", "attr", "calls", "index", "neg", "not", "lambda", "ifexp", "await", "parens", "lists",
                "dicts", "split", "concat", "fstring", "longline", "tokens", "indent", "statements")  # fmt: skip


@st.composite
def python_sources(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.tuples(st.sampled_from(PYTHON_KINDS), size), min_size=1, max_size=3))
    # A sink and a source, so the rules are active and libcst really parses the file.
    body = "\n".join(_python_piece(kind, n) for kind, n in pieces)
    return "import os\nfrom flask import request\n" + body + "\nos.system(request.args['c'])\n"


def _yaml_piece(kind: str, n: int) -> str:
    return {
        "flow": "[" * n + "]" * n,
        "flowmap": "{a: " * n + "b" + "}" * n,
        "block": "\n".join("  " * i + "- " for i in range(min(n, 3_000))) + "x",
        "blockmap": "\n" + "\n".join("  " * (i + 4) + f"k{i}:" for i in range(min(n, 3_000))) + " x",
        "aliases": "\n".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i else "x"] * 9) + "]" for i in range(min(n, 40))),
        "longline": "'" + "x" * (n * 100) + "'",
        "longplain": "a: " + ": ".join(["b"] * n),
        "items": "[" + ", ".join(["item"] * (n * 5)) + "]",
        "anchors": "[" + ", ".join(f"&x{i} v{i}" for i in range(n)) + "]",
        "quotes": '"' + "\\\\" * n + '"',
        "tags": "!!python/object:os.system " * min(n, 50) + "x",
    }[kind]  # fmt: skip


YAML_KINDS = ("flow", "flowmap", "block", "blockmap", "aliases", "longline", "longplain", "items", "anchors",
              "quotes", "tags")  # fmt: skip


@st.composite
def buildspecs(draw: st.DrawFn) -> str:
    kind, n = draw(st.sampled_from(YAML_KINDS)), draw(size)
    piece = _yaml_piece(kind, n)
    where = draw(st.sampled_from(("command", "variable", "top")))
    if where == "command":
        return "version: 0.2\nphases:\n  build:\n    commands:\n      - " + piece + "\n"
    if where == "variable":
        return (
            "version: 0.2\nenv:\n  variables:\n    API_TOKEN: "
            + piece
            + "\nphases:\n  build:\n    commands:\n      - make\n"
        )
    return piece + "\n"


def _review(path: str) -> tuple[bool, list[str]]:
    from codeward.reviewer.review import review_file

    result = review_file(path)
    return result.internal_error, [f"{f.code} {f.message}" for f in result.findings]


def _lint(path: str) -> tuple[bool, list[str]]:
    from codeward.linters.engine import lint_file

    result = lint_file(path)
    return result.internal_error, [f"{f.code} {f.message}" for f in result.findings]


def _check(fn, path: Path) -> list[str]:
    if fn is _review:
        warm_review()  # each example's worker is forked from here: it inherits the reviewer instead of importing it
    started = time.monotonic()
    (outcome,) = run_isolated(fn, [str(path)], 1, lambda item, why: ("died", why), LIMITS)
    elapsed = time.monotonic() - started
    assert outcome[0] != "died", f"{path.name}: {outcome[1]}\n{path.read_text()[:300]}"
    internal, findings = outcome
    assert not internal and not any("CWR900" in f or "CWF900" in f for f in findings), findings
    # The runner's own bound: the limit counts CPU time, and a machine that keeps the worker waiting gets up to
    # wall_factor times it in wall time (a wall-clock bound of the limit alone failed on a busy machine).
    assert elapsed < LIMITS.seconds * LIMITS.wall_factor + 10
    return findings


@FUZZ
@given(source=python_sources())
def test_review_survives_hostile_python(tmp_path_factory, source: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "hostile.py"
    path.write_text(source)
    findings = _check(_review, path)
    # Reviewed (the injection at the end is found) or refused as a whole, never silently nothing.
    assert any(f.startswith(("CWR102", "CWR003", "CWR001")) for f in findings), findings


@FUZZ
@given(source=buildspecs())
def test_lint_survives_hostile_yaml(tmp_path_factory, source: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "buildspec.yml"
    path.write_text(source)
    _check(_lint, path)


def test_a_long_command_is_read_in_linear_time(tmp_path: Path) -> None:
    # An 800 KB command took 68 s of CPU (shlex and the `(` scan were quadratic in a word's length); now about 2 s.
    # The bound is the fuzz tests' 20 s of CPU time, ten times that, so a busy machine cannot fail it.
    path = tmp_path / "buildspec.yml"
    path.write_text("version: 0.2\nphases:\n  build:\n    commands:\n      - '" + "x" * 800_000 + "'\n")
    assert _check(_lint, path) == []
