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


# -- a command formatted from a parameter of a function nothing in view calls -------------------------------


def _default(body: str, code: str) -> list[tuple[int, str]]:
    """(line, severity) of `code`'s findings a default review shows (the kinds off by default left out)."""
    findings = review_text("case.py", HEAD + textwrap.dedent(body), lambda rule: not rule.endswith(".opt-in"))
    offset = HEAD.count("\n")
    return sorted((f.line - offset, f.severity.name.lower()) for f in findings if f.code == code)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A program's command line formatted from the parameter: where the value comes from is not in view.
        ("def add_user(name):\n    os.system('useradd -m ' + name)\n", [(2, "info")]),
        ("def fetch(opts):\n    subprocess.call('ping -c 1 %s' % opts.host, shell=True)\n", [(2, "info")]),
        # The module calls the function: what its callers pass decides (constants here), not the shape.
        ("def add_user(name):\n    os.system('useradd -m ' + name)\n\n\nadd_user('deploy')\n", []),
        ("def add_user(name):\n    os.system('useradd -m ' + shlex.quote(name))\n", []),
        # Not shown by default (kinds judged wrong on real code): the method's own object, a command that does
        # not start with a program, a value that is not a parameter.
        ("class Host:\n    def ping(self):\n        os.system('ping -c 1 ' + self.address)\n", []),
        ("def run(prefix, name):\n    os.system(prefix + ' ' + name)\n", []),
        ("import tempfile\ndef listing():\n    os.system('ls -al ' + tempfile.mkdtemp())\n", []),
    ],
)
def test_a_command_formatted_from_a_parameter_no_caller_passes(body: str, expected: list[tuple[int, str]]) -> None:
    assert _default(body, "CWR103") == expected


# -- chat bot commands: their arguments are a message's words -------------------------------------------------

CHAT = [
    ("from cloudbot import hook\n\n\n@hook.command\ndef poll(text, db=None):\n", [(6, "error")]),
    (
        "from discord.ext import commands\nbot = commands.Bot(command_prefix='!')\n\n\n@bot.command()\n"
        "async def poll(ctx, text):\n",
        [(7, "error")],
    ),
    ("@hook.command(autohelp=False)\ndef poll(text, db=None):\n", [(3, "error")]),  # a snippet without imports
    # The bot's maker comes from the module's assignments, not from an example in its docstring.
    (
        '"""\nbot = commands.Bot(command_prefix="!")\n"""\nfrom discord.ext import commands\nimport mycache\n'
        "bot = mycache.Cache()\n\n\n@bot.command()\nasync def poll(ctx, text):\n",
        [],
    ),
    (
        '"""\nbot = mycache.Cache()\n"""\nfrom discord.ext import commands\nimport mycache\n'
        "bot = commands.Bot(command_prefix='!')\n\n\n@bot.command()\nasync def poll(ctx, text):\n",
        [(11, "error")],
    ),
    # A command-line tool's own option: its user runs it (off by default, see _base._WEAK_FLOWS).
    ("import click\n\n\n@click.group()\ndef cli():\n    pass\n\n\n@cli.command()\ndef poll(text, db=None):\n", []),
]


@pytest.mark.parametrize(
    ("head", "expected"), CHAT, ids=["cloudbot", "discord", "snippet", "docstring-cache", "docstring-bot", "click"]
)
def test_a_chat_bot_command_takes_its_arguments_from_a_message(head: str, expected: list[tuple[int, str]]) -> None:
    body = head + "    db.execute(\"SELECT * FROM polls WHERE question = '%s'\" % text)\n"
    assert _default(body, "CWR101") == expected


# -- values a shell cannot misread, held in a local name --------------------------------------------------------


@pytest.mark.parametrize(
    ("assigned", "expected"),
    [
        ("encoded = base64.b64encode(script.encode('utf-16le')).decode()", []),  # [A-Za-z0-9+/=] only
        ("encoded = hashlib.sha256(script.encode()).hexdigest()", []),
        ("encoded = binascii.hexlify(script.encode()).decode()", []),
        ("encoded = script.strip()", [4]),  # the parameter's own text
        ("encoded = base64.b64decode(script).decode()", [4]),  # decoding gives back any text
    ],
)
def test_a_shell_safe_encoding_held_in_a_local_name(assigned: str, expected: list[int]) -> None:
    body = (
        f"import base64, binascii, hashlib\ndef remote(conn, script):\n    {assigned}\n"
        "    conn.run_command(f'powershell -NoProfile -EncodedCommand {encoded}')\n"
    )
    assert lines(body, "CWR103") == expected


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("", []),
        ("    for digest in names:\n        pass\n", [6]),  # a loop variable too: not only the digest
        ("    if names:\n        digest = names[0]\n", [6]),  # another assignment, of other text
    ],
)
def test_a_digest_in_a_shell_command_through_a_local_name(bound: str, expected: list[int]) -> None:
    body = (
        "import hashlib\ndef clean(data, names):\n    digest = hashlib.sha256(data).hexdigest()\n"
        f"{bound}    os.system('rm -f /tmp/cache/' + digest)\n"
    )
    assert lines(body, "CWR103") == expected


@pytest.mark.parametrize(
    ("started", "expected"),
    [
        ("pexpect.spawn(cmd, echo=False)", []),  # pexpect splits the line and starts the program: no shell
        ("pexpect.spawn('/bin/sh', ['-c', cmd])", [5]),  # a shell after all: the line given to it is reported
    ],
)
def test_a_runner_in_view_that_starts_its_program_with_pexpect(started: str, expected: list[int]) -> None:
    body = (
        f"import pexpect\ndef spawn_process(cmd):\n    return {started}\ndef show(msg):\n"
        "    return spawn_process('echo %s' % msg)\n"
    )
    findings = review_text("case.py", HEAD + textwrap.dedent(body))
    offset = HEAD.count("\n")
    assert [f.line - offset for f in findings if f.code == "CWR103" and "is given a command line" in f.message] == (
        expected
    )
