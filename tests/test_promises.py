"""Promises README makes that no other test held it to: `$CODEWARD_FORMAT`, `--extend-select` and
`extend-select`, `--kind`, `//` suppressions in JSON, a lean lint path, and the reviewer's redirect validator.
Each assertion is exact, and each was checked to fail when the promise is broken (tests/README.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_cli

DUPLICATE_AND_TAGGED = (
    "version: 0.2\nenv:\n  variables:\n    TOKEN: !Secret x\nphases:\n  build:\n    commands: [make]\n"
    "  build:\n    commands: [make test]\n"
)
CWF002 = 'buildspec.yml:8:3: CWF002 duplicate key "build" (first defined at line 6); only this last value is used'
CWF010 = "buildspec.yml:4:12: CWF010"

APPSPEC = (
    "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
    "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
    "          ContainerPort: 70000\n"
)


def concise(tmp_path: Path, *args: str) -> tuple[int, list[str]]:
    """codeward in `tmp_path` with `args`; the finding lines of the concise report (summary line dropped)."""
    code, out, err = run_cli(*args, cwd=str(tmp_path))
    assert code in (0, 1), err
    return code, [line for line in out.splitlines() if ": CW" in line]


# -- $CODEWARD_FORMAT --------------------------------------------------------------------------------------------


def test_codeward_format_chooses_the_format_and_the_flag_beats_it(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "buildspec.yml").write_text(DUPLICATE_AND_TAGGED)
    args = ("lint", "--isolated", "--no-cache", "--select", "CWF002", "buildspec.yml")
    monkeypatch.setenv("CODEWARD_FORMAT", "json")
    code, out, _ = run_cli(*args, cwd=str(tmp_path))
    assert code == 1 and [f["code"] for f in json.loads(out)["findings"]] == ["CWF002"]
    code, out, _ = run_cli(*args, "--format", "concise", cwd=str(tmp_path))
    assert code == 1 and out.splitlines()[0].startswith(CWF002)
    monkeypatch.setenv("CODEWARD_FORMAT", "github")
    code, out, _ = run_cli(*args, cwd=str(tmp_path))
    assert out.startswith("::error file=buildspec.yml,line=8,")
    monkeypatch.setenv("CODEWARD_FORMAT", "xml")
    code, out, err = run_cli(*args, cwd=str(tmp_path))
    assert code == 2 and "unknown format 'xml' in CODEWARD_FORMAT" in err and out == ""


def test_codeward_format_reaches_review_and_simulate(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "app.py").write_text("import requests\n\n\ndef get(url):\n    return requests.get(url)\n")
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    monkeypatch.setenv("CODEWARD_FORMAT", "json")
    code, out, err = run_cli("review", "--isolated", "--no-cache", "app.py", cwd=str(tmp_path))
    assert code == 1, err
    assert [(f["code"], f["line"]) for f in json.loads(out)["findings"]] == [("CWR610", 5)]
    code, out, err = run_cli("simulate", "--isolated", "buildspec.yml", cwd=str(tmp_path))
    assert code == 0, err
    assert json.loads(out)["kind"] == "buildspec"


# -- --extend-select and extend-select -----------------------------------------------------------------------------


def test_extend_select_on_the_command_line_adds_to_select(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text(DUPLICATE_AND_TAGGED)
    base = ("lint", "--isolated", "--no-cache", "--format", "concise")
    _, lines = concise(tmp_path, *base, "--select", "CWF002", "buildspec.yml")
    assert [line[: len(CWF002)] for line in lines] == [CWF002]
    _, lines = concise(tmp_path, *base, "--select", "CWF002", "--extend-select", "CWF010", "buildspec.yml")
    assert [line.split(" ")[0] + " " + line.split(" ")[1] for line in lines] == [CWF010, CWF002.split(" duplicate")[0]]


def test_extend_select_in_the_configuration_and_on_top_of_it(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text(DUPLICATE_AND_TAGGED)
    (tmp_path / "pyproject.toml").write_text('[tool.codeward]\nselect = ["CWF002"]\nextend-select = ["CWF010"]\n')
    base = ("lint", "--no-cache", "--format", "concise")
    _, lines = concise(tmp_path, *base, "buildspec.yml")
    assert [line.split(": ")[0] + ": " + line.split(": ")[1][:6] for line in lines] == [
        "buildspec.yml:4:12: CWF010",
        "buildspec.yml:8:3: CWF002",
    ]
    # The command line's --select replaces the configuration's select; extend-select still adds.
    _, lines = concise(tmp_path, *base, "--select", "CWF010", "buildspec.yml")
    assert [line.split(": ")[1][:6] for line in lines] == ["CWF010"]
    (tmp_path / "pyproject.toml").write_text('[tool.codeward]\nselect = ["CWF002"]\n')
    _, lines = concise(tmp_path, *base, "--extend-select", "CWF010", "buildspec.yml")
    assert [line.split(": ")[1][:6] for line in lines] == ["CWF010", "CWF002"]
    (tmp_path / "pyproject.toml").write_text('[tool.codeward]\nextend-select = ["CWF01O"]\n')
    code, _, err = run_cli(*base, "buildspec.yml", cwd=str(tmp_path))
    assert code == 2 and 'extend-select: "CWF01O" is not a rule code' in err


# -- --kind ----------------------------------------------------------------------------------------------------------


def test_kind_names_the_kind_of_a_file_whose_content_says_nothing(tmp_path: Path) -> None:
    (tmp_path / "release.json").write_text('{"pipelin": {"name": "release"}}\n')
    base = ("lint", "--isolated", "--no-cache", "--format", "concise")
    code, lines = concise(tmp_path, *base, "release.json")
    assert code == 0 and [line.split(" ")[:2] for line in lines] == [["release.json:1:1:", "CWF013"]]
    code, lines = concise(tmp_path, *base, "--kind", "pipeline", "release.json")
    assert code == 1 and [" ".join(line.split(" ")[:2]) for line in lines] == [
        "release.json:1:1: CWP002",
        "release.json:1:1: CWP002",
        "release.json:1:1: CWP002",
        "release.json:1:1: CWP004",
        "release.json:1:2: CWP001",
    ]
    assert 'CWP001 unknown key "pipelin" in the top level of the pipeline' in lines[-1]
    # Another kind named, that kind's rules.
    _, lines = concise(tmp_path, *base, "--kind", "buildspec", "release.json")
    assert lines and all(line.split(" ")[1].startswith("CWB") for line in lines), lines


# -- `//` suppressions in JSON -------------------------------------------------------------------------------------


def test_double_slash_suppressions_in_json(tmp_path: Path) -> None:
    def appspec(port_line: str, above: str = "") -> str:
        return (
            '{"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {\n'
            '  "TaskDefinition": "<TASK_DEFINITION>",\n'
            f'{above}  "LoadBalancerInfo": {{"ContainerName": "web", {port_line}\n'
            "}}}]}\n"
        )

    base = ("lint", "--isolated", "--no-cache", "--format", "concise", "appspec.json")
    (tmp_path / "appspec.json").write_text(appspec('"ContainerPort": 80800}'))
    _, lines = concise(tmp_path, *base)
    assert [line.split(" ")[:2] for line in lines] == [["appspec.json:3:65:", "CWA111"]]
    for text in (
        appspec('"ContainerPort": 80800} // codeward: ignore[CWA111]'),
        appspec('"ContainerPort": 80800} // codeward: ignore'),
        appspec('"ContainerPort": 80800}', above="  // codeward: ignore[CWA111]\n"),
        appspec('"ContainerPort": 80800} /* fine */ //codeward:ignore[CWA]'),
    ):
        (tmp_path / "appspec.json").write_text(text)
        assert concise(tmp_path, *base) == (0, []), text
    # Another code's suppression silences nothing, and is itself reported.
    (tmp_path / "appspec.json").write_text(appspec('"ContainerPort": 80800} // codeward: ignore[CWA101]'))
    _, lines = concise(tmp_path, *base)
    assert [line.split(" ")[:2] for line in lines] == [
        ["appspec.json:3:65:", "CWA111"],
        ["appspec.json:3:72:", "CWF011"],
    ]


# -- the lint path stays lean ------------------------------------------------------------------------------------

PROBE = (
    "import sys\n{before}from codeward.cli import main\n"
    "code = main(['lint', '--isolated', '--no-cache', '--format', 'concise', sys.argv[1]])\n"
    "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('jsonschema', 'libcst', 'sklearn', 'numpy'))\n"
    "print(code, heavy)\n"
)


def test_the_lint_path_imports_no_jsonschema_where_it_is_installed() -> None:
    pytest.importorskip("jsonschema", reason="the check means something only where jsonschema is importable")
    examples = str(Path(ROOT) / "examples")

    def probe(before: str = "") -> str:
        result = subprocess.run(
            [sys.executable, "-c", PROBE.format(before=before), examples],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()[-1]

    assert probe() == "0 []"
    # The probe sees the module when something does import it.
    assert probe("import jsonschema\n").startswith("0 ['jsonschema'")


# -- the reviewer's redirect validator ---------------------------------------------------------------------------

REDIRECT = (
    "from django.shortcuts import redirect\n{imp}\n\n\n"
    "def after_login(request):\n"
    "    target = request.GET.get('next', '/')\n"
    "{guard}"
    "    return redirect(target)\n"
)


@pytest.mark.parametrize(
    ("imp", "guard"),
    [
        (
            "from django.utils.http import url_has_allowed_host_and_scheme as is_local",
            "    if not is_local(target, allowed_hosts={request.get_host()}):\n        target = '/'\n",
        ),
        (
            "from django.utils import http as django_http",
            "    if not django_http.url_has_allowed_host_and_scheme(target, {request.get_host()}):\n"
            "        return redirect('/')\n",
        ),
        # By keyword, as Django's own views call it: only the model knows which argument is the URL.
        (
            "from django.utils.http import url_has_allowed_host_and_scheme",
            "    if not url_has_allowed_host_and_scheme(\n"
            "        url=target, allowed_hosts={request.get_host()}, require_https=request.is_secure()\n"
            "    ):\n        target = '/'\n",
        ),
        (
            "from django.utils.http import is_safe_url",
            "    if not is_safe_url(allowed_hosts={request.get_host()}, url=target):\n        target = '/'\n",
        ),
    ],
)
def test_a_redirect_guarded_by_djangos_validator_is_not_reported(tmp_path: Path, imp: str, guard: str) -> None:
    (tmp_path / "views.py").write_text(REDIRECT.format(imp=imp, guard=guard))
    base = ("review", "--isolated", "--no-cache", "--show-all", "--format", "concise", "views.py")
    assert concise(tmp_path, *base) == (0, [])
    # Unguarded, the same view is reported: the guard is what the clean result depends on.
    (tmp_path / "views.py").write_text(REDIRECT.format(imp=imp, guard=""))
    _, lines = concise(tmp_path, *base)
    assert [line.split(" ")[:2] for line in lines] == [["views.py:7:12:", "CWR117"]], lines


FLASK_REDIRECT = """\
from flask import Flask, redirect, request

from myapp.security import {name}

app = Flask(__name__)


@app.route("/login")
def login():
    target = request.args.get("next", "/")
{guard}    return redirect(target)
"""


@pytest.mark.parametrize("name", ["is_safe_url", "url_has_allowed_host_and_scheme"])
def test_a_projects_own_validator_of_the_usual_name_guards_a_redirect(tmp_path: Path, name: str) -> None:
    # A helper of that name from a module codeward cannot see (Flask projects copy one): the name decides.
    guard = f"    if not {name}(target):\n        return redirect('/')\n"
    (tmp_path / "views.py").write_text(FLASK_REDIRECT.format(name=name, guard=guard))
    base = ("review", "--isolated", "--no-cache", "--show-all", "--format", "concise", "views.py")
    assert concise(tmp_path, *base) == (0, [])
    (tmp_path / "views.py").write_text(FLASK_REDIRECT.format(name=name, guard=""))
    _, lines = concise(tmp_path, *base)
    assert [line.split(" ")[:2] for line in lines] == [["views.py:11:12:", "CWR117"]], lines


# -- @profiler.profile -------------------------------------------------------------------------------------------

DECORATED = """\
import time

from codeward import profiler


def spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


@profiler.profile(output_dir="deco", formats="collapsed", heap_budget_percent=0)
def work(n):
    '''Doubles n, slowly.'''
    spin(0.15)
    return n * 2


print(work(1), work(2), work.__name__, work.__doc__)
"""


def test_the_profile_decorator_profiles_and_reports_each_call(tmp_path: Path) -> None:
    from codeward.profiler.model import load

    (tmp_path / "app.py").write_text(DECORATED)
    env = {key: value for key, value in os.environ.items() if not key.startswith("CODEWARD_PROFILE")}
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=tmp_path, env={**env, "PYTHONPATH": ROOT}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2 4 work Doubles n, slowly.\n"  # the function's result and identity are kept
    reports = sorted((tmp_path / "deco").glob("profile-*.json"))
    assert [p.name.rsplit("-", 1)[1] for p in reports] == ["1.json", "2.json"]  # one per call, none overwritten
    for report in reports:
        profile = load(str(report))
        frames = profile["frames"]
        chains = [[frames[i]["name"] for i in ids] for ids, *_ in profile["stacks"]]
        # The call's own work, under the decorated function (the wrapper does not show between them).
        assert ["<module>", "work", "spin"] in chains, chains
        assert (tmp_path / "deco" / report.name.replace(".json", ".collapsed")).is_file()
