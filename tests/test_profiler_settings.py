"""The profiler's settings exactly, in the process: names, variables and flags derived from each spec, every
conversion and its message, precedence, and the flags `codeward profile` builds from the specs
(tests/test_profiler.py runs the agent with them; tests/test_documented_defaults.py checks the docs)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest
from codeward.profiler.options import add_setting_flags, nearest_pyproject, settings_from_args
from codeward.profiler.settings import (
    BY_ATTR,
    BY_NAME,
    SPECS,
    Settings,
    SettingsError,
    Spec,
    convert,
    from_env,
    from_pyproject,
    resolve,
)

from tests.helpers import error_of


def test_variables_and_flags_come_from_the_names() -> None:
    spec = BY_NAME["SamplingIntervalInMilliseconds"]
    assert (spec.env, spec.flag) == (
        "CODEWARD_PROFILER_SAMPLING_INTERVAL_IN_MILLISECONDS",
        "--sampling-interval-in-milliseconds",
    )
    spec = BY_NAME["heap-budget-percent"]
    assert (spec.env, spec.flag) == ("CODEWARD_PROFILER_HEAP_BUDGET_PERCENT", "--heap-budget-percent")
    assert (BY_NAME["group"].env, BY_NAME["group"].flag) == ("CODEWARD_PROFILE_GROUP", "--group")  # its own variable
    assert (BY_NAME["store"].env, BY_ATTR["store"].name) == ("CODEWARD_PROFILE_STORE", "store")
    assert [s.env for s in SPECS][:3] == [
        "CODEWARD_PROFILER_MAX_STACK_DEPTH",
        "CODEWARD_PROFILER_MEMORY_USAGE_LIMIT_PERCENT",
        "CODEWARD_PROFILER_MINIMUM_TIME_FOR_REPORTING_IN_MILLISECONDS",
    ]


def test_settings_start_from_the_defaults_and_refuse_unknown_names() -> None:
    settings = Settings(max_stack_depth=5)
    assert settings.max_stack_depth == 5
    assert all(getattr(settings, s.attr) == s.default for s in SPECS if s.attr != "max_stack_depth")
    with pytest.raises(TypeError) as raised:
        Settings(depth=1, colour=2)
    assert str(raised.value) == "unknown settings: depth, colour"
    assert repr(Settings()).startswith("Settings(max_stack_depth=1000, memory_usage_limit_percent=10.0, ")
    assert repr(Settings()).endswith("timer='auto', group='', store='')")
    assert Settings().as_dict()["heap-budget-percent"] == 0.2 and list(Settings().as_dict()) == list(BY_NAME)


def test_to_env_gives_a_child_the_same_settings(tmp_path: Path) -> None:
    settings = Settings(trace_allocations=True, output_dir="out", sampling_interval_ms=2.5)
    env = settings.to_env()
    assert env["CODEWARD_PROFILER_TRACE_ALLOCATIONS"] == "1"
    assert env["CODEWARD_PROFILER_SAMPLING_INTERVAL_IN_MILLISECONDS"] == "2.5"
    assert env["CODEWARD_PROFILER_OUTPUT_DIR"] == os.path.abspath("out")
    assert "CODEWARD_PROFILE_GROUP" not in env and "CODEWARD_PROFILE_STORE" not in env  # unset stays unset
    assert Settings().to_env()["CODEWARD_PROFILER_TRACE_ALLOCATIONS"] == "0"
    assert len(env) == len(SPECS) - 2
    grouped = Settings(group="svc", store="file:///x").to_env()
    assert (grouped["CODEWARD_PROFILE_GROUP"], grouped["CODEWARD_PROFILE_STORE"]) == ("svc", "file:///x")
    # What to_env writes, from_env and resolve read back to equal settings.
    again = resolve(environ=settings.to_env())
    assert again.as_dict() == {**settings.as_dict(), "output-dir": os.path.abspath("out")}


def test_report_formats() -> None:
    assert Settings().report_formats() == ["html", "speedscope", "collapsed"]
    assert Settings(formats=" collapsed , ,none").report_formats() == ["collapsed"]
    assert Settings(formats="none").report_formats() == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("trace-allocations", True, True),
        ("trace-allocations", False, False),
        *[("trace-allocations", text, True) for text in ("1", "true", " YES ", "on")],
        *[("trace-allocations", text, False) for text in ("0", "false", "No", "off", "")],
        ("MaxStackDepth", " 12 ", 12),
        ("MaxStackDepth", 1, 1),
        ("MaxStackDepth", 100_000, 100_000),
        ("SamplingIntervalInMilliseconds", "0.1", 0.1),
        ("SamplingIntervalInMilliseconds", 3_600_000, 3_600_000.0),
        ("heap-budget-percent", "0", 0.0),
        ("heap-budget-percent", 50, 50.0),
        ("formats", "html, none", "html, none"),
        ("timer", " thread ", "thread"),
        ("group", " svc-1.a_b ", "svc-1.a_b"),
        ("store", " s3://b/p ", "s3://b/p"),
        ("store", "file:///x", "file:///x"),
        ("output-dir", " out ", " out "),  # a path is taken as given
    ],
)
def test_convert_accepts(name: str, value: object, expected: object) -> None:
    converted = convert(BY_NAME[name], value, "S")
    assert converted == expected and type(converted) is type(expected)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("trace-allocations", "maybe", "S: trace-allocations must be true or false, not 'maybe'"),
        ("output-dir", " ", "S: output-dir must be a non-empty string, not ' '"),
        ("output-dir", 3, "S: output-dir must be a non-empty string, not 3"),
        ("formats", "html,pdf", "S: formats: unknown format 'pdf'; choose from html, speedscope, collapsed"),
        ("group", "a/b", "S: group may hold letters, digits, '.', '_' and '-' only, not 'a/b'"),
        ("store", "/tmp/x", "S: store must be an s3://bucket/prefix or file:///directory URL, not '/tmp/x'"),
        ("timer", "cpu", "S: timer must be one of auto, thread, not 'cpu'"),
        ("MaxStackDepth", True, "S: MaxStackDepth must be a number, not True"),
        ("MaxStackDepth", "1.5", "S: MaxStackDepth must be a whole number, not '1.5'"),
        ("MaxStackDepth", "0x10", "S: MaxStackDepth must be a whole number, not '0x10'"),
        ("MaxStackDepth", None, "S: MaxStackDepth must be a whole number, not None"),
        ("SamplingIntervalInMilliseconds", "fast", "S: SamplingIntervalInMilliseconds must be a number, not 'fast'"),
        ("MaxStackDepth", 0, "S: MaxStackDepth must be between 1 and 100000, not 0"),
        ("MaxStackDepth", 100_001, "S: MaxStackDepth must be between 1 and 100000, not 100001"),
        (
            "SamplingIntervalInMilliseconds",
            "0.09",
            "S: SamplingIntervalInMilliseconds must be between 0.1 and 3.6e+06, not 0.09",
        ),
        ("heap-budget-percent", 50.5, "S: heap-budget-percent must be between 0 and 50, not 50.5"),
        ("heap-budget-percent", -1, "S: heap-budget-percent must be between 0 and 50, not -1"),
    ],
)
def test_convert_refuses_with_the_source_and_the_setting_named(name: str, value: object, message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        convert(BY_NAME[name], value, "S")
    assert str(raised.value) == message


def test_precedence_and_sources(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.codeward.profiler]\nMaxStackDepth = 10\nheap-budget-percent = 1\ntimer = "thread"\n')
    env = {"CODEWARD_PROFILER_MAX_STACK_DEPTH": "20", "CODEWARD_PROFILER_TIMER": "auto", "OTHER": "x"}
    assert from_env(env) == {"MaxStackDepth": "20", "timer": "auto"}
    assert from_pyproject(str(pyproject)) == {"MaxStackDepth": 10, "heap-budget-percent": 1, "timer": "thread"}
    settings = resolve(str(pyproject), environ=env, overrides={"MaxStackDepth": "30", "timer": None})
    assert (settings.max_stack_depth, settings.timer, settings.heap_budget_percent) == (30, "auto", 1.0)
    settings = resolve(str(pyproject), environ=env, use_env=False)
    assert (settings.max_stack_depth, settings.timer) == (10, "thread")
    assert resolve(environ={}).as_dict() == Settings().as_dict()


def test_from_env_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEWARD_PROFILER_MAX_STACK_DEPTH", "7")
    assert from_env()["MaxStackDepth"] == "7"
    assert resolve().max_stack_depth == 7
    assert resolve(use_env=False).max_stack_depth == 1000


def test_bad_sources_are_named(tmp_path: Path) -> None:
    missing = str(tmp_path / "none.toml")
    assert error_of(SettingsError, from_pyproject, missing) == f"cannot read {missing}: No such file or directory"
    bad = tmp_path / "bad.toml"
    bad.write_text("[tool\n")
    with pytest.raises(SettingsError, match=f"^{bad} is not valid TOML: "):
        from_pyproject(str(bad))
    bad.write_text("[tool.codeward]\nprofiler = 3\n")
    with pytest.raises(SettingsError) as raised:
        from_pyproject(str(bad))
    assert str(raised.value) == f"{bad}: [tool.codeward.profiler] must be a table"
    bad.write_text("[project]\n")
    assert from_pyproject(str(bad)) == {}
    with pytest.raises(SettingsError) as raised:
        resolve(environ={"CODEWARD_PROFILER_MAX_STACK_DEPTH": "deep"})
    assert str(raised.value) == (
        "environment variable CODEWARD_PROFILER_MAX_STACK_DEPTH: MaxStackDepth must be a whole number, not 'deep'"
    )
    bad.write_text("[tool.codeward.profiler]\nMaxStackDepth = 0\n")
    with pytest.raises(SettingsError) as raised:
        resolve(str(bad), environ={})
    assert str(raised.value) == f"{bad} [tool.codeward.profiler]: MaxStackDepth must be between 1 and 100000, not 0"


def test_unknown_settings_get_the_closest_name_or_the_list() -> None:
    with pytest.raises(SettingsError) as raised:
        resolve(overrides={"MaxStackDepht": 3}, use_env=False)
    assert str(raised.value) == 'option: unknown setting "MaxStackDepht"; did you mean "MaxStackDepth"?'
    with pytest.raises(SettingsError) as raised:
        resolve(overrides={"zzz": 3}, use_env=False)
    assert str(raised.value) == 'option: unknown setting "zzz"; known: ' + ", ".join(BY_NAME)


def test_group_and_store_go_together() -> None:
    with pytest.raises(SettingsError) as raised:
        resolve(overrides={"store": "file:///x"}, use_env=False)
    assert str(raised.value) == (
        "store is set but group is not: a profiling group needs both (--group NAME --store URL, or "
        "CODEWARD_PROFILE_GROUP)"
    )
    with pytest.raises(SettingsError) as raised:
        resolve(overrides={"group": "svc"}, use_env=False)
    assert str(raised.value).startswith("group is set but store is not:") and str(raised.value).endswith(
        "or CODEWARD_PROFILE_STORE)"
    )
    both = resolve(overrides={"group": "svc", "store": "file:///x"}, use_env=False)
    assert (both.group, both.store) == ("svc", "file:///x")


# -- the command-line flags ----------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(prog="p")
    add_setting_flags(made)
    return made


def test_each_setting_has_its_flags_and_help() -> None:
    actions = {a.dest: a for a in parser()._actions}
    assert actions["sampling_interval_ms"].option_strings == [
        "--sampling-interval-in-milliseconds", "--SamplingIntervalInMilliseconds", "--interval",
    ]  # fmt: skip
    assert actions["output_dir"].option_strings == ["-o", "--output-dir"]
    assert actions["heap_budget_percent"].option_strings == ["--heap-budget-percent"]
    assert actions["max_stack_depth"].metavar == "INT" and actions["output_dir"].metavar == "STR"
    assert actions["heap_budget_percent"].help == (
        "wall-time share the live-object census may use (0: no census) (default 0.2; CODEWARD_PROFILER_HEAP_BUDGET_PERCENT)"
    )
    assert actions["trace_allocations"].help == "record allocation sites with tracemalloc (off by default)"
    assert actions["group"].help.endswith("(unset by default; CODEWARD_PROFILE_GROUP)")
    args = parser().parse_args(["--trace-allocations", "--interval", "5", "--MaxStackDepth", "9"])
    assert (args.trace_allocations, args.sampling_interval_ms, args.max_stack_depth) == (True, "5", "9")
    args = parser().parse_args([])
    assert (args.trace_allocations, args.config, args.isolated, args.top, args.quiet) == (None, None, False, 15, False)


def test_settings_from_args_flags_over_environment_over_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.codeward.profiler]\nMaxStackDepth = 10\ntimer = 'thread'\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.setenv("CODEWARD_PROFILER_TIMER", "auto")
    monkeypatch.delenv("CODEWARD_PROFILER_MAX_STACK_DEPTH", raising=False)
    found = settings_from_args(parser().parse_args([]), start=str(tmp_path / "sub"))
    assert (found.max_stack_depth, found.timer) == (10, "auto")
    flagged = settings_from_args(parser().parse_args(["--max-stack-depth", "11"]), start=str(tmp_path / "sub"))
    assert flagged.max_stack_depth == 11
    monkeypatch.setenv("CODEWARD_PROFILER_TIMER", "thread")
    isolated = settings_from_args(parser().parse_args(["--isolated"]), start=str(tmp_path / "sub"))
    assert (isolated.max_stack_depth, isolated.timer) == (1000, "auto")  # neither file nor environment
    # Flags a caller's parser does not define are unset.
    bare = settings_from_args(argparse.Namespace(isolated=True, config=None), start=str(tmp_path / "sub"))
    assert bare.as_dict() == Settings().as_dict()
    other = tmp_path / "other.toml"
    other.write_text("[tool.codeward.profiler]\nMaxStackDepth = 12\n")
    named = settings_from_args(parser().parse_args(["--config", str(other)]), start=str(tmp_path / "sub"))
    assert (named.max_stack_depth, named.timer) == (12, "thread")


def test_nearest_pyproject_needs_a_codeward_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.codeward.profiler]\n")
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\n")
    (tmp_path / "a" / "b" / "pyproject.toml").mkdir()  # unreadable as a file: looked past
    assert nearest_pyproject(str(tmp_path / "a" / "b")) == str(tmp_path / "pyproject.toml")
    (tmp_path / "pyproject.toml").unlink()
    assert nearest_pyproject(str(tmp_path / "a" / "b")) is None


def test_the_other_flags_and_their_help() -> None:
    made = parser()
    actions = {a.dest: a for a in made._actions}
    assert (actions["top"].metavar, actions["top"].help) == ("N", "functions in the terminal table")
    assert (actions["config"].metavar, actions["config"].help) == (
        "PYPROJECT", "read [tool.codeward.profiler] from this file",
    )  # fmt: skip
    assert actions["isolated"].help == "ignore pyproject.toml and CODEWARD_PROFILER_*"
    assert actions["quiet"].option_strings == ["-q", "--quiet"]
    assert actions["quiet"].help == "print no table when the program ends"
    assert [g.title for g in made._action_groups][-1] == (
        "agent settings (also CODEWARD_PROFILER_* and [tool.codeward.profiler])"
    )
    assert made.parse_args(["--top", "3", "-q"]).top == 3


def test_a_spec_keeps_what_it_is_given() -> None:
    spec = Spec("some-setting", "some_setting", int, 7, 1, 9, "what it does")
    assert (spec.name, spec.attr, spec.kind, spec.default, spec.minimum, spec.maximum, spec.help) == (
        "some-setting", "some_setting", int, 7, 1, 9, "what it does",
    )  # fmt: skip
    assert (spec.env_name, spec.env, spec.flag) == ("", "CODEWARD_PROFILER_SOME_SETTING", "--some-setting")
    own = Spec("x", "x", str, "", 0, 0, "h", "OWN_VARIABLE")
    assert (own.env_name, own.env) == ("OWN_VARIABLE", "OWN_VARIABLE")


def test_a_store_without_a_group_still_reaches_the_child() -> None:
    # Settings() does not check the pair (resolve does): an unset group must not hide the store after it.
    assert Settings(store="file:///x").to_env()["CODEWARD_PROFILE_STORE"] == "file:///x"
