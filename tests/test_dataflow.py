"""The data-flow engine, construct by construct: each case is a vulnerable variant and a safe one, and the
test states exactly which lines the injection rules report in each."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from codeward.reviewer.review import review_file

from tests.outputs_whole import reviewed

HEAD = "import os, re, subprocess\nfrom flask import Flask, request\napp = Flask(__name__)\n"
FLOW_RULES = {"CWR101", "CWR102", "CWR104", "CWR107", "CWR109", "CWR110", "CWR111", "CWR113", "CWR114",
              "CWR115", "CWR117", "CWR118", "CWR119"}  # fmt: skip


def reported(body: str, *, head: str = HEAD) -> list[tuple[int, str]]:
    """(line within `body`, code) of every flow finding; `body` is dedented and follows `head`."""
    source = head + textwrap.dedent(body)
    offset = head.count("\n")
    findings = reviewed("case.py", source)
    return sorted((f.line - offset, f.code) for f in findings if f.code in FLOW_RULES)


def route(body: str) -> str:
    return "@app.route('/x')\ndef view():\n" + textwrap.indent(textwrap.dedent(body), "    ")


def lines(body: str) -> list[int]:
    """Lines of a route body (counted within `route(body)`) reported as OS command injection."""
    return [line for line, code in reported(route(body)) if code == "CWR102"]


# -- 1. control flow ----------------------------------------------------------------------------------


CONTROL_FLOW = [
    # (description, route body, lines of `route(body)` reported)
    ("both branches assign", "x = request.args['x']\nif x:\n    y = x\nelse:\n    y = 'ok'\nos.system(y)\n", [8]),
    ("both branches constant", "x = request.args['x']\nif x:\n    y = 'a'\nelse:\n    y = 'b'\nos.system(y)\n", []),
    (
        "elif chain",
        "x = request.args['x']\nif x == 'a':\n    y = 'a'\nelif x == 'b':\n    y = x\nelse:\n"
        "    y = 'c'\nos.system(y)\n",
        [],
    ),
    ("default on one path", "name = request.args.get('n')\nif not name:\n    name = 'guest'\nos.system(name)\n", [6]),
    ("strong update", "x = request.args['x']\nx = 'ls'\nos.system(x)\n", []),
    (
        "loop carries taint",
        "cmd = ''\nfor part in request.args.getlist('p'):\n    cmd = cmd + part\nos.system(cmd)\n",
        [6],
    ),
    (
        "loop with else",
        "cmd = 'ls'\nfor p in ['a', 'b']:\n    if p == 'z':\n        break\nelse:\n"
        "    cmd = request.args['c']\nos.system(cmd)\n",
        [9],
    ),
    ("while and break", "cmd = 'ls'\nwhile True:\n    cmd = request.args['c']\n    break\nos.system(cmd)\n", [7]),
    (
        "while with else",
        "cmd = 'ls'\nn = 0\nwhile n < 3:\n    n += 1\nelse:\n    cmd = request.args['c']\nos.system(cmd)\n",
        [9],
    ),
    (
        "while test guards its body",
        "cmd = request.args['c']\nwhile cmd.isalnum():\n    os.system(cmd)\n    break\n",
        [],
    ),
    ("while test negated", "cmd = request.args['c']\nwhile not cmd.isalnum():\n    os.system(cmd)\n    break\n", [5]),
    (
        "continue skips",
        "out = 'ls'\nfor p in request.args.getlist('p'):\n    if p:\n        continue\n    out = p\nos.system(out)\n",
        [],
    ),
    ("try/except", "try:\n    cmd = request.args['c']\nexcept KeyError:\n    cmd = 'ls'\nos.system(cmd)\n", [7]),
    (
        "try/else/finally",
        "cmd = 'ls'\ntry:\n    pass\nexcept Exception:\n    pass\nelse:\n"
        "    cmd = request.args['c']\nfinally:\n    pass\nos.system(cmd)\n",
        [12],
    ),
    ("with binds", "with open('/etc/x') as fh:\n    cmd = request.args['c']\nos.system(cmd)\n", [5]),
    ("return before the sink", "cmd = request.args['c']\nif cmd:\n    return 'no'\nos.system(cmd)\n", []),
    (
        "raise before the sink",
        "cmd = request.args['c']\nif not cmd.isalnum():\n    raise ValueError(cmd)\nos.system(cmd)\n",
        [],
    ),
    ("assert", "cmd = request.args['c']\nassert cmd.isdigit()\nos.system(cmd)\n", []),
    ("comprehension", "parts = [p.upper() for p in request.args.getlist('p')]\nos.system(' '.join(parts))\n", [4]),
    (
        "comprehension filter",
        "allowed = {'a', 'b'}\nparts = [p for p in request.args.getlist('p') if p in allowed]\n"
        "os.system(' '.join(parts))\n",
        [],
    ),
    ("lambda", "f = lambda: request.args['c']\nos.system(f())\n", [4]),
    ("nested function", "cmd = request.args['c']\ndef inner():\n    os.system(cmd)\ninner()\n", [5]),
    (
        "match on value",
        "cmd = request.args['c']\nmatch 'x':\n    case 'x':\n        cmd = 'ls'\n"
        "    case _:\n        pass\nos.system(cmd)\n",
        [],
    ),
    ("match binds", "match request.args['c']:\n    case str(c):\n        os.system(c)\n", [5]),
]


@pytest.mark.parametrize(("name", "body", "expected"), CONTROL_FLOW, ids=[c[0] for c in CONTROL_FLOW])
def test_control_flow(name: str, body: str, expected: list[int]) -> None:
    assert lines(body) == expected


# -- 2. constants ---------------------------------------------------------------------------------------

CONSTANTS = [
    ("ternary decided", "x = 'safe' if 9 * 4 > 30 else request.args['x']\nos.system(x)\n", []),
    ("ternary decided other way", "x = 'safe' if 9 * 4 < 30 else request.args['x']\nos.system(x)\n", [4]),
    ("if on a constant", "x = request.args['x']\nif 2 + 2 == 4:\n    x = 'ls'\nos.system(x)\n", []),
    ("in literal collection", "x = request.args['x']\nif 'a' in ('a', 'b'):\n    x = 'ls'\nos.system(x)\n", []),
    ("len of a literal", "x = request.args['x']\nif len('abc') == 3:\n    x = 'ls'\nos.system(x)\n", []),
    ("index of a literal list", "items = ['ls', request.args['x']]\nos.system(items[0])\n", []),
    ("index of a literal list, tainted", "items = ['ls', request.args['x']]\nos.system(items[1])\n", [4]),
    ("slice of a literal string", "x = 'ls -la'[:2]\nos.system(x)\n", []),
    ("f-string of constants", "a = 'l'\nb = 's'\nos.system(f'{a}{b}')\n", []),
    (
        "elif decided",
        "v = 7\nx = request.args['x']\nif v < 5:\n    pass\nelif v > 6:\n    x = 'ls'\nos.system(x)\n",
        [],
    ),
    (
        "match decided",
        "v = 'b'\nx = request.args['x']\nmatch v:\n    case 'a':\n        pass\n    case 'b':\n"
        "        x = 'ls'\nos.system(x)\n",
        [],
    ),
    ("branch that cannot run", "x = 'ls'\nif False:\n    x = request.args['x']\nos.system(x)\n", []),
]


@pytest.mark.parametrize(("name", "body", "expected"), CONSTANTS, ids=[c[0] for c in CONSTANTS])
def test_constants(name: str, body: str, expected: list[int]) -> None:
    assert lines(body) == expected


# -- 3. fields and containers ------------------------------------------------------------------------------

_DEQUE = "import collections\nq = collections.deque()\n"

FIELDS = [
    ("dict key clean", "m = {'a': 'ok', 'b': request.args['x']}\nos.system(m['a'])\n", []),
    ("dict key tainted", "m = {'a': 'ok', 'b': request.args['x']}\nos.system(m['b'])\n", [4]),
    ("dict assigned key", "m = {}\nm['b'] = request.args['x']\nm['a'] = 'ok'\nos.system(m['a'])\n", []),
    ("dict.get default", "m = {'a': 'ok'}\nos.system(m.get('a', 'x'))\n", []),
    ("dict.get of tainted key", "m = {'b': request.args['x']}\nos.system(m.get('b', 'x'))\n", [4]),
    ("append", "parts = ['ls']\nparts.append(request.args['x'])\nos.system(' '.join(parts))\n", [5]),
    ("extend", "parts = []\nparts.extend(request.args.getlist('x'))\nos.system(parts[0])\n", [5]),
    ("insert", "parts = []\nparts.insert(0, request.args['x'])\nos.system(parts.pop())\n", [5]),
    ("update", "m = {}\nm.update({'b': request.args['x']})\nos.system(m['b'])\n", [5]),
    ("update other key", "m = {}\nm.update({'b': request.args['x']})\nm['a'] = 'ok'\nos.system(m['a'])\n", []),
    ("setdefault", "m = {}\nm.setdefault('k', request.args['x'])\nos.system(m['k'])\n", [5]),
    ("unpacking", "a, b = 'ls', request.args['x']\nos.system(a)\nos.system(b)\n", [5]),
    ("star unpacking", "first, *rest = [request.args['x'], 'a']\nos.system(first)\n", [4]),
    (
        "attribute",
        "class Box:\n    pass\nb = Box()\nb.cmd = request.args['x']\nb.safe = 'ls'\nos.system(b.safe)\n"
        "os.system(b.cmd)\n",
        [9],
    ),
    (
        "configparser",
        "import configparser\ncfg = configparser.ConfigParser()\ncfg.set('s', 'cmd', request.args['x'])\n"
        "os.system(cfg.get('s', 'cmd'))\n",
        [6],
    ),
    ("StringIO", "import io\nbuf = io.StringIO()\nbuf.write(request.args['x'])\nos.system(buf.getvalue())\n", [6]),
    (
        "deque",
        "import collections\nq = collections.deque()\nq.append(request.args['x'])\nos.system(q.popleft())\n",
        [6],
    ),
    # A deque's ends: `popleft` takes the oldest item, `pop` the newest; once a loop or `rotate` leaves the order
    # unknown, either end may give any item.
    (
        "deque popleft of a constant",
        _DEQUE + "q.append('safe')\nq.append(request.args['x'])\nos.system(q.popleft())\n",
        [],
    ),
    (
        "deque popleft twice",
        _DEQUE + "q.append('safe')\nq.append(request.args['x'])\nq.popleft()\nos.system(q.popleft())\n",
        [8],
    ),
    ("deque pop of a constant", _DEQUE + "q.append(request.args['x'])\nq.append('safe')\nos.system(q.pop())\n", []),
    (
        "deque appendleft then pop",
        "import collections\nq = collections.deque(['safe'])\n"
        "q.appendleft(request.args['x'])\nos.system(q.pop())\nos.system(q.popleft())\n",
        [7],
    ),
    (
        "deque filled in a loop",
        _DEQUE + "for p in request.args.getlist('p'):\n    q.append('safe')\n    q.append(p)\nos.system(q.popleft())\n",
        [8],
    ),
    (
        "deque rotated",
        _DEQUE + "q.append('safe')\nq.append(request.args['x'])\nq.rotate(1)\nos.system(q.popleft())\n",
        [8],
    ),
    ("deque cleared", _DEQUE + "q.append(request.args['x'])\nq.clear()\nq.append('ls')\nos.system(q.pop())\n", []),
    ("str.join of clean", "os.system(' '.join(['ls', '-l']))\n", []),
]


@pytest.mark.parametrize(("name", "body", "expected"), FIELDS, ids=[c[0] for c in FIELDS])
def test_fields_and_containers(name: str, body: str, expected: list[int]) -> None:
    assert lines(body) == expected


def test_args_and_kwargs_of_a_helper() -> None:
    body = """
    def run(*args, **kwargs):
        os.system(args[0])
        os.system(kwargs['cmd'])

    @app.route('/x')
    def view():
        run(request.args['a'], cmd='ls')
        run('ls', cmd=request.args['c'])
    """
    assert reported(body) == [(8, "CWR102"), (9, "CWR102")]


# -- 4. calls and summaries -------------------------------------------------------------------------------


def test_wrapper_of_a_sink_is_a_sink() -> None:
    body = """
    def run(command):
        os.system(command)

    def run_quoted(command):
        import shlex
        os.system('ls ' + shlex.quote(command))

    @app.route('/x')
    def view():
        run(request.args['c'])
        run_quoted(request.args['c'])
        run('ls')
    """
    found = reviewed("case.py", HEAD + textwrap.dedent(body))
    flows = [f for f in found if f.code == "CWR102"]
    assert [(f.line - 3) for f in flows] == [11]
    assert "run(), which passes it to os.system() (case.py:6)" in flows[0].message


def test_helper_that_returns_a_source_and_one_that_cleans() -> None:
    body = """
    def param(name):
        return request.args.get(name)

    def number(name):
        return int(request.args.get(name, '0'))

    def view():
        os.system(param('c'))
        os.system(str(number('n')))
    """
    assert reported(body) == [(9, "CWR102")]


def test_unknown_calls_pass_their_arguments_taint_on() -> None:
    body = route("import somelib\ncmd = somelib.transform(request.args['c'])\nos.system(cmd)\n")
    assert reported(body) == [(5, "CWR102")]


def test_modules_used_without_their_imports() -> None:
    """A function cut out of its module (a diff hunk, a dataset record) uses `os`, `shutil`, `subprocess`
    without importing them: those names are the modules the models know, so their sinks are sinks."""
    body = """
    def view(request):
        name = request.GET['name']
        os.system('ls ' + name)
        shutil.rmtree('/srv/' + name)
        subprocess.call('du -s ' + shlex.quote(name), shell=True)
        shutil.rmtree('/srv/' + os.path.basename(name))
    """
    assert reported(body, head="") == [(4, "CWR102"), (5, "CWR107")]
    # Bound in the file, the same names are whatever the file binds them to.
    bound = """
    from helpers import shutil

    def view(request):
        shutil.rmtree('/srv/' + request.GET['name'])
    """
    assert reported(bound, head="") == []


def test_class_wrapping_a_request() -> None:
    body = """
    class Input:
        def __init__(self, req):
            self.name = req.args.get('name')
            self.fixed = 'ls'

        def get(self):
            return self.name

    @app.route('/x')
    def view():
        data = Input(request)
        os.system(data.fixed)
        os.system(data.get())
    """
    assert reported(body) == [(14, "CWR102")]


def test_method_that_runs_its_field() -> None:
    body = """
    class Job:
        def __init__(self, command):
            self.command = command

        def run(self):
            os.system(self.command)

    @app.route('/x')
    def view():
        Job(request.args['c']).run()
        Job('ls').run()
    """
    assert reported(body) == [(11, "CWR102")]


_SELF_CHAIN = """
class Base:
    def run(self, cmd):
        return subprocess.check_output(cmd, shell=True)

class Job(Base):
    def go(self, x):
        return self.run({argument})

@app.route('/x')
def view():
    return Job().go(request.args['x'])
"""


@pytest.mark.parametrize(
    ("argument", "expected"),
    [("x", [(13, "CWR102")]), ("'ls ' + x", [(13, "CWR102")]), ("'ls ' + shlex.quote(x)", []), ("'ls'", [])],
)
def test_a_method_that_calls_a_sink_through_another_method_of_self(argument: str, expected: list) -> None:
    # The cheap test before the analysis followed `name(` and `module.name(` from a method's text, not
    # `self.name(`: a call of `go()`, whose text names no sink, was skipped.
    body = "import shlex\n" + _SELF_CHAIN.format(argument=argument)
    assert [f for f in reported(body) if f[1] == "CWR102"] == expected


@pytest.mark.parametrize(
    ("alias", "argument", "expected"),
    [
        ("run_cmd", "request.args['c']", [(18, "CWR102")]),
        ("Runner.run", "request.args['c']", [(18, "CWR102")]),
        ("run_cmd", "shlex.quote(request.args['c'])", []),
        ("echo", "request.args['c']", []),
    ],
)
def test_a_module_level_alias_of_a_wrapper(alias: str, argument: str, expected: list) -> None:
    # `execute = run_cmd`: the cheap test before the analysis did not see through the alias, so the call was skipped.
    body = (
        "import shlex\n\ndef run_cmd(cmd):\n    os.system(cmd)\n\ndef echo(text):\n    return text\n\n"
        "class Runner:\n    @staticmethod\n    def run(cmd):\n        os.system(cmd)\n\n"
        f"execute = {alias}\n\n@app.route('/x')\ndef view():\n    execute({argument})\n    return 'ok'\n"
    )
    assert [finding for finding in reported(body) if finding[1] == "CWR102"] == expected


def test_helper_returning_an_ldap_connection() -> None:
    body = """
    import ldap3

    def connect():
        return ldap3.Connection(ldap3.Server('ldap://x'))

    @app.route('/x')
    def view():
        conn = connect()
        conn.search('dc=x', f"(uid={request.args['u']})")
    """
    assert reported(body) == [(10, "CWR113")]


@pytest.mark.parametrize(
    "assign", ["if url: self.conn = ldap3.Connection(url)", "if url:\n    self.conn = ldap3.Connection(url)"]
)
@pytest.mark.parametrize(("user", "expected"), [("request.args['u']", [(12, "CWR113")]), ("'admin'", [])])
def test_an_attribute_typed_in_a_one_line_block(assign: str, user: str, expected: list[tuple[int, str]]) -> None:
    # The type of `self.conn` comes from the statements of the class's methods, one-line blocks included (they
    # were skipped: the connection was unknown and its search no sink).
    init = textwrap.indent(assign, " " * 8)
    body = (
        f"import ldap3\n\nclass Directory:\n    def __init__(self, url):\n{init}\n\n    def find(self, user):\n"
        f"        self.conn.search('dc=x', '(uid=' + user + ')')\n\n@app.route('/x')\ndef view():\n"
        f"    Directory('ldap://x').find({user})\n    return 'ok'\n"
    )
    shift = assign.count("\n")
    assert reported(body) == [(line + shift, code) for line, code in expected]


def test_summaries_across_two_modules(tmp_path: Path) -> None:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "shell.py").write_text("import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n")
    (package / "inputs.py").write_text("from flask import request\n\ndef param(name):\n    return request.args[name]\n")
    (package / "views.py").write_text(
        "from .shell import run\nfrom app.inputs import param\n\ndef index():\n    run(param('c'))\n    run('ls')\n"
    )
    found = [(f.line, f.code) for f in review_file(str(package / "views.py")).findings if f.code in FLOW_RULES]
    assert found == [(5, "CWR102")]


def test_a_helper_that_sanitises_its_argument_clears_what_the_argument_contains() -> None:
    """`json.dumps(body)` inside a helper clears the taint a caller's dict holds under a key, whichever return
    of the caller the dict came through (a real Lambda: the log line of a response's body)."""
    head = "import json, logging\nlog = logging.getLogger()\n"
    body = """
    def resp(code, body):
        return {"statusCode": code, "body": json.dumps(body), "raw": body}

    def process(event):
        item = event["pathParameters"]["id"]
        if item:
            return resp(200, {"id": item})
        return resp(400, "missing")

    def handler(event, context):
        log.info(process(event).get("body"))
        log.info(process(event)["raw"]["id"])
        log.info(resp(200, [event["pathParameters"]["id"]])["body"])
    """
    source = head + textwrap.dedent(body)
    found = [(f.line - 2, f.code) for f in reviewed("handler.py", source) if f.code == "CWR116"]
    assert found == [(13, "CWR116")]


def test_helper_in_another_module_that_drops_or_converts_its_argument(tmp_path: Path) -> None:
    """Untrusted data passed to another module's function that calls no sink: its summary decides what comes
    back (a constant, an int, the argument itself), not the rule for unknown calls (the argument's data)."""
    (tmp_path / "helpers.py").write_text(
        "def constant(text):\n    return 'fixed'\n\ndef number(text):\n    return int(text)\n\n"
        "def same(text):\n    return 'echo ' + text\n"
    )
    (tmp_path / "views.py").write_text(
        "import subprocess\nfrom flask import request\nimport helpers\nfrom helpers import number\n\n"
        "def index():\n    p = request.args['p']\n    subprocess.call(helpers.constant(p), shell=True)\n"
        "    subprocess.call('sleep %d' % number(p), shell=True)\n    subprocess.call(helpers.same(p), shell=True)\n"
    )
    found = [(f.line, f.code) for f in review_file(str(tmp_path / "views.py")).findings if f.code in FLOW_RULES]
    assert found == [(10, "CWR102")]


# -- 5. guards and sanitizers ---------------------------------------------------------------------------------

GUARDS = [
    # A key of a container that carries the request as a whole (a JSON body), checked on its own.
    (
        "allow-list on one key",
        "d = request.get_json()\nif d['c'] not in {'ls', 'df'}:\n    return 'bad'\nos.system(d['c'])\n",
        [],
    ),
    ("isdigit on one key", "d = request.get_json()\nif d['n'].isdigit():\n    os.system('sleep ' + d['n'])\n", []),
    (
        "another key stays tainted",
        "d = request.get_json()\nif d['c'] not in {'ls'}:\n    return 'bad'\nos.system(d['o'])\nos.system(str(d))\n",
        [6, 7],
    ),
    (
        "key checked on one path only",
        "d = request.get_json()\nif request.args.get('f'):\n    if d['c'] not in {'ls'}:\n        return 'bad'\n"
        "os.system(d['c'])\n",
        [7],
    ),
    ("and", "x = request.args['x']\nif x.isalnum() and len(x) < 9:\n    os.system(x)\n", []),
    ("or with exit", "x = request.args['x']\nif not x or not x.isdigit():\n    return 'bad'\nos.system(x)\n", []),
    ("or does not guard", "x = request.args['x']\nif x.isdigit() or x.startswith('a'):\n    os.system(x)\n", [5]),
    ("not", "x = request.args['x']\nif not x.isalnum():\n    pass\nelse:\n    os.system(x)\n", []),
    ("allow-list", "x = request.args['x']\nif x not in {'ls', 'pwd'}:\n    return 'bad'\nos.system(x)\n", []),
    ("allow-list, other branch", "x = request.args['x']\nif x not in {'ls', 'pwd'}:\n    os.system(x)\n", [5]),
    ("fullmatch", "x = request.args['x']\nif re.fullmatch(r'[a-z0-9]+', x):\n    os.system(x)\n", []),
    ("loose pattern", "x = request.args['x']\nif re.match(r'[a-z]', x):\n    os.system(x)\n", [5]),
    ("compiled pattern", "P = re.compile(r'^[a-z]+$')\nx = request.args['x']\nif P.match(x):\n    os.system(x)\n", []),
    ("isinstance", "x = request.args.get('x')\nif isinstance(x, int):\n    os.system(x)\n", []),
    # A search for any character outside an allow-list that exits when found: only allowed characters remain.
    (
        "no forbidden character",
        "x = request.args['x']\nif re.search(r'[^a-z0-9_-]', x):\n    return 'bad'\nos.system('ls ' + x)\n",
        [],
    ),
    (
        "forbidden character found",
        "x = request.args['x']\nif re.search(r'[^a-z0-9_-]', x):\n    os.system('ls ' + x)\n",
        [5],
    ),
    (
        # Letters and dots put no shell syntax in (`..` is a path's problem: test_allow_lists_per_kind).
        "allow-list with a dot",
        "x = request.args['x']\nif re.search(r'[^a-z.]', x):\n    return 'bad'\nos.system('cat ' + x)\n",
        [],
    ),
    (
        "allow-list with a semicolon",
        "x = request.args['x']\nif re.search(r'[^a-z;]', x):\n    return 'bad'\nos.system('cat ' + x)\n",
        [6],
    ),
    (
        "a space still splits arguments",
        "x = request.args['x']\nif re.search(r'[^a-z ]', x):\n    return 'bad'\nos.system('ls ' + x)\n",
        [6],
    ),
    (
        "compiled forbidden class",
        "BAD = re.compile(r'[^A-Za-z0-9]')\nx = request.args['x']\nif BAD.search(x):\n    return 'bad'\nos.system('ls ' + x)\n",
        [],
    ),
    (
        "block-list that exits",
        "x = request.args['x']\nif ';' in x or '|' in x or '&' in x or '`' in x or '$' in x:\n"
        "    return 'bad'\nos.system('ls ' + x)\n",
        [],
    ),
    ("int cast", "x = int(request.args['x'])\nos.system('kill %d' % x)\n", []),
    ("shlex.quote", "import shlex\nos.system('ls ' + shlex.quote(request.args['x']))\n", []),
    ("sanitizer for another sink", "import html\nos.system('ls ' + html.escape(request.args['x']))\n", [4]),
]


@pytest.mark.parametrize(("name", "body", "expected"), GUARDS, ids=[c[0] for c in GUARDS])
def test_guards_and_sanitizers(name: str, body: str, expected: list[int]) -> None:
    assert lines(body) == expected


def test_checks_on_a_derived_value() -> None:
    body = route(
        "import requests\nfrom urllib.parse import urlparse\nurl = request.args['u']\n"
        "if urlparse(url).netloc not in {'api.example.com'}:\n    return 'no'\nrequests.get(url, timeout=5)\n"
        "BASE = '/srv/files/'\np = os.path.realpath(os.path.join(BASE, request.args['p']))\n"
        "if not p.startswith(BASE):\n    return 'no'\nopen(p)\nopen(request.args['p'])\n"
    )
    assert reported(body) == [(14, "CWR107")]


HOST_CHECKS = [
    # (description, route body, lines of `route(body)` reported as SSRF): a check of the URL's host, through
    # the variables the code keeps it in, clears the URL; a check that does not pin the host does not.
    ("host kept in a variable", "host = urlparse(url).hostname\nif host in ALLOWED:\n    fetch(url)\n", []),
    ("parsed URL kept", "parsed = urlparse(url)\nif parsed.netloc not in ALLOWED:\n    return 'no'\nfetch(url)\n", []),
    ("host pinned to a domain", "if DOMAIN.match(urlparse(url).hostname):\n    fetch(url)\n", []),
    ("normalised host with a default", "p = urlparse(url)\nhost = (p.hostname or '').rstrip('.')\n"
     "if not DOMAIN.match(host):\n    return 'no'\nfetch(url)\n", []),
    ("project predicate", "if not trusted(url):\n    return 'no'\nfetch(url)\n", []),
    ("the check's other side", "host = urlparse(url).hostname\nif host not in ALLOWED:\n    fetch(url)\n", [7]),
    ("a pattern that names no domain", "if re.match(r'^[a-z.]+$', urlparse(url).hostname):\n    fetch(url)\n", [6]),
    ("a domain pattern on the whole URL", "if DOMAIN.match(url):\n    fetch(url)\n", [6]),
    ("a domain pattern open at the end", "if re.match(r'^sns\\.[a-z]+\\.amazonaws\\.com', urlparse(url).hostname):\n"
     "    fetch(url)\n", [6]),
    ("the host variable bound twice", "host = urlparse(url).hostname\nif x:\n    host = 'a.example.com'\n"
     "if host in ALLOWED:\n    fetch(url)\n", [9]),
    ("the host variable bound again by a with", "host = urlparse(url).hostname\nwith open('f') as host:\n"
     "    pass\nif host in ALLOWED:\n    fetch(url)\n", [9]),
    ("the URL bound again after the host was read", "host = urlparse(url).hostname\nurl = request.args['v']\n"
     "if host in ALLOWED:\n    fetch(url)\n", [8]),
]  # fmt: skip
_HOST_HEAD = (
    "import re\nimport requests\nfrom urllib.parse import urlparse\n"
    "ALLOWED = {'api.example.com'}\nDOMAIN = re.compile(r'^sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$')\n\n"
    "def fetch(u):\n    return requests.get(u, timeout=5)\n\n"
    "def trusted(u):\n    if not u or not isinstance(u, str):\n        return False\n    parsed = urlparse(u)\n"
    "    if parsed.scheme != 'https':\n        return False\n    host = (parsed.hostname or '').rstrip('.')\n"
    "    return bool(DOMAIN.match(host))\n\n"
)


@pytest.mark.parametrize(("name", "body", "expected"), HOST_CHECKS, ids=[c[0] for c in HOST_CHECKS])
def test_host_checks_through_variables(name: str, body: str, expected: list[int]) -> None:
    found = reported(route("x = request.args['x']\nurl = request.args['u']\n" + body), head=HEAD + _HOST_HEAD)
    assert [line for line, code in found if code == "CWR109"] == expected


def test_escaping_fits_the_sink() -> None:
    body = route(
        "import html\nname = html.escape(request.args['n'])\nq = request.args['q'].replace(\"'\", \"''\")\n"
        'cur = None\ncur.execute("SELECT * FROM t WHERE q = \'" + q + "\'")\n'
        "cur.execute('SELECT * FROM t WHERE n = %s', (request.args['n'],))\n"
        "cur.execute(\"SELECT * FROM t WHERE n = '\" + name + \"'\")\nreturn '<p>' + name + '</p>'\n"
    )
    assert reported(body) == [(9, "CWR101")]


# -- models from the configuration ---------------------------------------------------------------------------


def test_user_models_from_pyproject(tmp_path: Path) -> None:
    from codeward.cli import main

    (tmp_path / "pyproject.toml").write_text(
        "[tool.codeward.reviewer.taint]\n"
        'sources = [{ name = "myapp.http.param", description = "a request parameter" }]\n'
        'sinks = [{ name = "myapp.db.run_sql", kind = "sql", args = [0] }]\n'
        'sanitizers = [{ name = "myapp.db.quote", kinds = ["sql"] }]\n'
    )
    (tmp_path / "app.py").write_text(
        "from myapp.http import param\nfrom myapp.db import run_sql, quote\n\n"
        "def view():\n    run_sql('SELECT ' + param('c'))\n    run_sql('SELECT ' + quote(param('c')))\n"
    )
    import contextlib
    import io
    import os

    out = io.StringIO()
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(out):
            code = main(["review", "--no-cache", "--format", "concise", "app.py"])
    finally:
        os.chdir(old)
    assert code == 1
    assert out.getvalue().splitlines()[0] == (
        "app.py:5:5: CWR101 SQL built from a request parameter is passed to myapp.db.run_sql(): the data can "
        "rewrite the query (CWE-89) [sql-injection]"
    )
    assert "app.py:6:" not in out.getvalue()


EXPRESSIONS = [
    # (description, route body, lines of `route(body)` reported): survivors of the sampled mutation run
    ("conditional expression carries taint", "cmd = request.args['c'] if request.args.get('x') else 'ls'\nos.system(cmd)\n", [4]),
    ("conditional expression's test guards its true side", "c = request.args['c']\ncmd = c if c.isalnum() else 'ls'\nos.system(cmd)\n", []),
    ("and not its false side", "c = request.args['c']\ncmd = 'ls' if c.isalnum() else c\nos.system(cmd)\n", [5]),
    ("a constant test decides", "debug = False\ncmd = request.args['c'] if debug else 'ls'\nos.system(cmd)\n", []),
    ("max() folds: the branch is dead", "cmd = request.args['c']\nif max(1, 2) > 5:\n    os.system(cmd)\n", []),
    ("max() folds: the branch is live", "cmd = request.args['c']\nif max(1, 9) > 5:\n    os.system(cmd)\n", [5]),
    ("getattr reads the attribute", "cmd = getattr(request, 'args')['c']\nos.system(cmd)\n", [4]),
    ("a default by keyword", "cmd = os.environ.get('CMD', default=request.args['c'])\nos.system(cmd)\n", [4]),
    ("str() of tainted text", "cmd = str(request.args['c'])\nos.system(cmd)\n", [4]),
    # Named fields read only the keys they name; `locals()` and `vars()` are the variables by name.
    ("% reads the key it names", "os.system('ls %(d)s' % {'d': request.args['c'], 'n': 'x'})\n", [3]),
    ("% leaves another key", "os.system('ls %(n)s' % {'d': request.args['c'], 'n': 'x'})\n", []),
    ("% of locals()", "d = request.args['c']\nos.system('ls %(d)s' % locals())\n", [4]),
    ("% of locals(), another name", "d = request.args['c']\nn = 'x'\nos.system('cat %(n)s' % locals())\n", []),
    ("format(**locals())", "d = request.args['c']\nos.system('ls {d}'.format(**locals()))\n", [4]),
    ("format(**vars()), another name", "d = request.args['c']\nn = 'x'\nos.system('cat {n}'.format(**vars()))\n", []),
    ("format by keyword", "os.system('ls {d}'.format(d=request.args['c'], n='x'))\n", [3]),
    ("format by keyword, another one", "os.system('cat {n}'.format(d=request.args['c'], n='x'))\n", []),
    ("format_map of the request", "os.system('ls {d}'.format_map(request.args))\n", [3]),
    ("format_map, another key", "os.system('cat {n}'.format_map({'d': request.args['c'], 'n': 'x'}))\n", []),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "expected"), EXPRESSIONS, ids=[c[0] for c in EXPRESSIONS])
def test_expressions(name: str, body: str, expected: list[int]) -> None:
    assert lines(body) == expected


def test_bottle_returns_html_like_flask() -> None:
    view = "from {0} import request{1}\n{2}\n@{3}('/x')\ndef view():\n    return request.{4}.get('q')\n"
    assert reported(view.format("bottle", ", route", "", "route", "query"), head="") == [(5, "CWR110")]
    assert reported(view.format("flask", ", Flask", "app = Flask(__name__)", "app.route", "args"), head="") == [
        (5, "CWR110")
    ]


def test_a_staticmethod_has_no_self() -> None:
    source = (
        "import os\nfrom flask import Flask, request\napp = Flask(__name__)\n\nclass Svc:\n    @staticmethod\n"
        "    def run(cmd):\n        os.system(cmd)\n\n@app.route('/x')\ndef view():\n    Svc.run(request.args['c'])\n"
    )
    assert reported(source, head="") == [(12, "CWR102")]
    # Called on an instance, the argument is still its first parameter.
    assert reported(source.replace("Svc.run(", "Svc().run("), head="") == [(12, "CWR102")]


def test_a_handler_class_named_through_its_module() -> None:
    source = (
        "import os\nfrom tornado import web\n\nclass H(web.RequestHandler):\n    def get(self):\n"
        "        os.system(self.get_argument('c'))\n"
    )
    assert reported(source, head="") == [(6, "CWR102")]


def test_a_helper_defined_in_an_except_handler_is_summarised() -> None:
    source = (
        "import os\nfrom flask import Flask, request\napp = Flask(__name__)\ntry:\n    import ujson\n"
        "except ImportError:\n    def run(c):\n        os.system(c)\n\n"
        "@app.route('/x')\ndef view():\n    run(request.args['c'])\n"
    )
    assert reported(source, head="") == [(12, "CWR102")]


def test_user_models_read_exactly() -> None:
    from codeward.reviewer.dataflow.models import (
        DEFAULT_TRUSTED,
        ModelError,
        Sanitizer,
        Sink,
        Source,
        UserModels,
        user_models,
    )  # fmt: skip

    assert user_models(None) == UserModels() and UserModels().trusted == DEFAULT_TRUSTED
    table = {
        "sources": [{"name": "a.param"}, {"name": "a.conf", "description": "the config", "class": "cli", "attribute": True}],
        "sinks": [{"name": "a.run", "kind": "sql"}, {"name": "a.exec", "kind": "command", "args": [1, "cmd"]}],
        "sanitizers": [{"name": "a.quote", "kinds": ["sql"]}, {"name": "a.clean"}],
        "trusted": ["cli"],
    }  # fmt: skip
    from codeward.reviewer.dataflow.values import ALL_KINDS

    assert user_models(table) == UserModels(
        (Source("a.param", "a.param", "web", "call"), Source("a.conf", "the config", "cli", "attr")),
        (Sink("a.run", "sql", ((0, ""),)), Sink("a.exec", "command", ((1, ""), (-2, "cmd")))),
        (Sanitizer("a.quote", frozenset({"sql"})), Sanitizer("a.clean", ALL_KINDS)),
        frozenset({"cli"}),
    )
    for bad, message in [
        ([], "[tool.codeward.reviewer.taint] must be a table"),
        ({"sink": []}, "[tool.codeward.reviewer.taint]: unknown key 'sink'"),
        ({"sources": {}}, "[tool.codeward.reviewer.taint] sources must be an array of tables"),
        ({"sources": [{"name": ""}]}, "[tool.codeward.reviewer.taint] sources[0] needs a name (a qualified name)"),
        ({"sources": [{"name": "a", "class": "x"}]}, "[tool.codeward.reviewer.taint] sources[0]: unknown class 'x'"),
        ({"sinks": [{"name": "a"}]}, '[tool.codeward.reviewer.taint] sinks[0] needs kind (e.g. "sql")'),
        ({"sinks": [{"name": "a", "kind": "sql", "args": [1.5]}]},
         "[tool.codeward.reviewer.taint] sinks[0]: args must list positions or names"),
        ({"sanitizers": [{"name": "a", "kinds": []}]}, '[tool.codeward.reviewer.taint] sanitizers[0] needs kinds (e.g. "sql")'),
        ({"trusted": ["web", "x"]}, "[tool.codeward.reviewer.taint] trusted must list source classes "
         "(web, lambda, external, cli, network, environment, files)"),
    ]:  # fmt: skip
        with pytest.raises(ModelError) as raised:
            user_models(bad)
        assert str(raised.value) == message


def test_models_file_method_sinks_by_name_and_call_sinks_by_qualified_name() -> None:
    # Built here, not taken from the cached models: the cache is filled before a test (or a mutant) runs.
    from codeward.reviewer.dataflow.models import Library, Models, Sanitizer, Sink, Source

    models = Models()
    models.add(
        Library(
            "demo",
            sources=(Source("demo.param", "a parameter"),),
            sinks=(Sink(".run_query", "sql", ((0, ""),)), Sink("demo.shell", "command", ((0, ""),))),
            sanitizers=(Sanitizer("demo.quote", frozenset({"sql"})),),
            clean=("demo.digest",),
        )
    )
    assert list(models.method_sinks) == ["run_query"] and list(models.call_sinks) == ["demo.shell"]
    assert list(models.sources) == ["demo.param"] and list(models.sanitizers) == ["demo.quote"]
    assert "demo.digest" in models.clean


def test_bad_user_models_are_a_usage_error(tmp_path: Path) -> None:
    from tests.helpers import run_cli

    (tmp_path / "pyproject.toml").write_text(
        '[tool.codeward.reviewer.taint]\nsinks = [{ name = "x.y", kind = "sqll" }]\n'
    )
    (tmp_path / "app.py").write_text("x = 1\n")
    code, _out, err = run_cli("review", "--no-cache", str(tmp_path / "app.py"), cwd=str(tmp_path))
    assert code == 2
    assert "sinks[0]: unknown kind 'sqll'" in err


# -- reports ---------------------------------------------------------------------------------------------------


def test_findings_carry_their_flow_as_sarif_code_flows(tmp_path: Path) -> None:
    import json

    from tests.helpers import run_cli

    (tmp_path / "app.py").write_text(
        HEAD
        + "@app.route('/x')\ndef view():\n    name = request.args['n']\n    cmd = 'ls ' + name\n    os.system(cmd)\n"
    )
    code, out, _ = run_cli("review", "--isolated", "--no-cache", "--format", "sarif", "app.py", cwd=str(tmp_path))
    assert code == 1
    (result,) = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "CWR102"]
    steps = [
        (loc["location"]["physicalLocation"]["region"]["startLine"], loc["location"]["message"]["text"])
        for loc in result["codeFlows"][0]["threadFlows"][0]["locations"]
    ]
    assert steps == [(6, "request.args (the source)"), (6, "`name`"), (7, "`cmd`"), (8, "the sink")]
    schema = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    if schema.exists():
        import jsonschema

        jsonschema.validate(json.loads(out), json.loads(schema.read_text()))
    code, out, _ = run_cli("review", "--isolated", "--no-cache", "--format", "json", "app.py", cwd=str(tmp_path))
    (finding,) = [f for f in json.loads(out)["findings"] if f["code"] == "CWR102"]
    assert [(s["line"], s["message"]) for s in finding["flow"]] == steps


# -- 6. sources, with trust ----------------------------------------------------------------------------------

FLASK_SOURCES = [
    "request.args.get('x')", "request.args.getlist('x')[0]", "request.values['x']", "request.form['x']",
    "request.get_json()['x']", "request.get_data().decode()", "request.stream.read().decode()", "request.path",
    "request.headers['X']", "request.cookies.get('x')", "request.files['f'].filename", "request.json['x']",
    "request.data.decode()",
]  # fmt: skip


@pytest.mark.parametrize("source", FLASK_SOURCES)
def test_flask_sources(source: str) -> None:
    assert lines(f"os.system('ls ' + {source})\n") == [3]


WEB_FRAMEWORKS = [
    # Django function view, DRF, FastAPI/Starlette, aiohttp, Tornado, Bottle, Falcon
    ("import os\n\ndef view(request):\n    os.system(request.GET['c'])\n", 4),
    (
        "import os\nfrom rest_framework.decorators import api_view\n\n@api_view(['POST'])\ndef v(request):\n"
        "    os.system(request.data['c'])\n",
        6,
    ),
    (
        "import os\nfrom fastapi import FastAPI, Request\napp = FastAPI()\n\n@app.get('/x')\nasync def x(request: Request):\n"
        "    os.system(request.query_params['c'])\n",
        7,
    ),
    (
        "import os\nfrom fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/x/{c}')\ndef x(c: str, n: int):\n"
        "    os.system(c)\n    os.system(str(n))\n",
        7,
    ),
    (
        "import os\nfrom aiohttp import web\n\nasync def handle(request: web.Request):\n"
        "    os.system(request.match_info['c'])\n",
        5,
    ),
    (
        "import os\nimport tornado.web\n\nclass H(tornado.web.RequestHandler):\n    def get(self):\n"
        "        os.system(self.get_argument('c'))\n",
        6,
    ),
    ("import os\nfrom bottle import request, route\n\n@route('/x')\ndef x():\n    os.system(request.query['c'])\n", 6),
    ("import os\n\nclass Resource:\n    def on_get(self, req, resp):\n        os.system(req.get_param('c'))\n", 5),
]


@pytest.mark.parametrize(("source", "line"), WEB_FRAMEWORKS)
def test_web_framework_sources(source: str, line: int) -> None:
    assert [f.line for f in reviewed("views.py", source) if f.code == "CWR102"] == [line]


LAMBDA_EVENTS = [
    ("event['queryStringParameters']['c']", True),
    ("event['body']", True),
    ("event['pathParameters']['c']", True),
    ("event['headers']['x']", True),
    ("event['cmd']", True),  # an event of unknown shape: whoever invokes the function chooses it
    ("event['Records'][0]['s3']['object']['key']", True),  # external data: an uploader names the key
    ("event['ResourceProperties']['Name']", False),  # CloudFormation custom resource: the template's author
    ("event['detail']['name']", False),  # EventBridge: AWS or the account's own producers
    ("context.function_name", False),
    ("os.environ['CMD']", False),  # the deployer's environment
]


@pytest.mark.parametrize(("read", "reported"), LAMBDA_EVENTS)
def test_lambda_event_trust(read: str, reported: bool) -> None:
    source = f"import os\n\ndef handler(event, context):\n    os.system('run ' + {read})\n"
    assert bool([f for f in reviewed("app.py", source) if f.code == "CWR102"]) is reported


def test_custom_resource_handler_trusts_its_whole_event() -> None:
    source = (
        "import os, json, urllib.request\n\ndef handler(event, context):\n    if event['RequestType'] == 'Delete':\n"
        "        return\n    os.system('create ' + event['Name'])\n"
        "    urllib.request.urlopen(urllib.request.Request(event['ResponseURL'], data=b'{}', method='PUT'))\n"
    )
    assert [f.code for f in reviewed("app.py", source) if f.code in FLOW_RULES] == []


def test_powertools_resolver_routes() -> None:
    source = (
        "import os\nfrom aws_lambda_powertools.event_handler import APIGatewayRestResolver\n"
        "app = APIGatewayRestResolver()\n\n@app.get('/todos/<todo_id>')\ndef get_todo(todo_id: str):\n"
        "    os.system('show ' + todo_id)\n    os.system(app.current_event.get_query_string_value('c'))\n"
    )
    assert [f.line for f in reviewed("app.py", source) if f.code == "CWR102"] == [7, 8]


def test_command_line_and_sockets() -> None:
    source = (
        "import os, sys, socket, argparse\np = argparse.ArgumentParser()\nargs = p.parse_args()\n"
        "os.system(sys.argv[1])\nos.system(input())\nos.system(args.cmd)\n"
        "def serve(conn: socket.socket):\n    os.system(conn.recv(100).decode())\n"
    )
    assert [f.line for f in reviewed("tool.py", source) if f.code == "CWR102"] == [4, 5, 6, 8]


# -- 7. sinks ----------------------------------------------------------------------------------------------------

SINKS = [
    ("return 'Hello ' + request.args['n']\n", "CWR110"),  # a Flask route's string is HTML
    ("return {'n': request.args['n']}\n", None),  # a dict is JSON
    ("return request.args['n'], 200, {'X-Id': 'a'}\n", "CWR110"),
    ("return 'ok', 200, {'X-Id': request.args['n']}\n", None),  # headers in the tuple are not HTML
    ("os.path.exists(request.args['p'])\n", "CWR107"),
    ("import codecs\ncodecs.open(request.args['p'])\n", "CWR107"),
    ("from pathlib import Path\nPath(request.args['p']).exists()\n", "CWR107"),
    ("import subprocess\nsubprocess.run(['sh', '-c', request.args['c']])\n", "CWR102"),
    ("import subprocess\nsubprocess.run(['ls', request.args['c']])\n", None),
    ("import paramiko\nc = paramiko.SSHClient()\nc.exec_command('ls ' + request.args['c'])\n", "CWR102"),
    ("import docker\nclient = docker.from_env()\nclient.containers.run('alpine', request.args['c'])\n", "CWR102"),
    ("import elementpath\nelementpath.select(None, request.args['q'])\n", "CWR114"),
    ("import xml.etree.ElementTree as ET\nroot = ET.parse('u.xml').getroot()\nroot.findall(request.args['q'])\n",
     "CWR114"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "code"), SINKS)
def test_sinks(body: str, code: str | None) -> None:
    found = {c for _, c in reported(route(body))}
    assert found == ({code} if code else set())


def test_a_dot_dot_check_protects_only_what_no_base_is_joined_before() -> None:
    body = route(
        "p = request.args['p']\nif '..' in p:\n    return 'no'\nopen('/srv/files/' + p)\n"
        "open(os.path.join('/srv/files', p))\nq = request.args['q'].replace('..', '')\nopen('/srv/' + q)\n"
    )
    assert reported(body) == [(7, "CWR107"), (9, "CWR107")]


def test_parts_spread_into_a_join_flow_on_and_fold_nothing() -> None:
    """`os.path.join(*parts)` has no positional part to fold (it once raised TypeError on real code, awsebcli),
    and parts spread after the base carry their data into the path."""
    body = route(
        "parts = request.args.getlist('p')\nopen(os.path.join(*parts))\nopen(os.path.join('/srv', *parts))\n"
        "fixed = ['a', 'b']\nopen(os.path.join('/srv', *fixed))\n"
    )
    assert reported(body) == [(4, "CWR107"), (5, "CWR107")]


def test_trust_decides_which_sinks_count() -> None:
    """A tool's own command line reaches files and logs harmlessly (whoever runs it owns the machine), but not
    a shell; a Lambda event of unknown shape is another system's data, not a client's."""
    tool = (
        "import os, sys, logging\n\ndef main():\n    name = sys.argv[1]\n    open(name)\n"
        "    logging.info('reading %s', name)\n    os.system('cat ' + name)\n"
    )
    assert [(f.line, f.code) for f in reviewed("tool.py", tool) if f.code in FLOW_RULES | {"CWR116"}] == [(7, "CWR102")]
    handler = (
        "import os, logging\n\ndef handler(event, context):\n    logging.info('job %s', event['job'])\n"
        "    os.system('run ' + event['job'])\n    logging.info('q %s', event['queryStringParameters']['q'])\n"
    )
    found = [(f.line, f.code) for f in reviewed("app.py", handler) if f.code in FLOW_RULES | {"CWR116"}]
    assert found == [(5, "CWR102"), (6, "CWR116")]


def test_a_cached_result_is_redone_when_a_module_it_used_changes(tmp_path: Path) -> None:
    from tests.helpers import run_cli

    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "shell.py").write_text("import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n")
    (package / "views.py").write_text(
        "from flask import request\nfrom .shell import run\n\ndef index():\n    run(request.args['c'])\n"
    )
    cache = tmp_path / "cache"
    args = ("review", "--isolated", "--cache-dir", str(cache), "--format", "concise", "app/views.py")
    first = run_cli(*args, cwd=str(tmp_path))
    assert first[0] == 1 and "app/views.py:5:5: CWR102" in first[1]
    # The helper now quotes its argument: the view's own text is unchanged, its result is not.
    (package / "shell.py").write_text(
        "import shlex, subprocess\n\ndef run(cmd):\n    subprocess.run('ls ' + shlex.quote(cmd), shell=True)\n"
    )
    second = run_cli(*args, cwd=str(tmp_path))
    assert second[0] == 0, second[1]


def test_a_method_returning_its_own_result_through_another_terminates() -> None:
    """Its summary says "what `self.cleaned()` returns": applying it must not apply it again and again."""
    body = """
    class Form:
        def cleaned(self):
            return self.data().cleaned()

        def data(self):
            return self

    def view(request):
        form = Form()
        os.system(form.cleaned())
        os.system(request.GET['c'])
    """
    assert reported(body) == [(12, "CWR102")]


def test_findings_do_not_depend_on_the_files_reviewed_before(tmp_path: Path) -> None:
    """One process reviews many files and keeps parsed modules: what it finds in a file must be the same
    whatever came before (shards and a full run agree)."""
    from codeward.reviewer.dataflow import engine

    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "util.py").write_text("import os\n\ndef run(c):\n    os.system(c)\n\ndef ident(x):\n    return x\n")
    (package / "a.py").write_text("from app.util import run\n\ndef f(request):\n    run(request.GET['c'])\n")
    (package / "b.py").write_text(
        "from app.util import ident\nimport os\n\ndef g(request):\n    os.system(ident(request.GET['c']))\n"
    )
    files = [str(package / "a.py"), str(package / "b.py")]

    def review_all(order: list[str]) -> dict[str, list[tuple[int, str]]]:
        engine._ENGINES.clear()
        return {p: [(f.line, f.code) for f in review_file(p).findings] for p in order}

    assert (
        review_all(files) == review_all(list(reversed(files))) == {files[0]: [(4, "CWR102")], files[1]: [(5, "CWR102")]}
    )


# -- shape rules that follow a value through variables ----------------------------------------------------


def shape(body: str, code: str) -> list[int]:
    """Lines of `body` (no header) where the rule `code` reports."""
    source = textwrap.dedent(body)
    return sorted(f.line for f in reviewed("case.py", source) if f.code == code)


def test_sql_formatted_from_a_parameter_into_a_variable_first() -> None:
    """The query is assembled in a variable (and a concatenation of literal pieces) before it reaches the
    cursor: the formatted parameter is what matters, not whether the formatting is inline."""
    vulnerable = """
    def find_orders(cur, customer):
        stmt = ("SELECT id, total "
                "FROM orders "
                f"WHERE customer = '{customer}'")
        cur.execute(stmt)
        return cur.fetchall()
    """
    bound = """
    def find_orders(cur, customer):
        stmt = "SELECT id, total FROM orders WHERE customer = %s"
        cur.execute(stmt, (customer,))
        return cur.fetchall()
    """
    cast = """
    def page(cur, number):
        stmt = "SELECT id FROM orders LIMIT 10 OFFSET %d" % int(number)
        cur.execute(stmt)
    """
    passed_on = """
    def run(cur, stmt):
        cur.execute(stmt)
    """
    assert shape(vulnerable, "CWR120") == [6]
    assert shape(bound, "CWR120") == shape(cast, "CWR120") == shape(passed_on, "CWR120") == []


def test_sql_into_a_query_helper_the_analysis_cannot_see() -> None:
    """`store.run_query(...)` is the project's own (not in view): a whole SQL statement formatted from a
    parameter counts there, text that merely starts with an SQL verb does not."""
    vulnerable = """
    def remove(store, tag):
        store.run_query("DELETE FROM tags WHERE name = '%s'" % tag)
    """
    attribute = """
    class Repo:
        def rename(self, new):
            self.name = new
            text = "UPDATE repos SET name = '" + self.name + "'"
            db_execute(text)
    """
    not_sql = """
    def announce(log, version):
        log.query_status("Update available: %s" % version)
    """
    assert shape(vulnerable, "CWR120") == [3]
    assert shape(attribute, "CWR120") == [6]
    assert shape(not_sql, "CWR120") == []


def test_an_upper_case_parameter_is_not_a_constant() -> None:
    body = """
    def stop(db, GAME):
        db.execute("UPDATE games SET running = 0 WHERE id = %i" % GAME)
    """
    module_constant = """
    LIMIT = 10

    def top(db):
        db.execute("SELECT name FROM games LIMIT %i" % LIMIT)
    """
    assert shape(body, "CWR120") == [3]
    assert shape(module_constant, "CWR120") == []


def test_shell_command_formatted_with_a_tuple() -> None:
    vulnerable = """
    import os

    def pack(name, folder):
        os.system("tar czf %s.tgz %s" % (name, folder))
    """
    quoted = """
    import os, shlex

    def pack(name, folder):
        os.system("tar czf %s.tgz %s" % (shlex.quote(name), shlex.quote(folder)))
    """
    assert shape(vulnerable, "CWR103") == [5]
    assert shape(quoted, "CWR103") == []


def test_augmented_assignment_is_the_operation_it_abbreviates() -> None:
    """`page += piece` is `page = page + piece`: the result is text (a route returns it as HTML) and constants
    fold through it (`n += 1`)."""
    built = route("page = '<ul>'\npage += '<li>' + request.args['item'] + '</li>'\nreturn page\n")
    escaped = route("import html\npage = '<ul>'\npage += '<li>' + html.escape(request.args['item'])\nreturn page\n")
    assert reported(built) == [(5, "CWR110")]
    assert reported(escaped) == []
    counted = route("n = 1\nn += 1\ncmd = request.args['c']\nif n == 2:\n    cmd = 'ls'\nos.system(cmd)\n")
    assert reported(counted) == []


TORNADO = "import tornado.escape\nfrom tornado.web import RequestHandler\n"


def test_tornado_handler_writes_are_html_sinks() -> None:
    page = "class Page(RequestHandler):\n"
    written = page + "    def get(self):\n        self.write('<b>' + self.get_query_argument('who') + '</b>')\n"
    finished = page + "    def post(self):\n        self.finish(f\"saved {self.get_body_argument('title')}\")\n"
    as_json = page + "    def get(self):\n        self.write({'who': self.get_query_argument('who')})\n"
    escaped = page + (
        "    def get(self):\n        who = tornado.escape.xhtml_escape(self.get_query_argument('who'))\n"
        "        self.write('<b>' + who + '</b>')\n"
    )
    assert reported(written, head=TORNADO) == [(3, "CWR110")]
    assert reported(finished, head=TORNADO) == [(3, "CWR110")]
    assert reported(as_json, head=TORNADO) == reported(escaped, head=TORNADO) == []


def test_a_dict_made_into_a_response_is_json() -> None:
    html = route("from flask import make_response\nreturn make_response('<p>' + request.args['q'])\n")
    as_json = route("from flask import make_response\nreturn make_response({'q': request.args['q']})\n")
    assert reported(html) == [(4, "CWR110")]
    assert reported(as_json) == []


def test_shell_started_through_an_argument_list_and_other_shell_calls() -> None:
    script = """
    import subprocess

    def archive(folder):
        subprocess.run(["bash", "-c", "tar czf /srv/out.tgz " + folder], check=True)
    """
    argv = """
    import subprocess

    def archive(folder):
        subprocess.run(["tar", "czf", "/srv/out.tgz", folder], check=True)
    """
    status = """
    import subprocess

    def usage(folder):
        return subprocess.getstatusoutput("du -sh " + folder)
    """
    assert shape(script, "CWR103") == [5]
    assert shape(status, "CWR103") == [5]
    assert shape(argv, "CWR103") == []


def test_a_response_declared_as_another_type_is_not_html() -> None:
    plain = route("from flask import Response\nreturn Response('echo: ' + request.args['q'], mimetype='text/plain')\n")
    page = route("from flask import Response\nreturn Response('echo: ' + request.args['q'], mimetype='text/html')\n")
    svg = route(
        "from flask import Response\nreturn Response(request.args['q'], content_type='image/svg+xml; charset=utf-8')\n"
    )
    django = (
        "import json\nfrom django.http import HttpResponse\n\n"
        "def api(request):\n    body = json.dumps({'q': request.GET['q']})\n"
        "    return HttpResponse(body, content_type='application/json')\n\n"
        "def page(request):\n    return HttpResponse('<h1>' + request.GET['q'])\n"
    )
    assert reported(plain) == []
    assert reported(page) == reported(svg) == [(4, "CWR110")]
    assert reported(django, head="") == [(9, "CWR110")]


def test_a_list_extended_by_concatenation_keeps_its_known_positions() -> None:
    """`["ls", "-l"] + user_args` runs `ls` (its arguments are the user's, not the program); a list that
    starts with the user's value, or a shell started on it, still runs what the user chose."""
    options = "extra = request.args['o'].split()\nsubprocess.run(['ls', '-l'] + extra, timeout=5)\n"
    program = "extra = request.args['o'].split()\nsubprocess.run(extra + ['--version'], timeout=5)\n"
    shell = "subprocess.run(['sh', '-c'] + [request.args['o']], timeout=5)\n"
    assert lines(options) == []
    assert lines(program) == [4]
    assert lines(shell) == [3]


def test_list_items_move_as_pop_and_insert_move_them() -> None:
    """A list of known length keeps its positions through `pop(i)`, `insert(i, x)` and `append(x)`."""
    shifted = "q = ['tar', request.args['f'], 'zip']\nq.pop(0)\nos.system(q[1])\n"
    shifted_taint = "q = ['tar', request.args['f'], 'zip']\nq.pop(0)\nos.system(q[0])\n"
    inserted = "q = ['a', 'b']\nq.insert(0, request.args['f'])\nos.system(q[2])\nos.system(q[0])\n"
    popped = "q = [request.args['f'], 'ls']\nlast = q.pop()\nos.system(last)\nos.system(q[0])\n"
    assert lines(shifted) == []
    assert lines(shifted_taint) == [5]
    assert lines(inserted) == [6]
    assert lines(popped) == [6]


def test_a_shell_started_by_exec_or_spawn_runs_its_script() -> None:
    """`os.exec*` and `os.spawn*` run a program without a shell, unless the program is a shell given `-c`:
    then the script is a command line (the argument vector given one by one or as a list)."""
    body = route("""
    import shlex
    host = request.args['h']
    if request.args['mode'] == 'a':
        os.execl('/bin/sh', 'sh', '-c', 'ping -c1 ' + host)
    if request.args['mode'] == 'b':
        os.spawnv(os.P_WAIT, '/bin/bash', ['bash', '-c', f'ping -c1 {host}'])
    if request.args['mode'] == 'c':
        os.execlp('ping', 'ping', '-c1', host)
    if request.args['mode'] == 'd':
        os.execv('/bin/sh', ['sh', '-c', 'ping -c1 ' + shlex.quote(host)])
    """)
    assert reported(body) == [(7, "CWR102"), (9, "CWR102")]
    shaped = """
    import os, shlex

    def ping(host):
        os.execvp('sh', ['sh', '-c', 'ping -c1 ' + host])
        os.spawnlp(os.P_WAIT, 'sh', 'sh', '-c', 'ping -c1 ' + shlex.quote(host))
        os.execl('/bin/ping', 'ping', '-c1', host)
    """
    assert shape(shaped, "CWR103") == [5]


def test_an_instance_of_a_class_without_its_own_init_holds_its_arguments() -> None:
    """A dataclass or pydantic model built from request data: the attributes its arguments name carry them
    (keywords, positions of its annotated fields, `**` a dict), the others stay clean."""
    body = """
    from dataclasses import dataclass
    from pydantic import BaseModel

    @dataclass
    class Job:
        name: str
        command: str

    class Ping(BaseModel):
        host: str

    @app.route('/x')
    def view():
        job = Job('fixed', request.args['c'])
        os.system(job.command)
        os.system('echo ' + job.name)
        other = Job(name=request.args['n'], command='true')
        os.system(other.command)
        os.system(other.name)
        ping = Ping(**request.get_json())
        os.system('ping -c1 ' + ping.host)
    """
    assert reported(body) == [(16, "CWR102"), (20, "CWR102"), (22, "CWR102")]


def test_a_runner_named_for_commands_is_given_a_command_line_of_any_program() -> None:
    """A project's runner whose name says it runs commands (`__salt__["cmd.run"]`, `exec_command`) given text
    shaped like a command line (a program name the rule does not list, then arguments) formatted from a value;
    prose, SQL, an argument list and a runner named only `run` are not reported."""
    body = """
    def zfs(name):
        return __salt__["cmd.run"]("zfs list -H -o name {0}".format(name))

    def remote(ssh, pkg):
        cmd = "opkg install " + pkg
        ssh.exec_command(cmd)

    def quiet(name, cursor, self):
        cursor.execute("select * from t where n = '%s'" % name)
        self.run("deploying %s" % name)
        run_cmd("Error: %s" % name)
        __salt__["cmd.run"](["zfs", "list", name])
    """
    assert shape(body, "CWR103") == [3, 7]


def test_a_check_named_for_a_path_or_name_guards_the_path_it_is_given() -> None:
    """A project's check whose name says it validates a name, path or key (`validateKeyName(x)`, raising when it
    is dropped, or `if is_valid_path(p):`) clears that value for file paths; a check named for something else,
    or of another key of the same data, does not."""
    body = route("""
    data = request.get_json()
    validateKeyName(data['name'])
    open('keys/%s.key' % data['name'])
    validateNewKeyData(data)
    open('keys/%s.key' % data['key'])
    path = request.args['p']
    if is_valid_path(path):
        open(path)
    if check_user(path):
        open(path)
    os.system('cat ' + data['name'])
    """)
    assert reported(body) == [(8, "CWR107"), (13, "CWR107"), (14, "CWR102")]


def test_sqlalchemy_query_methods_given_raw_sql_text() -> None:
    """`query.filter("name = '%s'" % x)` (SQLAlchemy before 1.4 takes the string as SQL); a column expression,
    a bound `text()` parameter and a sort key with no SQL text around it are not SQL built from the data."""
    body = route("""
    from sqlalchemy import text
    from models import User
    name = request.args['n']
    User.query.filter("name = '%s'" % name).all()
    User.query.order_by(f"{name} desc").all()
    User.query.filter(User.name == name).all()
    User.query.filter(text("name = :n")).params(n=name).all()
    User.query.order_by(name).all()
    """)
    assert reported(body) == [(7, "CWR101"), (8, "CWR101")]
