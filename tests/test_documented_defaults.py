"""Every default that README.md and docs/ state, compared with the value the code uses.

The docs are prose written by hand, so each statement is found by a pattern and its figure read from the
text; the code's value comes from the object the program really uses (the settings specs, the parsers'
defaults, the modules' constants), never from a copy here. A statement that is reworded so that its pattern
no longer matches fails too: update the pattern with the prose."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def text(name: str) -> str:
    return " ".join((ROOT / name).read_text(encoding="utf-8").split())  # prose wraps anywhere


def stated(name: str, pattern: str) -> list[str]:
    """The figures `pattern`'s first group captures in `name`; at least one, or the prose has moved."""
    found = re.findall(pattern, text(name))
    assert found, f"{name} no longer says {pattern!r}: update this test with the prose"
    return found


def number(figure: str) -> float:
    return float(figure.replace(",", ""))


# -- parsers -----------------------------------------------------------------------------------------------------


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def option_default(command: str, flag: str) -> Any:
    from codeward.cli import build_parser

    parser = _subparsers(build_parser())[command]
    return next(a.default for a in parser._actions if flag in a.option_strings)


def profile_subcommand_default(name: str, flag: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`codeward profile NAME` builds its parser when it runs: catch it as it parses."""
    from codeward.profiler import command

    seen: list[argparse.ArgumentParser] = []

    def catch(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> Any:
        seen.append(self)
        raise SystemExit(0)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", catch)
    command._subcommand(name, [])
    monkeypatch.undo()
    return next(a.default for a in seen[-1]._actions if flag in a.option_strings)


# -- the profiler's settings table: one row per setting, nothing more ---------------------------------------------


def _shown(spec: Any) -> str:
    if spec.kind is bool:
        return "on" if spec.default else "off"
    if spec.kind is str:
        return f"`{spec.default}`" if spec.default else "unset"
    return f"{spec.default:g}"


def test_profiler_settings_table_matches_the_specs() -> None:
    from codeward.profiler.settings import SPECS

    rows = {}
    for line in (ROOT / "docs/profiler.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1].startswith("`CODEWARD_PROFILE"):
            rows[cells[0].strip("`")] = (cells[1].strip("`"), cells[2])
    assert set(rows) == {spec.name for spec in SPECS}
    for spec in SPECS:
        assert rows[spec.name] == (spec.env, _shown(spec)), spec.name


def test_profiler_help_states_each_settings_default() -> None:
    from codeward.profiler.settings import SPECS

    from codeward.cli import build_parser

    parser = _subparsers(build_parser())["profile"]
    helps = {flag: a.help or "" for a in parser._actions for flag in a.option_strings}
    for spec in SPECS:
        shown = "off by default" if spec.kind is bool else "unset by default" if spec.default == "" else None
        assert (shown or f"default {spec.default}") in " ".join(helps[spec.flag].split()), spec.flag


def test_heap_budget_default_in_prose() -> None:
    from codeward.profiler.settings import BY_NAME

    default = BY_NAME["heap-budget-percent"].default
    for name, pattern in (
        ("README.md", r"`heap-budget-percent`, default ([\d.]+)%"),
        ("docs/profiler.md", r"`heap-budget-percent` of wall time \(([\d.]+)% by default\)"),
    ):
        assert [number(f) for f in stated(name, pattern)] == [default], name


# -- options and settings stated in prose ----------------------------------------------------------------------


def _fail_on_default() -> str:
    from codeward.config import Config

    return str(Config().fail_on)


def _min_confidence() -> float:
    from codeward.reviewer.ml.confidence import DEFAULT_MIN_CONFIDENCE

    return DEFAULT_MIN_CONFIDENCE


def _github_api() -> str:
    from codeward.github import DEFAULT_API

    return DEFAULT_API


def _retry_default() -> int:
    from codeward.linters.simulate.buildspec_model import parse_on_failure

    counts = {parse_on_failure(raw).retries for raw in ("RETRY", "RETRY-exit status 1")}  # type: ignore[union-attr]
    assert len(counts) == 1
    return counts.pop()


def _approval_timeout_days() -> float:
    from codeward.linters.simulate.pipeline_timing import DAY, timeout_minutes

    return timeout_minutes("Approval", "AWS", "Manual", None) / DAY


def _trusted() -> list[str]:
    from codeward.reviewer.dataflow.models import DEFAULT_TRUSTED

    return sorted(DEFAULT_TRUSTED)


STATEMENTS: list[tuple[str, str, Callable[[], Any], Callable[[str], Any]]] = [
    ("README.md", r"`--fail-on` \(default `(\w+)`\)", _fail_on_default, str),
    ("docs/reviewer.md", r"`--fail-on` \(default `(\w+)`\)", _fail_on_default, str),
    ("README.md", r"Findings below ([\d.]+) are hidden", _min_confidence, number),
    ("docs/ml.md", r"below confidence ([\d.]+) are hidden", _min_confidence, number),
    ("docs/ml.md", r"The default `min-confidence` is ([\d.]+)", _min_confidence, number),
    ("reviewer/command.py", r"\(default: ([\d.]+), or min-confidence", _min_confidence, number),
    ("docs/ci.md", r"default `(https://[^`]+)`", _github_api, str),
    ("docs/simulate.md", r"run the phase again \((\d+) times by default\)", _retry_default, int),
    ("docs/simulate.md", r"`timeoutInMinutes` \(default (\d+) days\)", _approval_timeout_days, number),
    ("docs/simulate.md", r"\(`--timeout`, default (\w+)\)", lambda: option_default("simulate", "--timeout"), str),
    (
        "docs/simulate.md",
        r"started `--interval MINUTES` apart, default (\d+)\)",
        lambda: option_default("simulate", "--interval"),
        int,
    ),
    (
        "docs/reviewer.md",
        r"# Source classes the project trusts \(default: (\w+) and (\w+)\)",
        _trusted,
        lambda found: sorted(found),
    ),
]


@pytest.mark.parametrize(
    ("name", "pattern", "code", "parse"), STATEMENTS, ids=[f"{s[0]}-{i}" for i, s in enumerate(STATEMENTS)]
)
def test_stated_default_matches_the_code(name: str, pattern: str, code: Callable[[], Any], parse: Any) -> None:
    for figure in stated(name, pattern):
        assert parse(figure) == code(), f"{name}: {pattern}"


@pytest.mark.parametrize(
    ("name", "flag", "pattern"),
    [
        ("check", "--sigmas", r"`--sigmas` \(default (\d+)\)"),
        ("check", "--min-change", r"`--min-change` \(default (\d+)\)"),
        ("aggregate", "--window", r"\(`--window`, default `(\w+)`"),
    ],
    ids=["sigmas", "min-change", "window"],  # plain ids: a regular expression in an id cannot be selected again
)
def test_profile_subcommand_defaults(name: str, flag: str, pattern: str, monkeypatch: pytest.MonkeyPatch) -> None:
    default = profile_subcommand_default(name, flag, monkeypatch)
    for figure in stated("docs/profiler.md", pattern):
        assert (number(figure) if isinstance(default, float) else figure) == default, flag


# -- the pipeline simulator's typical durations and timeouts -------------------------------------------------------


def test_pipeline_durations_table_matches_the_code() -> None:
    from codeward.linters.simulate.pipeline_timing import default_minutes

    doc = (ROOT / "docs/simulate.md").read_text(encoding="utf-8")
    table = doc[doc.index("| action | minutes |") :].split("\n\n")[0]
    rows = {
        cells[0]: cells[1] for cells in ([c.strip() for c in r.strip("|").split("|")] for r in table.splitlines()[2:])
    }
    assert int(rows["any Source action"]) == default_minutes("Source", "S3") == default_minutes("Source", "GitHub")
    for provider in ("CodeBuild", "ECRBuildAndPublish", "Jenkins"):
        category = "Build"
        assert default_minutes(category, provider) == int(rows["CodeBuild (Build, Test), ECRBuildAndPublish, Jenkins"])
    assert default_minutes("Test", "CodeBuild") == default_minutes("Test", "Jenkins") == 10
    assert default_minutes("Test", "DeviceFarm") == int(rows["DeviceFarm"])
    assert default_minutes("Compute", "Commands") == int(rows["Compute Commands"])
    assert default_minutes("Approval", "Manual") == int(
        rows["Manual approval: the time until someone approves or rejects"]
    )
    assert default_minutes("Deploy", "SomethingNew") == int(rows["anything else"])
    for label, category in (("Deploy", "Deploy"), ("Invoke", "Invoke")):
        listed = next(key for key in rows if key.startswith(label + ":"))
        for part in listed.split(":", 1)[1].split(","):
            names, minutes = part.strip().rsplit(" ", 1)
            for provider in re.split(r"\s*/\s*", names):
                if provider == "StackInstances":
                    provider = "CloudFormationStackInstances"
                assert default_minutes(category, provider) == int(minutes), (category, provider)


def test_pipeline_timeouts_sentence_matches_the_code() -> None:
    from codeward.linters.simulate.pipeline_timing import timeout_minutes

    minutes = {"days": 24 * 60, "day": 24 * 60, "hours": 60, "hour": 60, "minutes": 1}
    sentence = stated("docs/simulate.md", r"fails when the timeout runs out: (.*?)\. A manual approval")[0]
    providers = {
        "CloudFormation": ("Deploy", "AWS", "CloudFormation"),
        "CodeBuild": ("Build", "AWS", "CodeBuild"),
        "CodeDeploy": ("Deploy", "AWS", "CodeDeploy"),
        "CodeDeployToECS": ("Deploy", "AWS", "CodeDeployToECS"),
        "Lambda invoke": ("Invoke", "AWS", "Lambda"),
        "S3 deploy": ("Deploy", "AWS", "S3"),
        "Step Functions": ("Invoke", "AWS", "StepFunctions"),
        "Commands": ("Compute", "AWS", "Commands"),
        "custom (owner `Custom`) actions": ("Build", "Custom", "MyJenkins"),
        "all others": ("Deploy", "AWS", "ElasticBeanstalk"),
    }
    checked = 0
    for part in re.split(r", (?:and )?", sentence):
        match = re.fullmatch(r"(.+?) (\d+) (days|day|hours|hour|minutes)", part.strip())
        assert match, part
        names = match.group(1).split(" and ")
        for name in names:
            assert timeout_minutes(*providers[name], None) == int(match.group(2)) * minutes[match.group(3)], name
            checked += 1
    assert checked == len(providers)
