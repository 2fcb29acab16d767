"""The sink pre-filter (`FileFlows.maybe_sink`) for calls `x.m(...)` of a name `x` imported from the project: it
reads the project's texts to say whether the function the analysis would resolve the call to can reach a sink,
so that calls that cannot are never analysed, and the calls that can still are (findings stay)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from codeward.reviewer.dataflow.engine import engine_for
from codeward.reviewer.dataflow.query import FileFlows
from codeward.reviewer.review import review_file

FILES = {
    "__init__.py": "",
    # A package that re-exports its functions from a module inside it.
    "api/__init__.py": "from .impl import run, tidy\n",
    "api/impl.py": "import os\n\n\ndef run(c):\n    os.system(c)\n\n\ndef tidy(c):\n    return c.strip()\n",
    "store.py": "import os\n\n\nclass Store:\n    @staticmethod\n    def run(c):\n        os.system(c)\n\n"
    "    @staticmethod\n    def name(c):\n        return c\n\n\nstore = Store()\n",
}
IMPORTS = "from app import api\nfrom app.store import Store, store\n\n"


def _package(root: Path, views: str) -> Path:
    for name, text in {**FILES, "views.py": views}.items():
        (root / "app" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "app" / name).write_text(text)
    return root / "app" / "views.py"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("api.run(c)", True),  # the package's `run` is impl.py's, which calls os.system
        ("api.tidy(c)", False),  # re-exported too, and calls no sink
        ("api.nothing(c)", False),  # neither defined nor imported there: the analysis resolves no callee
        ("api.impl.run(c)", True),  # a longer chain: not decided from the texts, kept
        ("Store.run(c)", True),  # a method of a class of another module, calling a sink
        ("Store.name(c)", False),
        ("store.run(c)", True),  # an object: a method of that name in its module calls a sink
        ("store.other(c)", False),
    ],
)
def test_calls_of_names_imported_from_the_project(tmp_path: Path, call: str, expected: bool) -> None:
    text = IMPORTS + call + "\n"
    path = _package(tmp_path, text)
    module = cst.parse_module(text)
    flows = FileFlows(engine_for(None), str(path), module, text)
    try:
        node = module.body[-1].body[0].value  # type: ignore[attr-defined]
        assert flows.maybe_sink(node) is expected
    finally:
        flows.close()


ROUTE = "from flask import Flask, request\n" + IMPORTS + "app = Flask(__name__)\n\n\n@app.route('/x')\ndef x():\n"


@pytest.mark.parametrize(
    ("call", "found"),
    [("Store.run(request.args['c'])", [(10, "CWR102")]), ("store.run(request.args['c'])", []),
     ("api.tidy(request.args['c'])", [])],
)  # fmt: skip
def test_request_data_through_those_calls(tmp_path: Path, call: str, found: list[tuple[int, str]]) -> None:
    """A static method of another module's class that calls a sink, kept by the pre-filter, is reported. A method
    of an object of another module is not resolved by the analysis (the pre-filter keeps it anyway); nor, today,
    is a package's re-export called with untrusted data (`Engine.worth_loading` asks whether the package's
    `__init__.py` defines `run`), so `api.run(...)` is left out here."""
    path = _package(tmp_path, ROUTE + f"    {call}\n    return 'ok'\n")
    assert [(f.line, f.code) for f in review_file(str(path)).findings if f.code == "CWR102"] == found


def test_the_call_scans_find_what_the_backtracking_scans_found() -> None:
    # The wrapper test's scan of call-like text (`engine._CALL`) starts no match inside a word, and both scans
    # (`project._CALLS` too) take a name possessively on Python 3.11 and later; the patterns they replaced started
    # a match at every character and backtracked through every word. Same matches, same groups, on real text and
    # on cut-up words.
    import re
    import sysconfig

    from codeward.reviewer.dataflow import engine, project

    everywhere = re.compile(r"(\.?)(\w+)(?:\.(\w+))?\s*\(")
    backtracking = re.compile(r"(?<![\w.])(\w+)(?:\.(\w+))?\s*\(")
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    texts = [(stdlib / name).read_text(encoding="utf-8") for name in ("argparse.py", "subprocess.py", "ast.py")]
    texts.append("a.b.c(x) os.system (y)\nf(g(h)) .m() x. y( é.ünï(z) _a1._b2( 1.real( obj.x.y.z( a .b( c\t(")
    for text in texts:
        for old, new in ((everywhere, engine._CALL), (backtracking, project._CALLS)):
            expected = [m.groups(default="") for m in old.finditer(text)]
            assert expected
            assert [m.groups(default="") for m in new.finditer(text)] == expected
