"""The command line: exit codes, configuration, suppression, fixes, the rules catalogue."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_cli, run_process

DUPLICATE = "version: 0.2\nphases:\n  build:\n    commands: [make]\n  build:\n    commands: [make test]\n"
TAGGED = "version: 0.2\nenv:\n  variables:\n    TOKEN: !Secret x\n"


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def lint(root: Path, *args: str) -> tuple[int, str, str]:
    return run_cli("lint", "--no-cache", "--format", "concise", *args, cwd=str(root))


def test_exit_codes_and_fail_on(tmp_path: Path) -> None:
    write(tmp_path, "buildspec.yml", TAGGED)  # a warning only
    assert lint(tmp_path, "--select", "CWF", "--isolated", ".")[0] == 1
    assert lint(tmp_path, "--select", "CWF", "--isolated", "--fail-on", "error", ".")[0] == 0
    assert lint(tmp_path, "--select", "CWF", "--isolated", "--exit-zero", ".")[0] == 0
    code, _, err = lint(tmp_path, "--kind", "nonsense", ".")
    assert code == 2 and "invalid choice" in err


def test_usage_error_exit_2_in_a_real_process(tmp_path: Path) -> None:
    result = run_process("lint", "--format", "xml", ".", cwd=str(tmp_path))
    assert result.returncode == 2 and "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_select_ignore_and_per_file_ignores(tmp_path: Path) -> None:
    write(tmp_path, "a/buildspec.yml", DUPLICATE)
    write(tmp_path, "b/buildspec.yml", DUPLICATE + "x: !Secret y\n")
    write(
        tmp_path,
        "pyproject.toml",
        '[tool.codeward]\nselect = ["CWF"]\nignore = ["CWF010"]\nper-file-ignores = { "b/*" = ["CWF002"] }\n',
    )
    code, out, _ = lint(tmp_path, ".")
    assert code == 1
    assert out.splitlines()[:-1] == [
        'a/buildspec.yml:5:3: CWF002 duplicate key "build" (first defined at line 3); only this last value is used [duplicate-key]'
    ]


def test_exclude_from_config_applies_to_walks_and_named_files(tmp_path: Path) -> None:
    write(tmp_path, "gen/buildspec.yml", DUPLICATE)
    write(tmp_path, "pyproject.toml", '[tool.codeward]\nexclude = ["gen/**"]\n')
    assert lint(tmp_path, ".")[0] == 0
    assert lint(tmp_path, "gen/buildspec.yml")[0] == 0


def test_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "buildspec.yml", DUPLICATE)
    write(tmp_path, "pyproject.toml", '[tool.codeward]\nselct = ["CWF"]\n')
    code, _, err = lint(tmp_path, ".")
    assert code == 2 and 'unknown key "selct"' in err and 'did you mean "select"' in err
    write(tmp_path, "pyproject.toml", '[tool.codeward]\nfail-on = "fatal"\n')
    code, _, err = lint(tmp_path, ".")
    assert code == 2 and "fail-on" in err
    write(tmp_path, "pyproject.toml", "[tool.codeward\n")
    code, _, err = lint(tmp_path, ".")
    assert code == 2 and "not valid TOML" in err


def test_inline_suppression_same_line_and_line_above(tmp_path: Path) -> None:
    text = (
        "version: 0.2\n"
        "env:\n"
        "  variables:\n"
        "    A: !Secret x  # codeward: ignore[CWF010]\n"
        "    # codeward: ignore[CWF010]\n"
        "    B: !Secret y\n"
        "    C: !Secret z\n"
    )
    write(tmp_path, "buildspec.yml", text)
    _, out, _ = lint(tmp_path, "--isolated", "--select", "CWF", ".")
    assert [line.split(" ")[0:2] for line in out.splitlines()[:-1]] == [["buildspec.yml:7:8:", "CWF010"]]


def test_fix_renames_a_misspelled_key_and_reports_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, "buildspec.yml", "version: 0.2\nphases:\n  build:\n    comands:\n      - make\n")
    code, out, err = lint(tmp_path, "--isolated", "--fix", ".")
    assert path.read_text() == "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
    assert "Fixed 1 finding." in err
    assert code == 0, out


def test_cache_returns_identical_findings(tmp_path: Path) -> None:
    write(tmp_path, "buildspec.yml", DUPLICATE)
    cache = tmp_path / "cache"
    first = run_cli("lint", "--isolated", "--cache-dir", str(cache), "--format", "json", ".", cwd=str(tmp_path))
    assert (cache / "cache.key").is_file() and (cache / ".gitignore").read_text().endswith("*\n")
    second = run_cli("lint", "--isolated", "--cache-dir", str(cache), "--format", "json", ".", cwd=str(tmp_path))
    assert first == second and first[0] == 1


def test_parallel_run_matches_serial(tmp_path: Path) -> None:
    for index in range(30):
        write(tmp_path, f"d{index}/buildspec.yml", DUPLICATE if index % 2 else TAGGED)
    serial = run_cli("lint", "--isolated", "--no-cache", "-j", "1", "--format", "json", ".", cwd=str(tmp_path))
    parallel = run_cli("lint", "--isolated", "--no-cache", "-j", "2", "--format", "json", ".", cwd=str(tmp_path))
    assert serial == parallel


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "buildspec-bin.yml").write_bytes(b"version: 0.2\n\x00\xff")
    write(tmp_path, "buildspec.yml", DUPLICATE)
    code, out, _ = lint(tmp_path, "--isolated", "--select", "CWF", ".", "missing-buildspec.yml")
    assert code == 1
    assert [line.split(": ")[1].split(" ")[0] for line in out.splitlines()[:-1]] == ["CWF006", "CWF002", "CWF012"]


def test_rules_listing_and_single_rule() -> None:
    code, out, _ = run_cli("rules")
    assert code == 0 and "CWF002  duplicate-key" in out
    code, out, _ = run_cli("rules", "cwf002")
    assert code == 0 and out.startswith("CWF002 duplicate-key (error)") and "Why is this bad?" in out
    code, _, err = run_cli("rules", "CWZ999")
    assert code == 2 and "no rule" in err


def test_no_command_prints_help_and_exits_2() -> None:
    code, out, _ = run_cli()
    assert code == 2 and "usage: codeward" in out


def test_cached_findings_carry_the_path_as_named_in_this_run(tmp_path: Path) -> None:
    path = write(tmp_path, "buildspec.yml", DUPLICATE)
    run_cli("lint", "--isolated", "--format", "concise", str(path), cwd=str(tmp_path))
    _, out, _ = run_cli("lint", "--isolated", "--format", "concise", "buildspec.yml", cwd=str(tmp_path))
    assert out.startswith("buildspec.yml:5:3: CWF002"), out
