"""Hostile and unusual input: every case is a clear finding at the right place, never a traceback."""

from __future__ import annotations

from pathlib import Path

from codeward.linters.engine import lint_file, lint_text

GOOD = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"


def codes(findings: list) -> list[tuple[str, int, int]]:
    return [(f.code, f.line, f.column) for f in findings]


def test_binary_file_is_reported_not_parsed(tmp_path: Path) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_bytes(b"version: 0.2\n\x00\x01\x02binary")
    assert codes(lint_file(str(path)).findings) == [("CWF006", 2, 1)]


def test_non_utf8_points_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_bytes(b"version: 0.2\nphases:\n  build:\n    commands: ['echo caf\xe9']\n")
    result = lint_file(str(path))
    assert codes(result.findings) == [("CWF006", 4, 25)]
    assert "0xe9" in result.findings[0].message


def test_utf16_with_bom_and_crlf_are_read(tmp_path: Path) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_bytes("version: 0.2\r\nphases: {}\r\nphases: {}\r\n".encode("utf-16"))
    assert ("CWF002", 3, 1) in codes(lint_file(str(path)).findings)


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_bytes(b"# " + b"x" * (5 * 1024 * 1024) + b"\n")
    assert codes(lint_file(str(path)).findings) == [("CWF005", 1, 1)]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert codes(lint_file(str(tmp_path / "buildspec.yml")).findings) == [("CWF012", 1, 1)]
    folder = tmp_path / "appspec.yml"
    folder.mkdir()
    result = lint_file(str(folder))
    assert codes(result.findings) == [("CWF012", 1, 1)]
    assert "directory" in result.findings[0].message


def test_unknown_kind_only_when_named_explicitly(tmp_path: Path) -> None:
    path = tmp_path / "settings.yml"
    path.write_text("name: x\n")
    assert codes(lint_file(str(path)).findings) == [("CWF013", 1, 1)]
    assert lint_file(str(path), explicit=False).skipped


def test_empty_and_comment_only_files() -> None:
    assert codes(lint_text("buildspec.yml", "").findings) == [("CWF007", 1, 1)]
    assert codes(lint_text("appspec.yml", "# todo\n---\n").findings) == [("CWF007", 1, 1)]


def test_alias_bomb_is_bounded() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(20)
    )
    result = lint_text("buildspec.yml", bomb)
    assert [f.code for f in result.findings] == ["CWF004"]


def test_deep_nesting_never_reaches_the_c_parser() -> None:
    for text in ("[" * 200_000, "{a: " * 50_000):
        result = lint_text("buildspec.yml", text)
        assert [f.code for f in result.findings] == ["CWF008"], result.findings


def test_deep_json_nesting() -> None:
    result = lint_text("pipeline.json", "[" * 100_000)
    assert [f.code for f in result.findings] == ["CWF008"]


def test_duplicate_keys_in_json_with_positions() -> None:
    text = '{\n  "pipeline": {\n    "name": "a",\n    "name": "b",\n    "roleArn": "r",\n    "stages": []\n  }\n}\n'
    result = lint_text("pipeline.json", text)
    assert ("CWF002", 4, 5) in codes(result.findings)


def test_cloudformation_tags_are_data() -> None:
    from codeward.linters.yaml_loader import load_yaml

    data, problems = load_yaml("a: !Ref X\nb: !GetAtt R.Arn\nc: !Sub 'x-${AWS::Region}'\nd: !If [C, 1, 2]\n")
    assert problems == []
    assert data == {
        "a": {"Ref": "X"},
        "b": {"Fn::GetAtt": ["R", "Arn"]},
        "c": {"Fn::Sub": "x-${AWS::Region}"},
        "d": {"Fn::If": ["C", 1, 2]},
    }


def test_positions_of_keys_and_values() -> None:
    from codeward.linters.yaml_loader import load_yaml

    data, _ = load_yaml("top:\n  key: [1, 'two']\n")
    inner = data["top"]
    assert inner.key_spans["key"].line == 2 and inner.key_spans["key"].column == 3
    assert (inner["key"].item_spans[1].line, inner["key"].item_spans[1].column) == (2, 12)


def test_yaml_keys_keep_their_text() -> None:
    from codeward.linters.yaml_loader import load_yaml

    data, _ = load_yaml("on: 1\nyes: 2\n0.2: 3\n")
    assert list(data) == ["on", "yes", "0.2"]


def test_unquoted_mustache_placeholder_is_text_not_a_mapping() -> None:
    # `{{Name}}` unquoted is YAML's flow mapping {{Name: null}: null}; a template a build fills in (fresh7 u47, a
    # Lambda AppSpec whose resource key a sed replaces). Read as the text written, as key and as value; any
    # other flow mapping, and a real non-string key, stay what they are.
    from codeward.linters.yaml_loader import load_yaml

    data, problems = load_yaml("r:\n  - {{Fn}}:\n      Name: {{ Fn name }}\nm: {a: 1}\n")
    assert list(data["r"][0]) == ["{{Fn}}"] and data["r"][0]["{{Fn}}"] == {"Name": "{{Fn name}}"}
    assert data["m"] == {"a": 1} and problems == []
    _, problems = load_yaml("? {{a: 1}: 2}\n: x\n? {{Fn}}\n: y\n")
    assert [(p.code, p.span.line) for p in problems] == [("CWF009", 1)]


def test_merge_keys() -> None:
    from codeward.linters.yaml_loader import load_yaml

    data, problems = load_yaml("base: &b\n  a: 1\n  b: 2\nchild:\n  <<: *b\n  b: 3\n")
    assert problems == [] and data["child"] == {"a": 1, "b": 3}


def test_misspelled_cloudformation_tag_is_an_error_and_its_references_are_still_checked(tmp_path: Path) -> None:
    # `!sub` is rejected by CloudFormation (CWF014); read as the `!Sub` meant, its ${DoaminName} is still an
    # undefined reference (CWP124), as in the fresh6 round's t50.
    path = tmp_path / "pipeline.yaml"
    path.write_text(
        "Parameters:\n  DomainName: {Type: String}\nResources:\n  Pipeline:\n    Type: AWS::CodePipeline::Pipeline\n"
        "    Properties:\n      Name: !sub 'site-${DoaminName}'\n      RoleArn: arn:aws:iam::123456789012:role/cp\n"
        "      ArtifactStore: {Type: S3, Location: bucket}\n      Stages: []\n"
    )
    found = {(f.code, f.line, f.severity.name) for f in lint_file(str(path)).findings}
    assert ("CWF014", 7, "ERROR") in found
    assert any(code == "CWP124" and line == 7 for code, line, _ in found)
    assert not any(code == "CWF010" for code, _, _ in found)
