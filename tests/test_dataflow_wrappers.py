"""Sinks reached through helpers in other modules of the project, whatever the helpers are called: the file under
review names no sink, and the data passes through two functions before it reaches one."""

from __future__ import annotations

from pathlib import Path

import pytest
from codeward.reviewer.review import review_file

RUNNER = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.check_output(cmd, shell=True)\n"
QUOTING = "import shlex\nfrom app.runner import run\n\n\ndef git_show(name):\n    return run('git show :%s' % shlex.quote(name))\n"
TOOLS = {
    "from import": "from app.runner import run\n\n\ndef git_show(name):\n    return run('git show :%s' % name)\n",
    "module import": "from app import runner\n\n\ndef git_show(name):\n    return runner.run('git show :%s' % name)\n",
    "relative import": "from .runner import run as execute\n\n\ndef git_show(name):\n"
    "    return execute('git show :%s' % name)\n",
}
VIEWS = "from flask import Flask, request\n\nfrom app.tools import git_show\n\napp = Flask(__name__)\n\n\n"
VIEWS += "@app.route('/x')\ndef x():\n    return git_show(request.args['n'])\n"


def _package(root: Path, tools: str) -> Path:
    package = root / "app"
    package.mkdir()
    for name, text in {"__init__.py": "", "runner.py": RUNNER, "tools.py": tools, "views.py": VIEWS}.items():
        (package / name).write_text(text)
    return package


@pytest.mark.parametrize("imported", sorted(TOOLS))
def test_a_wrapper_of_a_wrapper_in_other_modules(tmp_path: Path, imported: str) -> None:
    package = _package(tmp_path, TOOLS[imported])
    found = [(f.line, f.code) for f in review_file(str(package / "views.py")).findings if f.code == "CWR102"]
    assert found == [(10, "CWR102")]


def test_a_wrapper_that_quotes_what_it_passes_on(tmp_path: Path) -> None:
    package = _package(tmp_path, QUOTING)
    assert [f.code for f in review_file(str(package / "views.py")).findings if f.code == "CWR102"] == []


def test_the_message_names_every_wrapper_and_where_each_passes_the_data_on(tmp_path: Path) -> None:
    package = _package(tmp_path, TOOLS["from import"])
    (finding,) = [f for f in review_file(str(package / "views.py")).findings if f.code == "CWR102"]
    assert finding.line == 10
    assert (
        "reaches the command run by git_show(), which passes it to run() (tools.py:5), which passes it to "
        "subprocess.check_output() (runner.py:5)" in finding.message
    )
