"""Data-flow engine details the construct tests (tests/test_dataflow.py) did not reach, written for the
survivors of the dataflow mutation sample (bench/mutation-report.md). The engine catches an exception per
function and reviews on, so a broken refinement shows only as a finding lost or gained: each case states the
exact lines reported, with a finding that must survive the construct."""

from __future__ import annotations

import pytest
from codeward.reviewer.review import review_text

from tests.test_dataflow import reported, route

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
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "expected"), CASES, ids=[c[0] for c in CASES])
def test_case(name: str, body: str, expected: list[tuple[int, str]]) -> None:
    assert reported(route(body)) == expected


def test_a_lambda_records_source_says_what_it_is() -> None:
    source = "import os\n\n\ndef handler(event, context):\n    for record in event['Records']:\n        os.system(record['body'])\n"
    assert [(f.line, f.code, f.message) for f in review_text("case.py", source)] == [
        (6, "CWR102", "records of the Lambda event (S3, SQS, SNS, Kinesis, DynamoDB) reaches the command run by "
         "os.system(): it can run commands of its own (CWE-78)"),
    ]  # fmt: skip
