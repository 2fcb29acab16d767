"""Kinds by content: the name proposes, the content decides. Look-alikes of other CI systems, JSON Schemas and
app metadata get no finding (an info when named explicitly) and are never rewritten; broken definitions are
still recognised."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from codeward.linters.engine import lint_file, lint_text
from codeward.linters.kinds import NAME_PATTERNS, kind_by_name

from codeward.findings import Severity
from tests.helpers import ROOT, run_cli

AZURE = """trigger:
- main
pool:
  vmImage: ubuntu-latest
stages:
- stage: Build
  jobs:
  - job: Build
    steps:
    - script: make
"""
BITBUCKET = """image: maven:3.6.3
pipelines:
  default:
    - step:
        name: Build
        script:
          - mvn -B verify
"""
GITHUB = """name: Deployment pipeline
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""
CONCOURSE = """resources:
- name: repo
  type: git
  source: {uri: "https://example.com/repo.git"}
jobs:
- name: test
  plan:
  - get: repo
    trigger: true
"""
JSON_SCHEMA = '{\n  "$schema": "http://json-schema.org/draft-07/schema#",\n  "type": "object",\n  "properties": {\n    "stages": {"type": "array"}\n  }\n}\n'
MOVEAPPS = '{\n  "version": "1.0",\n  "settings": [{"id": "x", "type": "INTEGER"}],\n  "license": {"key": "MIT"}\n}\n'
SAM = (
    '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Transform": "AWS::Serverless-2016-10-31",\n'
    '  "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "app.handler"}}}\n}\n'
)
INGEST = '{\n  "description": "parse logs",\n  "processors": [{"grok": {"field": "message"}}]\n}\n'
SIMULATE_REQUEST = '{\n  "pipeline": {\n    "description": "parse logs",\n    "processors": []\n  }\n}\n'
IAM = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]\n}\n'

LOOK_ALIKES = [
    ("azure-pipelines.yml", AZURE, "Azure Pipelines"),
    ("bitbucket-pipelines.yml", BITBUCKET, "Bitbucket"),
    (".github/workflows/pipeline.yml", GITHUB, "GitHub Actions"),
    ("ci/pipeline.yml", CONCOURSE, "Concourse"),
    ("pipeline.schema.json", JSON_SCHEMA, "JSON Schema"),
    ("appspec.json", MOVEAPPS, "none of the keys"),
    ("deploy/appspec.json", SAM, "CloudFormation template without"),
    ("ingest-pipeline.json", INGEST, "no stages with actions"),
    ("pipeline_simulate.json", SIMULATE_REQUEST, "no stages with actions"),
    ("pipeline-policy.json", IAM, "IAM policy"),
]


@pytest.mark.parametrize(("name", "text", "why"), LOOK_ALIKES, ids=[n for n, _, _ in LOOK_ALIKES])
def test_look_alikes_are_skipped_with_an_info_saying_why(name: str, text: str, why: str) -> None:
    result = lint_text(name, text)
    assert result.kind is None
    assert [(f.code, f.severity) for f in result.findings] == [("CWF013", Severity.INFO)]
    assert why in result.findings[0].message
    assert lint_text(name, text, explicit=False).skipped


@pytest.mark.parametrize(("name", "text", "why"), LOOK_ALIKES, ids=[n for n, _, _ in LOOK_ALIKES])
def test_kind_flag_does_not_turn_a_known_look_alike_into_a_definition(name: str, text: str, why: str) -> None:
    result = lint_text(name, text, kind="pipeline")
    if "none of the keys" in why:  # an unrecognised mapping: the user's --kind decides, but --fix may not
        assert result.kind == "pipeline" and not result.confirmed
    else:
        assert result.kind is None and [f.code for f in result.findings] == ["CWF013"]


def test_fix_never_rewrites_a_look_alike(tmp_path: Path) -> None:
    # A Bitbucket file whose `pipelines` would be "fixed" to a pipeline key if it were taken for a pipeline.
    written = {}
    for name, text, _ in LOOK_ALIKES:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written[path] = text
    names = [str(p.relative_to(tmp_path)) for p in written]
    code, out, err = run_cli("lint", "--fix", "--isolated", "--no-cache", *names, cwd=str(tmp_path))
    assert code == 0, out + err
    assert all(path.read_text() == text for path, text in written.items())
    code, out, _ = run_cli("lint", "--isolated", "--no-cache", ".", cwd=str(tmp_path))
    assert code == 0 and out.startswith(("No findings", "No files checked")), out


def test_codewards_own_schemas_are_not_linted_as_definitions() -> None:
    for schema in sorted((Path(ROOT) / "schemas").glob("*.json")):
        result = lint_file(str(schema))
        assert result.kind is None, schema
        assert [f.code for f in result.findings] == ["CWF013"]


def test_codeward_lint_in_its_own_clone_exits_zero() -> None:
    code, out, err = run_cli("lint", "--no-cache", cwd=str(ROOT))
    assert code == 0, out + err


@pytest.mark.parametrize(
    ("name", "text", "kind", "code", "line"),
    [
        # A misspelled `phases` still makes a buildspec, and the misspelling is reported.
        ("buildspec.yml", "version: 0.2\nphase:\n  build:\n    commands: [make]\n", "buildspec", "CWB001", 2),
        # Not parseable: told from its text.
        ("buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands: echo a: b\n", "buildspec", "CWF001", 4),
        ("pipeline.json", '{"pipeline": {"name": "x", "stages": [],}}', "pipeline", "CWF001", 1),
        ("appspec.yml", "version: 0.0 os: linux\nhooks:\n", "appspec", "CWF001", 1),
        # An AppSpec without its version, an ECS one without version, a buildspec without phases.
        ("appspec.yml", "os: linux\nfiles:\n  - source: /\n    destination: /srv\n", "appspec", "CWA002", 1),
        ("buildspec.yml", "version: 0.2\nartifacts:\n  files: ['**/*']\n", "buildspec", "CWB002", 1),
        # The name says pipeline, the content is a buildspec.
        ("codepipeline.yml", "version: 0.2\nenv:\n  TAG: latest\nphases:\n  build:\n    commands: [make]\n",
         "buildspec", "CWB001", 3),
    ],
)  # fmt: skip
def test_broken_definitions_are_still_recognised(name: str, text: str, kind: str, code: str, line: int) -> None:
    result = lint_text(name, text)
    assert result.kind == kind and result.confirmed
    assert (code, line) in [(f.code, f.line) for f in result.findings], result.findings


def test_a_file_that_does_not_parse_and_shows_nothing_is_skipped() -> None:
    text = '{\n  "processors": [\n    {"grok": {"pattern": """[\\w-]*"""}}\n  ]\n}\n'
    result = lint_text("pipeline.json", text)
    assert result.kind is None and [f.code for f in result.findings] == ["CWF013"]
    assert "does not parse" in result.findings[0].message


# A create-deployment input named appspec.yaml, with &&NAME&& placeholders a Jenkinsfile fills (not YAML until
# then); the AppSpec's words are indented inside revision.appSpecContent.content (the validation set's v59).
DEPLOYMENT_INPUT = """applicationName: &&CD_APP&&
deploymentGroupName: &&CD_GROUP_NAME&&
revision:
  revisionType: AppSpecContent
  appSpecContent:
    content: |
      version: 0
      Resources:
        - TargetService:
            Type: AWS::ECS::Service
"""


def test_indented_appspec_words_in_a_file_that_does_not_parse_make_no_appspec() -> None:
    result = lint_text("deploy/appspec.yaml", DEPLOYMENT_INPUT)
    assert result.kind is None
    assert [(f.code, f.line, f.severity) for f in result.findings] == [("CWF013", 1, Severity.INFO)]
    assert "does not parse" in result.findings[0].message
    # The same words at the top level: a broken AppSpec, reported as one.
    broken = lint_text("appspec.yaml", "version: 0.0\nos: linux\nhooks:\n  AfterInstall: &&X&&\n")
    assert broken.kind == "appspec" and [f.code for f in broken.findings] == ["CWF001"]


def test_binary_from_the_first_line_is_no_definition(tmp_path: Path) -> None:
    path = tmp_path / "._buildspec.yml"
    path.write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    result = lint_file(str(path))
    assert [(f.code, f.severity) for f in result.findings] == [("CWF013", Severity.INFO)]
    assert lint_file(str(path), explicit=False).skipped


def test_hooks_select_files_as_the_kinds_name_them_and_let_the_content_decide() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((Path(ROOT) / ".pre-commit-hooks.yaml").read_text())}
    names = [
        "buildspec.yml", "ci/BuildSpec-prod.yaml", "appspec.json", "deploy/appspec.yaml", "pipeline.json",
        "infra/release-pipeline.template", "azure-pipelines.yml", "build.yml", "appspec.md", "x/pipelines.txt",
        "cdk.out/AppStack.template.json", "template.yaml", "infra/codebuild-project.yml", "cdk.json",
        "my-template.yaml", "infra/template.json",
    ]  # fmt: skip
    for kind in NAME_PATTERNS:
        hook = hooks[f"codeward-{kind}"]
        assert "--kind" not in hook["entry"], hook["entry"]
        for name in names:
            assert bool(re.search(hook["files"], name)) == (kind_by_name(name) == kind), (kind, name)
    lint_kinds = "|".join(NAME_PATTERNS)
    for hook_id in ("codeward-fix", "codeward-simulate"):
        for name in names:
            expected = kind_by_name(name) is not None
            assert bool(re.search(hooks[hook_id]["files"], name)) == expected, (hook_id, name, lint_kinds)
