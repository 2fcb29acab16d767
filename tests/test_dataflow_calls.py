"""Calls whose effect depends on how they are made: the constants a caller passes to a wrapper (`shell=False`),
an argument list under `shell=True`, methods of nested classes, and helpers taking many parameters. Each case
has a vulnerable and a safe variant, and the tests state exactly which lines are reported."""

from __future__ import annotations

import textwrap

import pytest

from tests.outputs_whole import reviewed

HEAD = "import os, shlex, subprocess\nfrom flask import Flask, request\napp = Flask(__name__)\n"


def command_lines(body: str) -> list[int]:
    """Lines (counted within the dedented `body`) reported as OS command injection."""
    source = HEAD + textwrap.dedent(body)
    findings = reviewed("case.py", source)
    offset = HEAD.count("\n")
    return sorted(f.line - offset for f in findings if f.code == "CWR102")


# -- a wrapper's branches, decided by the constant a caller passes ----------------------------------------

WRAPPER = """\
def execute(command, shell=False):
    if shell:
        return subprocess.run(command, shell=True)
    return subprocess.run(["echo", command], shell=False)


def run(cmd, use_shell=False):
    return subprocess.run(cmd, shell=use_shell)


@app.route('/x')
def view():
    c = request.args['c']
"""


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("execute(c, shell=True)", [14]),
        ("execute(c, True)", [14]),
        ("execute(c, shell=False)", []),
        ("execute(c)", []),  # the default
        ("execute(c, shell=request.args['s'] == '1')", [14]),  # not a constant: either branch
        ("run(c, True)", [14]),
        ("run(['ls', c], use_shell=False)", []),  # no shell: the program is `ls`
        ("run(['ls', c])", []),
        ("run(c)", [14]),  # no shell, but the caller's data is the program
        ("run('ls ' + c, use_shell=True)", [14]),
    ],
)
def test_a_wrapper_follows_the_branch_its_constant_argument_selects(call: str, expected: list[int]) -> None:
    assert command_lines(WRAPPER + f"    {call}\n") == expected


def test_a_wrapper_of_a_wrapper_passes_the_constant_on() -> None:
    body = (
        WRAPPER
        + "    outer(c, False)\n    outer(c, True)\n\n\ndef outer(value, flag):\n    return execute(value, shell=flag)\n"
    )
    assert command_lines(body) == [15]


# -- an argument list under shell=True (POSIX: only the first item is the script) -------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("[c, 'x']", [3]),
        ("['ls ' + c]", [3]),
        ("shlex.split(c)", [3]),  # first item unknown: the whole list counts
        ("['ls', c]", []),  # `c` becomes the shell's `$0`, never parsed as a command
        ("['echo', 'x', c]", []),
    ],
)
def test_a_list_run_by_a_shell_is_reported_only_for_its_first_item(args: str, expected: list[int]) -> None:
    body = f"@app.route('/x')\ndef view():\n    c = request.args['c']\n    subprocess.run({args}, shell=True)\n"
    assert [line - 1 for line in command_lines(body)] == expected


# -- methods of nested classes ---------------------------------------------------------------------------

NESTED = """\
class Outer:
    class Inner:
        def run(self, cmd):
            os.system(cmd)


@app.route('/x')
def view():
    Outer.Inner().run({})
"""


def test_a_method_of_a_nested_class_is_summarised() -> None:
    assert command_lines(NESTED.format("request.args['c']")) == [9]
    assert command_lines(NESTED.format("'ls'")) == []


def test_a_nested_class_method_is_not_its_outer_class_method() -> None:
    body = NESTED.format("request.args['c']").replace("Outer.Inner().run", "Outer().run")
    assert command_lines(body) == []


# -- helpers joining many parameters ------------------------------------------------------------------------

MANY = 30  # more than the positions a container tracks one by one (values.MAX_FIELDS)


def _many(joined: str, tainted: int | None) -> str:
    params = ", ".join(f"p{i}" for i in range(MANY))
    args = ", ".join("request.args['c']" if i == tainted else "'x'" for i in range(MANY))
    return f"def many({params}):\n    os.system({joined})\n\n\n@app.route('/x')\ndef view():\n    many({args})\n"


JOINS = {
    "plus": " + ".join(f"p{i}" for i in range(MANY)),
    "join": "' '.join([" + ", ".join(f"p{i}" for i in range(MANY)) + "])",
    "percent": "'" + "%s " * MANY + "' % (" + ", ".join(f"p{i}" for i in range(MANY)) + ")",
    "format": "'" + "{} " * MANY + "'.format(" + ", ".join(f"p{i}" for i in range(MANY)) + ")",
}


@pytest.mark.parametrize("how", sorted(JOINS))
@pytest.mark.parametrize("tainted", [0, 23, 24, MANY - 1])
def test_a_helper_joining_many_parameters_into_a_sink(how: str, tainted: int) -> None:
    assert command_lines(_many(JOINS[how], tainted)) == [7]
    assert command_lines(_many(JOINS[how], None)) == []


def test_a_list_literal_longer_than_the_tracked_positions_keeps_its_tail() -> None:
    items = ", ".join("'a'" for _ in range(MANY)) + ", request.args['c']"
    body = f"@app.route('/x')\ndef view():\n    parts = [{items}]\n    os.system(' '.join(parts))\n"
    assert command_lines(body) == [4]
    body = f"@app.route('/x')\ndef view():\n    parts = [{items}]\n    os.system(parts[0])\n"
    assert command_lines(body) == []


# -- a response whose content type is set after it is built -----------------------------------------------

RESPONSES = """\
import json
from flask import Flask, Response, request
app = Flask(__name__)


class Base:
    @staticmethod
    def service_response(body, headers, status_code):
        response = Response(body)
        response.headers = headers
        response.status_code = status_code
        return response


class Errors:
    @staticmethod
    def _headers(error_type):
        return {"x-amzn-errortype": error_type, "Content-Type": "application/json"}

    @staticmethod
    def not_implemented(message):
        return Base.service_response(json.dumps({"Message": message}), Errors._headers("NotImpl"), 501)


@app.route('/x')
def view():
    q = request.args["q"]
"""


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        ("return Errors.not_implemented('bad: ' + q)", False),  # JSON body, JSON type set by the wrapper
        ("return Base.service_response(q, Errors._headers('x'), 200)", False),  # the type from a helper
        ("return Base.service_response(q, {'Content-Type': 'text/html'}, 200)", True),
        ("return Base.service_response(q, {}, 200)", True),  # no type: Flask's default, text/html
        ("r = Response(q)\n    r.mimetype = 'application/json'\n    return r", False),
        ("r = Response(q)\n    r.headers['Content-Type'] = 'text/plain; charset=utf-8'\n    return r", False),
        ("r = Response(q)\n    r.headers['Content-Type'] = 'text/html'\n    return r", True),
        ("return Response(q, headers={'content-type': 'application/json'})", False),
        ("r = Response(q)\n    return r", True),
    ],
)
def test_a_response_typed_after_it_is_built(body: str, reported: bool) -> None:
    source = RESPONSES + f"    {body}\n"
    line = RESPONSES.count("\n") + 1
    found = [f.line for f in reviewed("case.py", source) if f.code == "CWR110"]
    assert found == ([line] if reported else [])


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        (
            "return HTTPResponse(status=200, body='<div>' + request.json['c'], headers={'Content-Type': 'text/html'})",
            True,
        ),
        ("return HTTPResponse(request.query.q)", True),  # bottle's default type is text/html
        ("return HTTPResponse(request.query.q, headers={'Content-Type': 'application/json'})", False),
        ("return HTTPResponse('<div>' + html.escape(request.query.q))", False),
        ("raise HTTPError(400, 'bad ' + request.query.q)", False),  # the default error page escapes it
    ],
)
def test_bottle_responses(body: str, reported: bool) -> None:
    head = "import html\nfrom bottle import Bottle, HTTPError, HTTPResponse, request\napp = Bottle()\n\n\n"
    source = head + f"@app.get('/x')\ndef view():\n    {body}\n"
    found = [f.line for f in reviewed("case.py", source) if f.code == "CWR110"]
    assert found == ([8] if reported else [])


RENDER = """\
import html
from flask import Flask, request
app = Flask(__name__)


def render(x, raw=False):
    if raw:
        return x
    return html.escape(x)


@app.route('/x')
def view():
"""


@pytest.mark.parametrize(
    ("call", "reported"),
    [
        ("render(request.args['q'])", False),  # the default escapes
        ("render(request.args['q'], raw=False)", False),
        ("render(request.args['q'], raw=True)", True),
        ("render(request.args['q'], True)", True),
        ("render(request.args['q'], raw=request.args['r'] == '1')", True),  # either branch
    ],
)
def test_a_helper_returns_what_the_branch_its_constant_argument_selects_returns(call: str, reported: bool) -> None:
    source = RENDER + f"    return '<p>' + {call}\n"
    found = [f.line for f in reviewed("case.py", source) if f.code == "CWR110"]
    assert found == ([14] if reported else [])


# -- a function or class passed to be called ------------------------------------------------------------------

PASSED = """\
import subprocess
from http.client import HTTPConnection
from urllib.request import urlopen

from flask import Flask, request

app = Flask(__name__)
legacy_urlopen = urlopen


def _fetch(opener, url):
    return opener(url).read()


def _run(runner, cmd):
    return runner(cmd, shell=True)


def _connect(connection_class, host):
    c = connection_class(host)
    c.request("GET", "/")
    return c.getresponse().status


@app.route("/x")
def view():
    value = request.args["v"]
    {call}
    return "ok"
"""


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("_fetch(urlopen, value)", [("CWR109", "_fetch(), which passes it to urllib.request.urlopen()")]),
        ("_fetch(legacy_urlopen, value)", [("CWR109", "_fetch(), which passes it to urllib.request.urlopen()")]),
        ("_connect(HTTPConnection, value)", [("CWR109", "_connect(), which passes it to http.client.HTTPConnection()")]),
        ("_run(subprocess.check_output, 'ls ' + value)", [("CWR102", "_run(), which passes it to subprocess.check_output()")]),
        # Safe: the function passed is no sink, or the data is not what reaches it.
        ("_fetch(len, value)", []),
        ("_run(print, 'ls ' + value)", []),
        ("_run(subprocess.check_output, 'ls ' + shlex.quote(value))", []),
        ("_fetch(urlopen, 'https://example.com/')", []),
    ],
)  # fmt: skip
def test_a_function_passed_to_be_called_is_the_call_the_callee_makes(
    call: str, expected: list[tuple[str, str]]
) -> None:
    """`fetch(urlopen, url)`: the callee calls its parameter, so the summary for that argument has the passed
    function's sinks (the general summary calls an unknown function, which passes data on and sinks nothing)."""
    source = "import shlex\n" + PASSED.format(call=call)
    line = source.splitlines().index(f"    {call}") + 1
    found = [(f.line, f.code, f.message) for f in reviewed("case.py", source) if f.code in ("CWR102", "CWR109")]
    assert [(at, code) for at, code, _ in found] == [(line, code) for code, _ in expected]
    assert all(text in message for (_, _, message), (_, text) in zip(found, expected, strict=True))
