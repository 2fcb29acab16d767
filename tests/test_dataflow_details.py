"""Data-flow engine details the construct tests (tests/test_dataflow.py) did not reach, written for the
survivors of the dataflow mutation sample (bench/mutation-report.md). The engine catches an exception per
function and reviews on, so a broken refinement shows only as a finding lost or gained: each case states the
exact lines reported, with a finding that must survive the construct."""

from __future__ import annotations

import pytest
from codeward.reviewer.review import review_file

from tests.outputs_whole import reviewed
from tests.test_dataflow import FLOW_RULES, HEAD, reported, route

CASES = [
    # (description, route body, [(line of `route(body)`, code)])
    # `a or b` taken: a held, or a failed and b held. isalnum() guards, and == 'x' makes it a constant.
    ("or: both edges refine", "cmd = request.args['c']\nif cmd.isalnum() or cmd == 'x':\n    os.system(cmd)\n"
     "os.system(cmd)\n", [(6, "CWR102")]),
    # A sink inside a conditional expression runs on its edge only.
    ("sink in a conditional expression's else", "c = request.args['c']\nx = 'ls' if c.isalnum() else os.system(c)\n"
     "y = os.system(c) if c.isalnum() else 'ls'\n", [(4, "CWR102")]),
    ("sink in a comprehension with a condition", "cmds = request.args.getlist('c')\n"
     "done = [os.system(c) for c in cmds if c]\n", [(4, "CWR102")]),
    ("sink on the right of and/or", "c = request.args['c']\nok = c.isalnum() and os.system(c)\n"
     "bad = c.isalnum() or os.system(c)\n", [(5, "CWR102")]),
    # match: an or-pattern of constants is decided against a constant subject.
    ("match or-pattern decided", "mode = 'safe'\ncmd = request.args['c']\nmatch mode:\n    case 'a' | 'b':\n"
     "        os.system(cmd)\nmatch mode:\n    case 'safe' | 'b':\n        os.system(cmd)\n", [(10, "CWR102")]),
    # sys.exit() does not return: past the check, the command is alphanumeric.
    ("sys.exit ends the branch", "import sys\ncmd = request.args['c']\nif not cmd.isalnum():\n    sys.exit(1)\n"
     "os.system(cmd)\n", []),
    # str() keeps the constant start of a URL: a redirect to a fixed host is not open.
    ("str() keeps the fixed host", "from flask import redirect\np = request.args['p']\n"
     "a = redirect(str('https://example.com/' + p))\nb = redirect(('https://example.com/' + p).strip())\n"
     "c = redirect(p)\n", [(7, "CWR117")]),
    # The fixed point compares a dict's fields: the loop's new dict carries the parameter.
    ("a dict rebuilt in a loop", "d = {'a': 'ls'}\nfor p in request.args.getlist('p'):\n    d = {'a': p}\n"
     "os.system(d['a'])\n", [(6, "CWR102")]),
    # A local list changed through a method is tracked (only a global changed in a function is not).
    ("a local list appended to", "cmds = []\ncmds.append(request.args['c'])\nos.system(cmds[0])\n", [(5, "CWR102")]),
    # Fresh-sample survivors (bench/mutation-report.md): isalpha() guards, bool() folds, io.StringIO keeps
    # its text, and the value of `a and b` is b refined by a.
    ("isalpha guards", "c = request.args['c']\nif c.isalpha():\n    os.system(c)\n", []),
    ("bool() folds", "c = request.args['c']\nif bool(0):\n    os.system(c)\n", []),
    ("StringIO keeps its text", "import io\nbuf = io.StringIO(request.args['c'])\nos.system(buf.getvalue())\n",
     [(5, "CWR102")]),
    ("the value of and/or", "c = request.args['c']\nsafe = c.isalnum() and c\nos.system(safe)\n"
     "bad = c.isalnum() or c\nos.system(bad)\n", [(7, "CWR102")]),
    # Survivors of the fresh sample of seed 31.
    # A constant tuple unpacked keeps its items: the first branch is decided (never taken), the second taken.
    ("a constant tuple unpacked decides a branch", "mode, level = ('safe', 1)\ncmd = request.args['c']\n"
     "if mode == 'unsafe':\n    os.system(cmd)\nif level == 1:\n    os.system(cmd)\n", [(8, "CWR102")]),
    # The same with a folded constant (no item fields): `str.split` of a literal is a tuple of constants.
    ("a split literal unpacked decides a branch", "mode, level = 'safe:1'.split(':')\ncmd = request.args['c']\n"
     "if mode == 'unsafe':\n    os.system(cmd)\nif mode == 'safe':\n    os.system(cmd)\n", [(8, "CWR102")]),
    ("a match capture with as", "match request.args.getlist('c'):\n    case [cmd, arg] as parts:\n"
     "        os.system(cmd)\n", [(5, "CWR102")]),
    ("a name bound in each alternative of an or-pattern", "match request.args.getlist('c'):\n"
     "    case [cmd] | [cmd, _]:\n        os.system(cmd)\n", [(5, "CWR102")]),
    ("reversed() keeps the items", "for c in reversed(request.args.getlist('c')):\n    os.system(c)\n"
     "for d in reversed(['ls', 'pwd']):\n    os.system(d)\n", [(4, "CWR102")]),
    ("the keys of a dict comprehension", "opts = {k: 'on' for k in request.args}\nos.system(' '.join(opts))\n",
     [(4, "CWR102")]),
    ("implicitly concatenated literals", "os.system('ls ' '-l ' + request.args['d'])\n", [(3, "CWR102")]),
    # Written in the sink's call (the pre-filter took every implicit concatenation for a literal: missed).
    ("an f-string implicitly concatenated", "d = request.args['d']\nos.system(f'ls {d}' ' -l')\n"
     "os.system('ls ' f'{d}')\nos.system(f'ls {\"/tmp\"}' ' -l')\n", [(4, "CWR102"), (5, "CWR102")]),
    ("a list extended by a comprehension", "cmds = ['ls']\ncmds.extend([c.strip() for c in request.args.getlist('c')])\n"
     "os.system(cmds[1])\n", [(5, "CWR102")]),
    ("a list extended by a list literal", "cmds = ['ls']\ncmds.extend([request.args['c']])\nos.system(cmds[1])\n",
     [(5, "CWR102")]),
    # resolve() keeps the Path type: read_text() is a file read of the request's path.
    ("a resolved path read", "from pathlib import Path\np = (Path('/srv/files') / request.args['f']).resolve()\n"
     "return p.read_text()\n", [(5, "CWR107")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "expected"), CASES, ids=[c[0] for c in CASES])
def test_case(name: str, body: str, expected: list[tuple[int, str]]) -> None:
    assert reported(route(body)) == expected


def test_a_lambda_records_source_says_what_it_is() -> None:
    source = "import os\n\n\ndef handler(event, context):\n    for record in event['Records']:\n        os.system(record['body'])\n"
    # Another system's data: reported at info (who may write the queue is an IAM question the code does not answer).
    assert [(f.line, f.code, f.severity.name, f.message) for f in reviewed("case.py", source)] == [
        (6, "CWR102", "INFO", "records of the Lambda event (S3, SQS, SNS, Kinesis, DynamoDB) reaches the command run "
         "by os.system(): it can run commands of its own; it is another system's data, a risk only if an attacker "
         "can write it (CWE-78)"),
    ]  # fmt: skip


# -- survivors of the dataflow mutation samples of seeds 19 and 20 (bench/mutation-report.md) -------------------
# Each case is a small program with every finding it must give stated whole: (line within the route, code).
# Codes outside the flow rules (CWR103, the shell-quoting shape rule) are left out by `reported`; the random
# and log rules are added where a case is about them.

SURVIVOR_CASES = [
    # list()/tuple() of a value whose fields are known and that carries taint of its own keep both.
    ("tuple() keeps the whole's taint", "data = request.get_json()\ndata[0] = 'ls'\nt = tuple(data)\n"
     "os.system(t[1])\nos.system(t[0])\n", [(6, "CWR102"), (7, "CWR102")]),
    ("zip() pairs the items", "for a, b in zip(request.args.getlist('x'), ['ls']):\n    os.system(a)\n"
     "    os.system(b)\n", [(4, "CWR102")]),
    # copy.copy/deepcopy keep the fields apart: the constant field stays constant.
    ("copy.copy keeps fields", "import copy\nd = {'a': 'ls', 'b': request.args['c']}\ne = copy.copy(d)\n"
     "os.system(e['a'])\nos.system(e['b'])\n", [(7, "CWR102")]),
    ("copy.deepcopy keeps fields", "import copy\nd = {'a': 'ls', 'b': request.args['c']}\ne = copy.deepcopy(d)\n"
     "os.system(e['a'])\nos.system(e['b'])\n", [(7, "CWR102")]),
    ("a key that is not a constant is an element", "d = {request.args['k']: 'v'}\nfor k in d:\n    os.system(k)\n",
     [(5, "CWR102")]),
    ("yield makes the generator's items", "def gen():\n    yield request.args['c']\nfor c in gen():\n"
     "    os.system(c)\n", [(6, "CWR102")]),
    ("a bare yield yields nothing", "def gen():\n    x = yield\n    yield request.args['c']\nfor c in gen():\n"
     "    os.system(c)\n", [(7, "CWR102")]),
    ("two yields join", "def gen():\n    yield 'ls'\n    yield request.args['c']\nfor c in gen():\n"
     "    os.system(c)\n", [(7, "CWR102")]),
    ("a str method folds", "x = 'A'.lower()\nif x == 'a':\n    c = 'ls'\nelse:\n    c = request.args['c']\n"
     "os.system(c)\n", []),
    # A nested def rebinds the name: `f` is a function afterwards, not the request's text.
    ("def rebinds its name", "f = request.args['c']\ndef f():\n    return 'ls'\nos.system(f)\n", []),
    # Every path of the try body returns: the finally block still runs.
    ("finally after returns", "c = request.args['c']\ntry:\n    return 'x'\nfinally:\n    os.system(c)\n",
     [(7, "CWR102")]),
    ("a key set where the key is not known", "d = {}\nd[request.args['k']]['a'] = request.args['v']\n"
     "os.system(d['x']['a'])\n", [(5, "CWR102")]),
    # The constant start of a URL survives `const + f-string`: a fixed host is not an open redirect.
    ("constant + f-string keeps the host", "from flask import redirect\np = request.args['p']\n"
     "a = redirect('https://example.com' + f'/{p}')\nb = redirect('https://' + f'{p}/x')\n", [(6, "CWR117")]),
    ("str() of a constant folds", "from flask import redirect\np = request.args['p']\nmode = str(1)\n"
     "if mode == '1':\n    c = 'ls'\nelse:\n    c = p\nos.system(c)\nredirect(str('https://example.com/') + p)\n", []),
    ("comprehension with a condition keeps its items", "parts = [p for p in request.args.getlist('p') if p]\n"
     "os.system(' '.join(parts))\n", [(4, "CWR102")]),
    ("dict comprehension keeps its values", "d = {k: request.args[k] for k in ('a', 'b')}\nos.system(d['a'])\n",
     [(4, "CWR102")]),
    ("unary minus folds", "n = -1\nif n < 0:\n    c = 'ls'\nelse:\n    c = request.args['c']\nos.system(c)\n", []),
    ("get() reads its key", "d = {'a': 'ls', 'b': request.args['c']}\nos.system(d.get('a'))\nos.system(d.get('b'))\n",
     [(5, "CWR102")]),
    ("pop() without an index", "cmds = request.args.getlist('c')\nos.system(cmds.pop())\n", [(4, "CWR102")]),
    ("an attribute set on tainted data", "data = request.get_json()\ndata.extra = request.args['c']\n"
     "os.system(data.extra)\n", [(5, "CWR102")]),
    ("every return counts (first)", "def pick(x):\n    if x:\n        return request.args['c']\n    return 'ls'\n"
     "os.system(pick(1))\n", [(7, "CWR102")]),
    ("every return counts (last)", "def pick(x):\n    if x:\n        return 'ls'\n    return request.args['c']\n"
     "os.system(pick(1))\n", [(7, "CWR102")]),
    ("None folds", "x = None\nif x is None:\n    c = 'ls'\nelse:\n    c = request.args['c']\nos.system(c)\n", []),
    # lower() keeps the characters that matter: if the lower-case text is alphanumeric, so is the text.
    ("a check through lower()", "c = request.args['c']\nif c.lower().isalnum():\n    os.system(c)\n", []),
    # A check on a variable of the enclosing function narrows it inside the nested one, for its kinds only.
    ("a closure's variable narrowed", "c = request.args['c']\ndef inner():\n    if '..' in c:\n        return\n"
     "    os.system(c)\n    if c.isalnum():\n        os.system(c)\ninner()\n", [(7, "CWR102")]),
    ("membership in one constant makes it that constant", "c = request.args['c']\nif c in ('safe',):\n"
     "    d = 'ls' if c == 'safe' else request.args['d']\n    os.system(d)\n", []),
    ("the items of a constant tuple", "for mode in ('safe', 'safe'):\n    if mode == 'safe':\n        c = 'ls'\n"
     "    else:\n        c = request.args['c']\n    os.system(c)\n", []),
    ("a constant tuple's item", "mode = ('safe', 'x')[0]\nif mode == 'safe':\n    c = 'ls'\nelse:\n"
     "    c = request.args['c']\nos.system(c)\n", []),
    ("a constant string's character", "mode = 'safe'[0]\nif mode == 's':\n    c = 'ls'\nelse:\n"
     "    c = request.args['c']\nos.system(c)\n", []),
    # Seed 21's survivors.
    ("a check on an item of unknown key clears its kinds only", "d = request.args.to_dict()\nk = request.args['k']\n"
     "if '..' not in d[k]:\n    os.system(d[k])\n", [(6, "CWR102")]),
    ("enumerate() pairs an index with the items", "for i, x in enumerate(request.args.getlist('p')):\n"
     "    os.system(x)\n", [(4, "CWR102")]),
    ("map() keeps its iterables' items", "for x in map(str.strip, request.args.getlist('p')):\n    os.system(x)\n"
     "for y in map(str.strip, ['ls']):\n    os.system(y)\n", [(4, "CWR102")]),
    ("a starred list", "os.system(' '.join([*request.args.getlist('p')]))\n", [(3, "CWR102")]),
    ("an f-string of constants folds", "x = f\"{1}\"\nif x == '1':\n    c = 'ls'\nelse:\n    c = request.args['c']\n"
     "os.system(c)\n", []),
    ("isidentifier() guards", "c = request.args['c']\nif c.isidentifier():\n    os.system(c)\n", []),
    # An allow-list the request sent is no allow-list.
    ("membership in a list from the request", "c = request.args['c']\nallowed = request.args.getlist('a')\n"
     "if c in allowed:\n    os.system(c)\n", [(6, "CWR102")]),
    ("a constant string's slice", "mode = 'safe'[:2]\nif mode == 'sa':\n    c = 'ls'\nelse:\n"
     "    c = request.args['c']\nos.system(c)\n", []),
    ("with ... as binds", "import contextlib\nwith contextlib.nullcontext(request.args['c']) as c:\n    os.system(c)\n",
     [(5, "CWR102")]),
    ("append to a list held in a field", "d = {'k': []}\nd['k'].append(request.args['c'])\nos.system(d['k'][0])\n",
     [(5, "CWR102")]),
    ("a module imported in the function stays a module past a join", "import subprocess\n"
     "if request.args.get('x'):\n    pass\nsubprocess.call(request.args['c'], shell=True)\n", [(6, "CWR102")]),
    ("a field assigned again is replaced", "d = {'a': request.args['c']}\nd['a'] = 'ls'\nos.system(d['a'])\n", []),
    # Seed 30's survivors (bench/mutation-report.md), each with its vulnerable and its safe variant.
    # A match guard is evaluated: a sink in it runs, a name it binds is bound.
    ("a sink in a match guard", "cmd = request.args['c']\nmatch cmd:\n    case str() if os.system(cmd):\n"
     "        pass\nmatch cmd:\n    case str() if os.system('ls'):\n        pass\n", [(5, "CWR102")]),
    ("a name bound in a match guard", "match request.args['c']:\n    case str(c) if (d := c):\n        os.system(d)\n",
     [(5, "CWR102")]),
    # The keys of a dict literal are an allow-list; past the check the value is the request's again.
    ("membership in a dict literal's keys", "c = request.args['c']\nif c in {'ls': 1, 'pwd': 2}:\n"
     "    os.system(c)\nos.system(c)\n", [(6, "CWR102")]),
    # startswith() of a fixed scheme and host clears an open redirect; a scheme alone does not.
    ("startswith a fixed host", "from flask import redirect\nu = request.args['u']\n"
     "if u.startswith('https://example.com/'):\n    redirect(u)\nif u.startswith('https://'):\n    redirect(u)\n",
     [(8, "CWR117")]),
    # is_relative_to() is a path check whatever the receiver's known type.
    ("is_relative_to on an untyped value", "p = storage.resolve(request.args['p'])\n"
     "if p.is_relative_to('/srv/files'):\n    open(p)\nopen(p)\n", [(6, "CWR107")]),
    # Every item of a literal is an element, not only the last one.
    ("a set literal's items", "for c in {request.args['c'], 'ls'}:\n    os.system(c)\nfor d in {'pwd', 'ls'}:\n"
     "    os.system(d)\n", [(4, "CWR102")]),
    ("a list literal's items", "for c in [request.args['c'], 'ls']:\n    os.system(c)\nfor d in ['pwd', 'ls']:\n"
     "    os.system(d)\n", [(4, "CWR102")]),
    # *args spread over the parameters binds each of them, the second too.
    ("a list spread over a wrapper's parameters", "def run(a, b, c):\n    os.system(b)\n"
     "run(*['ls', request.args['c'], 'x'])\nrun(*['ls', 'pwd', 'x'])\n", [(5, "CWR102")]),
    # A value that gained elements has no known constant: neither `*cmds` nor an appended list is None or empty.
    ("a *args tuple is not None", "def run(*cmds):\n    if cmds is None:\n        return\n    for c in cmds:\n"
     "        os.system(c)\nrun(request.args['c'])\nrun('ls')\n", [(8, "CWR102")]),
    ("a *args tuple is not empty", "def run(*cmds):\n    if cmds:\n        for c in cmds:\n            os.system(c)\n"
     "run(request.args['c'])\n", [(7, "CWR102")]),
    # setdefault() sets a missing key only.
    ("setdefault of a missing and of a present key", "d = {}\nd.setdefault('c', request.args['c'])\n"
     "os.system(d['c'])\ne = {'c': 'ls'}\ne.setdefault('c', request.args['c'])\nos.system(e['c'])\n",
     [(5, "CWR102")]),
    ("setdefault leaves the other keys", "d = {'a': 'ls'}\nd.setdefault('c', request.args['c'])\n"
     "os.system(d['a'])\nos.system(d['c'])\n", [(6, "CWR102")]),
    # A check on a normalised path reaches through every wrapper to the name it derives from.
    ("realpath of a stripped path checked", "p = request.args['p']\n"
     "if os.path.realpath(p.strip()).startswith('/srv/files/'):\n    open(p)\nopen(p)\n", [(6, "CWR107")]),
    ("realpath of abspath checked", "p = request.args['p']\n"
     "if os.path.realpath(os.path.abspath(p)).startswith('/srv/files/'):\n    open(p)\nopen(p)\n", [(6, "CWR107")]),
    # tuple() and list() of a constant fold, and decide the branch.
    ("tuple() of a constant decides", "c = request.args['c']\nif tuple('ab') == ('a', 'b'):\n    c = 'ls'\n"
     "os.system(c)\nos.system(request.args['d'])\n", [(7, "CWR102")]),
    ("list() of a constant decides", "c = request.args['c']\nif list('ab') == ['a', 'b']:\n    c = 'ls'\n"
     "os.system(c)\nos.system(request.args['d'])\n", [(7, "CWR102")]),
    # ElementTree's Element methods are XPath sinks on a value typed by getroot().
    ("an Element's findall", "import xml.etree.ElementTree as ET\nroot = ET.parse('x.xml').getroot()\n"
     "root.findall(request.args['q'])\nroot.findall('./item')\n", [(5, "CWR114")]),
    # dict() of a tainted mapping: its unknown keys carry the taint; of a constant one, the constant.
    ("dict() of the request's mapping", "d = dict(request.args)\nos.system(d['c'])\ne = dict({'c': 'ls'})\n"
     "os.system(e['c'])\n", [(4, "CWR102")]),
    # builtins.tuple and builtins.str are the builtins, folded as such.
    ("builtins.tuple() folds", "import builtins\nc = request.args['c']\nif builtins.tuple('ab') == ('a', 'b'):\n"
     "    c = 'ls'\nos.system(c)\nd = request.args['d']\nif builtins.tuple('ab') == ('b',):\n    d = 'ls'\n"
     "os.system(d)\n", [(11, "CWR102")]),
    ("builtins.str() folds", "import builtins\nc = request.args['c']\nif builtins.str(12) == '12':\n    c = 'ls'\n"
     "os.system(c)\n", []),
    # str() is the empty string.
    ("str() is empty", "c = request.args['c']\nif str() == '':\n    c = 'ls'\nos.system(c)\nd = request.args['d']\n"
     "if str() != '':\n    d = 'ls'\nos.system(d)\n", [(10, "CWR102")]),
    # A sink in a for loop's iterable is found at its own state (each loop's iterable has its own).
    ("a sink in a for loop's iterable", "cmd = request.args['c']\nfor line in os.popen(cmd):\n    pass\n"
     "for line in os.popen('ls'):\n    pass\n", [(4, "CWR102")]),
    ("an appended list is not None", "cmds = ['ls']\ncmds.append(request.args['c'])\nif cmds is not None:\n"
     "    os.system(cmds[1])\nos.system(cmds[0])\n", [(6, "CWR102")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "expected"), SURVIVOR_CASES, ids=[c[0] for c in SURVIVOR_CASES])
def test_survivor_case(name: str, body: str, expected: list[tuple[int, str]]) -> None:
    assert reported(route(body)) == expected


def findings(source: str) -> list[tuple[int, str, str]]:
    found = reviewed("case.py", source)
    return sorted((f.line, f.code, f.message) for f in found)


def test_an_attribute_step_of_a_trace_names_its_object() -> None:
    source = HEAD + route("class O:\n    pass\no = O()\no.cmd = request.args['c']\nos.system(o.cmd)\n")
    (finding,) = [f for f in reviewed("case.py", source) if f.code == "CWR102"]
    assert [(span.line - 3, text) for span, text in finding.flow] == [
        (6, "request.args (the source)"), (6, "`o.cmd`"), (7, "the sink")]  # fmt: skip


def test_a_predictable_number_compared_is_still_predictable() -> None:
    source = ("import random\nfrom flask import Flask, session\napp = Flask(__name__)\n@app.route('/x')\n"
              "def view():\n    session['n'] = random.randint(0, 9) > 4\n")  # fmt: skip
    assert findings(source) == [
        (6, "CWR305", "random.randint() is predictable, and its value reaches the session (CWE-338)")]  # fmt: skip


def test_a_helper_of_the_module_that_names_random_is_followed() -> None:
    source = ("import random\nfrom flask import Flask, session\napp = Flask(__name__)\ndef pick():\n"
              "    return random.random()\n@app.route('/x')\ndef view():\n    value = pick()\n    session['n'] = value\n")  # fmt: skip
    assert findings(source) == [
        (5, "CWR305", "random.random() is predictable, and its value reaches the session (CWE-338)")]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hashlib.sha256(str(random.getrandbits(64)).encode()).hexdigest()", [6]),
        ("hashlib.sha256(b'k' + bytes(random.getrandbits(8))).digest()", [6]),
        ("base64.b64encode(hashlib.sha256(str(random.random()).encode()).digest())", [6]),
        ("hashlib.sha256(secrets.token_bytes(32)).hexdigest()", []),
        ("hashlib.sha256(os.urandom(32)).hexdigest()", []),
    ],
)
def test_a_digest_of_a_predictable_number_is_predictable(value: str, expected: list[int]) -> None:
    # The digest object's own method (`.hexdigest()`, a method of a module whose calls carry no outside data)
    # dropped the predictable flow of its receiver.
    source = ("import base64, hashlib, os, random, secrets\nfrom flask import Flask, session\napp = Flask(__name__)\n"
              f"@app.route('/x')\ndef view():\n    session['key'] = {value}\n")  # fmt: skip
    assert [line for line, code, _ in findings(source) if code == "CWR305"] == expected


def test_repr_conversion_cleans_log_text_only() -> None:
    body = ("import logging\nlog = logging.getLogger(__name__)\nu = request.args['u']\nlog.info(f'user {u!r}')\n"
            "log.info(f'user {u}')\n")  # fmt: skip
    found = [(f.line - 3, f.code) for f in reviewed("case.py", HEAD + route(body)) if f.code == "CWR116"]
    assert found == [(7, "CWR116")]


FLASK = "import os, shlex\nfrom flask import Flask, request\napp = Flask(__name__)\n"
WHOLE_FILE_CASES = [
    # (description, source after FLASK, [(line, code)] of the flow rules, lines counted within the source)
    # A class attribute is read from the class body's analysis, through the class and through an instance.
    ("a class attribute decides a branch", "class Cfg:\n    MODE = 'safe'\n@app.route('/x')\ndef view():\n"
     "    if Cfg.MODE == 'safe':\n        c = 'ls'\n    else:\n        c = request.args['c']\n    os.system(c)\n"
     "    cfg = Cfg()\n    if cfg.MODE == 'safe':\n        d = 'ls'\n    else:\n        d = request.args['c']\n"
     "    os.system(d)\n", []),
    # `self.conn = ldap3.Connection(...)` in __init__ gives the attribute its type in every method.
    ("an attribute's type from __init__", "import ldap3\nclass Dir:\n    def __init__(self):\n"
     "        self.conn = ldap3.Connection(ldap3.Server('ldap://x'))\n    def find(self, u):\n"
     "        self.conn.search('dc=x', f'(uid={u})')\n@app.route('/x')\ndef view():\n"
     "    Dir().find(request.args['u'])\n", [(9, "CWR113")]),
    # The attribute's type is also read from an assignment in an except handler of a method.
    ("an attribute's type from an except handler", "import ldap3\nclass Dir:\n    def __init__(self):\n"
     "        try:\n            self.conn = None\n        except Exception:\n"
     "            self.conn = ldap3.Connection(ldap3.Server('ldap://x'))\n    def find(self, u):\n"
     "        self.conn.search('dc=x', f'(uid={u})')\n@app.route('/x')\ndef view():\n"
     "    Dir().find(request.args['u'])\n", [(12, "CWR113")]),
    ("a sink in a nested comprehension", "@app.route('/x')\ndef view():\n    rows = [[request.args['c']]]\n"
     "    x = [os.system(c) for row in rows for c in row if c]\n", [(4, "CWR102")]),
    # A wrapper's loop rebinds the parameter before the sink: the loop header is not where the sink runs.
    ("a parameter rebound in the wrapper's loop", "def run(c):\n    for i in range(3):\n        c = 'ls'\n"
     "        os.system(c)\n@app.route('/x')\ndef view():\n    run(request.args['c'])\n", []),
    ("a wrapper's sink before a lambda", "def run(c):\n    x = [os.system(c), lambda: 0]\n@app.route('/x')\n"
     "def view():\n    run(request.args['c'])\n", [(5, "CWR102")]),
    ("a recursive wrapper", "def walk(c, n):\n    os.system(c)\n    if n:\n        walk(c, n - 1)\n"
     "@app.route('/x')\ndef view():\n    walk(request.args['c'], 3)\n", [(7, "CWR102")]),
    # Joining two paths of a value with many origins keeps the less cleaned one (quoted on one path only).
    ("many origins quoted on the then path", "def helper(a, b, c, d, flag):\n"
     "    s = request.args['e'] + a + b + c + d\n    if flag:\n        s = shlex.quote(s)\n    os.system(s)\n",
     [(5, "CWR102")]),
    ("many origins quoted on the else path", "def helper(a, b, c, d, flag):\n"
     "    s = request.args['e'] + a + b + c + d\n    if flag:\n        pass\n    else:\n"
     "        s = shlex.quote(s)\n    os.system(s)\n", [(7, "CWR102")]),
    # A wrapper that also reads a source itself: both the inside flow and the parameter's are found.
    ("a wrapper with a source inside", "def run(c):\n    os.system(request.args['x'])\n    os.system(c)\n"
     "@app.route('/x')\ndef view():\n    run(request.args['c'])\n", [(2, "CWR102"), (6, "CWR102")]),
    # A lambda at module level sees the module's constants and its sinks are found (seed 30).
    ("a module-level lambda reads a module constant", "MODE = 'safe'\n"
     "run = lambda c: os.system(c if MODE != 'safe' else 'ls')\n@app.route('/x')\ndef view():\n"
     "    run(request.args['c'])\n", []),
    ("a sink in a module-level lambda", "f = lambda: os.system(request.args['c'])\ng = lambda: os.system('ls')\n",
     [(1, "CWR102")]),
    # A name declared global is the module's until the function assigns it (seed 30).
    ("a name declared global reads the module's value", "MODE = 'safe'\nOTHER = 'unsafe'\n@app.route('/x')\n"
     "def view():\n    global MODE, OTHER\n    c = request.args['c']\n    if MODE == 'safe':\n        c = 'ls'\n"
     "    os.system(c)\n    d = request.args['d']\n    if OTHER == 'safe':\n        d = 'ls'\n    os.system(d)\n"
     "    if request.args.get('r'):\n        MODE = OTHER = 'x'\n", [(13, "CWR102")]),
    ("a wrapper's second parameter", "def run(flag, c):\n    os.system(c)\n@app.route('/x')\ndef view():\n"
     "    run(1, request.args['c'])\n", [(5, "CWR102")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "expected"), WHOLE_FILE_CASES, ids=[c[0] for c in WHOLE_FILE_CASES])
def test_whole_file_case(name: str, body: str, expected: list[tuple[int, str]]) -> None:
    found = [(f.line - 3, f.code) for f in reviewed("case.py", FLASK + body) if f.code in FLOW_RULES]
    assert sorted(found) == expected


def test_a_fastapi_dependency_named_through_its_module_is_not_a_route_parameter() -> None:
    source = ("import os, fastapi\napp = fastapi.FastAPI()\ndef current():\n    return 'ls'\n@app.get('/x/{item}')\n"
              "def view(item: str, user: str = fastapi.Depends(current)):\n    os.system(user)\n    os.system(item)\n")  # fmt: skip
    found = [(f.line, f.code, f.message) for f in reviewed("case.py", source) if f.code in FLOW_RULES]
    assert found == [(8, "CWR102", "route parameter `item` reaches the command run by os.system(): it can run "
                      "commands of its own (CWE-78)")]  # fmt: skip


def test_an_md5_from_hashlib_new_that_signs_a_cookie_is_an_error() -> None:
    source = ("import hashlib\nfrom flask import Flask, request, make_response\napp = Flask(__name__)\n"
              "@app.route('/x')\ndef view():\n    resp = make_response('ok')\n"
              "    resp.set_cookie('auth', hashlib.new('md5', request.data).hexdigest(), secure=True, httponly=True)\n"
              "    return resp\n")  # fmt: skip
    assert findings(source) == [(7, "CWR304", "an MD5 digest protects what resp.set_cookie() receives; collisions "
                                 "for MD5 are practical (CWE-328)")]  # fmt: skip


def test_wrappers_in_other_modules(tmp_path) -> None:
    """A dependency is parsed when its function's text calls a sink (a bare imported name counts); one that
    does not parse costs its own flows only, never the reviewed file."""
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helper.py").write_text(
        "from subprocess import check_output\n\n\ndef run_bare(cmd):\n    return check_output(cmd, shell=True)\n"
    )
    (package / "broken.py").write_text("import os\n\n\ndef broken(cmd:\n    os.system(cmd)\n")
    (package / "views.py").write_text(
        "import os\nfrom flask import Flask, request\nfrom app.helper import run_bare\nfrom app.broken import broken\n"
        "app = Flask(__name__)\n\n\n@app.route('/x')\ndef view():\n    run_bare(request.args['c'])\n"
        "    broken(request.args['c'])\n    os.system(request.args['d'])\n"
    )
    found = [(f.line, f.code, f.message) for f in review_file(str(package / "views.py")).findings]
    assert found == [
        (10, "CWR102", "request.args reaches the command run by run_bare(), which passes it to "
         "subprocess.check_output() (helper.py:5): it can run commands of its own (CWE-78)"),
        (12, "CWR102", "request.args reaches the command run by os.system(): it can run commands of its own (CWE-78)"),
    ]  # fmt: skip


def test_a_lambda_event_handed_to_a_helper() -> None:
    source = "import os\ndef run(e):\n    os.system(e['cmd'])\ndef handler(event, context):\n    run(event)\n"
    assert [(f.line, f.code) for f in reviewed("case.py", source) if f.code in FLOW_RULES] == [(5, "CWR102")]


def test_an_md5_digest_that_signs_a_cookie_is_an_error() -> None:
    source = ("import hashlib\nfrom flask import Flask, request, make_response\napp = Flask(__name__)\n"
              "@app.route('/x')\ndef view():\n    resp = make_response('ok')\n"
              "    resp.set_cookie('auth', hashlib.md5(request.data).digest(), secure=True, httponly=True)\n"
              "    return resp\n")  # fmt: skip
    assert findings(source) == [(7, "CWR304", "an MD5 digest protects what resp.set_cookie() receives; collisions "
                                 "for MD5 are practical (CWE-328)")]  # fmt: skip


def test_a_django_function_view_in_views_py() -> None:
    source = ("import os\nfrom django.http import HttpResponse\ndef view(request):\n    os.system(request.GET['c'])\n"
              "    return HttpResponse('ok')\n")  # fmt: skip
    assert [(f.line, f.code) for f in reviewed("views.py", source) if f.code in FLOW_RULES] == [(4, "CWR102")]


def test_a_project_function_is_a_step_of_the_trace() -> None:
    source = HEAD + route("def wrap(c):\n    return c.strip()\nos.system(wrap(request.args['c']))\n")
    (finding,) = [f for f in reviewed("case.py", source) if f.code == "CWR102"]
    assert [(span.line - 3, text) for span, text in finding.flow] == [
        (5, "request.args (the source)"), (5, "`wrap()`"), (5, "the sink")]  # fmt: skip


def test_a_request_never_bound_in_the_file_is_the_web_request() -> None:
    # A snippet, or `from framework import *`: the name `request` alone stands for the web request.
    source = "import os\ndef view():\n    os.system(request.args['c'])\n"
    assert [(f.line, f.code) for f in reviewed("case.py", source) if f.code in FLOW_RULES] == [(3, "CWR102")]


def test_a_field_of_a_helpers_result_names_the_helper_in_the_trace() -> None:
    """A helper of the module returns a dict holding request data: the step is the helper's call (seed 30)."""
    source = (
        HEAD
        + "def get():\n    return {'c': request.args['c'], 'd': 'ls'}\n"
        + route("os.system(get()['c'])\nos.system(get()['d'])\n")
    )
    found = [(f.line, f.code, [(span.line, text) for span, text in f.flow]) for f in reviewed("case.py", source)]
    assert found == [(8, "CWR102", [(5, "request.args (the source)"), (8, "`get()`"), (8, "the sink")])]


def test_a_dependency_nested_past_the_limit_is_not_parsed(tmp_path) -> None:
    """A module with over 200 brackets nested deeper than 100 is not parsed for summaries (hostile input: the
    parse recurses): its wrapper gives no finding, the same wrapper in a flat module does (seed 30)."""
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    wrapper = "\n\ndef run(cmd):\n    os.system(cmd)\n"
    deep = "X = " + "[" * 101 + "]" * 101 + "\nY = [" + "[], " * 100 + "]\n"
    (package / "deep.py").write_text("import os\n" + deep + wrapper)
    (package / "flat.py").write_text("import os\nX = [[1]]\n" + wrapper)
    (package / "views.py").write_text(
        "from flask import Flask, request\nfrom app.deep import run\nfrom app.flat import run as run_flat\n"
        "app = Flask(__name__)\n\n\n@app.route('/x')\ndef view():\n    run(request.args['c'])\n"
        "    run_flat(request.args['c'])\n"
    )
    found = [(f.line, f.code, f.message) for f in review_file(str(package / "views.py")).findings]
    assert found == [
        (10, "CWR102", "request.args reaches the command run by run(), which passes it to os.system() (flat.py:6): "
         "it can run commands of its own (CWE-78)"),
    ]  # fmt: skip


def test_a_module_that_imports_itself(tmp_path) -> None:
    """`from app import views` inside app/views.py: a name imported there is read through the module (seed 30)."""
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "views.py").write_text(
        "import subprocess\nfrom flask import request\nfrom app import views\n\n\ndef index():\n"
        "    views.subprocess.call(request.args['c'], shell=True)\n    views.subprocess.call('ls', shell=True)\n"
    )
    found = [(f.line, f.code, f.message) for f in review_file(str(package / "views.py")).findings]
    assert found == [
        (7, "CWR102", "request.args reaches the command run by subprocess.call(): it can run commands of its own "
         "(CWE-78)"),
    ]  # fmt: skip


_WRAPPED = "request.args reaches the command run by run(), which passes it to {} (case.py:{}): it can run commands of its own (CWE-78)"  # fmt: skip
_RUNS_AS_IS = "{} runs `cmd` as a shell command as it is: check that no caller builds it from outside input (CWE-78)"  # fmt: skip
SEED_31_FILES = [
    # A module constant rebound by a module-level for loop is no constant: the branch stays open.
    ("a module constant rebound by a for loop",
     "LEVEL = 'safe'\nfor LEVEL in os.environ.get('LEVELS', '').split(','):\n    pass\n@app.route('/x')\n"
     "def view():\n    if LEVEL == 'debug':\n        os.system(request.args['c'])\n",
     [(7, "CWR102", "request.args reaches the command run by os.system(): it can run commands of its own (CWE-78)")]),
    ("a helper defined in a try statement's else",
     "try:\n    import ujson as json\nexcept ImportError:\n    import json\nelse:\n    def run(cmd):\n"
     "        os.system(cmd)\n@app.route('/x')\ndef view():\n    run(request.args['c'])\n",
     [(7, "CWR103", _RUNS_AS_IS.format("os.system()")), (10, "CWR102", _WRAPPED.format("os.system()", 10))]),
    ("a wrapper called with the request's JSON as keywords",
     "def run(cmd, cwd='.'):\n    subprocess.run(cmd, shell=True, cwd=cwd)\n@app.route('/x')\ndef view():\n"
     "    run(**request.get_json())\n",
     [(2, "CWR103", _RUNS_AS_IS.format("subprocess.run()")),
      (5, "CWR102", _WRAPPED.replace("request.args", "request.get_json()").format("subprocess.run()", 5))]),
    ("a method inherited from a class of the module",
     "class Base:\n    def run(self, cmd):\n        os.system(cmd)\nclass Job(Base):\n    pass\n"
     "@app.route('/x')\ndef view():\n    Job().run(request.args['c'])\n",
     [(3, "CWR103", _RUNS_AS_IS.format("os.system()")), (8, "CWR102", _WRAPPED.format("os.system()", 6))]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "expected"), SEED_31_FILES, ids=[c[0] for c in SEED_31_FILES])
def test_seed_31_file(name: str, body: str, expected: list[tuple[int, str, str]]) -> None:
    source = "import os, shlex, subprocess\nfrom flask import Flask, request\napp = Flask(__name__)\n" + body
    found = [(f.line - 3, f.code, f.message) for f in reviewed("case.py", source) if f.code.startswith("CWR1")]
    assert sorted(found) == expected


def test_an_annotated_assignment_is_a_step_of_the_trace() -> None:
    source = HEAD + route("cmd: str = request.args['c']\nos.system(cmd)\n")
    (finding,) = [f for f in reviewed("case.py", source) if f.code == "CWR102"]
    assert [(span.line - 3, span.column, text) for span, text in finding.flow] == [
        (3, 16, "request.args (the source)"), (3, 5, "`cmd`"), (4, 5, "the sink")]  # fmt: skip


def test_a_dependency_nested_in_braces_past_the_limit_is_not_parsed(tmp_path) -> None:
    """The same limit for dict literals nested deeper than 100 (seed 31)."""
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    deep = "X = " + "{0: " * 101 + "0" + "}" * 101 + "\nY = {" + "0: {}, " * 100 + "}\n"
    (package / "deep.py").write_text("import os\n" + deep + "\n\ndef run(cmd):\n    os.system(cmd)\n")
    (package / "views.py").write_text(
        "from flask import Flask, request\nfrom app.deep import run\napp = Flask(__name__)\n\n\n"
        "@app.route('/x')\ndef view():\n    run(request.args['c'])\n"
    )
    assert [(f.line, f.code) for f in review_file(str(package / "views.py")).findings] == []


# Seed 32's survivors (bench/mutation-report.md), each with a vulnerable and a safe variant where one exists.
SEED_32_CASES = [
    # Targets after a starred one are counted from the end; the star takes the middle.
    ("a target after a starred one", "first, *mid, last = ['ls', 'x', request.args['c']]\nos.system(last)\n"
     "os.system(first)\n", [(4, "CWR102")]),
    # A mapping pattern binds its values by key (reading a key of a subject raised before: the file got CWR900).
    ("a mapping pattern binds by key", "match request.get_json():\n    case {'cmd': cmd}:\n        os.system(cmd)\n"
     "match {'cmd': 'ls', 'x': request.args['c']}:\n    case {'cmd': c2, **rest}:\n        os.system(c2)\n"
     "        os.system(rest['x'])\n", [(5, "CWR102"), (9, "CWR102")]),
    # next() is an item of its iterable, or its default.
    ("next() of an iterator", "c = next(iter(request.args.getlist('c')))\nos.system(c)\nd = next(iter(['ls']))\n"
     "os.system(d)\n", [(4, "CWR102")]),
    ("next() with a default", "c = next(iter(['ls']), request.args['c'])\nos.system(c)\n"
     "d = next(iter(['ls']), 'pwd')\nos.system(d)\n", [(4, "CWR102")]),
    ("getattr() with a default", "o = object()\nc = getattr(o, 'missing', request.args['c'])\nos.system(c)\n"
     "d = getattr(o, 'missing', 'ls')\nos.system(d)\n", [(5, "CWR102")]),
    # min(), max() and sum() of constants fold and decide a branch.
    ("min, max and sum fold", "c = request.args['c']\nif min(3, 1) == 1:\n    c = 'ls'\nos.system(c)\n"
     "d = request.args['d']\nif max(3, 1) == 1:\n    d = 'ls'\nos.system(d)\ne = request.args['e']\n"
     "if sum((1, 2)) == 3:\n    e = 'ls'\nos.system(e)\n", [(10, "CWR102")]),
    ("a slice of the request's text", "os.system(request.args['c'][:20])\nos.system('ls -l'[:2])\n", [(3, "CWR102")]),
    ("True folds", "flag = True\nc = request.args['c']\nif flag == True:\n    c = 'ls'\nos.system(c)\n"
     "if flag is not True:\n    os.system(request.args['d'])\n", []),
    # A comprehension's variable is its own: the nested function reads the enclosing `c`, not a local one.
    ("a comprehension variable does not shadow", "c = request.args['c']\ndef inner():\n"
     "    names = [c for c in ['ls']]\n    os.system(c)\ninner()\n", [(6, "CWR102")]),
    # A condition of a comprehension refines its variable for the sink inside.
    ("a comprehension condition guards its element", "cmds = request.args.getlist('c')\n"
     "done = [os.system(c) for c in cmds if c.isalnum()]\nundone = [os.system(c) for c in cmds if c]\n",
     [(5, "CWR102")]),
    # get_all() reads one key's values (email.message.Message, wsgiref's Headers).
    ("get_all reads its key", "h = {'a': 'ls', 'b': request.args['c']}\nfor v in h.get_all('a'):\n    os.system(v)\n"
     "for w in h.get_all('b'):\n    os.system(w)\n", [(7, "CWR102")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "expected"), SEED_32_CASES, ids=[c[0] for c in SEED_32_CASES])
def test_seed_32_case(name: str, body: str, expected: list[tuple[int, str]]) -> None:
    assert reported(route(body)) == expected


_RAN = "{} reaches the command run by os.system(): it can run commands of its own (CWE-78)"
SEED_32_FILES = [
    # Keywords gathered into **kwargs keep each its own key.
    ("keywords gathered into **kwargs", "def run(**opts):\n    os.system(opts['cmd'])\n@app.route('/x')\n"
     "def view():\n    run(cmd=request.args['c'], cwd='/tmp')\n    run(cmd='ls', cwd=request.args['d'])\n",
     [(2, "CWR103", _RUNS_AS_IS.format("os.system()").replace("`cmd`", "`opts['cmd']`")),
      (5, "CWR102", _WRAPPED.format("os.system()", 5))]),
    # A route declared with the `rule=` or `path=` keyword naming a constant: its parameters come from the URL.
    ("a route's rule keyword", "URL = '/x/<cmd>'\n@app.route(rule=URL)\ndef view(cmd):\n    os.system(cmd)\n",
     [(4, "CWR102", _RAN.format("route parameter `cmd`"))]),
    ("a route's path keyword", "URL = '/x/<cmd>'\n@app.get(path=URL)\ndef view(cmd):\n    os.system(cmd)\n",
     [(4, "CWR102", _RAN.format("route parameter `cmd`"))]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "expected"), SEED_32_FILES, ids=[c[0] for c in SEED_32_FILES])
def test_seed_32_file(name: str, body: str, expected: list[tuple[int, str, str]]) -> None:
    test_seed_31_file(name, body, expected)


def test_a_string_attribute_of_the_request_returned_is_html() -> None:
    """request.path is text: a route returning it writes it as HTML; request.json is a collection (JSON)."""
    source = HEAD + route("return request.path\n") + "@app.route('/y')\ndef other():\n    return request.json\n"
    assert findings(source)[0][:2] == (6, "CWR110") and len(findings(source)) == 1


def test_an_unknown_key_is_a_step_of_the_trace() -> None:
    source = HEAD + route("d = {}\nd[request.args['k']] = request.args['v']\nos.system(d['x'])\n")
    (finding,) = [f for f in reviewed("case.py", source) if f.code == "CWR102"]
    assert [(span.line - 3, text) for span, text in finding.flow] == [
        (4, "request.args (the source)"), (4, "`d[...]`"), (5, "the sink")]  # fmt: skip


def test_a_method_that_stores_its_argument() -> None:
    """A method of a class of the module that stores its argument on `self`: the object holds it afterwards."""
    source = HEAD + ("class Job:\n    def set(self, c):\n        self.cmd = c\n"
                     + route("o = Job()\no.set(request.args['c'])\nos.system(o.cmd)\np = Job()\np.set('ls')\n"
                             "os.system(p.cmd)\n"))  # fmt: skip
    assert [(line - 3, code) for line, code, _ in findings(source) if code == "CWR102"] == [(8, "CWR102")]


def test_a_mongodb_filter_passed_through_a_wrapper() -> None:
    """The request's JSON handed to a helper that queries a collection with it is a NoSQL injection, as it is
    when the route queries directly (the wrapper was missed: `find` alone is too common a name to make a
    function a wrapper). A filter built from strings of the query string is not."""
    head = "from flask import Flask, request\nfrom pymongo import MongoClient\napp = Flask(__name__)\ndb = MongoClient().app\n"
    body = ("def search(query, limit=0):\n    return list(db.users.find(query).limit(limit))\n"
            "@app.route('/x', methods=['POST'])\n"
            "def view():\n    search(request.get_json())\n    search({'name': request.args['n']})\n"
            "    search({'name': request.args['n']}, limit=5)\n    return 'ok'\n")  # fmt: skip
    found = [(f.line - 4, f.code, f.message) for f in reviewed("case.py", head + body) if f.code in FLOW_RULES]
    assert found == [(5, "CWR115", "request.get_json() is used as a MongoDB query in search(), which passes it to "
                      "db.users.find() (case.py:6); it can carry query operators (CWE-943)")]  # fmt: skip


def test_seed_33_a_star_capture_of_a_sequence_pattern() -> None:
    """`case [first, *rest]`: rest holds the other items (seed 33, written after the fresh sample)."""
    body = ("match request.args.getlist('c'):\n    case [first, *rest]:\n        os.system(rest[0])\n"
            "match ['ls', 'pwd']:\n    case [a, *more]:\n        os.system(more[0])\n")  # fmt: skip
    assert reported(route(body)) == [(5, "CWR102")]


def test_seed_33_an_awaited_value() -> None:
    """`await` gives what its expression gives: the request's data in an async route (seed 33)."""
    source = HEAD + ("@app.route('/x')\nasync def view():\n    data = await request.get_data()\n    os.system(data)\n"
                     "    os.system(await fixed())\nasync def fixed():\n    return 'ls'\n")  # fmt: skip
    assert [(f.line - 3, f.code) for f in reviewed("case.py", source) if f.code in FLOW_RULES] == [(4, "CWR102")]


_JOB = "from dataclasses import dataclass\n@dataclass\nclass Job:\n    name: str\n"
# Seed 33's survivors: (description, the file after HEAD, [(line after HEAD, code)] of every flow finding).
SEED_33_FILES = [
    # A dataclass argument past its fields is data of the whole instance (a field given a constant is not).
    ("an argument past a dataclass's fields", _JOB + route("job = Job('build', request.args['c'])\nos.system(job.name)\n"
     "os.system(str(job))\n"), [(9, "CWR102")]),
    ("a starred argument of a dataclass", _JOB + route("job = Job(*request.args.getlist('c'))\nos.system(job.name)\n"),
     [(8, "CWR102")]),
    # ConfigParser.set(section, option, value): the value is found again under its section and option.
    ("configparser set and get", "import configparser\n" + route(
        "cfg = configparser.ConfigParser()\ncfg.set('s', 'cmd', request.args['c'])\ncfg.set('s', 'safe', 'ls')\n"
        "os.system(cfg.get('s', 'cmd'))\nos.system(cfg.get('s', 'safe'))\n"), [(7, "CWR102")]),
    # `continue` goes back to the loop's head: what the iteration left in `prev` reaches the next one's sink.
    ("continue returns to the loop head", route("prev = 'ls'\nfor c in request.args.getlist('c'):\n    os.system(prev)\n"
     "    prev = c\n    if c:\n        continue\n    prev = 'ls'\n"), [(5, "CWR102")]),
    # Django REST framework's @action: the extra arguments of a viewset's action come from the URL.
    ("a DRF action's URL argument", "from rest_framework import viewsets\nfrom rest_framework.decorators import action\n"
     "class Jobs(viewsets.ViewSet):\n    @action(detail=True, methods=['post'])\n    def run(self, request, pk=None):\n"
     "        os.system(pk)\n", [(6, "CWR102")]),
    # `sh -c` with the command unpacked from a list: the list's items are the command.
    ("sh -c with a starred command", route("subprocess.run(['sh', '-c', *request.args.getlist('c')], timeout=5)\n"),
     [(3, "CWR102")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "expected"), SEED_33_FILES, ids=[c[0] for c in SEED_33_FILES])
def test_seed_33_file(name: str, body: str, expected: list[tuple[int, str]]) -> None:
    found = [(f.line - 3, f.code) for f in reviewed("case.py", HEAD + body) if f.code in FLOW_RULES]
    assert found == expected


def test_a_package_that_imports_itself_reads_its_submodules_and_constants(tmp_path) -> None:
    """In app/__init__.py, `app.tools.shell.run` is the submodule's function (a wrapper of os.system) and
    `app.CMD` the module's own constant (seed 33)."""
    package = tmp_path / "app"
    (package / "tools").mkdir(parents=True)
    (package / "tools" / "__init__.py").write_text("")
    (package / "tools" / "shell.py").write_text("import os\n\n\ndef run(cmd):\n    os.system(cmd)\n")
    (package / "__init__.py").write_text(
        "from flask import Flask, request\nimport app\nimport app.tools.shell\n\nCMD = 'ls'\nflask_app = Flask(__name__)\n"
        "\n\n@flask_app.route('/x')\ndef view():\n    app.tools.shell.run(request.args['c'])\n    app.tools.shell.run(app.CMD)\n"
        "    import subprocess\n    subprocess.call(app.CMD + request.args['d'], shell=True)\n"
        "    subprocess.call(app.CMD, shell=True)\n"
    )
    found = [(f.line, f.code, f.message) for f in review_file(str(package / "__init__.py")).findings]
    assert found == [
        (11, "CWR102", "request.args reaches the command run by run(), which passes it to os.system() (shell.py:5): "
         "it can run commands of its own (CWE-78)"),
        (14, "CWR102", "request.args reaches the command run by subprocess.call(): it can run commands of its own (CWE-78)"),
        (14, "CWR609", "subprocess.call() waits for the child without a timeout (CWE-400)"),
        (15, "CWR609", "subprocess.call() waits for the child without a timeout (CWE-400)"),
    ]  # fmt: skip


# Seed 34's survivors (a fresh sample, measured before these cases were written).
SEED_34_FILES = [
    # os.path.commonpath([BASE, p]) == BASE keeps p under BASE: only the unguarded open is reported.
    ("a commonpath guard", "BASE = '/srv/files'\n" + route(
        "p = os.path.realpath(os.path.join(BASE, request.args['f']))\nif os.path.commonpath([BASE, p]) == BASE:\n"
        "    return open(p).read()\nreturn open(p).read()\n"), [(7, "CWR107")]),
    # A case's guard refines like an `if`: inside `case str() if cmd.isalnum():` the command is alphanumeric.
    ("a match case's guard", route("cmd = request.args['c']\nmatch cmd:\n    case str() if cmd.isalnum():\n"
     "        os.system(cmd)\n    case _:\n        os.system(cmd)\n"), [(8, "CWR102")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "expected"), SEED_34_FILES, ids=[c[0] for c in SEED_34_FILES])
def test_seed_34_file(name: str, body: str, expected: list[tuple[int, str]]) -> None:
    test_seed_33_file(name, body, expected)


def test_a_function_taking_event_and_context_is_a_lambda_handler() -> None:
    """`(event, context)` makes a Lambda handler whatever the function's name (seed 34)."""
    source = "import os\n\ndef process(event, context):\n    os.system(event['cmd'])\n"
    assert [(f.line, f.code, f.severity.name, f.message) for f in reviewed("case.py", source)] == [
        (
            4,
            "CWR102",
            "INFO",
            "the Lambda event reaches the command run by os.system(): it can run commands of its own; it is another "
            "system's data, a risk only if an attacker can write it (CWE-78)",
        )
    ]
    # An HTTP request's part of the event is what a client sent: an error.
    source = "import os\n\ndef process(event, context):\n    os.system(event['queryStringParameters']['cmd'])\n"
    assert [(f.line, f.code, f.severity.name) for f in reviewed("case.py", source)] == [(4, "CWR102", "ERROR")]


def test_only_functions_taking_the_request_first_are_views_of_views_py(tmp_path) -> None:
    """In views.py, `index(request, slug)` is a Django view whose `slug` comes from the URL; `helper(cmd)` is not a
    view: its parameter is its callers' (seed 34)."""
    path = tmp_path / "views.py"
    path.write_text("import os\n\n\ndef index(request, slug):\n    os.system(slug)\n    return None\n\n\n"
                    "def helper(cmd):\n    os.system(cmd)\n")  # fmt: skip
    assert [(f.line, f.code, f.message) for f in review_file(str(path)).findings] == [
        (5, "CWR102", "route parameter `slug` reaches the command run by os.system(): it can run commands of its own (CWE-78)"),
        (10, "CWR103", "os.system() runs `cmd` as a shell command as it is: check that no caller builds it from outside input (CWE-78)"),
    ]  # fmt: skip


def test_an_sdk_client_from_a_wrapper_does_not_carry_its_region_into_responses() -> None:
    """`cmf_boto.client("discovery", region_name=...)` is an AWS SDK client, as boto3.client's result is, and what
    its calls return is the service's answer: neither the Region nor the parameters sent make the URL an AWS
    response holds the request's (migration-factory, judged false). A wrapper call that is not a client keeps
    passing its argument on."""
    source = (
        "import json\nimport requests\nimport cmf_boto\n\n\ndef get_url(client, export_id):\n"
        "    response = client.describe_export_tasks(exportIds=[export_id])\n"
        "    return response['exportsInfo'][0]['configurationsDownloadUrl']\n\n\n"
        "def lambda_handler(event, _):\n    body = json.loads(event['body'])\n"
        "    client = cmf_boto.client('discovery', region_name=body['home_region'])\n"
        "    requests.get(get_url(client, 'x'), timeout=5)\n"
        "    other = cmf_boto.client(body['service'])\n"
        "    requests.get(get_url(other, 'x'), timeout=5)\n"
        "    requests.get(cmf_boto.fetch(body['u']), timeout=5)\n"
        # The service's answer is not its request: an export id from start_export_task(preferences=<body>).
        "    started = client.start_export_task(preferences={'region': body['aws_region']})\n"
        "    requests.get(get_url(client, started['exportId']), timeout=5)\n"
        "    requests.get(body['aws_region'], timeout=5)\n"
    )
    assert [(f.line, f.code) for f in reviewed("case.py", source) if f.code == "CWR109"] == [
        (16, "CWR109"),
        (17, "CWR109"),
        (20, "CWR109"),
    ]


# Seed 36's survivors (bench/mutation-report.md, eighth pass): each case fails against its mutant on today's code.
_H36 = "import os, re, subprocess, json, hashlib\nfrom pathlib import Path\nfrom flask import Flask, request\napp = Flask(__name__)\n"
_RAN_36 = "request.args reaches the command run by os.system(): it can run commands of its own (CWE-78)"
SEED_36_FILES = [
    # A pathlib method joining the request's text (joinpath) keeps its flows (the mutant made the review fail).
    ("joinpath keeps the argument's flows", _H36 + "@app.route('/x')\ndef view():\n"
     "    p = Path('/srv/files').joinpath(request.args['f'])\n    return open(p).read()\n",
     [(8, "CWR107", "request.args chooses the file path used by open(); `../` can reach any file (CWE-22)")]),
    # `yield from` makes a generator of what it delegates to: its values reach the caller's loop.
    ("yield from", _H36 + "def words():\n    yield from request.args.values()\n\n\n@app.route('/x')\ndef view():\n"
     "    for w in words():\n        os.system(w)\n    return ''\n", [(12, "CWR102", _RAN_36)]),
    # A nested function reads the enclosing function's variable as it is where the def runs.
    ("a closure reads the value at its def", _H36 + "@app.route('/x')\ndef view():\n    c = request.args['c']\n"
     "    def inner():\n        os.system(c)\n    inner()\n    c = 'ls'\n    def later():\n        os.system(c)\n"
     "    later()\n    return ''\n", [(9, "CWR102", _RAN_36)]),
    # `re.fullmatch(P, s) is not None` is the match's truth: an allow-list.
    ("fullmatch is not None", _H36 + "@app.route('/x')\ndef view():\n    c = request.args['c']\n"
     "    if re.fullmatch(r'[a-z]+', c) is not None:\n        os.system(c)\n    return ''\n", []),
]  # fmt: skip


@pytest.mark.parametrize(("name", "source", "expected"), SEED_36_FILES, ids=[c[0] for c in SEED_36_FILES])
def test_seed_36_file(name: str, source: str, expected: list[tuple[int, str, str]]) -> None:
    assert findings(source) == expected


def test_a_generators_values_are_a_step_of_the_trace() -> None:
    (finding,) = [f for f in reviewed("case.py", SEED_36_FILES[1][1]) if f.code == "CWR102"]
    assert [what for _, what in finding.flow] == ["request.args (the source)", "`words()`", "`w`", "the sink"]


# Seed 38's survivors (bench/mutation-report.md, ninth pass): each case was run against its mutant.
_H38 = "import os, re\nfrom flask import Flask, request\napp = Flask(__name__)\n"
_ROUTE_38 = _H38 + "@app.route('/x')\ndef view():\n"
_RAN_38 = "request.args reaches the command run by os.system(): it can run commands of its own (CWE-78)"
_ASIS_38 = (
    "os.system() runs `{}` as a shell command as it is: check that no caller builds it from outside input (CWE-78)"
)
SEED_38_FILES = [
    # dict.items() pairs each key with its value: the constant key is not the request's value.
    ("items: the key", _ROUTE_38 + "    for k, v in {'ls': request.args['c']}.items():\n        os.system(k)\n"
     "    return ''\n", [(7, "CWR103", _ASIS_38.format("k"))]),
    ("items: the value", _ROUTE_38 + "    for k, v in {'ls': request.args['c']}.items():\n        os.system(v)\n"
     "    return ''\n", [(7, "CWR102", _RAN_38)]),
    # A list concatenated with one of unknown length holds that list's items.
    ("a list plus the request's list", _ROUTE_38 + "    a = ['ls'] + request.args.getlist('f')\n"
     "    os.system(' '.join(a))\n    return ''\n", [(7, "CWR102", _RAN_38)]),
    # Negative indexes of a tuple count from its end.
    ("t[-1]", _ROUTE_38 + "    t = ('ls', request.args['c'])\n    os.system(t[-1])\n    return ''\n",
     [(7, "CWR102", _RAN_38)]),
    ("t[-2]", _ROUTE_38 + "    t = ('ls', request.args['c'])\n    os.system(t[-2])\n    return ''\n", []),
    # Keyword arguments spread from a dict reach the parameter of their name.
    ("** binds by name", _H38 + "def run(cmd):\n    os.system(cmd)\n\n\n@app.route('/x')\ndef view():\n"
     "    run(**{'cmd': request.args['c']})\n    return ''\n",
     [(5, "CWR103", _ASIS_38.format("cmd")), (10, "CWR102", "request.args reaches the command run by run(), "
      "which passes it to os.system() (case.py:5): it can run commands of its own (CWE-78)")]),
    ("** binds only that name", _H38 + "def run(cmd, other='x'):\n    os.system(other)\n\n\n@app.route('/x')\n"
     "def view():\n    run(**{'cmd': request.args['c']})\n    return ''\n", [(5, "CWR103", _ASIS_38.format("other"))]),
    # isinstance() clears a value only for a type that cannot carry a command (str can).
    ("isinstance str", _ROUTE_38 + "    c = request.args['c']\n    if isinstance(c, str):\n        os.system(c)\n"
     "    return ''\n", [(8, "CWR102", _RAN_38)]),
    ("isinstance int", _ROUTE_38 + "    c = request.args['c']\n    if isinstance(c, int):\n        os.system(c)\n"
     "    return ''\n", []),
    # Both branches set the same key: after the if, the key holds either value (the request's, in either branch).
    ("a key set in both branches (request first)", _ROUTE_38 + "    if request.args.get('a'):\n"
     "        t = {'k': request.args['c']}\n    else:\n        t = {'k': 'ls'}\n    os.system(t['k'])\n    return ''\n",
     [(10, "CWR102", _RAN_38)]),
    ("a key set in both branches (request second)", _ROUTE_38 + "    if request.args.get('a'):\n"
     "        t = {'k': 'ls'}\n    else:\n        t = {'k': request.args['c']}\n    os.system(t['k'])\n    return ''\n",
     [(10, "CWR102", _RAN_38)]),
    # An allow-list of two character classes in a row: letters then digits clear a command; spaces and `;` do not.
    ("two classes in a row: safe", _ROUTE_38 + "    c = request.args['c']\n    if re.fullmatch(r'[a-z][0-9]+', c):\n"
     "        os.system('ls ' + c)\n    return ''\n", []),
    ("two classes in a row: unsafe", _ROUTE_38 + "    c = request.args['c']\n    if re.fullmatch(r'[a-z][ ;]+', c):\n"
     "        os.system('ls ' + c)\n    return ''\n", [(8, "CWR102", _RAN_38)]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "source", "expected"), SEED_38_FILES, ids=[c[0] for c in SEED_38_FILES])
def test_seed_38_file(name: str, source: str, expected: list[tuple[int, str, str]]) -> None:
    assert findings(source) == expected


# Seed 39's survivors (bench/mutation-report.md, eleventh pass): each case was run against its mutant.
_VIA_RUN_39 = (
    "request.args reaches the command run by run(), which passes it to os.system() (case.py:8): it can run commands "
    "of its own (CWE-78)"
)
SEED_39_FILES = [
    # re.match as a guard: anchored at the end by \Z it clears the value; unanchored it does not.
    ("re.match anchored", _ROUTE_38 + "    c = request.args['c']\n    if re.match(r'[a-z]+\\Z', c):\n"
     "        os.system(c)\n    return ''\n", []),
    ("re.match unanchored", _ROUTE_38 + "    c = request.args['c']\n    if re.match(r'[a-z]+', c):\n"
     "        os.system(c)\n    return ''\n", [(8, "CWR102", _RAN_38)]),
    # A function defined in a module-level `except` block is the project's too (an import fallback).
    ("a function defined in an except block", _H38 + "try:\n    import nothing_here\nexcept ImportError:\n"
     "    def run(cmd):\n        os.system(cmd)\n\n\n@app.route('/x')\ndef view():\n    run(request.args['c'])\n"
     "    return ''\n", [(8, "CWR103", _ASIS_38.format("cmd")), (13, "CWR102", _VIA_RUN_39)]),
    # A dataclass built from a ** dict: each field takes its key's value.
    ("a dataclass built from **", "from dataclasses import dataclass\n" + _H38 + "\n\n@dataclass\nclass C:\n"
     "    cmd: str\n    arg: str = 'x'\n\n\n@app.route('/x')\ndef view():\n"
     "    c = C(**{'cmd': request.args['c'], 'arg': 'ls'})\n    os.system(c.cmd)\n    os.system(c.arg)\n"
     "    return ''\n", [(16, "CWR102", _RAN_38)]),
    # conlist(int, ...) validates its items as int (its first argument), conlist(str, ...) leaves text.
    ("conlist of int and of str", "from pydantic import BaseModel, conlist\n" + _H38 + "\n\nclass Q(BaseModel):\n"
     "    ids: conlist(int, min_length=1)\n    names: conlist(str, min_length=1)\n\n\n@app.route('/x')\n"
     "def view():\n    q = Q(**request.get_json())\n    os.system('ls ' + str(q.ids[0]))\n"
     "    os.system('ls ' + q.names[0])\n    return ''\n",
     [(15, "CWR103", "os.system() runs a shell command built from a variable that is not shell-quoted (CWE-78)"),
      (16, "CWR102", "request.get_json() reaches the command run by os.system(): it can run commands of its own "
       "(CWE-78)")]),
    # ssh runs its words after the host as a remote shell's script: the request's word is part of it.
    ("an ssh argument vector", "import subprocess\n" + _ROUTE_38 + "    subprocess.run(['ssh', 'host', 'ls', "
     "request.args['c']], timeout=9)\n    return ''\n",
     [(7, "CWR102", "request.args reaches the command run by subprocess.run(): it can run commands of its own "
       "(CWE-78)")]),
    # A model's base named through a package's submodule (`pydantic.v1.BaseModel`): the import of its first name
    # decides; the int field is validated (no flow), only the unquoted word stays.
    ("a model derived from pydantic.v1.BaseModel", _H38 + "import pydantic\n\n\nclass Q(pydantic.v1.BaseModel):\n"
     "    count: int\n\n\n@app.route('/x')\ndef view():\n    q = Q(**request.get_json())\n"
     "    os.system('sleep ' + str(q.count))\n    return ''\n",
     [(14, "CWR103", "os.system() runs a shell command built from a variable that is not shell-quoted (CWE-78)")]),
    # A parameter a `while` tests decides the body: the one call's `True` gets a summary of its own, which returns
    # before the command runs (the general summary would let the request reach it).
    ("a parameter tested by while", _H38 + "\n\ndef run(cmd, safe):\n    while safe:\n        return os.system('ls')\n"
     "    return os.system(cmd)\n\n\n@app.route('/x')\ndef view():\n    run(request.args['c'], True)\n"
     "    return ''\n",
     [(9, "CWR103", _ASIS_38.format("cmd"))]),
    # An import in the body binds the parameter's name again (nodes.names_bound_in): `token` is no longer only what
    # the callers passed, so CWR204 reports it.
    ("a parameter rebound by an import", "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
     "def show(token):\n    from settings import token\n    log.info(token)\n",
     [(8, "CWR204", "`token` is logged in full (CWE-532)")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "source", "expected"), SEED_39_FILES, ids=[c[0] for c in SEED_39_FILES])
def test_seed_39_file(name: str, source: str, expected: list[tuple[int, str, str]]) -> None:
    assert findings(source) == expected


def test_a_module_that_defines_request_does_not_read_the_frameworks() -> None:
    # A snippet without imports: `request` is Flask's unless the module binds the name itself.
    borrowed = "def view():\n    os.system(request.args['c'])\n"
    assert findings(borrowed) == [(2, "CWR102", _RAN_38)]
    own = "def request():\n    return 'x'\n\n\n" + borrowed
    assert findings(own) == [(6, "CWR103", _ASIS_38.format("request.args['c']"))]


def test_a_django_request_annotated_under_another_name_is_a_source() -> None:
    source = (
        "import os\nfrom django.http import HttpRequest, HttpResponse\n\n\n"
        "def view(req: HttpRequest):\n    os.system(req.GET['c'])\n    return HttpResponse('')\n"
    )
    assert [(f.line, f.code, f.message) for f in reviewed("views.py", source)] == [
        (6, "CWR102", "request.GET reaches the command run by os.system(): it can run commands of its own (CWE-78)")
    ]


_PARAM_38 = "route parameter `q` reaches the command run by os.system(): it can run commands of its own (CWE-78)"


@pytest.mark.parametrize(
    ("annotation", "imports", "expected"),
    [
        # A generic the analysis does not know (not a typing wrapper) is not a validated type, whatever its
        # parameters; nor is a call that is not a constrained scalar (Query()).
        ("Box[int]", "from mylib import Box\n", [(9, "CWR102", _PARAM_38)]),
        ("Sequence[str]", "from typing import Sequence\n", [(9, "CWR102", "route parameter `q` reaches the command "
         "run by os.system(): it can run commands of its own (CWE-78)")]),
        ("Query()", "from fastapi import Query\n", [(9, "CWR102", _PARAM_38)]),
        # conint(...) is an integer: only the shape rule's note that it is not quoted.
        ("conint(gt=0)", "from pydantic import conint\n",
         [(9, "CWR103", "os.system() runs a shell command built from parameter `q`, not shell-quoted, and no caller is "
           "in view: check that callers pass only trusted values (CWE-78)")]),
    ],
)  # fmt: skip
def test_route_parameter_annotations(annotation: str, imports: str, expected: list[tuple[int, str, str]]) -> None:
    use = "os.system(q[0])" if annotation.startswith("Sequence") else "os.system('ls ' + str(q))"
    source = f"import os\nfrom fastapi import FastAPI\n{imports}app = FastAPI()\n\n\n@app.get('/x')\ndef view(q: {annotation}):\n    {use}\n"
    found = [(f.line, f.code, f.message) for f in reviewed("app.py", source)]
    assert found == expected
