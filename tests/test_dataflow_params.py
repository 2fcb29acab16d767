"""Values that reach a sink from a function's parameters, where no caller is in view (function-level code:
a library's helper, a fixing commit's function): how the shape rules judge what the function builds from them.
Each construct has a vulnerable and a safe variant, and the tests state exactly which lines are reported."""

from __future__ import annotations

import textwrap

import pytest
from codeward.reviewer.review import review_text

HEAD = "import os, shlex, subprocess\n"


def lines(body: str, code: str) -> list[int]:
    """Lines (counted within the dedented `body`) reported with `code`."""
    findings = review_text("case.py", HEAD + textwrap.dedent(body))
    offset = HEAD.count("\n")
    return sorted(f.line - offset for f in findings if f.code == code)


# -- a command built with `+=` ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("added", "expected"),
    [
        ("cmd += path", [4]),  # the parameter goes in unquoted
        ("cmd += ' ' + path", [4]),
        ("cmd += shlex.quote(path)", []),
        ("cmd += ' -l'", []),  # constants only: the module's own command
    ],
)
def test_a_command_built_with_augmented_assignment(added: str, expected: list[int]) -> None:
    body = f"def listing(path):\n    cmd = 'ls '\n    {added}\n    os.system(cmd)\n"
    assert lines(body, "CWR103") == expected


def test_a_command_extended_in_a_loop_and_a_branch() -> None:
    body = """\
    def remove(files, force):
        cmd = "rm"
        if force:
            cmd += " -f"
        for name in files:
            cmd += " " + name
        subprocess.call(cmd, shell=True)


    def remove_constant(force):
        cmd = "rm"
        if force:
            cmd += " -f"
        cmd += " /tmp/cache"
        subprocess.call(cmd, shell=True)
    """
    assert lines(body, "CWR103") == [7]


# -- an argument list that runs a shell behind a prefix program, or on another host through ssh -------------

FLASK = "from flask import Flask, request\napp = Flask(__name__)\n\n\n@app.route('/x')\ndef view():\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ("['sudo', 'sh', '-c', 'echo ' + x]", [8]),
        ("['sudo', '-u', 'app', 'bash', '-c', x]", [8]),
        ("['env', 'LANG=C', 'timeout', '30', 'sh', '-c', x]", [8]),
        ("['su', '-', 'app', '-c', 'ls ' + x]", [8]),
        ("['ssh', '-i', 'key.pem', 'host', 'rm -rf ' + x]", [8]),  # the remote shell parses the command
        ("['ssh', 'host', 'ls', x]", [8]),  # ssh joins the words of the remote command with blanks
        ("['sudo', '-u', 'app', x]", [8]),  # the request names the program run as another user
        ("['sudo', 'ls', '--', x]", []),  # an argument of a fixed program, no shell
        ("['sudo', 'sh', '-c', 'ls \"$1\"', 'sh', x]", []),  # `$1` of the script: not parsed by the shell
        ("['ssh', 'host', 'uptime']", []),
        ("['timeout', '30', 'ls', x]", []),
    ],
)
def test_a_shell_behind_a_prefix_program_or_ssh_runs_request_data(argv: str, expected: list[int]) -> None:
    body = FLASK + f"    x = request.args['x']\n    subprocess.run({argv}, check=True)\n"
    assert lines(body, "CWR102") == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ("['sudo', 'sh', '-c', 'echo %s' % value]", [2]),
        ("['ssh', host, 'rm -rf %s' % value]", [2]),
        ("['sudo', 'sh', '-c', 'echo %s' % shlex.quote(value)]", []),
        ("['ssh', host, 'uptime']", []),
        ("['ssh', host, 'touch', f'{value}']", []),  # a value alone is an argument of a fixed program
        ("['sudo', 'rm', '-rf', value]", []),
    ],
)
def test_a_shell_behind_a_prefix_program_or_ssh_built_from_a_parameter(argv: str, expected: list[int]) -> None:
    assert lines(f"def run(host, value):\n    subprocess.call({argv})\n", "CWR103") == expected


# -- `shell=` given a name that holds a constant ------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("    use_shell = True\n", [3]),
        ("    use_shell = 1\n", [3]),
        ("    use_shell = False\n", []),
        ("    use_shell = flag\n", []),  # not known: CWR103 names only what it can show
    ],
)
def test_shell_given_a_name_that_holds_a_constant(setup: str, expected: list[int]) -> None:
    body = f"def run(value, flag):\n{setup}    subprocess.Popen('echo ' + value, shell=use_shell)\n"
    assert lines(body, "CWR103") == expected
