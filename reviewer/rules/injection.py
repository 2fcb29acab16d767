"""Injection: untrusted data reaching interpreters (SQL, shell, Python, templates, LDAP, XPath, MongoDB),
files, URLs, logs, redirects and headers; and unsafe deserialization."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from codeward.reviewer.dataflow.models.shell import SCRIPT_FLAGS, argv_command, is_shell
from codeward.reviewer.engine import Context, argument, dotted, is_const, kwarg, literal_str, method_name, positional
from codeward.reviewer.lazy import cst
from codeward.reviewer.rule import ReviewRule
from codeward.reviewer.rules._base import CallRule, TaintSink, literal_prefix
from codeward.reviewer.rules.origins import constant_value, project_file_text

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from codeward.reviewer.dataflow.query import Taint

_SHELL_CALLS = ("subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
                "subprocess.Popen")  # fmt: skip
# Calls that split a command line into arguments themselves (no shell).
_SPLITTERS = frozenset({"pexpect.spawn", "pexpect.spawnu", "pexpect.run", "pexpect.runu"})
# `os.exec*`/`os.spawn*`: where the argument vector starts, and whether it is one list there or the rest.
_EXEC_ARGV = {
    **{f"os.{n}": (1, False) for n in ("execl", "execlp", "execle")},
    **{f"os.{n}": (1, True) for n in ("execv", "execvp", "execve", "execvpe", "posix_spawn", "posix_spawnp")},
    **{f"os.{n}": (2, False) for n in ("spawnl", "spawnlp", "spawnle")},
    **{f"os.{n}": (2, True) for n in ("spawnv", "spawnvp", "spawnve", "spawnvpe")},
}
_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
_FLASK = "from flask import Flask, request\napp = Flask(__name__)\n\n"


class SqlInjection(TaintSink):
    """
    ## What it does
    Finds SQL built from untrusted data (request parameters, a Lambda event, `input()`, `sys.argv`, the
    environment, a socket) and passed to a DB-API `execute`, SQLAlchemy `text()` (or SQL text given to a
    query's `filter`, `order_by`, `group_by` or `having`, which SQLAlchemy before 1.4 runs as it is),
    `pandas.read_sql` or Django's `raw()`, `extra()` and `RawSQL`.

    ## Why is this bad?
    Whoever controls the data controls the query: `' OR '1'='1` reads every row, `'; DROP TABLE users; --`
    destroys them.

    ## Example
    ```python
    name = request.args["name"]
    cursor.execute(f"SELECT * FROM users WHERE name = '{name}'")
    ```

    ## Fix
    Bind parameters instead of formatting: `cursor.execute("SELECT * FROM users WHERE name = %s", (name,))`
    (`?` for sqlite3, `:name` with SQLAlchemy `text()`). Table or column names cannot be bound: check them
    against an allow-list.
    """

    code = "CWR101"
    name = "sql-injection"
    cwe = 89
    security_severity = 9.8
    kind = "sql"
    needles = ("execute", "text(", "raw(", "extra(", "RawSQL", "read_sql")
    template = "SQL built from {source} is passed to {sink}: the data can rewrite the query"

    VALID = (
        Valid(
            _FLASK + "@app.route('/u')\ndef user(db):\n    name = request.args['name']\n"
            "    db.cursor().execute('SELECT * FROM users WHERE name = %s', (name,))\n"
        ),
        Valid(
            "import sqlite3\n\ndef count(table):\n    conn = sqlite3.connect('app.db')\n"
            "    return conn.execute(f'SELECT count(*) FROM {table}').fetchone()\n"
        ),
        Valid(
            _FLASK + "ALLOWED = {'name', 'email'}\n\n@app.route('/s')\ndef sort(cur):\n"
            "    col = request.args.get('sort', 'name')\n    if col not in ALLOWED:\n        return 'bad', 400\n"
            "    cur.execute(f'SELECT * FROM users ORDER BY {col}')\n"
        ),
        Valid(
            "def handler(event, context):\n    limit = int(event['limit'])\n"
            "    cursor.execute('SELECT * FROM t LIMIT %d' % limit)\n"
        ),
    )
    INVALID = (
        Invalid(
            _FLASK + "@app.route('/u')\ndef user(cur):\n    name = request.args['name']\n"
            "    query = f\"SELECT * FROM users WHERE name = '{name}'\"\n    cur.execute(query)\n",
            8,
            5,
            message="request.args",
        ),
        Invalid(
            "from sqlalchemy import text as t\n\ndef handler(event, context):\n"
            "    session.execute(t('DELETE FROM jobs WHERE id = ' + event['id']))\n",
            4,
            21,
        ),
        Invalid(
            "import sys\nfrom django.db import connection\n\ndef main():\n    with connection.cursor() as c:\n"
            "        c.execute('SELECT * FROM t WHERE id = %s' % sys.argv[1])\n",
            6,
            9,
        ),
        Invalid(
            "def search(request):\n    term = request.GET['q']\n"
            '    return Entry.objects.extra(where=["headline LIKE \'%%" + term + "%%\'"])\n',
            3,
            12,
        ),
    )


# Sinks that hand their command to a shell, which parses it: `;`, `|` and `$(...)` in the data run commands.
_SHELL_SINKS = frozenset({"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
                          "commands.getoutput", "asyncio.create_subprocess_shell", ".subprocess_shell",
                          "paramiko.SSHClient().exec_command", ".exec_command", "fabric.Connection().run",
                          "fabric.Connection().sudo"})  # fmt: skip


def _parsed_by_shell(node: cst.Call, hit: Any) -> bool:
    """The sink the flow reaches runs its command through a shell: a shell sink, or `subprocess` with `shell=`
    set (at the call here, or at the wrapper's own call of the sink)."""
    if hit.sink in _SHELL_SINKS:
        return True
    where = hit.hops[-1][1] if hit.hops else hit.where
    call = where[1] if where is not None else node
    shell = kwarg(call, "shell") if isinstance(call, cst.Call) else None
    return shell is not None and not is_const(shell.value, False)


def _quoted(expression: cst.BaseExpression | None) -> bool:
    """Every value the command string interpolates goes through a quoting function (`shlex.quote(x)`, a project's
    `shell_quote(x)`, whose code may be out of view): the shell sees each as one word."""
    values: list[cst.BaseExpression] = []
    stack = [expression] if expression is not None else []
    while stack:
        part = stack.pop()
        if isinstance(part, cst.FormattedString):
            stack.extend(p.expression for p in part.parts if isinstance(p, cst.FormattedStringExpression))
        elif isinstance(part, cst.BinaryOperation) and isinstance(part.operator, cst.Add | cst.Modulo):
            stack.extend((part.left, part.right))  # "ls " + quote(x), "ls %s" % quote(x)
        elif isinstance(part, cst.Tuple):
            stack.extend(e.value for e in part.elements)
        elif not isinstance(part, cst.SimpleString | cst.ConcatenatedString):
            values.append(part)
    return bool(values) and all(
        isinstance(v, cst.Call) and (dotted(v.func) or "").rsplit(".", 1)[-1].endswith("quote") for v in values
    )


class CommandInjection(TaintSink):
    """
    ## What it does
    Finds untrusted data in a shell command: `os.system`, `os.popen`, `subprocess` with `shell=True`,
    `asyncio.create_subprocess_shell`, or as the program `subprocess` runs. A tool's own command line and
    terminal input count only in a command a shell parses, unquoted, at `info`: whoever types them can already
    run what they like, and running the program they named (`os.execv`, `pexpect.spawn`, an argument list) is
    what such tools are for.

    ## Why is this bad?
    The shell interprets `;`, `|`, `$(...)` and backticks in the data: `file.txt; rm -rf ~` runs both.

    ## Example
    ```python
    subprocess.run(f"convert {request.args['file']} out.png", shell=True)
    ```

    ## Fix
    Pass a list of arguments without a shell (`subprocess.run(["convert", name, "out.png"])`); when a
    shell is unavoidable, quote each value with `shlex.quote`.
    """

    code = "CWR102"
    name = "os-command-injection"
    cwe = 78
    security_severity = 9.8
    kind = "command"
    needles = ("system", "popen", "subprocess", "shell", "spawn", "exec")
    _SHELL = _SHELL_CALLS
    template = "{source} reaches the command run by {sink}: it can run commands of its own"
    # A tool's own command line or terminal input, as `accept` narrows it (a string a shell parses, the value not
    # quoted), is shown by default at info: none of the judged findings on real code had that shape (the 6 judged
    # wrong ran the named program without a shell or quoted the value), and labelled suites count it as command
    # injection (bench/reviewer/independent/README.md, "What the defaults cost").
    shown_weak = frozenset({"inferred", "local"})

    def accept(self, ctx: Context, node: cst.Call, taint: Taint, hit: object) -> bool:
        if not super().accept(ctx, node, taint, hit):
            return False
        # The program's own command line or terminal input: its user can already run what they like. Running the
        # program that user named (`os.execv(argv[0], argv)`, `pexpect.spawn(cmd)`) is what such tools are for
        # (judged false 5 of 5 on real tools); only a string a shell parses, with a value not quoted, can still
        # surprise them (a file name with a `;`), at info.
        if taint.trust == "local":
            return _parsed_by_shell(node, hit) and not _quoted(hit.arg)  # type: ignore[attr-defined]
        return True

    VALID = (
        Valid(
            _FLASK + "import subprocess\n\n@app.route('/c')\ndef convert():\n    name = request.args['f']\n"
            "    subprocess.run(['convert', name, 'out.png'], check=True, timeout=60)\n"
        ),
        Valid("import os, shlex, sys\n\ndef main():\n    os.system('ls -l ' + shlex.quote(sys.argv[1]))\n"),
        Valid("import subprocess\nsubprocess.run('make clean', shell=True, check=True, timeout=600)\n"),
        # The program its user named on the command line, run without a shell; a value quoted for the shell.
        Valid("import subprocess, sys\nsubprocess.Popen([sys.argv[1], '--version']).wait(timeout=5)\n"),
        Valid("import os, sys\nos.execv(sys.argv[1], sys.argv[1:])\n"),
        Valid(
            "import subprocess, sys\nfrom compat import shell_quote\n\ndef main():\n"
            "    subprocess.run(f'aws configure --profile {shell_quote(sys.argv[1])}', shell=True)\n"
        ),
    )
    INVALID = (
        Invalid(
            "import subprocess as sp\n\ndef handler(event, context):\n"
            "    cmd = 'tar czf /tmp/out.tgz ' + event['dir']\n    sp.run(cmd, shell=True, timeout=60)\n",
            5,
            5,
            message="the Lambda event",
        ),
        Invalid("from os import system as s\ns(input('host? '))\n", 2, 1),
        Invalid(
            "import asyncio\n\nasync def ping(request):\n    host = request.query_params['host']\n"
            "    await asyncio.create_subprocess_shell(f'ping -c1 {host}')\n",
            5,
            11,
        ),
        # The command line into a shell, at info.
        Invalid(
            "import subprocess, sys\nsubprocess.run('ls ' + sys.argv[1], shell=True, timeout=5)\n",
            2,
            1,
            message="this program's own command line",
        ),
    )


class ShellWithVariable(CallRule):
    """
    ## What it does
    Finds `shell=True` (and `os.system`/`os.popen`) with a command built from variables that are not
    quoted with `shlex.quote`, where codeward cannot see where the values come from. A command that arrives
    whole in a parameter or attribute (a hook or task runner's configured command) is reported at `info`:
    running it is the code's purpose, and CWR102 follows outside input into it through the callers. A
    project's own command runner whose code is not in view (`host.run(...)`, `run_command(...)`,
    `__salt__['cmd.run'](...)`) counts too, at `info`, when it is given a command line (a known program and its
    arguments, `git show :%s`) formatted from a value that is not quoted: whether it uses a shell is not known.
    So does a command line split into a program's arguments (`subprocess.run(line.split())`, `shlex.split(line)`,
    `pexpect.spawn(line)`): no shell, but a value with spaces or a leading `-` adds arguments and options of its
    own. Remote shells count as shells (paramiko `exec_command`, fabric `run`/`sudo`/`local`, invoke `run`),
    and so does a shell that `os.exec*` or `os.spawn*` starts on a script (`os.execl("/bin/sh", "sh", "-c", cmd)`).
    Not reported: a command whose values are constants wherever the module calls its function (`install(name)`
    called only as `install("boto3")`), a value a shell cannot misread (base64, hexadecimal, a digest, also
    through the local name that holds it), and a command line given to a runner of the project whose code is in
    view and starts its process without a shell (`shlex.split(cmd)`, then `subprocess.check_output`, or
    `pexpect.spawn`): that runner's own call is reviewed where it is. Test code gets CWR102 only (the test
    profile).

    Off by default, reported when the rule is asked for by name (`--select CWR103`): commands run through a shell
    built from variables that are not quoted (judged on real code 0 true, 7 false, 2 not worth a comment:
    temporary paths, worker ids, a command-line tool's own options). By default the rule reports, at `info`,
    commands that arrive whole, command lines split on blanks, command lines given to a project's own runner
    whose code is not in view (judged 0 true, 17 false, 3 not worth a comment before base64 text and runners in
    namespace packages were read; none of the false ones is reported since), and a command line starting with a
    known program formatted from a parameter of a function nothing in its module calls (`os.system("useradd " +
    name)` in a function whose callers are not in view; none of the judged false findings had that shape).

    ## Why is this bad?
    If any part of such a value can be influenced by a user, a file name or a remote service, the shell
    runs what it contains. Review each caller, or make the call safe regardless.

    ## Example
    ```python
    def archive(path):
        subprocess.run(f"tar czf backup.tgz {path}", shell=True)
    ```

    ## Fix
    Pass an argument list without a shell: `subprocess.run(["tar", "czf", "backup.tgz", path])`, or quote
    every value with `shlex.quote`.
    """

    code = "CWR103"
    name = "shell-command-from-variable"
    cwe = 78
    security_severity = 6.3
    category = "security"
    severity = Severity.WARNING
    needles = (
        "shell=True",
        "os.system",
        "popen",
        "getoutput",
        "getstatusoutput",
        "subprocess_shell",
        "-c'",
        '-c"',
        "/c",
        "subprocess",
        "pexpect",
        # A project's own command runner (`_helper`).
        "run",
        "exec",
        "cmd",
        "command",
        "output",
        "shell",
        "spawn",
    )
    # Every call that hands its string to a shell (`/bin/sh -c`), Python 2's included.
    targets = frozenset({*CommandInjection._SHELL, "os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4",
                         "subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput",
                         "commands.getstatusoutput", "popen2.popen2", "popen2.popen3", "popen2.popen4",
                         "asyncio.create_subprocess_shell", "paramiko.SSHClient().exec_command", "fabric.api.run",
                         "fabric.api.sudo", "fabric.api.local", "fabric.operations.run", "fabric.operations.sudo",
                         "fabric.operations.local", "fabric.Connection().run", "fabric.Connection().sudo",
                         "fabric.Connection().local", "invoke.run", *_SPLITTERS, *_EXEC_ARGV})  # fmt: skip

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        name = ctx.call_name(node)
        if name in self.targets:
            self.check(ctx, node, name)
        elif node.args and not _plainly_not_helper(node.func, _COMMAND_HELPER):
            self._helper(ctx, node)

    def _helper(self, ctx: Context, node: cst.Call) -> None:
        """A project's own command runner (`run_command(...)`, `host.run(...)`, `__salt__['cmd.run'](...)`),
        whose code is not in view, given a command line (`git show :%s`, a known program and its arguments)
        formatted from a value that is not shell-quoted. Whether it goes through a shell is not known: `info`."""
        callee = ctx.code(node.func, 80).rsplit(".", 1)[-1]
        if not _COMMAND_HELPER.search(callee) or _NOT_COMMAND_HELPER.search(callee):
            return
        if _runner_without_shell(ctx, node):
            return
        first = node.args[0]
        if first.keyword is not None or first.star:
            return
        command = first.value
        if isinstance(command, cst.FormattedString | cst.BinaryOperation) or (
            isinstance(command, cst.Call) and method_name(command) == "format"
        ):
            prefix = literal_prefix(command)
            if prefix is None or not _command_line(prefix, node) or not _unquoted_variable(ctx, command):
                return
            if _settled(ctx, command, "command") or constant_value(ctx, command) or ctx.sink_hits(node, "command"):
                return
            what = "a variable"
        elif isinstance(command, cst.Name | cst.Attribute | cst.Subscript):
            found = _built_from_parameter(ctx, command, "command") or _built_from_unknown(ctx, command)
            if found is None or not _command_line(found[1], node) or ctx.sink_hits(node, "command"):
                return
            if not found[0] and constant_value(ctx, command):
                return
            what = f"`{found[0]}`" if found[0] else "a variable"
        else:
            return
        ctx.report(
            node,
            f"{ctx.code(node.func, 40)}() is given a command line built from {what} that is not shell-quoted; "
            "if it runs it through a shell, the value can add commands of its own",
            # Shown by default since 2026-12-07: it finds 15 of the validation half's command cases and 4 of the
            # development half's, none of their safe twins; its judged-false findings on real code (base64 text,
            # a runner in a namespace package that splits without a shell) are no longer reported.
            severity=Severity.INFO,
        )

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        if name in _EXEC_ARGV:
            command = _exec_script(node, *_EXEC_ARGV[name])  # `os.execl("/bin/sh", "sh", "-c", cmd)`
            if command is not None:
                self._shell(ctx, node, name, command)
            return
        command = argument(node, 0, "args" if name in CommandInjection._SHELL else "command")
        if name in _SPLITTERS:
            if command is not None:
                self._split(ctx, node, name, command)
            return
        if name in CommandInjection._SHELL:
            shell = kwarg(node, "shell")
            if shell is None or not (is_const(shell.value, True) or _folds_true(ctx, shell.value)):
                script = _shell_script(command)  # `["sh", "-c", script]`: a shell without shell=True
                if script is None:
                    line = _split_line(ctx, command)  # `cmd.split()`, `shlex.split(cmd)`: argv from a line
                    if line is not None:
                        self._split(ctx, node, name, line)
                    return
                command = script
        if command is not None:
            self._shell(ctx, node, name, command)

    def _shell(self, ctx: Context, node: cst.Call, name: str, command: cst.BaseExpression) -> None:
        if ctx.sink_hits(node, "command"):
            return  # CWR102 reports flows of untrusted data
        if _settled(ctx, command, "command") or not _unquoted_variable(ctx, command):
            return
        if constant_value(ctx, command):  # `install(name)`, every call of which in the module names a package
            return
        if _as_it_is(ctx, command):
            # The whole command comes in as it is (a hook or task runner's configured command, a wrapper's
            # parameter): running it is the code's purpose; the risk is in whoever builds it, which CWR102
            # follows from outside input through the callers.
            message = f"{name}() runs `{ctx.code(command)}` as a shell command as it is"
            ctx.report(node, message + ": check that no caller builds it from outside input", severity=Severity.INFO)
            return
        parameter = _uncalled_parameter(ctx, command)
        if parameter is not None:
            # A command line naming its program, formatted from a parameter of a function nothing in view calls:
            # where the value comes from is not in view, and nothing on the way quotes it. None of the judged
            # false findings below was of this shape (their values came from a temporary folder, a quoting
            # helper, the interpreter's path, or a caller in view); `info`, as the origin is unknown.
            ctx.report(
                node,
                f"{name}() runs a shell command built from parameter `{parameter}`, not shell-quoted, and no "
                "caller is in view: check that callers pass only trusted values",
                severity=Severity.INFO,
            )
            return
        # Judged on real code: 0 true, 7 false, 2 not worth a comment (temporary paths, worker ids, a CLI's own
        # options): off by default, reported when the rule is asked for by name.
        ctx.report(node, f"{name}() runs a shell command built from a variable that is not shell-quoted", opt_in=True)

    def _split(self, ctx: Context, node: cst.Call, name: str, line: cst.BaseExpression) -> None:
        """A command line split on blanks into the program's arguments (no shell): a value in it that holds
        spaces or starts with `-` becomes arguments or options of its own (argument injection)."""
        if ctx.sink_hits(node, "command") or _settled(ctx, line, "command") or constant_value(ctx, line):
            return
        if isinstance(line, cst.Name | cst.Attribute | cst.Subscript):
            if _as_it_is(ctx, line):
                message = f"{name}() runs the command line `{ctx.code(line)}` split into arguments as it is"
                ctx.report(
                    node, message + ": check that no caller builds it from outside input", severity=Severity.INFO
                )
                return
            found = _built_from_parameter(ctx, line, "command")
            if found is None:
                return
            what = f"`{found[0]}`"
        elif _unquoted_variable(ctx, line):
            what = "a variable"
        else:
            return
        ctx.report(
            node,
            f"{name}() runs a command line built from {what} and split on blanks: a value with spaces or a leading "
            "`-` adds arguments and options of its own",
            severity=Severity.INFO,
        )

    VALID = (
        Valid("import subprocess\nsubprocess.run('ls -l /tmp', shell=True, timeout=5)\n"),
        Valid("import os, shlex\n\ndef rm(p):\n    os.system('rm -- ' + shlex.quote(p))\n"),
        Valid("import subprocess\n\ndef rm(p):\n    subprocess.run(['rm', '--', p], timeout=5)\n"),
        Valid("import subprocess\nCMD = 'uptime'\nsubprocess.run(CMD, shell=True, timeout=5)\n"),
        Valid(
            "import shlex, subprocess\n\ndef clone(url):\n    subprocess.check_call(shlex.split('git clone %s' % shlex.quote(url)))\n"
        ),
        Valid("import subprocess\nsubprocess.check_call('git status --short'.split())\n"),
        # A quoting helper of the project or of a library, known by its name.
        Valid(
            "import subprocess\nfrom compat import shell_join, shell_quote\n\n\ndef run(args, name):\n"
            "    subprocess.run(shell_join(args), shell=True, check=True)\n"
            "    subprocess.run('ls ' + shell_quote(name), shell=True, check=True)\n"
        ),
        # A project's runner given an argument list, a quoted value, or text that is not a command line.
        Valid("def show(host, name):\n    return host.run(['git', 'show', ':%s' % name])\n"),
        Valid("import shlex\n\ndef show(host, name):\n    return host.run('git show :%s' % shlex.quote(name))\n"),
        Valid("def note(runner, name):\n    runner.run_step('Deploying %s' % name)\n"),
        # "runtime" is a language version, not a runner.
        Valid(
            "class Build:\n    def runtime(self, v):\n        return self._validate_runtime(f'python{v.major}.{v.minor}')\n"
        ),
        # A variable formatted from a listing, but quoted, numeric, or bound more than once.
        Valid(
            "import shlex\n\ndef hook():\n    for name in get_lines('git diff'):\n"
            "        cmd = 'git show :%s' % shlex.quote(name)\n        get_output(cmd)\n"
        ),
        Valid("import os\n\ndef stop():\n    cmd = 'kill -9 %d' % os.getppid()\n    run_command(cmd)\n"),
        Valid(
            "def hook(flag):\n    for name in get_lines('git diff'):\n        cmd = 'git show :%s' % name\n"
            "        if flag:\n            cmd = 'git status'\n        get_output(cmd)\n"
        ),
        Valid("def note(log, name):\n    log.info('git show :%s' % name)\n"),
        # Every call of the function in the module passes constants: the command is the module's own.
        Valid(
            "import subprocess\n\n\ndef install(name, version=None):\n"
            "    command = f'pip install {name}=={version}' if version else f'pip install {name}'\n"
            "    subprocess.check_call(command, shell=True)\n\n\n"
            "def main():\n    install('sagemaker')\n    install('boto3', '1.17.52')\n"
        ),
        # The project's runner is in view (another module of it) and runs no shell.
        Valid(
            "from runner import check_output\n\n\ndef has_image(image):\n"
            "    return check_output('docker images -q %s' % image).strip()\n",
            filename="app.py",
            files={
                "runner.py": "import shlex\nimport subprocess\n\n\ndef check_output(cmd):\n"
                "    return subprocess.check_output(shlex.split(cmd) + ['--no-trunc'])\n"
            },
        ),
    )
    INVALID = (
        Invalid(
            "import subprocess\n\ndef archive(path):\n"
            "    subprocess.run(f'tar czf backup.tgz {path}', shell=True, timeout=60)\n",
            4,
            5,
        ),
        Invalid("import os\n\ndef rm(p):\n    os.system('rm -rf ' + p)\n", 4, 5),
        Invalid("import subprocess\n\ndef size(p):\n    return subprocess.getstatusoutput(f'du -s {p}')\n", 4, 12),
        Invalid(
            "import subprocess\n\ndef pack(d):\n    subprocess.run(['sh', '-c', 'tar cf x.tar ' + d], timeout=9)\n",
            4,
            5,
        ),
        Invalid(
            "import subprocess\n\ndef force(p):\n    c = p + ' --force'\n    subprocess.run(c, shell=True, timeout=9)\n",
            5,
            5,
            message="built from a variable",
        ),
        Invalid(
            "import subprocess\n\nclass Hook:\n    def run(self):\n"
            "        subprocess.check_call(self.argument['run'], shell=True)\n",
            5,
            9,
            message="as a shell command as it is: check that no caller builds it",
        ),
        Invalid(
            "import shlex, subprocess\n\ndef clone(url):\n    subprocess.check_call(shlex.split('git clone %s /tmp/x' % url))\n",
            4,
            5,
            message="built from a variable and split on blanks: a value with spaces or a leading `-`",
        ),
        Invalid(
            "import subprocess\n\ndef get_output(command):\n    return subprocess.check_output(command.split())\n",
            4,
            12,
            message="runs the command line `command` split into arguments as it is",
        ),
        Invalid("import pexpect\n\ndef ssh(host):\n    return pexpect.spawn('ssh ' + host)\n", 4, 12),
        Invalid(
            "def resolve(host, pod, name):\n    cmd = 'kubectl exec -ti {0} nslookup {1}'.format(pod, name)\n"
            "    return host.run(cmd)\n",
            3,
            12,
            message="host.run() is given a command line built from `pod`",
        ),
        Invalid(
            "def usage(args):\n    return __salt__['cmd.run']('df -' + args)\n",
            2,
            12,
            message="is given a command line built from a variable that is not shell-quoted",
        ),
        # A file name from a listing, formatted into a variable first (isort's git hook).
        Invalid(
            "def hook():\n    for name in get_lines('git diff --name-only'):\n"
            "        cmd = 'git show :%s' % name\n        get_output(cmd)\n",
            4,
            9,
            message="get_output() is given a command line built from a variable that is not shell-quoted",
        ),
        # A runner in view that goes through a shell: the command line given to it is reported.
        Invalid(
            "import subprocess\n\n\ndef run_command(cmd):\n"
            "    return subprocess.run(cmd + ' 2>&1', shell=True, check=True)\n\n\n"
            "def show(name):\n    return run_command('git show %s' % name)\n",
            9,
            12,
            message="run_command() is given a command line built from a variable",
            also=((5, 12),),
        ),
        # One call of the function passes a variable: the command is not the module's own.
        Invalid(
            "import subprocess\n\n\ndef install(name):\n    subprocess.check_call(f'pip install {name}', shell=True)\n\n\n"
            "def main(extra):\n    install('boto3')\n    install(extra)\n",
            5,
            5,
        ),
    )


# What a runner's code does when it starts a process through a shell (or may: another runner, a remote shell).
_SHELL_TEXT = re.compile(
    r"shell\s*=\s*(?!False)|os\.system|\bpopen[234]?\(|getoutput|getstatusoutput|_shell\(|exec_command|"
    r"\bos\.exec|\bos\.spawn|[\"'](?:-c|/c|-lc)[\"']|\.(?:run|sudo|local)\("
)
# What it does when it starts one without a shell.
_STARTS_PROCESS = re.compile(
    r"\bsubprocess\.|\b(?:Popen|check_output|check_call|call)\(|\bpexpect\.(?:spawnu?|runu?)\("
)


def _runner_without_shell(ctx: Context, node: cst.Call) -> bool:
    """The runner is a function of the project whose code is in view (this module, or one of the project's
    it imports), and it starts its process without a shell (`shlex.split(cmd)`, then `subprocess.check_output`),
    nor hands the line to another runner that might: the premise of the finding is known false."""
    if not isinstance(node.func, cst.Name):
        return False
    import os

    from codeward.reviewer.dataflow.project import shared_project

    project = shared_project()
    found = project.callees(os.path.abspath(ctx.path), f"{node.func.value}(")
    if not found:
        return False
    path, name = found[0]
    return project.function_mentions(path, name, _STARTS_PROCESS) and not project.wraps(path, name, _SHELL_TEXT)


# The last name of a call that may run a command line it is given (a project's own runner).
_COMMAND_HELPER = re.compile(r"run|exec|cmd|command|shell|popen|spawn|system|output", re.I)
# `runtime` holds "run" but names a language version (`_validate_runtime(f"python{major}.{minor}")`).
_NOT_COMMAND_HELPER = re.compile(
    r"^(?:run_until_complete|run_in_executor|run_coroutine_threadsafe|runserver)$|sql|query|runtime"
)
# Text that starts like a command line: a program many scripts run (or an absolute path to one), then its
# arguments. A log message or an error rarely starts with a bare program name followed by an argument.
_PROGRAMS = (  # noqa: SIM905 (one word per program reads better than 200 quoted strings)
    "git svn hg cvs ls cat rm cp mv mkdir rmdir chmod chown chgrp ln touch tee tar zip unzip gzip gunzip bzip2 xz 7z "
    "7za unrar curl wget ping ping6 nslookup dig host whois traceroute nmap nc ncat telnet ssh scp sftp rsync sudo su "
    "kill pkill killall ps df du mount umount kubectl docker podman helm salt salt-call salt-key systemctl service "
    "iptables ip6tables ip ifconfig route convert identify ffmpeg ffprobe openssl gpg python python2 python3 perl "
    "ruby node npm pip pip3 make cmake sh bash zsh echo grep egrep sed awk find xargs file lsof netstat useradd "
    "userdel usermod groupadd passwd chpasswd crontab nohup timeout virsh qemu-img lvcreate lvremove dd mkfs fdisk "
    "parted blkid modprobe sysctl apt-get apt yum dnf rpm dpkg brew java mvn gcc latex pdflatex lp lpr adb mysql "
    "mysqldump pg_dump pg_restore psql redis-cli mongo mongodump exiftool pdftotext gs wkhtmltopdf sox youtube-dl "
    "smbclient ldapsearch nsupdate certbot htpasswd sendmail vagrant ansible ansible-playbook terraform aws gcloud "
    "az net reg sc wmic taskkill icacls xcopy robocopy powershell cmd start open xdg-open osascript say espeak "
    "unoconv soffice libreoffice pandoc inkscape rsvg-convert dot phantomjs chromium google-chrome firefox"
).split()
_COMMAND_LINE = re.compile(
    r"^\s*(?:sudo\s+(?:-\S+\s+)*)?(?:(?:/[\w.+-]+)*/(?:s?bin)/[\w.+-]+|"
    + "|".join(re.escape(p) for p in sorted(_PROGRAMS, key=len, reverse=True))
    + r")(?:\s|$)"
)


# Words of a runner's name that say it runs commands, not only that it runs something (`run`, `execute`).
_COMMAND_RUNNER = frozenset({"cmd", "cmds", "command", "commands", "shell", "popen", "spawn", "system",
                             "subprocess", "getoutput", "sh", "ssh", "sudo"})  # fmt: skip
# A command line by its shape, for a runner named so: a lower-case program name (or a path to one), blanks,
# then words, options and paths, none of the punctuation of prose; SQL's verbs are not programs.
_COMMAND_SHAPE = re.compile(r"^\s*(?:/[\w.+-]+)*/?[a-z][a-z0-9_+-]*(?:\.(?:sh|py|pl|rb))?\s+[\w\s./:@,=+%'\"-]*$")
_SQL_VERBS = frozenset({"select", "insert", "update", "delete", "create", "drop", "alter", "with", "pragma",
                        "show", "grant", "revoke", "truncate", "replace", "begin", "set", "explain", "merge",
                        "call", "use", "describe", "analyze", "vacuum", "upsert"})  # fmt: skip


def _command_line(prefix: str, call: cst.Call) -> bool:
    """Whether text a runner is given starts like a command line: a program many scripts run, or, when the
    runner's name says it runs commands (`__salt__["cmd.run"]`, `run_command`, `ssh.exec_command`), any
    program-shaped word followed by arguments (`zfs list -H `, `lvcreate -n `)."""
    if _COMMAND_LINE.match(prefix):
        return True
    words = prefix.split()
    if not _COMMAND_SHAPE.match(prefix) or words[0].lower() in _SQL_VERBS:
        return False
    if len(words) > 3 and not any(w[:1] in "-/" or "=" in w for w in words[1:]):
        return False  # a sentence (`unknown error making dispatchers for '%s'`), not a program and its arguments
    callee = re.findall(r"[a-z]+|[A-Z][a-z]*", _callee_text(call.func))
    return any(word.lower() in _COMMAND_RUNNER for word in callee)


def _callee_text(func: cst.BaseExpression) -> str:
    """The callee's dotted names and constant subscripts (`__salt__["cmd.run"]` -> `__salt__.cmd.run`)."""
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return f"{_callee_text(func.value)}.{func.attr.value}"
    if isinstance(func, cst.Subscript) and len(func.slice) == 1:
        index = func.slice[0].slice
        key = literal_str(index.value) if isinstance(index, cst.Index) else None
        return f"{_callee_text(func.value)}.{key or ''}"
    return ""


def _as_it_is(ctx: Context, expr: cst.BaseExpression) -> bool:
    """A variable whose whole value came in from elsewhere (not a string built here from a constant start)."""
    if not isinstance(expr, cst.Name | cst.Attribute | cst.Subscript):
        return False
    value = ctx.value(expr)
    return value.type != "str" and value.prefix is None


def _folds_true(ctx: Context, flag: cst.BaseExpression) -> bool:
    """`shell=use_shell` where the analysis knows the name holds a true constant wherever the call runs."""
    if not isinstance(flag, cst.Name | cst.Attribute):
        return False
    folded = ctx.value(flag).const
    return folded is True or (type(folded) is int and folded != 0)


def _split_line(ctx: Context, args: cst.BaseExpression | None) -> cst.BaseExpression | None:
    """The command line an argument list is split from (`line.split()`, `shlex.split(line)`)."""
    if not isinstance(args, cst.Call):
        return None
    func = args.func
    if isinstance(func, cst.Attribute) and func.attr.value == "split" and not args.args:
        return func.value
    if ctx.call_name(args) == "shlex.split" and args.args:
        return args.args[0].value
    return None


def _exec_script(call: cst.Call, start: int, listed: bool) -> cst.BaseExpression | None:
    """The script of a shell an `exec*`/`spawn*` call starts with `-c` (`"sh", "-c", script`)."""
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    if listed:
        return _shell_script(positional[start]) if len(positional) > start else None
    if len(positional) < start + 3:
        return None
    program, flag, script = positional[start : start + 3]
    if is_shell(literal_str(program)) and literal_str(flag) in SCRIPT_FLAGS:
        return script
    return None


def _shell_script(args: cst.BaseExpression | None) -> cst.BaseExpression | None:
    """The script of an argument list that starts a shell on it (`["bash", "-c", script]`, also after a prefix
    such as `sudo -u app` or `env A=1`, and `su -c script`), or the first word of the command an `ssh` list has
    the remote shell run that is a command line formatted from a value (`["ssh", host, "rm -rf %s" % path]`)."""
    if not isinstance(args, cst.List | cst.Tuple) or len(args.elements) < 3:
        return None
    items = [e.value for e in args.elements]
    index, how = argv_command(
        [None if isinstance(e, cst.StarredElement) else literal_str(e.value) for e in args.elements]
    )
    if how == "script" and index < len(items) and not isinstance(args.elements[index], cst.StarredElement):
        return items[index]
    if how == "remote":
        # A word formatted into a command line of its own (`"rm -rf %s" % path`); a word that is a value alone
        # (`["ssh", host, "touch", status_file]`) is an argument of a fixed program, as in a local list.
        return next((e for e in items[index:] if literal_str(e) is None and " " in _literal_text(e)), None)
    return None


def _settled(ctx: Context, node: cst.BaseExpression, kind: str) -> bool:
    """The analysis proves the value harmless for `kind`: a constant, or every part it is built from was
    sanitised for that kind (`shlex.quote`, an allow-list, a cast)."""
    value = ctx.value(node)
    if value.known:
        return True
    flows = [f for f in value.deep_flows() if f.label.family == "input" or f.label.kind == "param"]
    return bool(flows) and all(kind in f.cleared for f in flows)


_PYTHON_NAMES = frozenset({(".__name__",), (".__qualname__",)})


def _built_from_parameter(ctx: Context, node: cst.BaseExpression, kind: str) -> tuple[str, str] | None:
    """The parameter (or its attribute: `self.name`) that a string reaching a sink was formatted from, through
    any number of assignments, when the analysis sees it built from constant text and that parameter without a
    sanitizer for `kind`; None otherwise. The constant start (`prefix`) tells a formatted string from a
    parameter passed on as it is (a wrapper, whose callers the analysis checks). Returns (the parameter as
    written, the constant start of the string)."""
    if _parameter_as_passed(ctx, node):
        return None
    value = ctx.value(node)
    if value.known or value.prefix is None:
        return None
    for flow in value.deep_flows():
        label = flow.label
        if kind == "sql" and ("sql-quoted" in flow.cleared or label.path[-1:] in _PYTHON_NAMES):
            # Through the project's SQL quoting helper (`escape_sqlite(table)`) on the way, or a function's or
            # class's own name (`fn.__name__`): a Python identifier, which holds no quote, blank or semicolon.
            continue
        if label.kind == "source" and label.family == "input" and kind not in flow.cleared:
            return label.desc, value.prefix  # into a helper no model names: CWR101 does not see it
        if label.kind == "param" and kind not in flow.cleared:
            if (
                label.desc in ("self", "cls")
                and len(label.path) == 1
                and _class_constant_named(ctx, str(label.path[0])[1:])
            ):
                continue  # `self._table = "_counts"` in the class body: written by the developer
            path = "".join(p if isinstance(p, str) and p.startswith(".") else f"[{p!r}]" for p in label.path)
            return f"{label.desc}{path}", value.prefix
    return None


def _uncalled_parameter(ctx: Context, command: cst.BaseExpression) -> str | None:
    """The parameter (as written: `opts.server`) a shell command was formatted from after a constant start that
    names a program (`"useradd -p " + name`), when the function around the call is one nothing in its module
    calls (its callers, if any, are not in view) and the parameter is not the method's own object; else None."""
    function = ctx.function
    info = ctx.flows.info
    if function is None or info.called(function) or info.is_test(function):
        return None
    found = _built_from_parameter(ctx, command, "command")
    if found is None or not found[1].strip() or not _COMMAND_LINE.match(found[1]):
        return None
    from codeward.reviewer.dataflow.nodes import params_of

    params = [p.name.value for p in params_of(function)]
    root = re.split(r"[.\[]", found[0], maxsplit=1)[0]
    own = bool(params) and root == params[0] and root in ("self", "cls")
    return found[0] if root in params and not own else None


def _parameter_as_passed(ctx: Context, node: cst.BaseExpression) -> bool:
    """`node` is a parameter of the function around the call being visited, passed to it directly, that the
    function's body never binds again: its value there is the one the analysis gives a parameter on entry, with
    no constant start (at most narrowed: its flows cleared, or a single constant), so `_built_from_parameter`
    answers None without an analysis. A question the analysis answered for 542 such names on Django, never
    with a finding, ran analyses no other rule needed."""
    call = ctx.node
    if type(node) is not cst.Name or not isinstance(call, cst.Call) or not any(a.value is node for a in call.args):
        return False
    from codeward.reviewer.dataflow.nodes import INNER_SCOPES, params_of

    below: cst.CSTNode = call
    for ancestor in ctx.ancestors():
        kind = type(ancestor)
        if kind is cst.FunctionDef:
            function = ancestor
            break
        if kind in INNER_SCOPES:
            return False  # a comprehension's or a lambda's own names, or a class body's
        below = ancestor
    else:
        return False
    if below is not function.body:  # a decorator or a default: evaluated outside the function
        return False
    name = node.value
    return name in {p.name.value for p in params_of(function)} and name not in _rebound(ctx, function)


def _rebound(ctx: Context, function: cst.FunctionDef) -> frozenset[str]:
    """Every name the function's body binds (`dataflow.nodes.names_bound_in`), once per function of the file:
    CWR120 and CWR124 both ask."""
    from codeward.reviewer.dataflow.nodes import names_bound_in

    cache: dict[int, frozenset[str]] = ctx.shared.setdefault("rebound", {})  # type: ignore[assignment]
    bound = cache.get(id(function))
    if bound is None:
        bound = cache[id(function)] = names_bound_in(function.body)
    return bound


def _built_from_unknown(ctx: Context, node: cst.BaseExpression) -> tuple[str, str] | None:
    """A variable the function assigns once, from constant text formatted with values of no known origin (a
    file name from a listing: `for f in get_lines("git diff --name-only"): cmd = "git show :%s" % f`), judged as
    the same text written in the call would be: ("", the constant start), or None."""
    function = ctx.function
    if not isinstance(node, cst.Name) or function is None:
        return None
    found: list[cst.BaseExpression] = []
    from codeward.reviewer.dataflow.nodes import binding_children

    stack: list[cst.CSTNode] = list(function.body.body)
    while stack and len(found) < 2:
        item = stack.pop()
        if isinstance(item, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue
        if isinstance(item, cst.Assign):
            if any(isinstance(t.target, cst.Name) and t.target.value == node.value for t in item.targets):
                found.append(item.value if len(item.targets) == 1 else cst.Name("None"))
        elif isinstance(item, cst.AugAssign | cst.For | cst.AnnAssign | cst.AsName) and node.value in {
            n.value for n in _names(getattr(item, "target", None) or getattr(item, "name", None))
        }:
            found.append(cst.Name("None"))  # bound another way too: not one formatted text
        stack.extend(binding_children(item))
    if len(found) != 1:
        return None
    text = found[0]
    if not (
        isinstance(text, cst.FormattedString | cst.BinaryOperation)
        or (isinstance(text, cst.Call) and method_name(text) == "format")
    ):
        return None
    prefix = literal_prefix(text)
    if prefix is None or not _unquoted_variable(ctx, text) or _settled(ctx, node, "command"):
        return None
    return "", prefix


def _names(target: cst.CSTNode | None) -> list[cst.Name]:
    """The plain names an assignment target binds (`a`, `a, (b, c)`)."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, cst.Tuple | cst.List):
        return [n for e in target.elements for n in _names(e.value)]
    return []


# A project's or library's own shell quoting, by its name: `shell_quote`, `quote_arg`, `shell_join` (a quoted
# argument list), `subprocess.list2cmdline` (Windows quoting).
_SHELL_QUOTING = re.compile(r"(?i)(?:^|_)(?:shell_?|cmd_?)?quote(?:d|_args?)?$|^(?:shell|cmd)_?join$|^list2cmdline$")


# Encodings whose output has no blank and no character a shell gives a meaning to: base64 (`[A-Za-z0-9+/=]`,
# `-_` for the URL-safe one), base32, hexadecimal.
_SHELL_SAFE_ENCODINGS = frozenset({"base64.b64encode", "base64.urlsafe_b64encode", "base64.b32encode",
                                   "base64.b16encode", "binascii.hexlify", "binascii.b2a_hex",
                                   # Random names the program makes up itself: hexadecimal or `[A-Za-z0-9_-]`.
                                   "secrets.token_hex", "secrets.token_urlsafe"})  # fmt: skip
_SHELL_SAFE_METHODS = frozenset({"hexdigest", "hex"})
# Plain assignments looked through to what a local name holds (`q = shlex.quote(x)`, `b = b64encode(s).decode()`).
_MAX_ASSIGNMENT_DEPTH = 3


def _unquoted_variable(ctx: Context, node: cst.BaseExpression, depth: int = 0) -> bool:
    """Whether a command expression includes a variable part not wrapped in shlex.quote."""
    if isinstance(node, cst.FormattedString):
        return any(
            isinstance(p, cst.FormattedStringExpression) and _unquoted_variable(ctx, p.expression, depth)
            for p in node.parts
        )
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Modulo) and isinstance(node.left, cst.SimpleString):
            conversions = re.findall(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?([a-zA-Z%])", literal_str(node.left) or "")
            if conversions and all(c in "diouxXeEfFgG%" for c in conversions):
                return False  # `"kill -9 %d" % pid`: only numbers go in
        return _unquoted_variable(ctx, node.left, depth) or _unquoted_variable(ctx, node.right, depth)
    if isinstance(node, cst.Tuple):  # `"rm -rf %s/%s" % (a, b)`
        return any(_unquoted_variable(ctx, e.value, depth) for e in node.elements)
    if isinstance(node, cst.Call):
        name = ctx.call_name(node)
        if name in ("shlex.quote", "pipes.quote", "shlex.join", "int") or _SHELL_QUOTING.search(
            name.rpartition(".")[2]
        ):
            return False
        if name in _SHELL_SAFE_ENCODINGS or method_name(node) in _SHELL_SAFE_METHODS:
            return False
        if method_name(node) == "decode" and isinstance(node.func, cst.Attribute):  # `b64encode(data).decode()`
            return _unquoted_variable(ctx, node.func.value, depth)
        if method_name(node) == "format":
            return any(_unquoted_variable(ctx, a.value, depth) for a in node.args)
        return name not in ("str",) or any(_unquoted_variable(ctx, a.value, depth) for a in node.args)
    if isinstance(node, cst.Name):
        # Module-level CONSTANTS are written by the developer.
        if node.value.isupper():
            return False
        held = _only_assigned(ctx, node.value) if depth < _MAX_ASSIGNMENT_DEPTH else None
        return held is None or any(_unquoted_variable(ctx, value, depth + 1) for value in held)
    if isinstance(node, cst.Attribute | cst.Subscript):
        return not (_class_constant(ctx, node) or ctx.value(node).known)
    return False


def _class_constant(ctx: Context, node: cst.BaseExpression) -> bool:
    """`self.NAME` (or `cls.NAME`) where the class around the call sets NAME to a literal in its body and no
    method assigns it: `_counts_table_name = "_counts"`, a name the developer wrote."""
    if not (
        isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value in ("self", "cls")
    ):
        return False
    return _class_constant_named(ctx, node.attr.value)


def _class_constant_named(ctx: Context, attr: str) -> bool:
    klass = next((a for a in ctx.ancestors() if isinstance(a, cst.ClassDef)), None)
    if klass is None:
        return False
    # Asked for each `self.X` a query or command is formatted from: the class's methods are walked once per name.
    cache: dict[tuple[int, str], bool] = ctx.shared.setdefault("class-constant", {})  # type: ignore[assignment]
    key = (id(klass), attr)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _class_sets_literal_only(klass, attr, ctx)
    return found


def _class_sets_literal_only(klass: cst.ClassDef, attr: str, ctx: Context) -> bool:
    literal = [
        small
        for line in klass.body.body
        if isinstance(line, cst.SimpleStatementLine)
        for small in line.body
        if isinstance(small, cst.Assign | cst.AnnAssign)
        and attr
        in {n.value for t in (small.targets if isinstance(small, cst.Assign) else [small]) for n in _names(t.target)}
    ]
    if len(literal) != 1 or not isinstance(literal[0].value, cst.SimpleString | cst.Integer | cst.Float):
        return False
    from codeward.reviewer.dataflow.nodes import binding_children

    stack: list[cst.CSTNode] = [line for line in klass.body.body if not isinstance(line, cst.SimpleStatementLine)]
    while stack:  # the methods (and nested classes): none may assign `self.NAME`/`cls.NAME`
        item = stack.pop()
        if isinstance(item, cst.Assign | cst.AnnAssign | cst.AugAssign):
            targets = [t.target for t in item.targets] if isinstance(item, cst.Assign) else [item.target]
            if any(isinstance(t, cst.Attribute) and t.attr.value == attr for t in targets):
                return False
        elif isinstance(item, cst.Call) and ctx.code(item.func, 20) == "setattr":
            return False
        stack.extend(binding_children(item))
    return True


def _only_assigned(ctx: Context, name: str) -> list[cst.BaseExpression] | None:
    """What the function around the call assigns to local `name`, when plain assignments (`name = ...`) and
    loops over values the developer wrote (`_written_elements`) are the only ways its body binds it and it is no
    parameter; None otherwise (a parameter, a loop over data, an unpacked or augmented name, or a name of the
    module)."""
    function = ctx.function
    if function is None:
        return None
    from codeward.reviewer.dataflow.nodes import params_of

    if name in {p.name.value for p in params_of(function)}:
        return None
    found: list[cst.BaseExpression] = []
    from codeward.reviewer.dataflow.nodes import binding_children

    stack: list[cst.CSTNode] = list(function.body.body)
    while stack:
        item = stack.pop()
        if isinstance(item, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            if isinstance(item, cst.FunctionDef | cst.ClassDef) and item.name.value == name:
                return None
            continue
        if isinstance(item, cst.Assign):
            for target in item.targets:
                if isinstance(target.target, cst.Name) and target.target.value == name:
                    found.append(item.value)
                elif name in {n.value for n in _names(target.target)}:
                    return None  # unpacked: which part it holds is not read here
        elif isinstance(item, cst.For) and isinstance(item.target, cst.Name) and item.target.value == name:
            written = _written_elements(item.iter)
            if written is None:
                return None  # a loop over data: which values it gives is not read here
            found.extend(written)
        elif isinstance(item, cst.AugAssign | cst.For | cst.AnnAssign | cst.AsName | cst.NamedExpr | cst.CompFor):
            if name in {n.value for n in _names(getattr(item, "target", None) or getattr(item, "name", None))}:
                return None
        elif isinstance(item, cst.Global | cst.Nonlocal) and any(n.name.value == name for n in item.names):
            return None
        stack.extend(binding_children(item))
    return found or None


def _written_elements(iterable: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    """The values a `for` loop over a collection the developer wrote gives its variable: the literals of a
    literal tuple/list/set (`for fts in ("FTS5", "FTS4")`), or a module CONSTANT standing for its elements
    (`for fn in SPATIALITE_FUNCTIONS`), which `_unquoted_variable` reads as written by the developer; None for
    any other loop."""
    if isinstance(iterable, cst.Name) and iterable.value.isupper():
        return [iterable]
    if isinstance(iterable, cst.Tuple | cst.List | cst.Set) and iterable.elements:
        values = [e.value for e in iterable.elements if not isinstance(e, cst.StarredElement)]
        if len(values) == len(iterable.elements) and all(
            isinstance(v, cst.SimpleString | cst.Integer | cst.Float) for v in values
        ):
            return values
    return None


class CodeInjection(TaintSink):
    """
    ## What it does
    Finds untrusted data evaluated as Python: `eval`, `exec`, `compile`, or a module imported by a name
    the data chooses.

    ## Why is this bad?
    The data runs with the application's permissions: `__import__('os').system('...')` is a valid
    expression.

    ## Example
    ```python
    result = eval(request.args["expr"])
    ```

    ## Fix
    Parse the data instead: `ast.literal_eval` for Python literals, `json.loads` for JSON, a small
    parser or a lookup table for expressions; map allowed names to modules explicitly.
    """

    code = "CWR104"
    name = "code-injection"
    cwe = 94
    security_severity = 9.8
    kind = "code"
    needles = ("eval", "exec", "compile", "import_module", "__import__")
    template = "{source} is executed as Python code by {sink}"
    VALID = (
        Valid(
            _FLASK + "import ast\n\n@app.route('/calc')\ndef calc():\n"
            "    return str(ast.literal_eval(request.args['expr']))\n"
        ),
        Valid("def run(expr):\n    return eval(expr, {'__builtins__': {}})\n"),
    )
    INVALID = (
        Invalid(
            _FLASK + "@app.route('/calc')\ndef calc():\n    expr = request.args['expr']\n    return str(eval(expr))\n",
            7,
            16,
        ),
        Invalid("import importlib\nplugin = importlib.import_module(input())\n", 2, 10),
    )


class UnsafeDeserialization(CallRule):
    """
    ## What it does
    Finds deserializers that can run code while loading: `pickle`, `marshal`, `shelve`, `dill`,
    `jsonpickle`, `pandas.read_pickle`, `numpy.load(allow_pickle=True)`, `torch.load` without
    `weights_only=True` and `yaml.unsafe_load`.

    ## Why is this bad?
    A pickle is a program: loading one from a request, a queue, a cache or an S3 object that someone else
    can write gives that person code execution.

    ## Example
    ```python
    session = pickle.loads(base64.b64decode(request.cookies["session"]))
    ```

    ## Fix
    Use a data-only format (JSON, `yaml.safe_load`, protobuf); if objects must be exchanged, sign them
    (`hmac`) and verify the signature before loading.
    """

    code = "CWR105"
    name = "unsafe-deserialization"
    cwe = 502
    security_severity = 8.8
    category = "security"
    severity = Severity.ERROR
    needles = ("pickle", "Pickle", "marshal", "shelve", "dill", "jsonpickle", "unsafe_load", "allow_pickle", "torch")
    targets = frozenset(
        [
            "pickle.load",
            "pickle.loads",
            "pickle.Unpickler",
            "cPickle.load",
            "cPickle.loads",
            "_pickle.loads",
            "_pickle.load",
            "marshal.load",
            "marshal.loads",
            "shelve.open",
            "dill.load",
            "dill.loads",
            "jsonpickle.decode",
            "jsonpickle.loads",
            "pandas.read_pickle",
            "numpy.load",
            "torch.load",
            "yaml.unsafe_load",
            "yaml.unsafe_load_all",
        ]
    )

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        if name == "numpy.load":
            allow = kwarg(node, "allow_pickle")
            if allow is None or not is_const(allow.value, True):
                return
        if name == "torch.load":
            weights = kwarg(node, "weights_only")
            if weights is not None and is_const(weights.value, True):
                return
        data = argument(node, 0, "")
        found = ctx.taint(data, "deserialization") if data is not None else None
        if found is not None:
            ctx.report(node, f"{found.source} is deserialized by {name}(), which can run code", taint=found)
        elif data is not None and name.endswith(("loads", ".decode")) and _own_data(ctx, data):
            return  # the bytes themselves are a constant, or what this code serialised itself
        elif data is not None and _own_buffer(ctx, data, self.targets):
            return  # an in-memory buffer this code made and filled only with its own serialiser's output
        else:
            # Without a flow of outside data this is a shape, not a proven problem: info (see docs/reviewer.md).
            ctx.report(
                node, f"{name}() can run code from the data it loads; make sure no one else can write it",
                severity=Severity.INFO,
            )  # fmt: skip

    VALID = (
        Valid("import json\n\ndef load(blob):\n    return json.loads(blob)\n"),
        Valid("import numpy as np\narr = np.load('weights.npy')\n"),
        Valid("import torch\nstate = torch.load('model.pt', weights_only=True)\n"),
        Valid(
            "import io\nimport pickle\n\ndef clone(obj):\n    buf = io.BytesIO()\n    pickle.dump(obj, buf)\n"
            "    buf.seek(0)\n    return pickle.load(buf)\n"
        ),
    )
    INVALID = (
        Invalid(
            "import base64, pickle\n\ndef view(request):\n"
            "    return pickle.loads(base64.b64decode(request.COOKIES['s']))\n",
            4,
            12,
            message="request.COOKIES",
        ),
        Invalid("import cPickle as pk\n\ndef load(f):\n    return pk.load(f)\n", 4, 12),
        Invalid("import shelve\ndb = shelve.open('cache')\n", 2, 6),
    )


_DUMPERS = frozenset({"pickle.dumps()", "_pickle.dumps()", "dill.dumps()", "marshal.dumps()", "yaml.dump()",
                      "yaml.safe_dump()", "jsonpickle.encode()", "jsonpickle.dumps()"})  # fmt: skip


def _own_data(ctx: Context, data: cst.BaseExpression) -> bool:
    """A literal (folded where it is computed), or the output of the same library's serialiser: loading it
    can only construct what this code put in."""
    value = ctx.value(data)
    return value.known or value.type in _DUMPERS


_BUFFERS = frozenset({"io.BytesIO()", "io.StringIO()"})
_BUFFER_METHODS = frozenset({"seek", "tell", "getvalue", "getbuffer", "truncate", "close", "flush"})
_FILE_DUMPERS = frozenset({"pickle.dump", "cPickle.dump", "_pickle.dump", "dill.dump", "marshal.dump"})


def _own_buffer(ctx: Context, data: cst.BaseExpression, loaders: frozenset[str]) -> bool:
    """`buf = io.BytesIO(); pickle.dump(obj, buf); buf.seek(0); pickle.load(buf)`: an in-memory buffer made
    empty (or from literals) in this scope whose every other use is a serialiser writing into it, a loader reading
    it or a method that moves in it. Loading it can only construct what this process serialised itself; a
    buffer written any other way (`buf.write(body)`), passed elsewhere or bound to anything else is not it."""
    if not isinstance(data, cst.Name) or ctx.qualname(data) not in _BUFFERS:
        return False
    from codeward.reviewer.dataflow.nodes import binding_children

    name = data.value
    function = ctx.function
    # A function's own buffer, or else the module's (whose every function could write into it).
    scope: cst.CSTNode = function if function is not None and name in ctx.scope.assigned else ctx.module
    stack: list[tuple[cst.CSTNode, cst.CSTNode | None, cst.CSTNode | None]] = [(scope, None, None)]
    while stack:
        node, parent, grand = stack.pop()
        if type(node) is cst.Name and node.value == name:  # type: ignore[attr-defined]
            if not _buffer_use(ctx, node, parent, grand, loaders):
                return False
            continue
        stack.extend((child, node, parent) for child in binding_children(node))
    return True


def _buffer_use(
    ctx: Context, node: cst.CSTNode, parent: cst.CSTNode | None, grand: cst.CSTNode | None, loaders: frozenset[str]
) -> bool:
    """One occurrence of the buffer's name (see _own_buffer): whether it is one of the uses that keep it own."""
    if type(parent) is cst.AssignTarget and type(grand) is cst.Assign:
        made = grand.value  # type: ignore[attr-defined]
    elif type(parent) is cst.AsName and type(grand) is cst.WithItem:
        made = grand.item  # type: ignore[attr-defined]
    elif type(parent) is cst.Attribute and type(grand) is cst.Call and grand.func is parent:  # type: ignore[attr-defined]
        return parent.value is node and parent.attr.value in _BUFFER_METHODS  # type: ignore[attr-defined]
    elif type(parent) is cst.Arg and type(grand) is cst.Call:
        called = ctx.qualname(grand.func) or ""  # type: ignore[attr-defined]
        if called in loaders:
            return True
        position = grand.args.index(parent)  # type: ignore[attr-defined]
        return called in _FILE_DUMPERS and (position == 1 if parent.keyword is None else parent.keyword.value == "file")  # type: ignore[attr-defined]
    else:
        return False
    return (
        isinstance(made, cst.Call)
        and ctx.qualname(made) in _BUFFERS
        and all(isinstance(a.value, cst.SimpleString | cst.Integer) and a.keyword is None for a in made.args)
    )


def _sole_alias(ctx: Context, name: str) -> cst.BaseExpression | None:
    """What every assignment to local `name` in the current function gives it, when that is one and the same
    class or module attribute (`loader = SafeLoaderWrapper`); None otherwise."""
    function = ctx.function
    if function is None:
        return None
    values: list[cst.BaseExpression] = []

    class Assignments(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Assign(self, node: cst.Assign) -> None:
            if any(isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets):
                values.append(node.value)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if isinstance(node.target, cst.Name) and node.target.value == name:
                values.append(node.value)

    function.visit(Assignments())
    if not values or not all(isinstance(v, cst.Name | cst.Attribute) for v in values):
        return None
    if len({ctx.code(v) for v in values}) != 1 or ctx.code(values[0]) == name:
        return None
    return values[0]


class YamlLoad(CallRule):
    """
    ## What it does
    Finds `yaml.load` and `yaml.load_all` without a safe loader (`SafeLoader`, `CSafeLoader`,
    `BaseLoader`), and `yaml.full_load`. A loader codeward cannot trace to PyYAML's (imported from elsewhere, a
    variable) is reported at `info` and only when the rule is asked for by name (judged on real code 0 true,
    1 false: stacker's loader subclasses the `SafeLoader` its caller passes). `FullLoader` (`yaml.full_load`)
    is an error only when the document comes from outside (a request, an upload); otherwise `info` (judged on
    real code: 2 true for packages users upload, 3 not worth a comment for an operator's own templates).

    ## Why is this bad?
    PyYAML's unsafe loaders construct arbitrary Python objects from tags such as
    `!!python/object/apply:os.system`, so loading a document someone else wrote can run code. `FullLoader` no
    longer runs those since PyYAML 5.4 (CVE-2020-14343), but still builds instances of any class already
    imported (`!!python/object:`), with the state the document gives them.

    ## Example
    ```python
    config = yaml.load(stream)
    ```

    ## Fix
    `yaml.safe_load(stream)` (codeward applies it with `--fix`), or `yaml.load(stream, Loader=yaml.SafeLoader)`.
    """

    code = "CWR106"
    name = "yaml-unsafe-load"
    cwe = 502
    security_severity = 8.1
    category = "security"
    severity = Severity.ERROR
    needles = ("yaml",)
    targets = frozenset({"yaml.load", "yaml.load_all", "yaml.full_load", "yaml.full_load_all"})
    _SAFE = ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")

    # PyYAML's loaders that construct Python objects (`FullLoader` builds many of them, e.g. via `!!python/name`).
    _UNSAFE = ("Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader")

    def _pyyaml_loader(self, ctx: Context, loader: cst.BaseExpression) -> str | None:
        """The PyYAML loader class `loader` is built on, None when it cannot be told."""
        seen: set[str] = set()
        while True:
            name = ctx.code(loader).rsplit(".", 1)[-1]
            if name in self._SAFE or name in self._UNSAFE:
                return name
            if name in seen:  # a cycle of bases: nothing to go by
                return None
            seen.add(name)
            # A loader class this module defines (`class CfnLoader(yaml.SafeLoader)`): judged by its first
            # base, which is where PyYAML's constructor comes from.
            defined = next((s for s in ctx.module.body if isinstance(s, cst.ClassDef) and s.name.value == name), None)
            if defined is None and isinstance(loader, cst.Name):
                # `loader = SafeLoaderWrapper` earlier in the function: judged by the class it names.
                alias = _sole_alias(ctx, loader.value)
                if alias is not None:
                    loader = alias
                    continue
            if defined is None or not defined.bases:
                return None
            loader = defined.bases[0].value

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        loader = kwarg(node, "Loader") or positional(node, 1)
        base = None if loader is None else self._pyyaml_loader(ctx, loader.value)
        safety = None if base is None else base in self._SAFE
        if safety:
            return
        data = argument(node, 0, "stream")
        if data is not None and _own_data(ctx, data):
            return  # a constant document, or one this code dumped itself
        full = name.rsplit(".", 1)[-1].startswith("full_load") or (base or "").endswith("FullLoader")
        safe = "safe_load_all" if name.endswith("_all") else "safe_load"
        fix = None
        if (loader is None or kwarg(node, "Loader") is loader) and isinstance(node.func, cst.Attribute | cst.Name):
            target = node.func.attr if isinstance(node.func, cst.Attribute) else node.func
            edits: list[tuple[cst.CSTNode, str]] = []
            if isinstance(node.func, cst.Attribute):
                edits.append((target, safe))
                if loader is not None:
                    # Drop ", Loader=..." together with the comma before it.
                    edits.append((loader, ""))
                if loader is None or node.args[-1] is not loader or len(node.args) == 1:
                    fix = (f"use yaml.{safe}", tuple(edits))
                if loader is not None:
                    fix = None
        if loader is not None and safety is None:
            # A loader codeward cannot trace to PyYAML's (imported from elsewhere, or a variable): too weak for an
            # error on a pull request.
            ctx.report(
                node,
                f"{name}() with loader `{ctx.code(loader.value)}`: check that it is built on yaml.SafeLoader, "
                "otherwise it can construct arbitrary Python objects",
                severity=Severity.INFO,
                opt_in=True,  # judged on real code: 0 true, 1 false (stacker's loader subclasses SafeLoader's)
            )
            return
        if full:
            # Since PyYAML 5.4 (CVE-2020-14343) FullLoader no longer runs `python/object/apply` tags; it still
            # builds instances of classes already imported (`!!python/object:`). An error only for a document
            # from outside (judged on real code: 2 true for uploaded packages, 3 not worth a comment for the
            # operator's own templates and the solution's own files).
            found = ctx.taint(data, "deserialization") if data is not None else None
            what = f"{found.source} is loaded by {name}(), which" if found else f"{name}() uses FullLoader, which"
            ctx.report(
                node,
                f"{what} builds instances of any class already imported from `!!python/object` tags: "
                f"yaml.{safe}() builds plain data only",
                fix=fix,
                taint=found,
                severity=None if found else Severity.INFO,
            )
            return
        ctx.report(node, f"{name}() without a safe loader can construct arbitrary Python objects", fix=fix)

    VALID = (
        Valid("import yaml\ncfg = yaml.safe_load(open('c.yml'))\n"),
        Valid("import yaml\ncfg = yaml.load(stream, Loader=yaml.SafeLoader)\n"),
        Valid("from yaml import load, CSafeLoader\ncfg = load(stream, CSafeLoader)\n"),
        # A safe loader class of this module, through a local variable.
        Valid(
            "import yaml\n\nclass Wrapper(yaml.SafeLoader):\n    pass\n\ndef parse(s):\n    loader = Wrapper\n"
            "    loader.add_constructor('!x', None)\n    return yaml.load(s, loader)\n"
        ),
        Valid(
            "import yaml\n\nclass Base(yaml.SafeLoader):\n    pass\n\nclass CfnLoader(Base):\n    pass\n\n"
            "def read(s):\n    return yaml.load(s, Loader=CfnLoader)\n"
        ),
    )
    INVALID = (
        Invalid(
            "import yaml\n\ndef read(stream):\n    return yaml.load(stream)\n",
            4,
            12,
            fixed="import yaml\n\ndef read(stream):\n    return yaml.safe_load(stream)\n",
        ),
        Invalid("import yaml as y\ndocs = list(y.load_all(s, Loader=y.Loader))\n", 2, 13),
        Invalid(
            "import yaml\ncfg = yaml.full_load(s)\n",
            2,
            7,
            fixed="import yaml\ncfg = yaml.safe_load(s)\n",
            message="yaml.full_load() uses FullLoader",
        ),
        Invalid(
            "import yaml\nfrom flask import request\n\ndef upload():\n    return yaml.full_load(request.files['f'])\n",
            5,
            12,
            message="request.files is loaded by yaml.full_load()",
        ),
        Invalid(
            "import yaml\n\nclass TagLoader(yaml.UnsafeLoader):\n    pass\n\n"
            "def read(s):\n    return yaml.load(s, Loader=TagLoader)\n",
            7,
            12,
        ),
        Invalid(
            "import yaml\nfrom .loaders import TagLoader\n\ndef read(s):\n    return yaml.load(s, Loader=TagLoader)\n",
            5,
            12,
            message="with loader `TagLoader`: check that it is built on yaml.SafeLoader",
        ),
    )


class PathTraversal(TaintSink):
    """
    ## What it does
    Finds untrusted data used as a file path: `open`, `os.remove`, `shutil`, `pathlib.Path` methods,
    Flask's `send_file`, an upload's `save()`.

    ## Why is this bad?
    `../../etc/passwd` or an absolute path escapes the intended directory: the caller reads, overwrites or
    deletes files the application can reach.

    ## Example
    ```python
    return open(os.path.join(UPLOADS, request.args["name"])).read()
    ```

    ## Fix
    Keep only the name (`werkzeug.utils.secure_filename` or `os.path.basename`), or resolve the path and
    check that it stays inside the base directory (`os.path.realpath(p).startswith(BASE + os.sep)`,
    `Path.is_relative_to`); Flask's `send_from_directory` does this for you. A check of the project's own
    whose name says it validates a name, path or key (`validate_filename(name)` called for its exception, or
    `if is_valid_path(p):`) counts as such a check for the value it is given.
    """

    code = "CWR107"
    name = "path-traversal"
    cwe = 22
    security_severity = 7.5
    kind = "path"
    trusts = frozenset({"untrusted", "external"})
    category = "input-validation"
    template = "{source} chooses the file path used by {sink}; `../` can reach any file"

    VALID = (
        # `save()` of a store the resource was given, not of the upload: the stream is the file's content and
        # the name comes from a fixed table (falcon's tutorial, judged false on real code).
        Valid(
            "import mimetypes\nimport uuid\n\nclass Images:\n    def __init__(self, store):\n        self._store = store\n\n"
            "    def on_post(self, req, resp):\n        resp.location = self._store.save(req.stream, req.content_type)\n\n"
            "class Store:\n    def save(self, stream, content_type):\n"
            "        name = f'{uuid.uuid4()}{mimetypes.guess_extension(content_type)}'\n"
            "        with open('/srv/images/' + name, 'wb') as out:\n            out.write(stream.read())\n"
            "        return name\n"
        ),
        Valid(
            _FLASK + "import os\nfrom werkzeug.utils import secure_filename\n\n@app.route('/up', methods=['POST'])\n"
            "def upload():\n    f = request.files['file']\n"
            "    f.save(os.path.join('/srv/uploads', secure_filename(f.filename)))\n"
        ),
        Valid(
            _FLASK + "from flask import send_from_directory\n\n@app.route('/d/<name>')\ndef download(name):\n"
            "    return send_from_directory('/srv/files', name)\n"
        ),
        Valid(
            _FLASK + "import os\nBASE = '/srv/files'\n\n@app.route('/r')\ndef read():\n"
            "    path = os.path.realpath(os.path.join(BASE, request.args['p']))\n"
            "    if not path.startswith(BASE + os.sep):\n        return 'no', 403\n"
            "    with open(path) as fh:\n        return fh.read()\n"
        ),
    )
    INVALID = (
        Invalid(
            _FLASK + "import os\n\n@app.route('/r')\ndef read():\n    name = request.args['name']\n"
            "    with open(os.path.join('/srv/files', name)) as fh:\n        return fh.read()\n",
            9,
            10,
        ),
        Invalid(
            "from pathlib import Path\n\ndef handler(event, context):\n"
            "    return Path('/tmp', event['key']).read_text()\n",
            4,
            12,
        ),
        Invalid(
            _FLASK + "@app.route('/up', methods=['POST'])\ndef upload():\n    f = request.files['file']\n"
            "    f.save('/srv/uploads/' + f.filename)\n",
            7,
            5,
        ),
    )


# Calls that write a file or make one at a path (`open` only with a mode that writes).
_WRITING = frozenset(
    {"os.makedirs", "os.mkdir", "os.rename", "os.replace", "os.symlink", "os.link", "shutil.copy", "shutil.copy2",
     "shutil.copyfile", "shutil.copytree", "shutil.move", "os.open"}
)  # fmt: skip
_OPENING = frozenset({"open", "builtins.open", "io.open", "codecs.open", "aiofiles.open"})
_WRITING_METHODS = frozenset({"write_text", "write_bytes", "mkdir", "touch", "symlink_to", "hardlink_to"})


def _writes_a_file(ctx: Context, node: cst.Call) -> bool:
    name = ctx.call_name(node)
    if name in _WRITING:
        return name != "os.open" or "O_WRONLY" in ctx.code(node, 300) or "O_CREAT" in ctx.code(node, 300)
    if name in _OPENING or method_name(node) == "open":
        mode = kwarg(node, "mode") or positional(node, 0 if name not in _OPENING else 1)
        text = literal_str(mode.value) if mode is not None else None
        return text is not None and any(c in text for c in "wax+")
    return method_name(node) in _WRITING_METHODS and isinstance(node.func, cst.Attribute)


# A call named like one of these, given the archive before it is extracted, checks its members (real code
# validates member paths itself where `filter=` is not available: Python before 3.12).
_CHECKS_ARCHIVE = re.compile(r"(?i)valid|check|safe|verify|sanitiz|filter|secure")


_RESOLVING = frozenset({"realpath", "abspath", "resolve", "normpath"})
_CONTAINING = frozenset({"startswith", "is_relative_to", "commonpath", "relative_to"})


def _containment_checked_before(ctx: Context, call: cst.Call) -> bool:
    """Whether, earlier in the function, a path was resolved (`realpath`, `abspath`, `Path.resolve`) and
    compared with a base (`startswith`, `is_relative_to`, `commonpath`): the extraction's own containment check.
    The data flow follows such a check to the values it was made on; this covers the check made on a path joined
    from other names than the one written to (`realpath(join(path, name))` checked, `join(path, name)` opened)."""
    if ctx.function is None:
        return False
    resolved = False
    for item in _calls_before(ctx.function, call):
        func = item.func
        last = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        resolved = resolved or last in _RESOLVING
        if resolved and last in _CONTAINING:
            return True
    return False


def _calls_before(scope: cst.CSTNode, call: cst.Call) -> Iterator[cst.Call]:
    """The calls in `scope` before `call`, in source order (a pre-order walk, which stops at `call` itself)."""
    from codeward.reviewer.dataflow.nodes import children

    stack: list[cst.CSTNode] = [scope]
    while stack:
        item = stack.pop()
        if item is call:
            return
        if isinstance(item, cst.Call):
            yield item
        stack.extend(reversed(children(item)))


def _archive_checked_before(ctx: Context, call: cst.Call, archive: cst.BaseExpression) -> bool:
    """Whether, earlier in the same function, the archive was handed to a checking call
    (`self._validate_safe_extract(tar, dest)`, `check_members(tar)`)."""
    wanted = ctx.code(archive, 200)
    for item in _calls_before(ctx.function or ctx.module, call):
        if any(ctx.code(a.value, 200) == wanted for a in item.args) and _CHECKS_ARCHIVE.search(
            ctx.code(item.func, 200).rsplit(".", 1)[-1]
        ):
            return True
    return False


class ArchiveExtraction(CallRule):
    """
    ## What it does
    Finds `tarfile` archives extracted with `extractall()`/`extract()` without a `filter=` (Python 3.12+,
    backported to 3.8.17+) or an explicit `members` selection (by keyword or as `extractall`'s second
    argument). An archive handed earlier in the same function to a call named for checking it
    (`_validate_safe_extract(tar, dest)`, `check_members(tar)`) is taken as checked: real code validates member
    paths itself where `filter=` is not available.

    Also finds hand-written extraction: a member's name (`ZipFile.namelist()`, `infolist()`'s `filename`,
    `TarFile.getmembers()`'s `name`) joined to a folder and used as the path of a file written or a folder made
    (`open(path, "wb")`, `write_bytes`, `os.makedirs`, `shutil.copy`), unless the joined path is resolved and
    compared with the folder first (`realpath`/`abspath`/`resolve` with `startswith`, `commonpath` or
    `is_relative_to`), the name is rejected for `..` and for being absolute, or only its `basename` is used.

    ## Why is this bad?
    Member names such as `../../home/app/.bashrc`, absolute paths and links make extraction write
    outside the target directory ("zip slip").

    ## Example
    ```python
    with tarfile.open(upload) as tar:
        tar.extractall("/srv/data")
    ```

    `filter="fully_trusted"` (every member's metadata honoured) and `members=tar.getmembers()` (every member)
    are reported like no filter.

    A hand-written loop does the same:

    ```python
    for name in z.namelist():
        with open(os.path.join(dest, name), "wb") as out:
            out.write(z.read(name))
    ```

    ## Fix
    `tar.extractall(dest, filter="data")`, `zipfile`'s own `extract()`/`extractall()` (which drop `..` and
    leading slashes), or check every member's resolved path before writing it:
    `os.path.realpath(target).startswith(os.path.realpath(dest) + os.sep)`.
    """

    code = "CWR108"
    name = "archive-path-traversal"
    cwe = 22
    security_severity = 7.5
    category = "input-validation"
    severity = Severity.ERROR
    needles = ("tarfile", "zipfile", "ZipFile")

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if _writes_a_file(ctx, node):
            self._member_written(ctx, node)
        method = method_name(node)
        if method not in ("extractall", "extract") or not isinstance(node.func, cst.Attribute):
            return
        origin = ctx.origin(node.func.value)
        if origin is None or not origin[0].startswith("tarfile."):
            return
        archive = ctx.code(node.func.value, 200)
        chosen = kwarg(node, "filter")
        if chosen is not None:
            text = ctx.code(chosen.value, 200).strip("'\"")
            if text.rsplit(".", 1)[-1] not in ("fully_trusted", "fully_trusted_filter"):
                return
            # The filter that honours every member's metadata: as unsafe as none (the docs' words).
            ctx.report(
                node,
                f"tarfile {method}() with filter='fully_trusted' lets member names write outside the target directory",
            )
            return
        members = kwarg(node, "members")
        if members is None and method == "extractall":
            members = positional(node, 1)  # extractall(path, members)
        if members is not None and ctx.code(members.value, 200) not in (archive, f"{archive}.getmembers()"):
            return  # a selection (every member of the archive itself selects nothing)
        if _archive_checked_before(ctx, node, node.func.value):
            return
        ctx.report(node, f"tarfile {method}() without filter= lets member names write outside the target directory")

    def _member_written(self, ctx: Context, node: cst.Call) -> None:
        """A hand-written extraction: a member's name (`namelist()`, `infolist()`'s `filename`, `getmembers()`'s
        `name`) in the path of a file written or a folder made, with no check on the way that keeps it inside
        (the joined path resolved and compared with the folder, the name rejected for `..` and for being
        absolute, `basename`): the data flow's archive sources (`dataflow.models.files.ARCHIVES`)."""
        for taint, hit in ctx.sink_hits(node, "path"):
            if taint.trust != "archive" or hit.wrapper is not None:
                continue
            if _containment_checked_before(ctx, node):
                return
            ctx.report(
                node,
                f"{taint.source} gives a member name that reaches {hit.label()}: a name such as `../x` or `/x` "
                "writes outside the target folder",
                taint=taint,
            )
            return

    VALID = (
        Valid("import tarfile\nwith tarfile.open('a.tgz') as tar:\n    tar.extractall('/srv/data', filter='data')\n"),
        Valid(
            "import tarfile\nwith tarfile.open('a.tgz') as tar:\n    tar.extractall('/srv/data', safe_members(tar))\n"
        ),
        Valid(
            "import tarfile\n\ndef unpack(self, p, dest):\n    with tarfile.open(p) as tar:\n"
            "        self._validate_safe_extract(tar, dest)\n        tar.extractall(dest)\n"
        ),
        Valid("import zipfile\nwith zipfile.ZipFile('a.zip') as z:\n    z.extractall('/srv/data')\n"),
        Valid(
            "import os, zipfile\n\ndef unzip(p, dest):\n    base = os.path.realpath(dest)\n"
            "    with zipfile.ZipFile(p) as z:\n        for name in z.namelist():\n"
            "            target = os.path.realpath(os.path.join(base, name))\n"
            "            if not target.startswith(base + os.sep):\n                raise ValueError(name)\n"
            "            with open(target, 'wb') as out:\n                out.write(z.read(name))\n"
        ),
    )
    INVALID = (
        Invalid("import tarfile\nwith tarfile.open('a.tgz') as tar:\n    tar.extractall('/srv/data')\n", 3, 5),
        Invalid("import tarfile\n\ndef unpack(p):\n    t = tarfile.open(p)\n    t.extractall()\n    t.close()\n", 5, 5),
        # The check comes after the extraction, or is given something else than the archive.
        Invalid(
            "import tarfile\n\ndef unpack(p, dest):\n    t = tarfile.open(p)\n    t.extractall(dest)\n"
            "    validate(t)\n",
            5,
            5,
        ),
        Invalid(
            "import tarfile\n\ndef unpack(p, dest):\n    check_path(dest)\n    t = tarfile.open(p)\n    t.extractall(dest)\n",
            6,
            5,
        ),
        # The filter that trusts every member, and a "selection" of every member.
        Invalid(
            "import tarfile\nwith tarfile.open('a.tgz') as tar:\n    tar.extractall('/srv', filter='fully_trusted')\n",
            3,
            5,
        ),
        Invalid(
            "import tarfile\nwith tarfile.open('a.tgz') as tar:\n    tar.extractall('/srv', tar.getmembers())\n", 3, 5
        ),
        # A member's name joined to the folder and written to.
        Invalid(
            "import os, zipfile\n\ndef unzip(p, dest):\n    with zipfile.ZipFile(p) as z:\n"
            "        for name in z.namelist():\n            with open(os.path.join(dest, name), 'wb') as out:\n"
            "                out.write(z.read(name))\n",
            6,
            18,
        ),
    )


class Ssrf(TaintSink):
    """
    ## What it does
    Finds untrusted data choosing the scheme or host of an outgoing request (`requests`, `httpx`,
    `urllib`, `urllib3`, `aiohttp`). A literal `https://host/` prefix keeps the host fixed and is not
    reported.

    ## Why is this bad?
    Server-side request forgery: the server fetches what the caller names, such as
    `http://169.254.169.254/latest/meta-data/iam/security-credentials/` (the instance's AWS credentials)
    or internal services behind the firewall.

    ## Example
    ```python
    return requests.get(request.args["url"], timeout=5).text
    ```

    ## Fix
    Build the URL from a fixed base and only let the data choose a path or parameter; if callers must name
    hosts, check the parsed host against an allow-list and block private and link-local addresses.
    """

    code = "CWR109"
    name = "server-side-request-forgery"
    cwe = 918
    security_severity = 8.6
    kind = "ssrf"
    trusts = frozenset({"untrusted", "external"})
    needles = ("requests", "httpx", "urlopen", "urllib", "aiohttp", "Request(")
    template = "{source} chooses the URL that {sink} fetches from the server"

    VALID = (
        Valid(
            _FLASK + "import requests\n\n@app.route('/u')\ndef user():\n    uid = request.args['id']\n"
            "    return requests.get(f'https://api.example.com/users/{uid}', timeout=5).text\n"
        ),
        Valid(
            _FLASK + "import requests\nfrom urllib.parse import urlparse\nHOSTS = {'api.example.com'}\n\n"
            "@app.route('/f')\ndef fetch():\n    url = request.args['url']\n"
            "    if urlparse(url).hostname not in HOSTS:\n        return 'no', 400\n"
            "    return requests.get(url, timeout=5).text\n"
        ),
        # The role comes from the request; the endpoint from the session's own Region.
        Valid(
            _FLASK + "import boto3, requests\n\n@app.route('/s')\ndef status():\n"
            "    c = boto3.client('sts').assume_role(RoleArn=request.args['role'], RoleSessionName='s')['Credentials']\n"
            "    session = boto3.Session(aws_access_key_id=c['AccessKeyId'], aws_session_token=c['SessionToken'])\n"
            "    return requests.post(f'https://ssm.{session.region_name}.amazonaws.com/', timeout=5).text\n"
        ),
    )
    INVALID = (
        Invalid(
            _FLASK + "import requests\n\n@app.route('/f')\ndef fetch():\n"
            "    return requests.get(request.args['url'], timeout=5).text\n",
            8,
            12,
        ),
        # An event of unknown shape (a Step Functions state, a direct invocation) is another system's data: info.
        Invalid(
            "from urllib.request import urlopen\n\ndef handler(event, context):\n"
            "    with urlopen(event['callback'], timeout=5) as r:\n        return r.read()\n",
            4,
            10,
            message="another system's data",
        ),
        # What an HTTP client sent through API Gateway is untrusted: the rule's own severity.
        Invalid(
            "import requests\n\ndef handler(event, context):\n"
            "    url = event['queryStringParameters']['url']\n    return requests.get(url, timeout=5).text\n",
            5,
            12,
            message="the Lambda event's queryStringParameters chooses the URL",
        ),
        Invalid(
            "import requests\n\ndef proxy(request):\n    s = requests.Session()\n"
            "    return s.post('http://' + request.GET['host'] + '/hook', timeout=5)\n",
            5,
            12,
        ),
    )


class CrossSiteScripting(TaintSink):
    """
    ## What it does
    Finds untrusted data put into HTML without escaping: an HTTP response body (`HttpResponse`,
    `make_response`, `Response`, a string returned by a Flask route), `Markup` or `mark_safe`.

    ## Why is this bad?
    `<script>` in the data runs in every visitor's browser with the site's cookies and permissions.

    ## Example
    ```python
    return HttpResponse(f"<p>Hello {request.GET['name']}</p>")
    ```

    ## Fix
    Render through a template with autoescaping (`render`, `render_template`), or escape each value with
    `html.escape` / `markupsafe.escape`.
    """

    code = "CWR110"
    name = "cross-site-scripting"
    cwe = 79
    security_severity = 6.1
    kind = "xss"
    trusts = frozenset({"untrusted"})
    template = "{source} is written into HTML by {sink} without escaping"

    def visit_Return(self, ctx: Context, node: cst.Return) -> None:
        """A Flask or Bottle route's string return value is the HTML body (a dict or list becomes JSON; in a
        `(body, status, headers)` tuple only the body is HTML)."""
        function = ctx.function
        if node.value is None or function is None or not ctx.flows.returns_html(function):
            return
        value = node.value
        if isinstance(value, cst.Tuple) and value.elements:
            value = value.elements[0].value
        if ctx.value(value).type != "str":
            return  # a collection (JSON), an object such as a response (its own sink), or not known to be text
        found = ctx.taint(value, self.kind)
        if found is not None and found.trust in self.trusts:
            ctx.report(node, f"{found.source} is returned as HTML by a route without escaping", taint=found)

    VALID = (
        Valid(
            _FLASK + "from markupsafe import escape\n\n@app.route('/hi')\ndef hi():\n"
            "    return f\"<p>Hello {escape(request.args['name'])}</p>\"\n"
        ),
        Valid(
            "from django.shortcuts import render\n\ndef hi(request):\n"
            "    return render(request, 'hi.html', {'name': request.GET['name']})\n"
        ),
        Valid(_FLASK + "@app.route('/n')\ndef n():\n    return {'name': request.args['name']}\n"),
    )
    INVALID = (
        Invalid(
            "from django.http import HttpResponse\n\ndef hi(request):\n"
            "    return HttpResponse(f\"<p>Hello {request.GET['name']}</p>\")\n",
            4,
            12,
        ),
        Invalid(_FLASK + "@app.route('/hi')\ndef hi():\n    return '<h1>' + request.args['name'] + '</h1>'\n", 6, 5),
    )


class HtmlMarkedSafeFromVariable(CallRule):
    """
    ## What it does
    Finds HTML marked safe (`mark_safe`, `SafeString`, `markupsafe.Markup`) or used as `format_html`'s
    template, built by string formatting (f-strings, `%`, `+`, `.format`) from a parameter of the function
    that is not escaped (the parameter, an attribute or item of it, a loop variable over it, or such a value
    through `str()` or a string method), where codeward cannot see where the value comes from (a template tag
    or filter, a widget's `render`, an admin column, a helper). Untrusted data reaching it is reported by CWR110
    instead. The text may be assembled in a variable of the function first (`html += "<li>%s</li>" % name`).
    Markup that another call returns (a widget's own `render`, `render_to_string`, `format_html_join`) and
    numbers (`%d`) are not counted.

    ## Why is this bad?
    Marking text safe turns autoescaping off for it: a value with `<script>` in it runs in the browser of
    whoever sees the page. Whether that can happen depends on every caller; escaping each value makes the
    markup safe whatever they pass. Nothing here shows the value comes from outside, so the finding is
    `info`.

    ## Example
    ```python
    @register.simple_tag
    def user_link(user):
        return mark_safe('<a href="/u/%s">%s</a>' % (user.pk, user.name))
    ```

    ## Fix
    Let `format_html` escape the values: `format_html('<a href="/u/{}">{}</a>', user.pk, user.name)`, or
    escape each one (`django.utils.html.escape`, `markupsafe.escape`); `Markup("<b>%s</b>") % name` escapes
    too.
    """

    code = "CWR124"
    name = "html-marked-safe-from-variable"
    cwe = 79
    security_severity = 5.4
    category = "security"
    severity = Severity.INFO
    needles = ("mark_safe", "Markup", "SafeString", "SafeText", "format_html")
    targets = frozenset({"django.utils.safestring.mark_safe", "django.utils.html.mark_safe",
                         "django.utils.safestring.SafeString", "django.utils.safestring.SafeText",
                         "django.utils.html.format_html", "markupsafe.Markup", "jinja2.Markup", "flask.Markup",
                         "jinja2.utils.Markup"})  # fmt: skip

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        text = argument(node, 0, "format_string" if name.endswith("format_html") else "s")
        function = ctx.function
        if text is None or function is None or ctx.sink_hits(node, "xss"):
            return  # nothing given, module level, or untrusted data: CWR110's
        if name.endswith("format_html") and isinstance(text, cst.SimpleString | cst.ConcatenatedString):
            return  # a constant template: format_html escapes its arguments
        raw = _RawHtml(function, _rebound(ctx, function))
        part = raw.part(text)
        if part is None or not raw.markup:
            return  # no parameter's own text in it, or no markup in sight (`"%s%s" % (a, b)`)
        ctx.report(
            node,
            f"{ctx.code(node.func, 40)}() marks HTML built from `{ctx.code(part, 40)}` as safe without escaping "
            "it; a caller passing text with markup in it injects that markup into the page",
        )

    VALID = (
        Valid(
            "from django.utils.html import format_html\n\ndef link(user):\n"
            "    return format_html('<a href=\"/u/{}\">{}</a>', user.pk, user.name)\n"
        ),
        Valid(
            "from django.utils.html import escape\nfrom django.utils.safestring import mark_safe\n\n"
            "def bold(name):\n    return mark_safe('<b>%s</b>' % escape(name))\n"
        ),
        Valid("from markupsafe import Markup\n\ndef bold(name):\n    return Markup('<b>%s</b>') % name\n"),
        # Values already made safe and joined, or text built only from constants.
        Valid(
            "from django.utils.html import conditional_escape\nfrom django.utils.safestring import mark_safe\n\n"
            "def items(names):\n"
            "    return mark_safe('<br>'.join(conditional_escape(n) for n in names))\n"
        ),
        Valid(
            "from django.utils.safestring import mark_safe\n\ndef icon(ok):\n"
            "    html = '<span class=\"%s\">' % ('yes' if ok else 'no')\n    return mark_safe(html)\n"
        ),
        # Markup a call made (a widget's own render, a template, format_html_join), numbers, a value escaped first.
        Valid(
            "from django.template.loader import render_to_string\nfrom django.utils.html import format_html_join\n"
            "from django.utils.safestring import mark_safe\n\nclass Widget(Base):\n"
            "    def render(self, name, value, attrs=None):\n        output = super().render(name, value, attrs)\n"
            "        return mark_safe('<div class=\"w\">%s</div>' % output)\n\n"
            "    def card(self, value):\n        return mark_safe('<div>%s</div>' % render_to_string('c.html', {'v': value}))\n\n"
            "    def items(self, names):\n"
            "        return mark_safe('<ul>%s</ul>' % format_html_join('', '<li>{}</li>', ((n,) for n in names)))\n\n"
            "    def count(self, n):\n        return mark_safe('<b>%d</b>' % n)\n"
        ),
        Valid(
            "from django.utils.html import escape\nfrom django.utils.safestring import mark_safe\n\n"
            "def note(text):\n    text = escape(text)\n    return mark_safe('<p>%s</p>' % text.replace('\\n', '<br>'))\n"
        ),
    )
    INVALID = (
        Invalid(
            "from django.utils.safestring import mark_safe\n\ndef link(user):\n"
            "    return mark_safe('<a href=\"/u/%s\">%s</a>' % (user.pk, user.name))\n",
            4,
            12,
            message="mark_safe() marks HTML built from `user",
        ),
        Invalid(
            "from django.utils.safestring import mark_safe\n\nclass Widget:\n"
            "    def render(self, name, value, attrs=None):\n"
            '        html = \'<input name="%s" value="%s">\' % (name, value)\n'
            "        return mark_safe(html)\n",
            6,
            16,
        ),
        Invalid(
            "from markupsafe import Markup\n\ndef listing(names):\n    html = '<ul>'\n    for n in names:\n"
            "        html += f'<li>{n}</li>'\n    return Markup(html + '</ul>')\n",
            7,
            12,
            message="Markup() marks HTML built from `n`",
        ),
        Invalid(
            "from django.utils.html import format_html\n\ndef bold(name):\n"
            "    return format_html('<b>' + name + '</b>')\n",
            4,
            12,
        ),
    )


# Calls that hand their text on as it is (the value stays the caller's, unescaped).
_TEXT_AS_IS = frozenset({"str", "strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "replace",
                         "format", "join", "__str__"})  # fmt: skip


class _RawHtml:
    """The parts of a string-building expression that are a parameter's own text, unescaped: the parameter, an
    attribute or item of it (`user.name`, `data["x"]`), a loop variable over it, or such a value passed through
    `str()` or a string method. The result of any other call (a widget's `render`, `render_to_string`,
    `format_html_join`, `json.dumps`) is the callee's own markup, not counted."""

    def __init__(self, function: cst.FunctionDef, bound: frozenset[str]) -> None:
        """`bound`: every name the function's body binds (a parameter bound again is not the caller's value)."""
        from codeward.reviewer.dataflow.nodes import params_of

        self.function = function
        self.markup = False  # a literal piece with `<` in it was seen
        self.followed: set[str] = set()

        self.params = {p.name.value for p in params_of(function)} - {"self", "cls"} - bound
        self.loops: set[str] = set()
        from codeward.reviewer.dataflow.nodes import binding_children

        stack: list[cst.CSTNode] = list(function.body.body)
        while stack:
            item = stack.pop()
            if isinstance(item, cst.FunctionDef | cst.ClassDef | cst.Lambda):
                continue
            if (
                isinstance(item, cst.For | cst.CompFor)
                and isinstance(item.target, cst.Name)
                and self._rooted(item.iter)
            ):
                self.loops.add(item.target.value)
            stack.extend(binding_children(item))

    def _rooted(self, node: cst.BaseExpression) -> bool:
        while isinstance(node, cst.Attribute | cst.Subscript):
            node = node.value
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in (
            "items", "values", "keys", "split", "splitlines"
        ):  # fmt: skip
            return self._rooted(node.func.value)
        return isinstance(node, cst.Name) and node.value in self.params

    def part(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        if "<" in _literal_text(node):
            self.markup = True
        if isinstance(node, cst.FormattedString):
            inner = (p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression))
            return next((found for e in inner if (found := self.part(e)) is not None), None)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Modulo):
                conversions = re.findall(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?([a-zA-Z%])", _literal_text(node.left))
                if conversions and all(c in "diouxXeEfFgG%" for c in conversions):
                    return None  # `"<b>%d</b>" % count`: only numbers go in
            elif not isinstance(node.operator, cst.Add):
                return None
            return self.part(node.left) or self.part(node.right)
        if isinstance(node, cst.Tuple | cst.List):
            return next((found for e in node.elements if (found := self.part(e.value)) is not None), None)
        if isinstance(node, cst.Dict):
            values = (e.value for e in node.elements if isinstance(e, cst.DictElement))
            return next((found for v in values if (found := self.part(v)) is not None), None)
        if isinstance(node, cst.Call):
            callee = node.func.attr.value if isinstance(node.func, cst.Attribute) else dotted(node.func)
            if callee not in _TEXT_AS_IS:
                return None
            inner = [a.value for a in node.args if not a.star]
            if isinstance(node.func, cst.Attribute):
                inner.insert(0, node.func.value)
            return next((found for e in inner if (found := self.part(e)) is not None), None)
        if isinstance(node, cst.Name):
            if node.value in self.params or node.value in self.loops:
                return node
            if node.value in self.followed:
                return None
            self.followed.add(node.value)  # a local variable (`html = "<ul>"`, `html += ...`): what it was given
            assigned = _assigned_in(self.function, node.value)
            return next((found for e in assigned if (found := self.part(e)) is not None), None)
        if isinstance(node, cst.Attribute | cst.Subscript):
            root: cst.BaseExpression = node
            while isinstance(root, cst.Attribute | cst.Subscript):
                root = root.value
            return (
                node if isinstance(root, cst.Name) and (root.value in self.params or root.value in self.loops) else None
            )
        return None


def _assigned_in(function: cst.FunctionDef, name: str) -> list[cst.BaseExpression]:
    """What a function's body assigns or adds (`+=`) to a plain name, nested definitions aside."""
    found: list[cst.BaseExpression] = []
    from codeward.reviewer.dataflow.nodes import binding_children

    stack: list[cst.CSTNode] = list(function.body.body)
    while stack:
        item = stack.pop()
        if isinstance(item, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue
        if (
            isinstance(item, cst.Assign)
            and any(isinstance(t.target, cst.Name) and t.target.value == name for t in item.targets)
        ) or (
            isinstance(item, cst.AugAssign | cst.AnnAssign)
            and isinstance(item.target, cst.Name)
            and item.target.value == name
            and item.value is not None
        ):
            found.append(item.value)
        stack.extend(binding_children(item))
    return found


def _literal_text(node: cst.BaseExpression) -> str:
    """The literal pieces of a string-building expression, joined (where its markup would be)."""
    if isinstance(node, cst.FormattedString):
        return "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
    if isinstance(node, cst.BinaryOperation):
        return _literal_text(node.left) + _literal_text(node.right)
    if isinstance(node, cst.Call) and method_name(node) == "format" and isinstance(node.func, cst.Attribute):
        return literal_str(node.func.value) or ""
    return literal_str(node) or ""


class TemplateInjection(TaintSink):
    """
    ## What it does
    Finds untrusted data used as the template itself: `render_template_string`, `jinja2.Template`,
    `Environment.from_string`, Mako `Template`.

    ## Why is this bad?
    Server-side template injection: `{{ cycler.__init__.__globals__.os.popen('id').read() }}` runs
    commands on the server.

    ## Example
    ```python
    return render_template_string("<h1>" + request.args["title"] + "</h1>")
    ```

    ## Fix
    Keep templates constant and pass the data as variables:
    `render_template_string("<h1>{{ title }}</h1>", title=request.args["title"])`.
    """

    code = "CWR111"
    name = "template-injection"
    cwe = 1336
    security_severity = 9.0
    kind = "template"
    needles = ("render_template_string", "Template", "from_string")
    template = "{source} becomes template code in {sink}; template syntax in it runs on the server"
    VALID = (
        Valid(
            _FLASK + "from flask import render_template_string\n\n@app.route('/t')\ndef t():\n"
            "    return render_template_string('<h1>{{ t }}</h1>', t=request.args['t'])\n"
        ),
    )
    INVALID = (
        Invalid(
            _FLASK + "from flask import render_template_string\n\n@app.route('/t')\ndef t():\n"
            "    return render_template_string('<h1>' + request.args['t'] + '</h1>')\n",
            8,
            12,
        ),
        Invalid("import jinja2, sys\njinja2.Template(sys.argv[1]).render()\n", 2, 1),
    )


class XmlExternalEntities(CallRule):
    """
    ## What it does
    Finds XML parsers that resolve external entities or DTDs: `lxml.etree.XMLParser(resolve_entities=True)`
    or `load_dtd=True`, lxml parsing untrusted data with its default parser, and SAX parsers with the
    external-entities feature turned on.

    ## Why is this bad?
    XML external entities (XXE) make the parser read local files (`file:///etc/passwd`) or fetch URLs, and
    nested entities expand to gigabytes ("billion laughs").

    ## Example
    ```python
    doc = etree.fromstring(request.data)
    ```

    ## Fix
    Parse untrusted XML with `defusedxml` (`defusedxml.ElementTree.fromstring`), or pass
    `etree.XMLParser(resolve_entities=False, no_network=True)`.
    """

    code = "CWR112"
    name = "xml-external-entities"
    cwe = 611
    security_severity = 7.5
    category = "security"
    severity = Severity.ERROR
    needles = ("lxml", "xml", "setFeature")
    targets = frozenset(
        [
            "lxml.etree.XMLParser",
            "lxml.etree.fromstring",
            "lxml.etree.parse",
            "lxml.etree.XML",
            "xml.dom.minidom.parseString",
            "xml.dom.pulldom.parseString",
            "xml.sax.parseString",
        ]
    )

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        if name == "lxml.etree.XMLParser":
            for key in ("resolve_entities", "load_dtd"):
                arg = kwarg(node, key)
                if arg is not None and is_const(arg.value, True):
                    ctx.report(node, f"XMLParser({key}=True) lets documents pull in external entities")
                    return
            return
        data = argument(node, 0, "")
        found = ctx.taint(data, "xxe") if data is not None else None
        if found is None:
            return
        if name.startswith("lxml.") and (kwarg(node, "parser") or positional(node, 1)):
            return
        ctx.report(node, f"{found.source} is parsed by {name}(), which can resolve external entities", taint=found)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if method_name(node) == "setFeature" and len(node.args) >= 2 and is_const(node.args[1].value, True):
            feature = ctx.code(node.args[0].value)
            if feature.endswith(("feature_external_ges", "feature_external_pes")):
                ctx.report(node, "the SAX parser is told to fetch external entities")
                return
        super().visit_Call(ctx, node)

    VALID = (
        Valid(
            _FLASK + "from defusedxml.ElementTree import fromstring\n\n@app.route('/x', methods=['POST'])\n"
            "def x():\n    return fromstring(request.data).tag\n"
        ),
        Valid(
            _FLASK + "from lxml import etree\nSAFE = etree.XMLParser(resolve_entities=False, no_network=True)\n\n"
            "@app.route('/x', methods=['POST'])\ndef x():\n    return etree.fromstring(request.data, SAFE).tag\n"
        ),
    )
    INVALID = (
        Invalid(
            _FLASK + "from lxml import etree\n\n@app.route('/x', methods=['POST'])\ndef x():\n"
            "    return etree.fromstring(request.data).tag\n",
            8,
            12,
        ),
        Invalid("from lxml import etree\nparser = etree.XMLParser(resolve_entities=True)\n", 2, 10),
        Invalid(
            "import xml.sax\nfrom xml.sax.handler import feature_external_ges\np = xml.sax.make_parser()\n"
            "p.setFeature(feature_external_ges, True)\n",
            4,
            1,
        ),
    )


class LdapInjection(TaintSink):
    """
    ## What it does
    Finds untrusted data in an LDAP search filter (python-ldap `search_s`/`search_ext_s`, ldap3
    `Connection.search`).

    ## Why is this bad?
    `*)(uid=*))(|(uid=*` in a user name turns a lookup of one entry into a query of the whole directory,
    and can bypass authentication checks built on it.

    ## Example
    ```python
    conn.search_s(BASE, ldap.SCOPE_SUBTREE, f"(uid={username})")
    ```

    ## Fix
    Escape each value with `ldap.filter.escape_filter_chars` (ldap3: `ldap3.utils.conv.escape_filter_chars`)
    or build the filter with `ldap.filter.filter_format`.
    """

    code = "CWR113"
    name = "ldap-injection"
    cwe = 90
    security_severity = 8.1
    kind = "ldap"
    needles = ("ldap",)
    template = "{source} is put into the LDAP filter of {sink}"

    VALID = (
        Valid(
            "import ldap\nfrom ldap.filter import escape_filter_chars\n\ndef find(conn, request):\n"
            "    user = escape_filter_chars(request.POST['user'])\n"
            "    return conn.search_s('dc=example,dc=com', ldap.SCOPE_SUBTREE, f'(uid={user})')\n"
        ),
        Valid("import re\n\ndef f(request):\n    return re.search('a+', request.GET['q'])\n"),
    )
    INVALID = (
        Invalid(
            "import ldap\n\ndef find(conn, request):\n    user = request.POST['user']\n"
            "    return conn.search_s('dc=example,dc=com', ldap.SCOPE_SUBTREE, '(uid=' + user + ')')\n",
            5,
            12,
        ),
        Invalid(
            "from ldap3 import Connection\n\ndef find(server, event):\n    c = Connection(server)\n"
            "    c.search('dc=example,dc=com', f\"(mail={input()})\")\n",
            5,
            5,
        ),
    )


class XpathInjection(TaintSink):
    """
    ## What it does
    Finds untrusted data in an XPath expression (lxml `xpath()`, `etree.XPath`).

    ## Why is this bad?
    `' or '1'='1` in the data changes which nodes the expression selects: authentication and access checks
    built on XML documents are bypassed.

    ## Example
    ```python
    tree.xpath(f"//user[name='{name}']")
    ```

    ## Fix
    Use XPath variables: `tree.xpath("//user[name=$name]", name=name)`.
    """

    code = "CWR114"
    name = "xpath-injection"
    cwe = 643
    security_severity = 7.5
    kind = "xpath"
    needles = ("xpath", "XPath")
    template = "{source} is put into the XPath expression of {sink}"
    VALID = (Valid("def find(tree, request):\n    return tree.xpath('//user[name=$n]', n=request.GET['n'])\n"),)
    INVALID = (
        Invalid(
            "def find(tree, request):\n    n = request.GET['n']\n    return tree.xpath(f\"//user[name='{n}']\")\n",
            3,
            12,
        ),
    )


class NoSqlInjection(TaintSink):
    """
    ## What it does
    Finds MongoDB queries (pymongo, motor) whose filter is untrusted data as a whole, that take untrusted
    JSON as a filter value, or that put untrusted data into `$where`.

    ## Why is this bad?
    A JSON body can carry operators: `{"password": {"$ne": ""}}` matches every user, and `$where` runs
    JavaScript on the server.

    ## Example
    ```python
    db.users.find_one({"name": body["name"], "password": body["password"]})
    ```

    ## Fix
    Convert each value to the expected type (`str(...)`) before it goes into the filter, and never build
    `$where` from input.
    """

    code = "CWR115"
    name = "nosql-injection"
    cwe = 943
    security_severity = 8.1
    kind = "nosql"
    needles = ("find", "update_", "delete_", "aggregate", "count_documents", "replace_one")
    template = "{source} is used as a MongoDB query in {sink}; it can carry query operators"

    def accept(self, ctx: Context, node: cst.Call, taint: Taint, hit: object) -> bool:
        """A whole filter from the request, a JSON value (which can be an operator object) or `$where`."""
        if taint.source.startswith("route parameter"):
            return False  # a segment of the URL's path is a string: it cannot hold an operator object
        expr = hit.arg  # type: ignore[attr-defined]
        if isinstance(expr, cst.Dict):
            for element in expr.elements:
                if not isinstance(element, cst.DictElement):
                    continue
                found = ctx.taint(element.value, self.kind)
                if found is None:
                    continue
                if literal_str(element.key) == "$where" or _structured(found):
                    return True
            return False
        if method_name(node) == "find" and not isinstance(expr, cst.Name | cst.Call | cst.Subscript):
            return False
        return not (isinstance(expr, cst.Subscript) and not _structured(taint))

    VALID = (
        Valid(
            _FLASK + "@app.route('/u', methods=['POST'])\ndef u(db):\n    body = request.get_json()\n"
            "    return db.users.find_one({'name': str(body['name'])})\n"
        ),
        Valid("def f(request, text):\n    return text.find(request.GET['q'])\n"),
        Valid(
            "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/u/<name>')\ndef u(name):\n"
            "    return str(collection.find(name))\n"
        ),
    )
    INVALID = (
        Invalid(
            _FLASK + "@app.route('/login', methods=['POST'])\ndef login(db):\n"
            "    return db.users.find_one({'user': request.json['user'], 'pw': request.json['pw']})\n",
            6,
            12,
        ),
        Invalid(
            "import json\n\ndef handler(event, context):\n    query = json.loads(event['body'])\n"
            "    return list(collection.find(query))\n",
            5,
            17,
        ),
    )


def _structured(taint: Taint) -> bool:
    """Data parsed from JSON (a request body, a Lambda event) can hold objects such as `{"$ne": ""}`."""
    source = taint.source.lower()
    return "json" in source or "event" in source or "body" in source or "media" in source


_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "critical", "exception", "log", "fatal"})
_LOGGER_NAMES = re.compile(r"(?:^|\.|_)(?:log|logger|LOG|LOGGER|logging)$")
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")


def is_logging_call(ctx: Context, node: cst.Call) -> bool:
    func = node.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in _LOG_METHODS:
        return False
    name = ctx.call_name(node)
    if name.startswith(("logging.", "logging.getLogger()", "structlog.")):
        return True
    receiver = ctx.code(func.value, 200)
    return bool(_LOGGER_NAMES.search(receiver))


# `logger = Logger(...)` of Powertools for AWS Lambda: it writes each record as one JSON object, whose strings
# carry line breaks escaped (`\\n`), so a value cannot start an entry of its own.
_POWERTOOLS_LOGGER = re.compile(
    r"^\s*(?:self\.)?(\w+)\s*(?::[^=\n]*)?=\s*(?:aws_lambda_powertools\.(?:logging\.)?)?Logger\(", re.M
)


def _json_logger(ctx: Context, node: cst.Call) -> bool:
    if "aws_lambda_powertools" not in ctx.text or not isinstance(node.func, cst.Attribute):
        return False
    receiver = dotted(node.func.value) or ""
    return receiver.rsplit(".", 1)[-1] in set(_POWERTOOLS_LOGGER.findall(ctx.text))


class LogForging(TaintSink):
    """
    ## What it does
    Finds untrusted data written to a log (`logging`, loggers) without removing line breaks.

    ## Why is this bad?
    A value with `\\n` forges log entries (`admin logged in` on a line of its own), hiding an attack from
    whoever reads or parses the log.

    ## Example
    ```python
    logger.info("login failed for %s", request.form["user"])
    ```

    ## Fix
    Log `%r` (or `!r`) instead of `%s`, or remove line breaks first: `user.replace("\\n", "").replace("\\r", "")`;
    structured (JSON) logging escapes them too.
    """

    code = "CWR116"
    name = "log-injection"
    cwe = 117
    security_severity = 4.3
    kind = "log"
    trusts = frozenset({"untrusted"})
    severity = Severity.WARNING
    needles = ("log", "LOG")
    template = "{source} is written to the log by {sink} with its line breaks"

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if not is_logging_call(ctx, node):
            return
        args = [a for a in node.args if a.keyword is None and not a.star]
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "log" and args:
            args = args[1:]
        if not args:
            return
        fmt = literal_str(args[0].value)
        conversions = [m.group(1) for m in _PERCENT.finditer(fmt or "") if m.group(1) != "%"]
        candidates = [args[0]] if fmt is None else []
        for index, arg in enumerate(args[1:]):
            if index < len(conversions) and conversions[index] in "ra":
                continue
            candidates.append(arg)
        for arg in candidates:
            found = ctx.taint(arg.value, self.kind)
            if found is not None and found.trust in self.trusts:
                if _json_logger(ctx, node):  # asked only before a report: it reads the whole module's text
                    return
                sink = ctx.code(node.func, 40) + "()"
                ctx.report(node, self.template.format(source=found.source, sink=sink), taint=found)
                return

    VALID = (
        Valid(
            "import logging\nlog = logging.getLogger(__name__)\n\ndef login(request):\n"
            "    log.info('login failed for %r', request.POST['user'])\n"
        ),
        Valid(
            "import logging\nlogger = logging.getLogger(__name__)\n\ndef login(request):\n"
            "    user = request.POST['user'].replace('\\n', ' ').replace('\\r', ' ')\n"
            "    logger.warning('login failed for %s', user)\n"
        ),
        Valid(
            "from aws_lambda_powertools import Logger\nlogger = Logger()\n\ndef handler(event, context):\n"
            "    logger.info(f\"processing {event['pathParameters']['name']}\")\n"
        ),
    )
    INVALID = (
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n\ndef login(request):\n"
            "    logger.warning('login failed for %s', request.POST['user'])\n",
            5,
            5,
        ),
        Invalid(
            "import logging\n\ndef handler(event, context):\n    logging.info(f\"processing {event['pathParameters']['name']}\")\n",
            4,
            5,
        ),
    )


class OpenRedirect(TaintSink):
    """
    ## What it does
    Finds redirects to a URL taken from the request (Flask `redirect`, Django `redirect`,
    `HttpResponseRedirect`) that is not checked against allowed hosts.

    ## Why is this bad?
    `https://yoursite/login?next=https://evil.example` sends users who trust your domain to a phishing page.

    ## Example
    ```python
    return redirect(request.args.get("next", "/"))
    ```

    ## Fix
    Redirect only to paths you build (`url_for(...)`), or check the URL first with Django's
    `url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})`.
    """

    code = "CWR117"
    name = "open-redirect"
    cwe = 601
    security_severity = 6.1
    kind = "redirect"
    trusts = frozenset({"untrusted"})
    category = "input-validation"
    severity = Severity.WARNING
    needles = ("redirect", "Redirect")
    template = "{source} chooses where {sink} sends the user"

    VALID = (
        Valid(
            "from django.shortcuts import redirect\nfrom django.utils.http import url_has_allowed_host_and_scheme\n\n"
            "def login(request):\n    nxt = request.GET.get('next', '/')\n"
            "    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):\n"
            "        nxt = '/'\n        return redirect(nxt)\n    return redirect(nxt)\n"
        ),
        Valid(
            _FLASK + "from flask import redirect\n\n@app.route('/p')\ndef p():\n"
            "    return redirect('/profile/' + request.args['id'])\n"
        ),
    )
    INVALID = (
        Invalid(
            _FLASK + "from flask import redirect\n\n@app.route('/login')\ndef login():\n"
            "    return redirect(request.args.get('next', '/'))\n",
            8,
            12,
        ),
    )


class HeaderInjection(TaintSink):
    """
    ## What it does
    Finds untrusted data written into HTTP response headers (`response.headers[...] = value`,
    `response["X-..."] = value` in Django, `headers={...}`) without removing line breaks.

    ## Why is this bad?
    CR/LF in a header value splits the response: the caller adds headers (`Set-Cookie`) or a body of
    their own (HTTP response splitting), poisoning caches and browsers.

    ## Example
    ```python
    resp.headers["X-Request-Id"] = request.headers["X-Request-Id"]
    ```

    ## Fix
    Validate the value against the format you expect (`uuid.UUID(value)`), or strip `\\r` and `\\n`.
    """

    code = "CWR118"
    name = "http-header-injection"
    cwe = 113
    security_severity = 6.1
    kind = "header"
    trusts = frozenset({"untrusted"})
    category = "input-validation"
    severity = Severity.WARNING
    needles = ("headers", "Response", "[")

    def visit_Assign(self, ctx: Context, node: cst.Assign) -> None:
        for target in node.targets:
            sub = target.target
            if not isinstance(sub, cst.Subscript):
                continue
            container = sub.value
            is_headers = isinstance(container, cst.Attribute) and container.attr.value == "headers"
            origin = ctx.origin(container) if isinstance(container, cst.Name) else None
            is_response = origin is not None and "Response" in origin[0]
            if not (is_headers or is_response):
                continue
            if is_headers and ctx.is_request(container.value):  # type: ignore[attr-defined]
                continue
            found = ctx.taint(node.value, self.kind)
            if found is not None and found.trust in self.trusts:
                ctx.report(node, f"{found.source} is written into a response header with its line breaks", taint=found)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        name = ctx.call_name(node)
        if not name.endswith("Response"):
            return
        headers = kwarg(node, "headers")
        if headers is None:
            return
        found = ctx.taint(headers.value, self.kind)
        if found is not None and found.trust in self.trusts:
            ctx.report(node, f"{found.source} is written into the headers of {name}()", taint=found)

    VALID = (
        Valid(
            _FLASK + "import uuid\nfrom flask import make_response\n\n@app.route('/r')\ndef r():\n"
            "    resp = make_response('ok')\n    resp.headers['X-Request-Id'] = str(uuid.UUID(request.args['id']))\n"
            "    return resp\n"
        ),
        # The raw query string is still percent-encoded: a request line holds no line break.
        Valid(
            _FLASK + "from flask import make_response\n\n@app.route('/r')\ndef r():\n"
            "    resp = make_response('ok')\n    resp.headers['Link'] = '</r?' + request.query_string.decode() + '>'\n"
            "    return resp\n"
        ),
    )
    INVALID = (
        Invalid(
            _FLASK + "from flask import make_response\n\n@app.route('/r')\ndef r():\n"
            "    resp = make_response('ok')\n    resp.headers['X-Lang'] = request.args['lang']\n    return resp\n",
            9,
            5,
        ),
        Invalid(
            "from django.http import HttpResponse\n\ndef v(request):\n    r = HttpResponse('ok')\n"
            "    r['Content-Disposition'] = 'attachment; filename=' + request.GET['f']\n    return r\n",
            5,
            5,
        ),
    )


class RegexInjection(TaintSink):
    """
    ## What it does
    Finds untrusted data used as a regular expression (`re.compile`, `re.search`, `re.match`, ...).

    ## Why is this bad?
    A pattern such as `(a+)+$` takes exponential time on a short input (ReDoS): one request pins a worker.
    Metacharacters also change what the pattern matches.

    ## Example
    ```python
    re.search(request.args["q"], text)
    ```

    ## Fix
    Escape the data with `re.escape` when it is meant literally, or match it as a plain substring.
    """

    code = "CWR119"
    name = "regex-injection"
    cwe = 1333
    security_severity = 5.3
    kind = "regex"
    trusts = frozenset({"untrusted", "external"})
    category = "input-validation"
    severity = Severity.WARNING
    needles = ("re.", "import re", "regex")
    template = "{source} is used as the regular expression of {sink}"
    VALID = (Valid("import re\n\ndef f(request, text):\n    return re.search(re.escape(request.GET['q']), text)\n"),)
    INVALID = (Invalid("import re\n\ndef f(request, text):\n    return re.search(request.GET['q'], text)\n", 4, 12),)


# Markdown renderers that pass raw HTML through (python-markdown, markdown2 without `safe_mode`, commonmark);
# `markdown` alone is the name in a snippet that does not show its imports.
_MARKDOWN = frozenset({"markdown.markdown", "markdown.Markdown().convert", "markdown2.markdown",
                       "markdown2.Markdown().convert", "commonmark.commonmark", "markdown"})  # fmt: skip
_SANITIZES = re.compile(r"clean|saniti[sz]e|escape|linkify", re.I)


_DATA_FORMATS = re.compile(r"^\s*(?:from|import)\s+(?:yaml|ruamel|json|toml|tomllib|hcl2?)\b", re.M)


def _renders_data(text: str) -> bool:
    """A module that renders configuration, not pages: it works with YAML/JSON/TOML, imports no web framework
    and never says HTML or XML (formica-cli renders CloudFormation templates with Jinja2: judged false)."""
    from codeward.reviewer.dataflow.module import _WEB_PACKAGES  # the data flow's own list of web frameworks

    web = re.compile(rf"^\s*(?:from|import)\s+(?:{'|'.join(sorted(_WEB_PACKAGES))})\b", re.M)
    return bool(_DATA_FORMATS.search(text)) and not web.search(text) and not re.search(r"html|xml", text, re.I)


class TemplateAutoescapeOff(CallRule):
    """
    ## What it does
    Finds Jinja2 environments that do not escape HTML: `jinja2.Environment(...)` with `autoescape` false
    (folded to its value where the code computes it) or left out, and `aiohttp_jinja2.setup(..., autoescape=False)`.
    Also Markdown rendered to HTML from a text that is not a literal, with neither the text escaped nor the
    output sanitised (python-markdown, markdown2 without `safe_mode`, commonmark keep raw HTML), at `info`: whether
    users write the text is not known.

    ## Why is this bad?
    Without autoescaping every `{{ value }}` is written into the page as it is: data with `<script>` runs in the
    visitor's browser (cross-site scripting). Jinja2's default is off for backward compatibility; Flask turns it
    on for its own templates, a hand-made environment does not.

    ## Example
    ```python
    env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates"))
    ```

    ## Fix
    `jinja2.Environment(loader=..., autoescape=jinja2.select_autoescape())` (HTML and XML templates escaped), or
    `autoescape=True`. Left out (rather than false) the finding is `info`: the environment may render text that
    is not HTML (configuration files, e-mails in plain text); and none when the module works with YAML, JSON or
    TOML, imports no web framework and never mentions HTML or XML (it renders configuration).
    """

    code = "CWR123"
    name = "template-autoescape-off"
    cwe = 79
    security_severity = 6.1
    category = "security"
    severity = Severity.WARNING
    needles = ("Environment", "aiohttp_jinja2", "autoescape", "markdown", "commonmark")
    targets = frozenset({"jinja2.Environment", "jinja2.environment.Environment", "aiohttp_jinja2.setup",
                         *_MARKDOWN})  # fmt: skip

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        if name in _MARKDOWN:
            self._markdown(ctx, node, name)
            return
        given = kwarg(node, "autoescape")
        if any(a.star == "**" for a in node.args):
            return
        if given is None:
            if name != "aiohttp_jinja2.setup" and not _renders_data(ctx.text):
                ctx.report(node, "this Jinja2 environment does not escape HTML (autoescape is off by default)",
                           severity=Severity.INFO)  # fmt: skip
            return
        value = ctx.value(given.value)
        if value.known and not value.const:
            ctx.report(node, "autoescape is turned off: every {{ value }} is written into the page unescaped")

    def _markdown(self, ctx: Context, node: cst.Call, name: str) -> None:
        """Markdown rendered to HTML keeps the raw HTML the text holds (`<script>` included): a text that is not
        a literal, not escaped first, whose output is not sanitised right away."""
        text = argument(node, 0, "text")
        if text is None or literal_str(text) is not None or _settled(ctx, text, "xss"):
            return
        if name.startswith("markdown2.") and (kwarg(node, "safe_mode") is not None):
            return
        parents = iter(ctx.ancestors())
        if isinstance(next(parents, None), cst.Arg):
            outer = next(parents, None)
            if isinstance(outer, cst.Call) and _SANITIZES.search(ctx.code(outer.func, 80).rsplit(".", 1)[-1]):
                return
        ctx.report(
            node,
            f"{ctx.code(node.func, 40)}() turns `{ctx.code(text, 40)}` into HTML and keeps any HTML it contains: "
            "if the text can come from users, sanitise the output (`bleach.clean`, `nh3.clean`) before it reaches "
            "a page",
            severity=Severity.INFO,
        )

    VALID = (
        Valid("import jinja2\nenv = jinja2.Environment(loader=None, autoescape=jinja2.select_autoescape())\n"),
        Valid("import jinja2\nenv = jinja2.Environment(autoescape=True)\n"),
        Valid("import aiohttp_jinja2\n\ndef init(app, loader):\n    aiohttp_jinja2.setup(app, loader=loader)\n"),
        Valid("import bleach, markdown\n\ndef render(post):\n    return bleach.clean(markdown.markdown(post.body))\n"),
        Valid(
            "import markdown, markupsafe\n\ndef render(post):\n    return markdown.markdown(markupsafe.escape(post.body))\n"
        ),
        Valid("import markdown\nABOUT = markdown.markdown('# About')\n"),
        # CloudFormation templates rendered, then parsed as YAML: not a page.
        Valid(
            "import yaml\nfrom jinja2 import Environment, FileSystemLoader\nenv = Environment(loader=FileSystemLoader('.'))\n"
            "\ndef stack(name):\n    return yaml.safe_load(env.get_template(name + '.template.yml').render())\n"
        ),
    )
    INVALID = (
        Invalid("import jinja2\nenv = jinja2.Environment(loader=None, autoescape=False)\n", 2, 7, message="turned off"),
        Invalid("from jinja2 import Environment\nOFF = 1 == 2\nenv = Environment(autoescape=OFF)\n", 3, 7),
        Invalid("import jinja2\nenv = jinja2.Environment()\n", 2, 7, message="off by default"),
        Invalid(
            "from markdown import markdown\n\ndef render(post):\n    return markdown(post.content)\n",
            4,
            12,
            message="markdown() turns `post.content` into HTML and keeps any HTML it contains",
        ),
        Invalid(
            "import aiohttp_jinja2\n\ndef init(app, loader):\n"
            "    aiohttp_jinja2.setup(app, loader=loader, autoescape=False)\n",
            4,
            5,
        ),
    )


class TrustBoundaryViolation(ReviewRule):
    """
    ## What it does
    Finds request data stored in the server-side session (Flask's `session`, Django's `request.session`) without
    being validated first.

    ## Why is this bad?
    Code that reads the session trusts what is there: it was put there by the server. Mixing in what the client
    sent (CWE-501, trust boundary violation) lets the client set values the rest of the application believes
    it chose itself, such as a role, a user id or a price.

    ## Example
    ```python
    session["role"] = request.args.get("role")
    ```

    ## Fix
    Store only values the server decided or validated: look the value up in an allow-list or the database
    (`if role in ALLOWED_ROLES:`), or convert it to the type it must have (`int(...)`) before storing it.
    """

    code = "CWR122"
    name = "trust-boundary-violation"
    cwe = 501
    security_severity = 4.3
    category = "input-validation"
    severity = Severity.WARNING
    needles = ("session",)

    def visit_Assign(self, ctx: Context, node: cst.Assign) -> None:
        for target in node.targets:
            if self._session(ctx, target.target):
                found = ctx.taint(node.value, "trust-boundary")
                if found is not None and found.trust == "untrusted":
                    ctx.report(node, f"{found.source} is stored in the session without validation", taint=found)
                    return

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in ("update", "setdefault", "__setitem__"):
            return
        if not self._container(ctx, func.value):
            return
        values = [a.value for a in node.args]
        if func.attr.value in ("setdefault", "__setitem__"):
            values = values[1:]
        for value in values:
            found = ctx.taint(value, "trust-boundary")
            if found is not None and found.trust == "untrusted":
                ctx.report(node, f"{found.source} is stored in the session without validation", taint=found)
                return

    def _session(self, ctx: Context, target: cst.BaseExpression) -> bool:
        return isinstance(target, cst.Subscript) and self._container(ctx, target.value)

    @staticmethod
    def _container(ctx: Context, expr: cst.BaseExpression) -> bool:
        """Flask's `session`, or the `session` of a request object (Django, `self.request.session`)."""
        if isinstance(expr, cst.Name):
            return (ctx.qualname(expr) or "") in ("flask.session", "quart.session", "flask.globals.session")
        if isinstance(expr, cst.Attribute) and expr.attr.value == "session":
            return ctx.is_request(expr.value) or (
                isinstance(expr.value, cst.Attribute) and expr.value.attr.value == "request"
            )
        return False

    VALID = (
        Valid(
            _FLASK + "from flask import session\nROLES = {'reader', 'writer'}\n\n@app.route('/r')\ndef r():\n"
            "    role = request.args.get('role', 'reader')\n    if role not in ROLES:\n        role = 'reader'\n"
            "    session['role'] = role\n    session['page'] = int(request.args.get('page', '1'))\n    return 'ok'\n"
        ),
        Valid("def view(request):\n    request.session['seen'] = True\n"),
    )
    INVALID = (
        Invalid(
            _FLASK + "from flask import session\n\n@app.route('/r')\ndef r():\n"
            "    session['role'] = request.args.get('role')\n    return 'ok'\n",
            8,
            5,
            message="request.args is stored in the session",
        ),
        Invalid("def view(request):\n    request.session.update({'user': request.POST['user']})\n", 2, 5),
    )


_SQL_METHODS = frozenset({"execute", "executemany", "executescript", "raw"})
_SQL_CALLS = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "pandas.read_sql",
                        "pandas.read_sql_query", "django.db.models.expressions.RawSQL", "django.db.models.RawSQL"})  # fmt: skip
_SQL_START = re.compile(r"^\s*(?:SELECT|INSERT|UPDATE|DELETE|REPLACE|MERGE|WITH|CREATE|DROP|ALTER|TRUNCATE)\b", re.I)
# A whole statement: its verb and the keyword that must follow it (a log line starting "Update" is not SQL).
_SQL_STATEMENT = re.compile(
    r"^\s*(?:SELECT\b.*\bFROM|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|REPLACE\s+INTO|WITH\s+\S+.*\bAS\b"
    r"|(?:CREATE|DROP|ALTER|TRUNCATE)\s+(?:TEMPORARY\s+)?(?:TABLE|INDEX|VIEW|DATABASE|SCHEMA))\b",
    re.I | re.S,
)
_SQL_HELPER = re.compile(r"execute|query|sql", re.I)


_SQL_VERB = re.compile(r"\s*(?:SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH|CREATE|DROP|ALTER|TRUNCATE)\s", re.I)


# A quote followed by what _SQL_VERB matches: every string literal that starts like SQL (a string's, an
# f-string's or a concatenation's first part, read from its source text just after its opening quote) leaves
# such a match in the file's text, so a file without one holds no SQL-like literal, and its functions need no walk.
_SQL_AFTER_QUOTE = re.compile(r"['\"]" + _SQL_VERB.pattern, re.I)


def _sql_text_in_file(ctx: Context) -> bool:
    found = ctx.shared.get("sql-text-in-file")
    if found is None:
        found = ctx.shared["sql-text-in-file"] = _SQL_AFTER_QUOTE.search(ctx.text) is not None
    return found  # type: ignore[return-value]


def _starts_like_sql(node: cst.CSTNode) -> bool:
    return _sql_verb(node) is not None


def _sql_verb(node: cst.CSTNode) -> re.Match | None:
    """The SQL verb a string literal starts with (`_SQL_VERB`'s match), or None."""
    if isinstance(node, cst.SimpleString):
        body = node.value.lstrip("rRbBuU")
        quote = 3 if body[:3] in ('"""', "'''") else 1
        return _SQL_VERB.match(body, quote)
    if isinstance(node, cst.FormattedString):
        first = node.parts[0] if node.parts else None
        return _SQL_VERB.match(first.value) if isinstance(first, cst.FormattedStringText) else None
    if isinstance(node, cst.ConcatenatedString):
        return _sql_verb(node.left)
    return None


def _holds_sql_text(node: cst.CSTNode) -> bool:
    """Whether a string literal inside `node` starts like SQL."""
    from codeward.reviewer.dataflow.nodes import children

    global _STRING_TYPES
    if not _STRING_TYPES:  # here, not at import: rules load without the parser
        _STRING_TYPES = frozenset({cst.SimpleString, cst.FormattedString, cst.ConcatenatedString})
    stack = [node]
    strings = _STRING_TYPES
    while stack:
        current = stack.pop()
        if type(current) in strings:  # exact types: libcst's classes are final, failing ABC checks slow
            if _starts_like_sql(current):
                return True
            continue
        stack.extend(children(current))
    return False


_STRING_TYPES: frozenset[type] = frozenset()


def _constants_hold_sql(body: Sequence[cst.CSTNode]) -> bool:
    """Whether a module's or class's own assignments (`SQL = "SELECT ..."`) hold SQL-like text."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                value = getattr(small, "value", None)
                if isinstance(small, cst.Assign | cst.AnnAssign) and value is not None and _holds_sql_text(value):
                    return True
    return False


def _sql_text_in_reach(ctx: Context) -> bool:
    """Whether SQL-like text is in reach of the current call: a literal in its function, or a constant of its
    class or module. A query passed in a variable needs such a constant start for CWR120 to read it as SQL;
    without one the analysis is not asked (asking doubled the review's time on Django, where `query` names ORM
    objects and `cursor.execute(sql, params)` runs SQL composed elsewhere). Text held in another module's
    constant is not seen."""
    if not _sql_text_in_file(ctx):
        return False
    cache: dict[int, bool] = ctx.shared.setdefault("sql-text", {})  # type: ignore[assignment]
    scopes: list[tuple[cst.CSTNode, bool]] = [(ctx.module, True)]
    for ancestor in ctx.ancestors():
        if isinstance(ancestor, cst.FunctionDef):
            scopes.append((ancestor, False))
        elif isinstance(ancestor, cst.ClassDef):
            scopes.append((ancestor, True))
    for scope, constants_only in scopes:
        found = cache.get(id(scope))
        if found is None:
            if not constants_only:
                found = _holds_sql_text(scope)
            else:
                body = scope.body.body if isinstance(scope, cst.ClassDef) else scope.body  # type: ignore[attr-defined]
                found = _constants_hold_sql(body)
            cache[id(scope)] = found
        if found:
            return True
    return False


# The word a whole statement (`_SQL_STATEMENT`) needs after each SQL verb.
_NOUNS = "table index view database schema"
_STATEMENT_WORDS = {"select": "from", "delete": "from", "insert": "into", "replace": "into", "update": "set",
                    "with": "as", "create": _NOUNS, "drop": _NOUNS, "alter": _NOUNS, "truncate": _NOUNS}  # fmt: skip
_SQL_WORD = re.compile(
    r"\b(?:" + "|".join(sorted({w for v in _STATEMENT_WORDS.values() for w in v.split()})) + r")\b", re.I
)


_ESCAPE = re.compile(r"\\.")


def _sql_words(nodes: Sequence[cst.CSTNode]) -> tuple[set[str], set[str]]:
    """The SQL verbs that start string literals inside `nodes`, and the words a statement needs after its verb
    (`from`, `into`, `set`, ...) anywhere in the text of those literals, lower-case."""
    from codeward.reviewer.dataflow.nodes import children

    verbs: set[str] = set()
    words: set[str] = set()
    stack = list(nodes)
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is cst.SimpleString or kind is cst.FormattedString:
            verb = _sql_verb(current)
            if verb is not None:
                verbs.add(verb.group(0).strip().lower())
        if kind is cst.SimpleString or kind is cst.FormattedStringText:
            # Escapes (`\nFROM`) become spaces: a word is never lost to the raw text's backslashes.
            text = _ESCAPE.sub(" ", current.value)  # type: ignore[attr-defined]
            words.update(w.lower() for w in _SQL_WORD.findall(text))
            continue
        stack.extend(children(current))
    return verbs, words


def _statement_words_in_reach(ctx: Context) -> bool:
    """Whether the literals in reach of the current call (its function's, and the constants of its classes and
    module) hold an SQL verb and, anywhere, the word a whole statement needs after it (`SELECT` and `FROM`,
    `INSERT` and `INTO`, ...). A value's constant start is made of such literals, so without them no argument
    can read as a whole statement (`_SQL_STATEMENT`) and the analysis is not asked: on Django, functions with
    SQL-like text ask about every argument of every call they make, and those questions ran 312 of the review's
    2,086 analyses first, none of them with an answer. Like `_sql_text_in_reach`, other modules' text is not
    seen."""
    cache: dict[int, tuple[set[str], set[str]]] = ctx.shared.setdefault("sql-words", {})  # type: ignore[assignment]
    verbs: set[str] = set()
    words: set[str] = set()
    for scope in [ctx.module, *ctx.ancestors()]:
        if type(scope) is cst.FunctionDef:
            nodes: Sequence[cst.CSTNode] = [scope]
        elif type(scope) is cst.ClassDef or type(scope) is cst.Module:
            body = scope.body.body if type(scope) is cst.ClassDef else scope.body  # type: ignore[attr-defined]
            nodes = [small.value for line in body if type(line) is cst.SimpleStatementLine for small in line.body
                     if (type(small) is cst.Assign or type(small) is cst.AnnAssign) and small.value is not None]  # fmt: skip
        else:
            continue
        found = cache.get(id(scope))
        if found is None:
            found = cache[id(scope)] = _sql_words(nodes)
        verbs |= found[0]
        words |= found[1]
    return any(word in words for verb in verbs for word in _STATEMENT_WORDS[verb].split())


def _template_and_values(query: cst.BaseExpression) -> tuple[cst.BaseExpression | None, list[cst.BaseExpression]]:
    """A template held in a variable and the values formatted into it (`q % (a, b)`, `q.format(a)`)."""
    variable = (cst.Name, cst.Attribute)
    if isinstance(query, cst.BinaryOperation) and isinstance(query.operator, cst.Modulo):
        return (query.left, [query.right]) if isinstance(query.left, variable) else (None, [])
    func = query.func if isinstance(query, cst.Call) else None
    if isinstance(func, cst.Attribute) and func.attr.value == "format" and isinstance(func.value, variable):
        return func.value, [a.value for a in query.args]  # type: ignore[attr-defined]
    return None, []


def _sql_text_in_function(ctx: Context) -> bool:
    """Whether the function around the current call holds a string literal that starts like SQL."""
    if not _sql_text_in_file(ctx):
        return False
    cache: dict[int, bool] = ctx.shared.setdefault("sql-text", {})  # type: ignore[assignment]
    function = next((a for a in ctx.ancestors() if isinstance(a, cst.FunctionDef)), None)
    if function is None:
        return False
    found = cache.get(id(function))
    if found is None:
        found = cache[id(function)] = _holds_sql_text(function)
    return found


# Calls that take SQL text without running it: logging, printing, messages, string and list building.
_NOT_QUERY_RUNNER = re.compile(
    r"^(?:debug|info|warning|warn|error|exception|critical|fatal|log|print|echo|write|format|join|append|extend|"
    r"insert|replace|split|strip|encode|decode|str|repr|len|_|gettext|ugettext|gettext_lazy|assert\w*|\w*Error|"
    r"dedent|indent|fill|wrap|shorten|"
    r"\w*Exception|\w*Warning)$"
)


class SqlFromVariable(ReviewRule):
    """
    ## What it does
    Finds SQL text built by string formatting (f-strings, `%`, `+`, `.format`) from variables that are not
    constants, where codeward cannot see where the values come from (function parameters, attributes,
    return values). Untrusted data reaching SQL is reported by CWR101 instead. The query may be assembled in
    a variable first: the data-flow analysis follows it to the `execute`. A project's own query helper
    (`db.query(...)`, `run_sql(...)`, `execute_query(...)`, whose code is not in view) counts too when it
    receives a whole SQL statement (`SELECT ... FROM`, `UPDATE ... SET`, ...) formatted from a parameter; so
    does a helper of any other name (`db.add(query)`, `sql.insertDB(conn, text)`) in a function that writes SQL
    text itself, except calls that only log, print or build strings.

    ## Why is this bad?
    Whether the query is safe depends on every caller, now and later: one that passes a request parameter
    opens an SQL injection. Binding parameters makes the query safe whatever the callers do. Nothing here
    shows the value comes from outside, so the finding is `info` (never fails a run, never posted unless the
    rule is selected): on real projects the values it saw were internal (3 of 3 judged wrong, hot-topics'
    bundled database), while a proven flow from untrusted data is CWR101's error.

    ## Example
    ```python
    def find_user(cursor, name):
        cursor.execute(f"SELECT * FROM users WHERE name = '{name}'")
    ```

    ## Fix
    Bind the values: `cursor.execute("SELECT * FROM users WHERE name = %s", (name,))`. Identifiers (table
    and column names) cannot be bound: check them against an allow-list, or quote them with a function that
    rejects the quote character (`if re.search(r"[^A-Za-z0-9_]", name): raise ...`) or doubles it
    (`'"' + name.replace('"', '""') + '"'`); values that went through such a function are not reported, nor
    values that went through a function whose name says it quotes SQL (`escape_sqlite`, `quote_identifier`,
    `identifier`) on the way to the query, in it or in a variable before (CWR101 does not trust such names).
    """

    code = "CWR120"
    name = "sql-built-from-variable"
    cwe = 89
    security_severity = 6.5
    category = "security"
    severity = Severity.INFO
    needles = ("execute", "text(", "raw(", "RawSQL", "read_sql", "query", "sql", "Query", "SQL", "SELECT", "select",
               "INSERT", "insert", "UPDATE", "update", "DELETE", "delete")  # fmt: skip

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        name = ctx.call_name(node)
        method = method_name(node)
        if name in _SQL_CALLS or (method in _SQL_METHODS and not ctx.is_module(node.func.value)):  # type: ignore[attr-defined]
            query = argument(node, 0, "sql")
            if query is None:
                return
            if isinstance(query, cst.FormattedString | cst.BinaryOperation) or (
                isinstance(query, cst.Call) and method_name(query) == "format"
            ):
                self._formatted_here(ctx, node, query)
            elif isinstance(query, cst.Name | cst.Attribute | cst.Subscript) and _sql_text_in_reach(ctx):
                self._formatted_before(ctx, node, query, _SQL_START)
            return
        # A project's own query helper (`db.query(...)`, `run_sql(...)`, `execute_query(...)`, or any other
        # name: `db.add(query)`, `sql.insertDB(conn, text)`) the analysis cannot see into: only text that reads
        # as a whole SQL statement counts there, and for a helper whose name does not say SQL, only when its
        # function itself holds SQL text (the cost stays where SQL is written).
        if not node.args:
            return
        if not _plainly_not_helper(node.func) and _SQL_HELPER.search(ctx.code(node.func, 80).rsplit(".", 1)[-1]):
            if not _sql_text_in_reach(ctx):
                return
        else:
            if not _sql_text_in_function(ctx):
                return
            if _NOT_QUERY_RUNNER.search(ctx.code(node.func, 80).rsplit(".", 1)[-1]):
                return
        if not _statement_words_in_reach(ctx):
            return
        for arg in node.args:
            literal = isinstance(arg.value, cst.SimpleString | cst.ConcatenatedString | cst.Integer | cst.Float)
            if (
                arg.keyword is None
                and not arg.star
                and not literal
                and self._formatted_before(ctx, node, arg.value, _SQL_STATEMENT)
            ):
                return

    def _formatted_here(self, ctx: Context, node: cst.Call, query: cst.BaseExpression) -> None:
        prefix = literal_prefix(query)
        values: list[cst.BaseExpression] = [query]
        if prefix is None:
            # `query % (a, b)`, `query.format(a)`: the template is in a variable the analysis knows.
            template, values = _template_and_values(query)
            if template is not None:
                known = ctx.value(template)
                prefix = known.const if isinstance(known.const, str) else known.prefix
        if prefix is None or not _SQL_START.match(prefix) or ctx.sink_hits(node, "sql"):
            return  # not visibly SQL, or CWR101's
        if _settled(ctx, query, "sql"):
            return
        if any(_unquoted_sql(ctx, v) for v in values):
            ctx.report(node, f"{ctx.code(node.func, 40)}() runs SQL built by formatting values into the text")
        elif not _quoted_parts_only(ctx, values):
            # `ID` looks like a constant, but the analysis knows it is a parameter
            self._formatted_before(ctx, node, query, _SQL_START)

    def _formatted_before(self, ctx: Context, node: cst.Call, query: cst.BaseExpression, shape: re.Pattern) -> bool:
        """The query was formatted from a parameter before it got here (in a variable, through assignments)."""
        found = _built_from_parameter(ctx, query, "sql")
        if found is None or not shape.match(found[1]) or ctx.sink_hits(node, "sql"):
            return False
        ctx.report(node, f"{ctx.code(node.func, 40)}() runs SQL built by formatting `{found[0]}` into the text")
        return True

    VALID = (
        Valid("def find(cursor, name):\n    cursor.execute('SELECT * FROM users WHERE name = %s', (name,))\n"),
        Valid("TABLE = 'users'\n\ndef count(cursor):\n    cursor.execute(f'SELECT count(*) FROM {TABLE}')\n"),
        Valid("def page(cursor, n):\n    cursor.execute('SELECT * FROM t LIMIT %d' % int(n))\n"),
        Valid(
            "def count(cursor, ops, table):\n    cursor.execute('SELECT count(*) FROM %s' % ops.quote_name(table))\n"
        ),
        Valid(
            "def relabel(db, user, lang):\n    db.add('UPDATE users SET language=%s WHERE id=%s', (lang, user.id))\n"
        ),
        Valid("Q = 'SELECT * FROM t WHERE a = %s'\n\ndef rows(cur, a):\n    return cur.execute(Q, (a,))\n"),
        Valid("def rows(cur):\n    q = 'SELECT * FROM %s'\n    return cur.execute(q % 'users')\n"),
        Valid(
            "import logging\n\ndef relabel(db, lang):\n    q = f\"UPDATE users SET language='{lang}'\"\n"
            "    logging.debug(q)\n    raise NotImplementedError(q)\n"
        ),
        # A quoting function of the project that doubles the quote it wraps the name in (or rejects it).
        Valid(
            "def ident(name):\n    return '\"' + name.replace('\"', '\"\"') + '\"'\n\n"
            "def drop(cursor, table):\n    sql = f'DROP TABLE {ident(table)}'\n    cursor.execute(sql)\n"
        ),
        Valid(
            "def ident(name):\n    return '`{}`'.format(name.replace('`', '``'))\n\n"
            "def drop(cursor, table):\n    cursor.execute(f'DROP TABLE {ident(table)}')\n"
        ),
        # A loop over values the developer wrote, and a name the program makes up itself.
        Valid(
            "FUNCS = ('spatialite_version', 'geos_version')\n\ndef probe(conn):\n    for fn in FUNCS:\n"
            "        conn.execute('select {}()'.format(fn))\n    for fts in ('FTS5', 'FTS4'):\n"
            "        conn.execute(f'CREATE VIRTUAL TABLE v{fts} USING {fts} (data)')\n"
        ),
        # The name goes through the project's quoting helper right in the query.
        Valid(
            "import re\n\ndef escape_sqlite(s):\n    if re.fullmatch('[a-z_]+', s):\n        return s\n    return f'[{s}]'\n\n"
            "def counts(conn):\n    names = [r['name'] for r in conn.execute('select name from sqlite_master')]\n"
            "    for table in names:\n        conn.execute(f'select count(*) from {escape_sqlite(table)}')\n"
        ),
        # Quoted by the project's helper into a variable first, then formatted (datasette's views).
        Valid(
            "from .utils import escape_sqlite\n\ndef count(db, table):\n    quoted = escape_sqlite(table)\n"
            "    sql = f'select count(*) from {quoted}'\n    return db.execute(sql)\n"
        ),
        Valid(
            "class Db:\n    _counts = '_counts'\n\n    def reset(self):\n"
            "        self.execute('DELETE FROM [{}]'.format(self._counts))\n"
        ),
        Valid(
            "import secrets\n\ndef strict(conn):\n    name = f't{secrets.token_hex(16)}'\n"
            "    conn.execute(f'create table {name} (a text) strict')\n"
        ),
        # `textwrap` only lays the text out; the query runs (and is reported) where it is executed.
        Valid(
            "import textwrap\n\ndef ddl(schema):\n    sql = f'CREATE TABLE {schema}.t (a int)'\n    return textwrap.dedent(sql)\n"
        ),
    )
    INVALID = (
        Invalid("def find(cursor, name):\n    cursor.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n", 2, 5),
        Invalid("def drop(conn, table):\n    conn.execute('DROP TABLE ' + table)\n", 2, 5),
        # The class's default name is replaced by what the caller passes.
        Invalid(
            "class Db:\n    _counts = '_counts'\n\n    def __init__(self, name):\n        self._counts = name\n\n"
            "    def reset(self):\n        self.execute('DELETE FROM [{}]'.format(self._counts))\n",
            8,
            9,
            message="self.execute() runs SQL built by formatting",
        ),
        # A loop over data (table names read back from the database), not over values the developer wrote.
        Invalid(
            "def counts(conn):\n    for table in conn.table_names():\n"
            "        conn.execute(f'select count(*) from [{table}]')\n",
            3,
            9,
            message="conn.execute() runs SQL built by formatting values into the text",
        ),
        # Quoted without escaping the quote: a `"` in the name ends the identifier.
        Invalid(
            "def ident(name):\n    return '\"' + name + '\"'\n\n"
            "def drop(cursor, table):\n    sql = f'DROP TABLE {ident(table)}'\n    cursor.execute(sql)\n",
            6,
            5,
            message="cursor.execute() runs SQL built by formatting `table` into the text",
        ),
        Invalid(
            "def rows(cur, day):\n    sql = 'SELECT * FROM log WHERE day = \\'{}\\''.format(day)\n"
            "    return cur.execute(sql)\n",
            3,
            12,
            message="formatting `day`",
        ),
        # URL quoting is no SQL quoting, and a name quoted once but also formatted as it is stays reported.
        Invalid(
            "from urllib.parse import quote_plus\n\ndef count(db, table):\n    quoted = quote_plus(table)\n"
            "    sql = f'select count(*) from {quoted}'\n    return db.execute(sql)\n",
            6,
            12,
            message="db.execute() runs SQL built by formatting `table` into the text",
        ),
        Invalid(
            "from .utils import escape_sqlite\n\ndef copy(db, table):\n"
            "    sql = f'insert into {escape_sqlite(table)} select * from {table}_old'\n    return db.execute(sql)\n",
            5,
            12,
            message="db.execute() runs SQL built by formatting `table` into the text",
        ),
        Invalid("def purge(db, user):\n    db.run_query('DELETE FROM sessions WHERE uid = %s' % user)\n", 2, 5),
        Invalid(
            "def month(cur, start, end):\n    query = '''\n        SELECT day FROM t\n        WHERE day BETWEEN %s AND %s'''\n"
            "    return cur.execute(query % (start, end))\n",
            5,
            12,
            message="cur.execute() runs SQL built by formatting values into the text",
        ),
        Invalid(
            "def relabel(db, user, lang):\n    q = f\"UPDATE users SET language='{lang}' WHERE id={user.id}\"\n"
            "    db.add(q)\n",
            3,
            5,
            message="db.add() runs SQL built by formatting `lang`",
        ),
    )


def _plainly_not_helper(func: cst.BaseExpression, pattern: re.Pattern = _SQL_HELPER) -> bool:
    """The callee's last name, as `SqlFromVariable` reads it from the call's text, cannot name a query helper,
    decided without printing the code (most calls of a file): a bare name, or an attribute whose dot is followed
    by plain whitespace only, that does not match (`pattern`: the SQL helpers' names, or the command runners').
    Printed, such a callee is that name, maybe after blanks or a line continuation, or "" when the text was
    shortened; neither can match where the name does not."""
    if func.lpar or func.rpar:  # type: ignore[attr-defined]
        return False
    kind = type(func)
    if kind is cst.Name:
        return not pattern.search(func.value)  # type: ignore[attr-defined]
    if kind is cst.Attribute:
        dot = func.dot  # type: ignore[attr-defined]
        plain = (
            type(dot.whitespace_before) is cst.SimpleWhitespace and type(dot.whitespace_after) is cst.SimpleWhitespace
        )
        return plain and not pattern.search(func.attr.value)  # type: ignore[attr-defined]
    return False


def _quoting_call(ctx: Context, node: cst.BaseExpression) -> bool:
    """A call of an SQL quoting helper (`escape_sqlite(t)`, `quote_identifier(c)`, `sql.Identifier(n)`)."""
    if not isinstance(node, cst.Call):
        return False
    callee = ctx.code(node.func, 200).rsplit(".", 1)[-1].lower()
    return "quote" in callee or "escape" in callee or callee in ("identifier", "literal")


def _quoted_parts_only(ctx: Context, values: Sequence[cst.BaseExpression]) -> bool:
    """Every part formatted into the text is a literal or goes through an SQL quoting helper, written in the
    query itself (`f"select count(*) from {escape_sqlite(table)}"`): the analysis need not follow the
    quoted value back to where it came from."""
    parts: list[cst.BaseExpression] = []
    for value in values:
        if isinstance(value, cst.FormattedString):
            parts.extend(p.expression for p in value.parts if isinstance(p, cst.FormattedStringExpression))
        elif isinstance(value, cst.Call) and method_name(value) == "format":
            parts.extend(a.value for a in value.args)
        elif isinstance(value, cst.Tuple):
            parts.extend(e.value for e in value.elements)
        else:
            parts.append(value)
    return bool(parts) and all(
        _quoting_call(ctx, p) or isinstance(p, cst.SimpleString | cst.Integer | cst.Float) for p in parts
    )


def _unquoted_sql(ctx: Context, node: cst.BaseExpression, depth: int = 0) -> bool:
    """Like `_unquoted_variable`, with SQL quoting helpers (`quote_name`, `sql.Identifier`, ...) as safe, and a
    local name read through its assignments (`where = " and ".join(f"{quote_identifier(c)} = ?" for c in
    cols)`, then `f"... where {where}"`): pieces quoted before the query is formatted count as quoted."""
    if isinstance(node, cst.Name) and not node.value.isupper() and depth < _MAX_ASSIGNMENT_DEPTH:
        held = _only_assigned(ctx, node.value)
        if held is not None:
            return any(_unquoted_sql(ctx, value, depth + 1) for value in held)
    if isinstance(node, cst.Call):
        if _quoting_call(ctx, node):
            return False
        if method_name(node) == "join" and node.args:
            return _unquoted_sql(ctx, node.args[0].value, depth)
    if isinstance(node, cst.GeneratorExp | cst.ListComp):
        return _unquoted_sql(ctx, node.elt, depth)
    if isinstance(node, cst.FormattedString):
        return any(
            isinstance(p, cst.FormattedStringExpression) and _unquoted_sql(ctx, p.expression, depth) for p in node.parts
        )
    if isinstance(node, cst.BinaryOperation):
        return _unquoted_sql(ctx, node.left, depth) or _unquoted_sql(ctx, node.right, depth)
    if isinstance(node, cst.Tuple | cst.List):
        return any(_unquoted_sql(ctx, e.value, depth) for e in node.elements)
    if isinstance(node, cst.Call) and method_name(node) == "format":
        return any(_unquoted_sql(ctx, a.value, depth) for a in node.args)
    return _unquoted_variable(ctx, node)


class EvalOfVariable(ReviewRule):
    """
    ## What it does
    Finds `eval` and `exec` of a value that is not a literal, where codeward cannot see where the value
    comes from. Untrusted data reaching them is reported by CWR104 instead. Text read from a file at a fixed
    path of the project (a `setup.py` reading its version from `pkg/_version.py`) is the project's own code
    and is not reported.

    ## Why is this bad?
    Whatever reaches the argument runs as Python with the program's permissions; one caller passing user
    input is enough, and such code is hard to review.

    ## Example
    ```python
    def apply(rule, record):
        return eval(rule, {"record": record})
    ```

    ## Fix
    `ast.literal_eval` for literals, `json.loads` for data, a dictionary of allowed operations for
    expressions chosen at run time.
    """

    code = "CWR121"
    name = "eval-of-variable"
    cwe = 95
    security_severity = 6.5
    category = "security"
    severity = Severity.WARNING
    needles = ("eval(", "exec(")

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        name = ctx.call_name(node)
        if name not in ("eval", "exec", "builtins.eval", "builtins.exec") or not node.args:
            return
        source = node.args[0].value
        if literal_str(source) is not None or isinstance(source, cst.SimpleString | cst.ConcatenatedString):
            return
        if isinstance(source, cst.Call) and ctx.call_name(source) == "compile":
            source = source.args[0].value if source.args else source
            if literal_str(source) is not None:
                return
        if ctx.sink_hits(node, "code") or _settled(ctx, source, "code"):
            return  # CWR104's, or a value the analysis knows
        if project_file_text(ctx, source):
            return  # the project's own file at a fixed path (a setup.py reading its version): its own code
        ctx.report(node, f"{name}() runs code from `{ctx.code(source, 30)}`, which is not a literal")

    VALID = (
        Valid("import ast\n\ndef parse(text):\n    return ast.literal_eval(text)\n"),
        Valid("exec('import sys')\n"),
        # A setup.py reading its own version from the package's files at fixed paths.
        Valid(
            "import os\n\n_locals = {}\nwith open(os.path.join('fabric', '_version.py')) as fp:\n"
            "    exec(fp.read(), None, _locals)\n"
        ),
        Valid(
            "import re\nfrom os import path\n\nhere = path.abspath(path.dirname(__file__))\nname = 'tunnel'\n"
            "with open(path.join(here, name + '.py'), encoding='utf-8') as f:\n    data = f.read()\n"
            "    version = eval(re.search('__version__ = (.+)', data).group(1))\n"
        ),
        # An allow-list without letters or `_`: an arithmetic expression names nothing (bedrock-chat's calculator).
        Valid(
            "import re\n\ndef calc(expression):\n    if not re.match(r'^[0-9+\\-*/().]+$', expression):\n"
            "        return 'invalid'\n    return eval(expression)\n"
        ),
    )
    INVALID = (
        Invalid("def apply(rule, record):\n    return eval(rule, {'record': record})\n", 2, 12),
        # A file whose path the caller chooses is not the project's own.
        Invalid("def load(path):\n    with open(path) as fp:\n        exec(fp.read())\n", 3, 9),
        # Letters, dots and parentheses let the expression call what it names.
        Invalid(
            "import re\n\ndef calc(expression):\n    if not re.fullmatch(r'[a-z0-9.()]+', expression):\n"
            "        return 'invalid'\n    return eval(expression)\n",
            6,
            12,
        ),
    )
