"""What the review does to save time, each shown to change nothing but the work: the parse's node constructors,
the walk's skipping of taint handlers for calls without sink hits, a dependency's tree reused for its own review."""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest
from codeward.reviewer import parse
from codeward.reviewer.engine import Context, Walker
from codeward.reviewer.review import _tables, review_file
from codeward.reviewer.rules.injection import CommandInjection, SqlInjection

# Defaults and default factories (whitespace, parentheses, commas), keyword-only syntax, decorators, f-strings,
# comments and blank lines: the constructors' every kind of field.
SOURCE = '''\
"""Doc."""
import os  # trailing
from a import (b as c,
               d)


@decorator(1, *args, key=[x for x in y if x], **kw)
async def f(p, /, q: int = 1, *r, s, **t) -> None:
    global g
    async with open(p) as h, other():
        await h.read()
    match q:
        case [1, *rest] if rest:
            pass
        case {"k": v, **more}:
            pass
    return f"{p!r:>{q}} {(lambda: 0)}" if q else (yield)


class C(Base, metaclass=M):
    x: int = 1

    def m(self):
        try:
            del self.x[1:2, ::3]
        except* ValueError as e:
            raise e from None
        finally:
            print(~-1 ** 2 // 3, not a, b @ c, sep="")
'''


def test_the_parse_builds_the_same_nodes_as_libcst_and_gives_its_constructors_back() -> None:
    assert parse._fast_init(cst.Name) is not None  # the faster constructors are in use, not silently skipped
    module = parse._parse(SOURCE)
    assert module.code == SOURCE
    assert module.deep_equals(cst.parse_module(SOURCE))
    # Nodes built by hand after the parse are validated again by libcst's own constructors.
    own, _ = parse._fast_inits()[cst.Name]
    assert cst.Name.__init__ is own
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
    assert cst.Name("x").lpar == ()  # defaults as libcst sets them


def test_a_parse_that_fails_gives_the_constructors_back_too() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        parse._parse("def f(:\n")
    assert cst.Name.__init__ is parse._fast_inits()[cst.Name][0]


class _EveryCall(SqlInjection):
    """A taint rule with a handler of its own: it is called for every call, hits or not."""

    code = "CWR991"

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        ctx.report(node, "seen")


def test_taint_handlers_are_not_called_again_for_a_call_without_sink_hits(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "import os\n\ndef f(x):\n    os.system(x)\n    print(x)\n"
    module = cst.parse_module(text)
    ctx = Context("f.py", text, module)
    visitors, leavers = _tables((SqlInjection, CommandInjection, _EveryCall))
    walker = Walker(ctx, visitors, leavers)
    assert walker.hits_only == {SqlInjection, CommandInjection}
    asked: list[str] = []
    real = Context.sink_hits

    def counted(self: Context, call: cst.Call, kind: str | None = None) -> list:
        asked.append(self.code(call.func))
        return real(self, call, kind)

    monkeypatch.setattr(Context, "sink_hits", counted)
    walker.run(module)
    # No untrusted data here: the first taint rule asks about each call, the second is not called for it.
    assert asked == ["os.system", "print"]
    assert [(p.rule, ctx.code(p.node)) for p in ctx.pending] == [(_EveryCall, "os.system(x)"), (_EveryCall, "print(x)")]


def test_a_module_parsed_for_summaries_is_not_parsed_again_for_its_own_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    shell = package / "shell.py"
    shell.write_text(
        "import subprocess\nfrom flask import request\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n\n"
        "def direct():\n    subprocess.run(request.args['c'], shell=True)\n"
    )
    (package / "views.py").write_text(
        "from flask import request\nfrom .shell import run\n\ndef index():\n    run(request.args['c'])\n"
    )
    assert [f.code for f in review_file(str(package / "views.py")).findings if f.code == "CWR102"] == ["CWR102"]
    parsed: list[str] = []
    real = parse._parse
    monkeypatch.setattr(parse, "_parse", lambda text: parsed.append(text) or real(text))
    reused = [(f.line, f.code, f.message) for f in review_file(str(shell)).findings]
    assert parsed == []  # views.py's summaries parsed shell.py: its review used that tree
    from codeward.reviewer.dataflow.project import shared_project

    shared_project()._loaded.clear()
    fresh = [(f.line, f.code, f.message) for f in review_file(str(shell)).findings]
    assert len(parsed) == 1
    assert reused == fresh
    assert (8, "CWR102") in [(line, code) for line, code, _ in fresh]


# CWR202's pre-filter as one alternation, the way it was written before it was split for speed: the oracle.
_CREDENTIAL_SHAPE = re.compile(
    r"(?:[Pp]ass|PASS|[Ss]ecret|SECRET|[Tt]oken|TOKEN|[Kk]ey|KEY|[Pp]wd|PWD|redential|REDENTIAL)\w*['\"]?\s*[:=]\s*"
    r"[rbuRBU]?['\"]|\bauth\s*=\s*\(|(?:Basic|Digest)Auth\("
    r"|(?:[Pp]ass|PASS|[Ss]ecret|SECRET|[Pp]wd|PWD|[Kk]ey|KEY)\w*\s*[!=]=\s*[rbuRBU]?['\"]"
    r"|['\"]\s*[!=]=\s*[\w.]*(?:[Pp]ass|PASS|[Ss]ecret|SECRET|[Pp]wd|PWD|[Kk]ey|KEY)"
)


@pytest.mark.parametrize(
    "text",
    [
        "auth=(", "auth = (", "xauth = (", "_auth=(", "é auth = (", "éauth=(", "a.auth =(", "authauth = (",
        "auth\n=\n(", "auth = x", "PASSWORD:'", "password: str", "db_password = b'", "my_token\n=\n u'",
        "key == 'a'", "key==x", "'x' != self.secret_key", "'x' == a.b.Pwd", "\"\" == token", "HTTPBasicAuth(",
        "DigestAuth (", "REDENTIALS='", "credentials = ''", "Secret\t=\tR\"", "secret = f'", "pass", "",
    ],
)  # fmt: skip
def test_the_hardcoded_password_prefilter_decides_as_its_single_pattern_did(text: str) -> None:
    from codeward.reviewer.rules.secrets import _credential_shape

    assert _credential_shape(text) == (_CREDENTIAL_SHAPE.search(text) is not None)
    assert _credential_shape("x = 1\n" + text + "\n") == (_CREDENTIAL_SHAPE.search("x = 1\n" + text + "\n") is not None)


def test_the_hardcoded_password_prefilter_decides_as_its_single_pattern_did_on_this_project() -> None:
    from codeward.reviewer.rules.secrets import _credential_shape

    root = Path(__file__).parents[1]
    paths = sorted(path for folder in ("reviewer", "linters", "tests") for path in (root / folder).rglob("*.py"))
    sources = [path.read_text(encoding="utf-8") for path in paths]
    assert [_credential_shape(s) for s in sources] == [_CREDENTIAL_SHAPE.search(s) is not None for s in sources]
    assert any(_credential_shape(s) for s in sources) and not all(_credential_shape(s) for s in sources)
