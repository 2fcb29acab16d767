"""Every output format, from real lint runs: exact shapes, positions and escaping."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from codeward.linters.engine import rule_for

from codeward.findings import Edit, Finding, Fix, Severity, Span
from codeward.output import Report, render
from tests.helpers import ROOT, run_cli

SARIF_SCHEMA = os.path.join(os.path.dirname(ROOT), "shared", "schemas", "sarif-schema-2.1.0.json")
DUPLICATE = "version: 0.2\nphases:\n  build:\n    commands: [make]\n  build:\n    commands: [make test]\n"
TAGGED = "version: 0.2\nenv:\n  variables:\n    TOKEN: !Secret a,b\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "buildspec.yml").write_text(DUPLICATE)
    (tmp_path / "ci dir").mkdir()
    (tmp_path / "ci dir" / "buildspec-tag.yml").write_text(TAGGED)
    (tmp_path / "README.md").write_text("not linted\n")
    return tmp_path


def lint(project: Path, *args: str) -> tuple[int, str]:
    code, out, err = run_cli("lint", "--isolated", "--no-cache", "--select", "CWF", *args, ".", cwd=str(project))
    assert not err or "Fixed" in err, err
    return code, out


def test_text_output_has_location_source_caret_and_advice(project: Path) -> None:
    code, out = lint(project, "--color", "never")
    assert code == 1
    assert out.splitlines()[:6] == [
        'buildspec.yml:5:3: CWF002 duplicate key "build" (first defined at line 3); only this last value is used [duplicate-key]',
        " 5 |   build:",
        "   |   ^~~~~",
        "   = why: Parsers silently keep one of the two values (most keep the last), so half of what you wrote is "
        "ignored: a second `build:` phase replaces the first one's commands without a word.",
        "   = fix: Merge the two entries into one key.",
        "",
    ]
    assert "ci dir/buildspec-tag.yml:4:12: CWF010" in out
    assert out.rstrip().endswith("Found 2 findings (1 error, 1 warning) in 2 of 2 files.")


def test_concise_output(project: Path) -> None:
    _, out = lint(project, "--format", "concise")
    assert out.splitlines()[0].startswith("buildspec.yml:5:3: CWF002 duplicate key")
    assert len(out.splitlines()) == 3


def test_json_output(project: Path) -> None:
    _, out = lint(project, "--format", "json")
    document = json.loads(out)
    first = document["findings"][0]
    assert (first["code"], first["path"], first["line"], first["column"], first["end_column"]) == (
        "CWF002", "buildspec.yml", 5, 3, 8,
    )  # fmt: skip
    assert first["severity"] == "error" and first["docs_url"].endswith("#cwf002-duplicate-key")
    assert document["summary"] == {"files": 2, "error": 1, "warning": 1, "info": 0}


def test_sarif_is_valid_and_has_what_github_needs(project: Path) -> None:
    code, out = lint(project, "--format", "sarif", "--output", "reports/codeward.sarif")
    assert code == 1 and out == ""
    sarif = json.loads((project / "reports" / "codeward.sarif").read_text())
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["CWF002", "CWF010"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
    first, second = run["results"]
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "buildspec.yml", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 5 and location["region"]["startColumn"] == 3
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "ci%20dir/buildspec-tag.yml"
    assert first["level"] == "error" and second["level"] == "warning"
    assert len(first["partialFingerprints"]["codeward/v1"]) == 16
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")


def _official_schema() -> dict:
    if not os.path.exists(SARIF_SCHEMA):
        pytest.skip(f"official SARIF 2.1.0 schema not found at {SARIF_SCHEMA} (it lives beside the project in CI)")
    with open(SARIF_SCHEMA, encoding="utf-8") as handle:
        return json.load(handle)


def test_sarif_validates_against_the_official_schema(project: Path) -> None:
    import jsonschema

    schema = _official_schema()
    _, out = lint(project, "--format", "sarif")
    jsonschema.Draft4Validator(schema).validate(json.loads(out))
    broken = json.loads(out)
    del broken["runs"][0]["results"][0]["message"]
    assert not jsonschema.Draft4Validator(schema).is_valid(broken)


def test_sarif_security_rule_and_fix(tmp_path: Path) -> None:
    class Secret:
        code, name, severity, tags, cwe, security_severity = (
            "CWX999",
            "demo-secret",
            Severity.ERROR,
            ("security",),
            798,
            8.1,
        )

        @staticmethod
        def docs():
            return rule_for("CWF002").docs()

        summary = staticmethod(lambda: "Demo.")
        help_uri = staticmethod(lambda: "https://example.invalid/CWX999")

    path = tmp_path / "f.yml"
    path.write_text("key: value\n")
    finding = Finding(
        "CWX999", "demo", str(path), Span(1, 1, 1, 4), Severity.ERROR, "demo-secret",
        Fix("rename", (Edit(Span(1, 1, 1, 4), "KEY"),)),
    )  # fmt: skip
    from codeward.output.sarif import build

    sarif = build(Report([finding], [str(path)], lambda code: Secret))
    rule = sarif["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["properties"]["security-severity"] == "8.1"
    assert "external/cwe/cwe-798" in rule["properties"]["tags"] and "security" in rule["properties"]["tags"]
    replacement = sarif["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement == {
        "deletedRegion": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 4},
        "insertedContent": {"text": "KEY"},
    }
    if os.path.exists(SARIF_SCHEMA):
        import jsonschema

        jsonschema.Draft4Validator(_official_schema()).validate(sarif)


def test_github_workflow_commands_escape_properties_and_data(project: Path) -> None:
    _, out = lint(project, "--format", "github")
    lines = out.splitlines()
    assert lines[0] == (
        "::error file=buildspec.yml,line=5,endLine=5,col=3,endColumn=8,title=codeward CWF002 (duplicate-key)::"
        'buildspec.yml:5:3: CWF002 duplicate key "build" (first defined at line 3); only this last value is used'
    )
    assert lines[1].startswith("::warning file=ci dir/buildspec-tag.yml,line=4,")
    report = Report([Finding("CWF002", "a\nb%", "x,y:z.yml", Span(1, 1, 2, 1), Severity.INFO, "n")], [])
    assert (
        render("github", report)
        == "::notice file=x%2Cy%3Az.yml,line=1,endLine=2,title=codeward CWF002 (n)::x,y:z.yml:1:1: CWF002 a%0Ab%25\n"
    )


def test_gitlab_code_quality(project: Path) -> None:
    _, out = lint(project, "--format", "gitlab")
    issues = json.loads(out)
    assert [i["check_name"] for i in issues] == ["CWF002", "CWF010"]
    assert issues[0]["severity"] == "major" and issues[1]["severity"] == "minor"
    assert issues[0]["location"] == {
        "path": "buildspec.yml",
        "positions": {"begin": {"line": 5, "column": 3}, "end": {"line": 5, "column": 8}},
    }
    assert len({i["fingerprint"] for i in issues}) == 2


def test_junit_lists_clean_files_as_passing(project: Path) -> None:
    (project / "buildspec-clean.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    _, out = lint(project, "--format", "junit")
    root = ET.fromstring(out)
    assert root.get("tests") == "3" and root.get("failures") == "2"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert suites["buildspec-clean.yml"].get("failures") == "0"
    failure = suites["buildspec.yml"].find("testcase/failure")
    assert failure is not None and failure.get("type") == "error"
    assert "buildspec.yml:5:3: CWF002" in (failure.text or "")


def test_caret_width_with_wide_characters(tmp_path: Path) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_text("名前: 1\n名前: 2\n")
    report = Report(
        [Finding("CWF002", "dup", str(path), Span(2, 1, 2, 3), Severity.ERROR, "duplicate-key")], [str(path)]
    )
    lines = render("text", report).splitlines()
    assert lines[1:3] == [" 2 | 名前: 2", "   | ^~~~"]


def test_a_long_source_line_is_shown_as_a_window_with_the_caret_on_the_finding(tmp_path: Path) -> None:
    from codeward.output.text import format_finding

    path = tmp_path / "min.yml"
    path.write_text("a" * 5000 + "BAD" + "b" * 5000 + "\nshort: line\n", encoding="utf-8")
    finding = Finding("CWF001", "m", str(path), Span(1, 5001, 1, 5004), Severity.ERROR, "n")
    report = Report([finding], [str(path)], rule_for, color=False, explain=False)
    _, source, marker = format_finding(report, finding).split("\n")
    shown = source.split(" | ", 1)[1]
    assert shown == "…" + "a" * 60 + "BAD" + "b" * 177 + "…"
    assert marker.split(" | ", 1)[1] == " " * shown.index("BAD") + "^~~"
    # A short line is shown whole, as before.
    short = Finding("CWF001", "m", str(path), Span(2, 8, 2, 12), Severity.ERROR, "n")
    _, source, marker = format_finding(report, short).split("\n")
    assert source == " 2 | short: line" and marker == "   |        ^~~~"
