"""Where outside input starts and where an allow-list ends it. Parameters taken as outside input when no caller is in view, from how their function is written: a
module-level function that reads the framework's `request` global is a view whose parameters are URL
variables (its route registered elsewhere, or cut off); a parameter whose name says it is outside input
(`user_input`). Both are weak evidence: findings from them are `info`, a caller in view decides instead, and a
validator the code itself calls on the value (`validateClient(client)`) withdraws the guess. Each case has a
vulnerable variant and a safe one."""

from __future__ import annotations

from pathlib import Path

import pytest
from codeward.reviewer.dataflow.analysis import _allowed_only, _strict_kinds
from codeward.reviewer.dataflow.values import ALL_KINDS

from tests.outputs_whole import reviewed
from tests.test_reviewer_defaults import review

CODES = ("CWR101", "CWR102", "CWR103", "CWR107", "CWR120")

# (description, file text, [(line, code, severity)] expected)
CASES = [
    (
        "view reading the request global, parameter into a path",
        "def delete_key(client):\n    token = decode(request.data)\n    os.remove('keys/%s.key' % client)\n",
        [(3, "CWR107", "info")],
    ),
    (
        "the same function called in the module: a helper, its caller decides",
        "def delete_key(client):\n    token = decode(request.data)\n    os.remove('keys/%s.key' % client)\n\n\n"
        "def run():\n    delete_key('constant')\n",
        [],
    ),
    (
        "view whose parameter is validated by the code itself",
        "def delete_key(client):\n    validateClient(client)\n    token = decode(request.data)\n"
        "    os.remove('keys/%s.key' % client)\n",
        [],
    ),
    (
        "function not reading the request: its parameter is no source",
        "def delete_key(client):\n    os.remove('keys/%s.key' % client)\n",
        [],
    ),
    (
        "view whose request comes first, outside a views file",
        "import os\n\n\ndef detail(request, slug):\n    return open(os.path.join('/pages', slug)).read()\n",
        [(5, "CWR107", "info")],
    ),
    (
        "pytest's request fixture comes first",
        "import os\nimport pytest\n\n\n@pytest.fixture\ndef page(request, slug):\n"
        "    return open(os.path.join('/pages', slug)).read()\n",
        [],
    ),
    (
        "parameter named user_input into open()",
        "def do_open(user_input):\n    with open(user_input) as f:\n        return f.read()\n",
        [(2, "CWR107", "info")],
    ),
    (
        "parameter named user_input into an archive opener",
        "import tarfile\n\n\ndef do_tar(user_input):\n    with tarfile.TarFile.open(user_input) as tf:\n"
        "        return tf.getnames()\n",
        [(5, "CWR107", "info")],
    ),
    (
        "parameter named user_input cast to int first",
        "def do_open(user_input):\n    with open('/data/%d' % int(user_input)) as f:\n        return f.read()\n",
        [],
    ),
    (
        "parameter named user_input, called in view with a constant",
        "def do_open(user_input):\n    with open(user_input) as f:\n        return f.read()\n\n\n"
        "def main():\n    do_open('/etc/motd')\n",
        [],
    ),
    (
        "ordinary parameter name into open()",
        "def do_open(name):\n    with open(name) as f:\n        return f.read()\n",
        [],
    ),
    (
        "method parameter named user_input into os.system",
        "import os\n\n\nclass Runner:\n    def go(self, user_input):\n        os.system('ping ' + user_input)\n",
        [(6, "CWR102", "info")],
    ),
    (
        "method parameter named user_input, called in view",
        "import os\n\n\nclass Runner:\n    def go(self, user_input):\n        os.system('ping ' + user_input)\n\n"
        "    def main(self):\n        self.go('localhost')\n",
        [],  # its one caller passes a constant,
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_parameters_without_a_caller_in_view(name: str, text: str, expected: list[tuple[int, str, str]]) -> None:
    found = [(f.line, f.code, f.severity.name.lower()) for f in reviewed("app.py", text) if f.code in CODES]
    assert found == expected


def test_an_imported_flask_request_makes_a_view_and_the_message_says_why() -> None:
    text = (
        "import os\nfrom flask import request\n\n\n"
        "def download(name):\n    if request.method == 'GET':\n        return open(os.path.join('/srv', name)).read()\n"
    )
    (finding,) = [f for f in reviewed("app.py", text) if f.code == "CWR107"]
    assert finding.line == 7 and finding.severity.name == "INFO"
    assert "parameter `name` (a view's URL variable: the function reads `request`)" in finding.message
    assert "no caller is in view" in finding.message


def test_a_request_name_of_another_library_makes_no_view() -> None:
    text = (
        "import os\nfrom urllib.request import Request as request\n\n\n"
        "def download(name):\n    request.x = 1\n    return open(os.path.join('/srv', name)).read()\n"
    )
    assert [f for f in reviewed("app.py", text) if f.code == "CWR107"] == []


# -- allow-lists, per kind -----------------------------------------------------------------------------------

# (pattern, the kinds a full match must NOT clear, some kinds it must clear)
PATTERNS = [
    (r"^\d+$", set(), {"command", "code", "path", "sql", "ssrf", "xss", "ldap", "regex"}),
    (r"^[a-z()]+$", {"code", "command", "sql", "ldap"}, {"path", "xss"}),  # eval('exit()')
    (r"^[0-9+\-*/().]+$", {"command", "sql", "path"}, {"code", "xss"}),  # names nothing: literals only
    (r"^[a-zA-Z0-9_-]+$", {"ssrf"}, {"command", "code", "path", "path-dots", "sql", "xss", "header"}),
    (r"^[\w.-]+$", {"path", "path-dots", "code"}, {"command", "sql", "xss"}),  # `..`
    (r"^[a-z]+\.txt$", set(), {"path", "path-dots", "command"}),  # one dot, never two in a row
    (r"^[a-z]+\.+txt$", {"path", "path-dots"}, {"command"}),
    (r"^[a-z\n]+$", {"command", "log", "header", "sql"}, {"path", "xss"}),  # a line break ends a command
    (r"^[a-z ]+$", {"command"}, {"sql", "xss", "path"}),  # a space still splits arguments
    (r"^[a-z<>]+$", {"xss", "xxe", "template", "command", "sql"}, {"path", "log"}),
    (r"^(?:[a-z]+)(?:-[a-z]+)*$", {"ssrf"}, {"command", "path", "code"}),
    (r"^[^/]+$", set(ALL_KINDS), set()),  # a negated class lets almost anything through
    (r"^.+$", set(ALL_KINDS), set()),
    (r"^(?=x)[a-z]+$", set(ALL_KINDS), set()),  # a look-around: beyond this reading, nothing cleared
    (r"[a-z]+", set(ALL_KINDS), set()),  # re.match leaves the end open
]


@pytest.mark.parametrize(("pattern", "not_cleared", "cleared"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_allow_lists_per_kind(pattern: str, not_cleared: set[str], cleared: set[str]) -> None:
    kinds = _strict_kinds(pattern, fullmatch=False)
    assert not kinds & not_cleared and kinds >= cleared


def test_a_search_for_a_forbidden_character_is_judged_per_kind_too() -> None:
    assert _allowed_only(r"[^a-z.]") >= {"command", "sql"} and not _allowed_only(r"[^a-z.]") & {"path", "path-dots"}
    assert "code" not in _allowed_only(r"[^a-z()]") and "code" in _allowed_only(r"[^0-9+*/()-]")


# (description, route body, code expected to be reported or None)
PER_KIND = [
    ("eval after letters and parentheses", "x = request.args['x']\nif re.fullmatch(r'[a-z()]+', x):\n    eval(x)\n",
     "CWR104"),
    ("eval after digits and operators",
     "x = request.args['x']\nif re.fullmatch(r'[0-9+\\-*/(). ]+', x):\n    eval(x)\n", None),
    ("open after word characters and dots",
     "x = request.args['x']\nif re.fullmatch(r'[\\w.-]+', x):\n    open(os.path.join('/srv', x))\n", "CWR107"),
    ("open after word characters and dashes",
     "x = request.args['x']\nif re.fullmatch(r'[\\w-]+', x):\n    open(os.path.join('/srv', x))\n", None),
    ("shell after a class with a line break",
     "x = request.args['x']\nif re.fullmatch(r'[a-z\\n]+', x):\n    os.system('ls ' + x)\n", "CWR102"),
    ("shell after letters only", "x = request.args['x']\nif re.fullmatch(r'[a-z]+', x):\n    os.system('ls ' + x)\n",
     None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "code"), PER_KIND, ids=[c[0] for c in PER_KIND])
def test_allow_lists_per_kind_in_a_route(name: str, body: str, code: str | None) -> None:
    text = "import os, re\nfrom flask import Flask, request\napp = Flask(__name__)\n\n\n@app.route('/x')\ndef view():\n"
    text += "".join(f"    {line}\n" for line in body.splitlines())
    found = {f.code for f in reviewed("app.py", text)} & {"CWR102", "CWR104", "CWR107", "CWR121", "CWR103"}
    assert found == ({code} if code else set())


# -- CherryPy's exposed methods and Pyramid's (WebOb's) responses ------------------------------------------

CHERRYPY = """\
import os
import cherrypy
from cherrypy import expose


class Root:
    @cherrypy.expose
    def greet(self, name=""):
        return "<b>%s</b>" % name

    @expose
    def listing(self, folder):
        os.system("ls " + folder)

    def helper(self, folder):
        os.system("ls " + folder)
"""


def test_a_cherrypy_exposed_method_takes_its_parameters_from_the_request() -> None:
    found = [(f.line, f.code, f.severity.name.lower()) for f in reviewed("app.py", CHERRYPY)]
    # The exposed methods: query and form fields are their parameters, a returned string is the HTML page.
    # The method that is not exposed gets the shape rule's info only (no caller in view: its callers decide).
    assert sorted(found) == [(9, "CWR110", "error"), (13, "CWR102", "error"), (16, "CWR103", "info")]


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("Response('<b>%s</b>' % name)", [8]),
        ("Response(body=name.encode())", [8]),  # WebOb's default type is text/html
        ("Response(name, content_type='text/plain')", []),
        ("Response(json_body={'name': name})", []),
        ("Response('<b>%s</b>' % escape(name))", []),
    ],
)
def test_a_pyramid_response_body_is_html(response: str, expected: list[int]) -> None:
    text = (
        "from markupsafe import escape\nfrom pyramid.response import Response\nfrom pyramid.view import view_config\n\n"
        f"@view_config(route_name='x')\ndef view(request):\n    name = request.params['name']\n    return {response}\n"
    )
    assert [f.line for f in reviewed("app.py", text) if f.code == "CWR110"] == expected


WEBAPP2 = """import os
import webapp2
from markupsafe import escape


class Page(webapp2.RequestHandler):
    def get(self):
        name = self.request.get("name")
        self.response.write("<p>Hello " + name)
        self.response.out.write("<p>" + escape(self.request.params["x"]))
        os.system("ls " + self.request.GET["folder"])

    def post(self):
        self.response.out.write("<p>%d</p>" % len(self.request.get("name")))
"""


def test_a_webapp2_handler_reads_the_request_with_get_and_writes_html() -> None:
    found = [(f.line, f.code) for f in reviewed("main.py", WEBAPP2) if f.code in (*CODES, "CWR110")]
    # `self.request.get()` is a query or form field; the response's body is HTML (WebOb's default type), unless
    # escaped or a number. Tornado's handlers, whose base class has the same name, keep their own model.
    assert sorted(found) == [(9, "CWR110"), (11, "CWR102")]


# -- route decorators, read from the frameworks' tables ------------------------------------------------------

_VIEW = "def view(name):\n    os.system('ls ' + name)\n"
# (description, file text up to the decorated function, whether `name` comes from the URL)
ROUTES = [
    ("Flask's app", "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/x/<name>')\n", True),
    ("a blueprint", "from flask import Blueprint\nbp = Blueprint('x', __name__)\n\n@bp.get('/x/<name>')\n", True),
    ("FastAPI's router", "from fastapi import APIRouter\nr = APIRouter()\n\n@r.get('/x/{name}')\n", True),
    ("aiohttp's route table", "from aiohttp import web\nroutes = web.RouteTableDef()\n\n@routes.get('/{name}')\n", True),
    ("flask-restx namespace made by an Api", "from flask_restx import Api\napi = Api()\nns = api.namespace('x')\n\n"
     "@ns.route('/x/<name>')\n", True),
    ("an app made by a framework's extension", "from quart_trio import QuartTrio\napp = QuartTrio(__name__)\n\n"
     "@app.route('/x/<name>')\n", True),
    ("the project's app, from a module not in view", "from myapp import app\n\n@app.route('/x/<name>')\n", True),
    ("the project's factory", "def create_app():\n    return object()\n\n\napp = create_app()\n\n@app.route('/x/<name>')\n",
     True),
    ("bottle's route, imported by name", "from bottle import route\n\n@route('/x/<name>')\n", True),
    ("a snippet without its imports", "@app.route('/x/<name>')\n", True),
    ("DRF's api_view", "from rest_framework.decorators import api_view\n\n@api_view(['GET'])\n", True),
    ("mock's patch, imported by name", "from unittest.mock import patch\n\n@patch('a.b')\n", False),
    ("mock.patch, the module imported from unittest", "from unittest import mock\n\n@mock.patch('a.b')\n", False),
    ("mock.patch, the mock package", "import mock\n\n@mock.patch('a.b')\n", False),
    ("pytest's mark", "import pytest\n\n@pytest.mark.get('a')\n", False),
    ("a cache object's get", "from cachetools import cache\nc = cache.Cache()\n\n@c.get('key')\n", False),
    ("an object of another library", "import requests_mock\nm = requests_mock.Mocker()\n\n@m.get('http://x')\n", False),
    ("a route method without a path", "from flask import Flask\napp = Flask(__name__)\n\n@app.get(name_of())\n", False),
    # The router's maker is read from the module's assignments, not from its text: a docstring's example binds nothing.
    ("a cache object, a Flask app in a docstring", "from cachetools import cache\n\"\"\"Usage:\n\n    c = Flask(__name__)\n"
     "\"\"\"\nc = cache.Cache()\n\n@c.get('/x/<name>')\n", False),
    ("Flask's app, a cache object in a docstring", "from cachetools import cache\nfrom flask import Flask\n\"\"\"Was:\n\n"
     "    app = cache.Cache()\n\"\"\"\napp = Flask(__name__)\n\n@app.route('/x/<name>')\n", True),
    ("an alias of Flask's app", "from flask import Flask\nflask_app = Flask(__name__)\napp = flask_app\n\n"
     "@app.route('/x/<name>')\n", True),
    ("an alias of a cache object", "from cachetools import cache\nc0 = cache.Cache()\nc = c0\n\n@c.get('/x/<name>')\n", False),
]  # fmt: skip


@pytest.mark.parametrize(("name", "head", "routed"), ROUTES, ids=[r[0] for r in ROUTES])
def test_route_decorators_come_from_the_frameworks_models(name: str, head: str, routed: bool) -> None:
    """A decorator makes its function a route (its parameters from the URL) when it is a router's method with a
    path, a router being an object a framework's class made or one the file cannot type; a decorator of
    another library that takes a string (`@patch("m.f")`) does not."""
    text = f"import os\n{head}{_VIEW}"
    line = text.count("\n")
    found = [(f.line, f.code, f.severity.name) for f in reviewed("app.py", text) if f.code == "CWR102"]
    assert found == ([(line, "CWR102", "ERROR")] if routed else [])


def test_a_mock_patched_test_method_gets_no_finding_for_its_mock_arguments(tmp_path: Path) -> None:
    """A test method's parameters are the mocks and fixtures its runner passes: no route parameter, and no
    "no caller in view" guess (CWR103 at info) either; the same body in a function named otherwise still gets it."""
    text = (
        "import os\nfrom unittest.mock import patch\n\n\nclass TestDeploy:\n    @patch('ops.deploy.send')\n"
        "    def test_send(self, send, folder):\n        os.system('ls ' + folder)\n\n"
        "    @patch('ops.deploy.send')\n    def check(self, send, folder):\n        os.system('ls ' + folder)\n\n"
        "    def deploy(self, folder):\n        os.system('ls ' + folder)\n"
    )
    found = [(f["line"], f["code"], f["severity"]) for f in review(tmp_path, {"ops.py": text}, "--isolated")]
    assert found == [(15, "CWR103", "info")]


def test_a_router_bound_to_an_expression_that_is_no_dotted_name_is_read_without_parsing_it_again() -> None:
    """`app = not(os)` is valid Python whose right side the text search for the router's maker reads as a call
    of `not`: the name is qualified as text (it was parsed again, and `not` alone failed: CWR900 on the file)."""
    text = "import os\napp = not(os)\n\n@app.get('/x/<name>')\n" + _VIEW
    assert [(f.line, f.code) for f in reviewed("app.py", text)] == [(6, "CWR103")]
