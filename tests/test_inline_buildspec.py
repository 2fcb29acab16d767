"""Buildspecs inside CloudFormation `AWS::CodeBuild::Project` resources: every buildspec rule, findings at
the template's own line and column, whatever the form (YAML block, folded string, quoted string, JSON
string, `!Sub`, CDK's *.template.json); undefined Ref/GetAtt/Sub names are errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from codeward.linters.engine import lint_file

from codeward.findings import Severity
from tests.helpers import run_cli

PROJECT = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      ServiceRole: arn:aws:iam::123456789012:role/cb
      Artifacts: {{Type: NO_ARTIFACTS}}
      Environment: {{Type: LINUX_CONTAINER, ComputeType: BUILD_GENERAL1_SMALL, Image: aws/codebuild/standard:7.0}}
      Source:
        Type: NO_SOURCE
        BuildSpec: {buildspec}
"""


def _findings(tmp_path: Path, name: str, text: str) -> list[tuple[str, int, int, int, int]]:
    path = tmp_path / name
    path.write_text(text)
    result = lint_file(str(path))
    assert result.kind == "pipeline"
    return [(f.code, f.span.line, f.span.column, f.span.end_line, f.span.end_column) for f in result.findings]


def test_a_yaml_block(tmp_path: Path) -> None:
    text = PROJECT.format(
        buildspec="|\n          version: 0.2\n          phases:\n            biuld:\n              commands:\n"
        '                - echo "Deploying to $STAGE\n'
    )
    assert _findings(tmp_path, "project.yml", text) == [
        ("CWB001", 14, 13, 14, 18),  # biuld
        ("CWB116", 16, 24, 16, 25),  # the quote that is never closed
    ]


def test_a_folded_string(tmp_path: Path) -> None:
    # Folded: lines of the same indentation join with a space, so the keys are kept apart by empty lines;
    # more-indented lines keep their line breaks.
    text = PROJECT.format(
        buildspec=">-\n          version: 0.2\n\n          phases:\n            build:\n              commands:\n"
        "                - echo Building image (staging)\n"
    )
    assert _findings(tmp_path, "project.yml", text) == [("CWB118", 17, 39, 17, 40)]


def test_a_yaml_quoted_string_with_escapes(tmp_path: Path) -> None:
    text = PROJECT.format(
        buildspec='"version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - 123456789012.dkr.ecr.us-east-1.amazonaws.com/app\\n"'
    )
    line = text.splitlines()[10]
    column = line.index("123456789012") + 1
    assert _findings(tmp_path, "project.yml", text) == [("CWB119", 11, column, 11, column + 48)]


def test_a_json_string_in_a_cdk_template(tmp_path: Path) -> None:
    spec = {
        "version": "0.2",
        "env": {"variables": {"AWS_REGION": "$AWS_REGION"}},
        "phases": {"build": {"commands": ["echo Building (prod)"]}},
    }
    template = {
        "Resources": {
            "ProjectC7EC9B33": {
                "Type": "AWS::CodeBuild::Project",
                "Properties": {"Source": {"Type": "CODEPIPELINE", "BuildSpec": json.dumps(spec, indent=2)}},
                "Metadata": {"aws:cdk:path": "AppStack/Project/Resource"},
            }
        }
    }
    text = json.dumps(template, indent=1)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "BuildSpec" in t)
    source = text.splitlines()[line - 1]
    region = source.index('$AWS_REGION\\"') + 1
    paren = source.index("(prod)") + 1
    assert _findings(tmp_path, "AppStack.template.json", text) == [
        ("CWB120", line, region - 2, line, region + 13),  # the value, with its escaped quotes
        ("CWB118", line, paren, line, paren + 1),
    ]


def test_sub_literals_and_names(tmp_path: Path) -> None:
    text = "Parameters:\n  Stage:\n    Type: String\n" + PROJECT.format(
        buildspec="!Sub |\n          version: 0.2\n          phases:\n            build:\n              commands:\n"
        "                - echo ${!CODEBUILD_BUILD_ID} ${Stage} ${Stagee}\n"
    ).replace('AWSTemplateFormatVersion: "2010-09-09"\n', "")
    # ${!X} is the shell's ${X}; ${Stage} is the template's; ${Stagee} names nothing.
    assert _findings(tmp_path, "project.yml", text) == [("CWP124", 18, 56, 18, 65)]


def test_a_buildspec_file_name_is_not_inline(tmp_path: Path) -> None:
    assert _findings(tmp_path, "project.yml", PROJECT.format(buildspec="ci/buildspec-(test).yml")) == []


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("ServiceRole: !GetAtt Role.Arn", ("CWP124", 'GetAtt names "Role"')),
        ("ServiceRole: !Ref AWS::Regoin", ("CWP124", 'did you mean "AWS::Region"?')),
        ('ServiceRole: {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/${Role.Name}"}', ("CWP124", "${Role.Name}")),
    ],
)
def test_undefined_names_are_errors(tmp_path: Path, snippet: str, expected: tuple[str, str]) -> None:
    text = PROJECT.format(buildspec="buildspec.yml").replace("ServiceRole: arn:aws:iam::123456789012:role/cb", snippet)
    path = tmp_path / "project.yml"
    path.write_text(text)
    (finding,) = lint_file(str(path)).findings
    assert finding.code == expected[0] and expected[1] in finding.message and finding.span.line == 6
    assert finding.severity == Severity.ERROR  # CloudFormation rejects the template (Template format error)


def test_inline_findings_can_be_suppressed_in_the_template(tmp_path: Path) -> None:
    text = PROJECT.format(
        buildspec="|\n          version: 0.2\n          phases:\n            build:\n              commands:\n"
        "                - echo Building (prod)  # codeward: ignore[CWB118]\n"
    )
    path = tmp_path / "project.yml"
    path.write_text(text)
    status, out, _ = run_cli("lint", str(path), "--isolated")
    assert status == 0, out


def test_a_deploy_target_directory_in_an_inline_buildspec(tmp_path: Path) -> None:
    # CWB121 reads commands in order across phases; inline, its span is the `cd` in the template's own line.
    text = PROJECT.format(
        buildspec="|\n          version: 0.2\n          phases:\n            post_build:\n              commands:\n"
        "                - echo done && cd /home/ec2-user/site\n"
    )
    assert _findings(tmp_path, "template.yml", text) == [("CWB121", 16, 32, 16, 54)]
