"""`[tool.codeward]` read exactly, in the process: what each key becomes, which selection wins, what is excluded
and every error message (tests/test_cli.py checks the same keys end to end through the command line)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codeward.config import (
    DEFAULT_EXCLUDE,
    Config,
    ConfigError,
    codeward_table,
    config_from_table,
    find_pyproject,
    load_config,
)
from codeward.findings import Severity
from tests.helpers import error_of


def test_the_defaults() -> None:
    config = Config()
    assert (config.select, config.ignore, config.per_file_ignores, config.exclude) == (["ALL"], [], {}, [])
    assert (config.fail_on, config.root, config.source, config.cache_dir) == (Severity.WARNING, ".", None, None)
    assert (config.cache_dir_from_cli, config.jobs, config.raw, config.explicit, config.shard) == (
        False, 0, {}, [], None,
    )  # fmt: skip
    assert DEFAULT_EXCLUDE == (
        ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".codeward_cache",
    )  # fmt: skip


def test_selection_is_by_longest_prefix_and_ignore_wins_a_tie() -> None:
    config = Config(select=["CWB", "CWA1"], ignore=["CWB1", "CWA"])
    assert config.selects("CWB201")  # CWB selects, CWB1 does not apply
    assert not config.selects("CWB101")  # CWB1 (4) beats CWB (3)
    assert config.selects("CWA104")  # CWA1 (4) beats CWA (3)
    assert not config.selects("CWA204")  # CWA (3) ignores, CWA1 does not select
    assert not config.selects("CWP101")  # nothing selects it
    assert not Config(select=["CWB1"], ignore=["CWB1"]).selects("CWB101")  # same length: ignore wins
    assert Config(select=["CWB101"], ignore=["CWB1"]).selects("CWB101")
    assert Config(select=["ALL"]).selects("CWR201")
    assert not Config(select=["ALL"], ignore=["ALL"]).selects("CWR201")  # ALL counts as length 3 both sides
    assert Config(select=["CWR201"], ignore=["ALL"]).selects("CWR201")
    assert not Config(select=[]).selects("CWB101")


def test_ignoring_a_code_ignores_the_code_that_names_the_same_problem() -> None:
    # CWA204 (simulation: hook script missing) and CWA104 (lint: the same) are one problem.
    assert not Config(ignore=["CWA104"]).selects("CWA204")
    assert not Config(ignore=["CWA204"]).selects("CWA104")
    assert Config(ignore=["CWA204"]).selects("CWA205")
    selector = Config(per_file_ignores={"a.yml": ["CWA104"]}).selector_for("a.yml")
    assert (selector("CWA204"), selector("CWA104"), selector("CWA205")) == (False, False, True)


def test_per_file_ignores_match_relative_to_the_configurations_folder(tmp_path: Path) -> None:
    config = Config(root=str(tmp_path), per_file_ignores={"b/*": ["CWF002"], "deploy.yml": ["CWA"]})
    config.select = ["ALL"]
    in_b = config.selector_for(str(tmp_path / "b" / "buildspec.yml"))
    assert (in_b("CWF002"), in_b("CWF0021"), in_b("CWF010")) == (False, False, True)
    assert config.selector_for(str(tmp_path / "c" / "buildspec.yml")) == config.selects  # no pattern applies
    assert config.selector_for(str(tmp_path / "b" / "deeper" / "x.yml"))("CWF002") is False  # b/* covers b's tree
    # A pattern without a slash matches a name at any depth, like .gitignore.
    nested = config.selector_for(str(tmp_path / "x" / "y" / "deploy.yml"))
    assert (nested("CWA101"), nested("CWB101")) == (False, True)
    # A selector still refuses what the selection refuses.
    config.ignore = ["CWB"]
    assert config.selector_for(str(tmp_path / "b" / "x.yml"))("CWB101") is False


def test_exclusion(tmp_path: Path) -> None:
    config = Config(root=str(tmp_path), exclude=["gen/**", "*.tmp.yml", "./vendor/", "docs/a.yml"])
    for part in DEFAULT_EXCLUDE:
        assert config.is_excluded(os.path.join(str(tmp_path), "src", part, "x.yml")), part
    assert config.is_excluded(str(tmp_path / "gen" / "a" / "b.yml"))
    assert config.is_excluded(str(tmp_path / "deep" / "x.tmp.yml"))  # no slash: any depth
    assert config.is_excluded(str(tmp_path / "vendor" / "lib" / "buildspec.yml"))  # a folder covers its tree
    assert config.is_excluded(str(tmp_path / "docs" / "a.yml"))
    assert not config.is_excluded(str(tmp_path / "deep" / "docs" / "a.yml"))  # with a slash: from the root only
    assert not config.is_excluded(str(tmp_path / "src" / "buildspec.yml"))
    assert not config.is_excluded(str(tmp_path / "src" / "venvs" / "buildspec.yml"))  # names, not prefixes


def test_find_pyproject_takes_the_nearest_with_a_codeward_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.codeward]\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'a'\n")  # no codeward table: passed over
    (tmp_path / "a" / "b").mkdir()
    (tmp_path / "a" / "b" / "pyproject.toml").mkdir()  # a folder of that name is not a file
    (tmp_path / "a" / "b" / "buildspec.yml").write_text("")
    expected = str(tmp_path / "pyproject.toml")
    assert find_pyproject(str(tmp_path / "a" / "b")) == expected
    assert find_pyproject(str(tmp_path / "a" / "b" / "buildspec.yml")) == expected  # a file: from its folder
    (tmp_path / "a" / "pyproject.toml").write_text("[tool.codeward.reviewer]\n")
    assert find_pyproject(str(tmp_path / "a" / "b")) == str(tmp_path / "a" / "pyproject.toml")
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "a" / "pyproject.toml").unlink()
    assert find_pyproject(str(tmp_path / "a" / "b")) is None  # up to the file system's root


def test_find_pyproject_of_a_bare_file_name_starts_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.codeward]\n")
    monkeypatch.chdir(tmp_path)
    assert find_pyproject("buildspec.yml") == str(tmp_path / "pyproject.toml")


def test_load_config_reads_the_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.codeward]\nselect = "cwb"\nextend-select = [" cwr201 "]\nignore = ["CWB1"]\n'
        'per-file-ignores = { "b/*" = ["CWF002"], "c.yml" = "CWF" }\nfail-on = " Error "\n'
        'exclude = ["gen/**"]\nextend-exclude = ["vendor/**"]\ncache-dir = ".cache/cw"\njobs = 3\n'
    )
    config = load_config(None, str(tmp_path))
    source = str(tmp_path / "pyproject.toml")
    assert (config.source, config.root) == (source, str(tmp_path))
    assert (config.select, config.explicit, config.ignore) == (["CWB", "CWR201"], ["CWB", "CWR201"], ["CWB1"])
    assert config.per_file_ignores == {"b/*": ["CWF002"], "c.yml": ["CWF"]}
    assert (config.fail_on, config.exclude) == (Severity.ERROR, ["gen/**", "vendor/**"])
    assert (config.cache_dir, config.jobs) == (os.path.join(str(tmp_path), ".cache/cw"), 3)
    assert config.raw["jobs"] == 3 and set(config.raw) == {
        "select", "extend-select", "ignore", "per-file-ignores", "fail-on", "exclude", "extend-exclude",
        "cache-dir", "jobs",
    }  # fmt: skip
    assert load_config(source).select == ["CWB", "CWR201"]  # named explicitly


def test_without_select_the_defaults_stay_and_extend_select_adds(tmp_path: Path) -> None:
    config = config_from_table({"extend-select": ["CWR9"]}, str(tmp_path / "pyproject.toml"))
    assert (config.select, config.explicit, config.ignore, config.jobs) == (["ALL", "CWR9"], ["CWR9"], [], 0)
    assert (config.fail_on, config.exclude, config.cache_dir, config.per_file_ignores) == (
        Severity.WARNING,
        [],
        None,
        {},
    )
    empty = config_from_table({}, "x/pyproject.toml")
    assert (empty.select, empty.explicit, empty.root) == (["ALL"], [], os.path.abspath("x"))


def test_no_configuration_found_gives_the_defaults(tmp_path: Path) -> None:
    assert load_config(None, str(tmp_path)) == Config()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([], "S: [tool.codeward] must be a table"),
        ({"selct": ["CWB"]}, 'S: unknown key "selct" in [tool.codeward]; did you mean "select"?'),
        ({"zzzzzz": 1, "aaaaaa": 2}, 'S: unknown key "aaaaaa" in [tool.codeward]'),
        ({"select": 3}, "[tool.codeward] select must be a list of rule codes"),
        ({"select": ["CWB", 3]}, "[tool.codeward] select must be a list of rule codes"),
        ({"select": ["CWB1O1"]}, '[tool.codeward] select: "CWB1O1" is not a rule code or prefix (like CWB101 or CWB)'),
        (
            {"select": ["CWB1011"]},
            '[tool.codeward] select: "CWB1011" is not a rule code or prefix (like CWB101 or CWB)',
        ),
        (
            {"extend-select": ["X"]},
            '[tool.codeward] extend-select: "X" is not a rule code or prefix (like CWB101 or CWB)',
        ),
        ({"ignore": {"a": 1}}, "[tool.codeward] ignore must be a list of rule codes"),
        ({"per-file-ignores": ["a"]}, "S: per-file-ignores must be a table of glob = [codes]"),
        ({"per-file-ignores": {"a/*": [1]}}, "[tool.codeward] per-file-ignores.a/* must be a list of rule codes"),
        ({"fail-on": "fatal"}, "S: fail-on: unknown severity 'fatal' (expected error, warning or info)"),
        ({"exclude": "gen"}, "S: exclude must be a list of glob patterns"),
        ({"extend-exclude": [1]}, "S: extend-exclude must be a list of glob patterns"),
        ({"jobs": -1}, "S: jobs must be a non-negative integer (0 = one per CPU)"),
        ({"jobs": "2"}, "S: jobs must be a non-negative integer (0 = one per CPU)"),
    ],
)
def test_each_bad_value_is_named(table: object, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config_from_table(table, "S")
    assert str(raised.value) == message


def test_codes_accept_every_prefix_form() -> None:
    table = {"select": ["ALL", "C", "CW", "CWB", "CWB1", "CWB10", "CWB101", "cwb101 "]}
    assert config_from_table(table, "S").select == ["ALL", "C", "CW", "CWB", "CWB1", "CWB10", "CWB101", "CWB101"]
    assert config_from_table({"jobs": 0}, "S").jobs == 0


def test_which_table_is_codewards() -> None:
    assert codeward_table({"tool": {"codeward": {"select": ["CWB"]}}}, "a/pyproject.toml") == {"select": ["CWB"]}
    assert codeward_table({"tool": {"ruff": {}}}, "a/codeward.toml") == {}
    assert codeward_table({"select": ["CWB"]}, "a/pyproject.toml") == {}  # a pyproject.toml's top is not ours
    assert codeward_table({"project": {}, "select": ["CWB"]}, "base.toml") == {}
    assert codeward_table({"build-system": {}}, "base.toml") == {}
    assert codeward_table({"select": ["CWB"]}, "base.toml") == {"select": ["CWB"]}  # codeward's own settings file
    assert codeward_table({"tool": "x", "select": ["CWB"]}, "base.toml") == {}


def test_unreadable_and_invalid_files_are_usage_errors(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.toml")
    assert error_of(ConfigError, load_config, missing) == f"cannot read {missing}: No such file or directory"
    bad = tmp_path / "pyproject.toml"
    bad.write_text("[tool.codeward\n")
    assert error_of(ConfigError, load_config, str(bad)).startswith(f"{bad} is not valid TOML: ")
    own = tmp_path / "codeward.toml"
    own.write_text('ignore = ["CWB"]\n')
    assert load_config(str(own)).ignore == ["CWB"]


# -- cases the mutation run showed no test distinguished (bench/mutation-report.md) -------------------------------


def test_a_one_letter_prefix_selects() -> None:
    assert Config(select=["C"]).selects("CWB101")  # length 1 beats no ignore at all


def test_a_folder_pattern_with_a_trailing_slash_matches_at_any_depth(tmp_path: Path) -> None:
    config = Config(root=str(tmp_path), exclude=["gen/", "build/X"])
    assert config.is_excluded(str(tmp_path / "deep" / "gen" / "x.yml"))  # "gen/" is a name: any depth
    assert config.is_excluded(str(tmp_path / "build" / "X" / "x.yml"))
    assert not config.is_excluded(str(tmp_path / "build" / "Y.yml"))  # only the trailing slash is dropped
