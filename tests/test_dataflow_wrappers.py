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


# The package re-exports the wrapper (`from .tools import git_show` in its `__init__.py`, or through one more
# module): the views import it from the package, whose own text defines nothing.
REEXPORTS = {
    "from the package": ("from .tools import git_show\n", "from app import git_show\n", "git_show"),
    "the package's attribute": ("from .tools import git_show\n", "import app\n", "app.git_show"),
    "two re-exports": ("from .api import git_show\n", "from app import git_show\n", "git_show"),
}


def _reexporting(root: Path, tools: str, init: str, imports: str, called: str) -> Path:
    package = root / "app"
    package.mkdir()
    views = f"from flask import Flask, request\n\n{imports}\napp_ = Flask(__name__)\n\n\n"
    views += f"@app_.route('/x')\ndef x():\n    return {called}(request.args['n'])\n"
    files = {"__init__.py": init, "runner.py": RUNNER, "tools.py": tools, "views.py": views}
    files["api.py"] = "from .tools import git_show\n"
    for name, text in files.items():
        (package / name).write_text(text)
    return package


@pytest.mark.parametrize("shape", sorted(REEXPORTS))
def test_a_wrapper_the_package_re_exports(tmp_path: Path, shape: str) -> None:
    package = _reexporting(tmp_path, TOOLS["from import"], *REEXPORTS[shape])
    found = [(f.line, f.code) for f in review_file(str(package / "views.py")).findings if f.code == "CWR102"]
    assert found == [(10, "CWR102")]


@pytest.mark.parametrize("shape", sorted(REEXPORTS))
def test_a_quoting_wrapper_the_package_re_exports(tmp_path: Path, shape: str) -> None:
    package = _reexporting(tmp_path, QUOTING, *REEXPORTS[shape])
    assert [f.code for f in review_file(str(package / "views.py")).findings if f.code == "CWR102"] == []


# The module under review sits in a folder without `__init__.py` inside the package it imports from
# (`pkg/tools/app.py` importing `pkg.runner`): the runner's code is found all the same.
SPLITTING_RUNNER = "import shlex\nimport subprocess\n\n\ndef check_output(cmd):\n"
SPLITTING_RUNNER += "    return subprocess.check_output(shlex.split(cmd))\n"
CALLER = "from pkg.runner import check_output\n\n\ndef has_image(image):\n"
CALLER += "    return check_output('docker images -q %s' % image).strip()\n"


@pytest.mark.parametrize(
    ("runner", "expected"), [(SPLITTING_RUNNER, []), (RUNNER.replace("run(", "check_output("), [5])]
)
def test_a_runner_imported_from_a_namespace_folder(tmp_path: Path, runner: str, expected: list[int]) -> None:
    (tmp_path / "pkg" / "tools").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "runner.py").write_text(runner)
    (tmp_path / "pkg" / "tools" / "app.py").write_text(CALLER)
    found = review_file(str(tmp_path / "pkg" / "tools" / "app.py")).findings
    assert [f.line for f in found if f.code == "CWR103"] == expected


def test_a_test_package_named_like_the_package_it_tests(tmp_path: Path) -> None:
    # `app/test/operations/` (a package) imports `operations`: the app's own, not the test package itself, whose
    # module of that name does not exist (genai-app-builder's custom-resource tests).
    for folder in ("app", "app/operations", "app/test", "app/test/operations"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "app/operations/deploy.py").write_text("def execute(event, context):\n    return event.get('a')\n")
    test = tmp_path / "app/test/operations/test_deploy.py"
    test.write_text(
        "from unittest.mock import patch\n\nimport pytest\nfrom operations import deploy\n\n\n@pytest.fixture\n"
        "def mock_event():\n    return {}\n\n\nclass TestDeploy:\n    @patch('operations.deploy.send')\n"
        "    def test_create(self, send, mock_event):\n        deploy.execute(mock_event, None)\n"
    )
    assert [(f.line, f.code) for f in review_file(str(test)).findings if f.code.startswith("CWR1")] == []


FETCH = "def fetch(opener, url):\n    return opener(url).read()\n"
PASSING = {
    "from import, a sink passed": ("from app.fetching import fetch\n", "fetch(urlopen, request.args['u'])", [(10, "CWR109")]),
    "module import, a sink passed": ("from app import fetching\n", "fetching.fetch(urlopen, request.args['u'])",
                                     [(10, "CWR109")]),
    "from import, no sink passed": ("from app.fetching import fetch\n", "fetch(len, request.args['u'])", []),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(PASSING))
def test_a_sink_passed_to_a_helper_in_another_module(tmp_path: Path, case: str) -> None:
    """`fetch(urlopen, url)` with `fetch` in another module, which names no sink: the helper calls what it is
    given, so the summary for that argument reaches urlopen (the views file names no call of it either)."""
    imported, call, expected = PASSING[case]
    package = tmp_path / "app"
    package.mkdir()
    views = (
        "from urllib.request import urlopen\n\nfrom flask import Flask, request\n\n" + imported
        + "\napp = Flask(__name__)\n@app.route('/x')\ndef x():\n    return str(" + call + ")\n"
    )  # fmt: skip
    for name, text in {"__init__.py": "", "fetching.py": FETCH, "views.py": views}.items():
        (package / name).write_text(text)
    found = [(f.line, f.code) for f in review_file(str(package / "views.py")).findings if f.code == "CWR109"]
    assert found == expected


# The views import the helper inside the function that calls it (a lazy import): the cheap test before the
# analysis read only the module's own imports, so the call was taken for one that cannot reach a sink.
LOCAL_IMPORTS = {
    "from import": ("from app.tools import git_show", "git_show(request.args['n'])"),
    "module import": ("from app import tools", "tools.git_show(request.args['n'])"),
    "relative import": ("from .tools import git_show as show", "show(request.args['n'])"),
    "quoted": ("import shlex\n    from app.tools import git_show", "git_show(shlex.quote(request.args['n']))"),
    "constant": ("from app.tools import git_show", "git_show('HEAD')"),
}


@pytest.mark.parametrize("shape", sorted(LOCAL_IMPORTS))
def test_a_wrapper_imported_inside_the_calling_function(tmp_path: Path, shape: str) -> None:
    package = _package(tmp_path, TOOLS["from import"])
    imports, call = LOCAL_IMPORTS[shape]
    views = "from flask import Flask, request\n\napp = Flask(__name__)\n\n\n@app.route('/x')\ndef x():\n"
    (package / "views.py").write_text(views + f"    {imports}\n    return {call}\n")
    found = [(f.line, f.code) for f in review_file(str(package / "views.py")).findings if f.code == "CWR102"]
    line = 9 + imports.count("\n")
    assert found == ([] if shape in ("quoted", "constant") else [(line, "CWR102")])


# A method reaching a sink through a method its class inherits from a class of another module.
BASE = "import subprocess\n\n\nclass Base:\n    def run(self, cmd):\n        return subprocess.check_output(cmd, shell=True)\n"
JOB = (
    "from flask import Flask, request\n\nfrom app.base import Base\n\napp = Flask(__name__)\n\n\nclass Job(Base):\n"
    "    def go(self, x):\n        return self.run({argument})\n\n\n@app.route('/x')\ndef x():\n"
    "    return Job().go(request.args['n'])\n"
)


@pytest.mark.parametrize(
    ("argument", "expected"), [("'ls ' + x", [(16, "CWR102")]), ("'ls ' + shlex.quote(x)", []), ("'ls'", [])]
)
def test_a_method_inherited_from_a_class_of_another_module(tmp_path: Path, argument: str, expected: list) -> None:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text(BASE)
    (package / "views.py").write_text("import shlex\n" + JOB.format(argument=argument))
    found = [(f.line, f.code) for f in review_file(str(package / "views.py")).findings if f.code == "CWR102"]
    assert found == expected
