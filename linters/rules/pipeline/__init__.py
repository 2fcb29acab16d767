"""CodePipeline rules (CWP). Semantic rules derive from PipelineRule: bound to the view root, they reason on
the form-independent model of linters.pipeline_form and report at the paths it keeps."""

from __future__ import annotations

from typing import Any, ClassVar

from codeward.linters.document import Path
from codeward.linters.pipeline_form import Pipeline, pipeline_model
from codeward.linters.rule import Context, DocumentRule

from codeward.findings import Fix, Severity


class PipelineRule(DocumentRule):
    kinds: ClassVar[frozenset[str]] = frozenset({"pipeline"})
    paths: ClassVar[tuple[str, ...]] = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        pipeline = pipeline_model(ctx, value, path)
        if pipeline is not None:
            self.check_pipeline(ctx, pipeline)

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        raise NotImplementedError

    @staticmethod
    def report(
        ctx: Context,
        pipeline: Pipeline,
        path: Path,
        message: str,
        *,
        key: bool = False,
        fix: Fix | None = None,
        notes: tuple[str, ...] = (),
        severity: Severity | None = None,
    ) -> None:
        ctx.report(path, pipeline.message(message), key=key, fix=fix, notes=notes, severity=severity)


# The start of a CloudFormation CodeBuild project resource for the rules' cases; the source's own keys follow.
PROJECT_RESOURCE = """  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      ServiceRole: arn:aws:iam::123456789012:role/build
      Artifacts: {Type: CODEPIPELINE}
      Environment: {Type: LINUX_CONTAINER, ComputeType: BUILD_GENERAL1_SMALL, Image: aws/codebuild/standard:7.0}
      Source:
"""


# A CloudFormation pipeline of a GitHub (version 1) source, its token a dynamic reference, and a CodeBuild action.
CFN_GITHUB = (
    "Resources:\n  Pipeline:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n"
    "      RoleArn: arn:aws:iam::123456789012:role/cp\n"
    "      ArtifactStore: {Type: S3, Location: artifact-bucket}\n"
    "      Stages:\n"
    "        - Name: Source\n          Actions:\n            - Name: Source\n"
    "              ActionTypeId: {Category: Source, Owner: ThirdParty, Provider: GitHub, Version: 1}\n"
    "              Configuration: {Owner: octo, Repo: app, Branch: main,"
    " OAuthToken: '{{resolve:secretsmanager:gh:SecretString:token}}'}\n"
    "              OutputArtifacts: [{Name: Code}]\n"
    "        - Name: Build\n          Actions:\n            - Name: Build\n"
    "              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: 1}\n"
    "              Configuration: {ProjectName: app}\n"
    "              InputArtifacts: [{Name: Code}]\n"
)


# Builders for the rules' VALID/INVALID cases: an API-form pipeline with one action per line, so a case can
# name exact positions (line 6 is the first stage's line, each action follows on its own line).
def action(
    name: str,
    category: str,
    provider: str,
    configuration: dict[str, Any] | None = None,
    *,
    inputs: tuple[str, ...] = (),
    outputs: tuple[str, ...] = (),
    owner: str = "AWS",
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "actionTypeId": {"category": category, "owner": owner, "provider": provider, "version": "1"},
    }
    out.update(extra)
    if configuration is not None:
        out["configuration"] = configuration
    if inputs:
        out["inputArtifacts"] = [{"name": n} for n in inputs]
    if outputs:
        out["outputArtifacts"] = [{"name": n} for n in outputs]
    return out


def github_source(token: str) -> dict[str, Any]:
    """A GitHub (version 1) source action whose OAuthToken is `token`: the rules' examples of token values."""
    return action(
        "Source", "Source", "GitHub",
        {"Owner": "octo", "Repo": "app", "Branch": "main", "OAuthToken": token},
        outputs=("Code",), owner="ThirdParty",
    )  # fmt: skip


def api_case(*stages: tuple[str, list[dict[str, Any]]], top: str = "") -> str:
    """Line 1 `{"pipeline": {`, 2-4 name/role/store, then `top` lines, then `"stages": [`, then per stage a
    line `{"name": ..., "actions": [` followed by one line per action."""
    import json

    lines = [
        '{"pipeline": {',
        '  "name": "app",',
        '  "roleArn": "arn:aws:iam::123456789012:role/cp",',
        '  "artifactStore": {"type": "S3", "location": "artifact-bucket"},',
    ]
    lines += [f"  {line}" for line in top.splitlines()]
    lines.append('  "stages": [')
    for s_index, (stage_name, actions) in enumerate(stages):
        lines.append(f'    {{"name": {json.dumps(stage_name)}, "actions": [')
        for a_index, item in enumerate(actions):
            lines.append("      " + json.dumps(item) + ("," if a_index < len(actions) - 1 else ""))
        lines.append("    ]}" + ("," if s_index < len(stages) - 1 else ""))
    lines += ["  ]", "}}"]
    return "\n".join(lines) + "\n"


SOURCE_ACTION = action(
    "Source", "Source", "CodeCommit", {"RepositoryName": "app", "BranchName": "main"}, outputs=("Code",)
)
BUILD_ACTION = action("Build", "Build", "CodeBuild", {"ProjectName": "app"}, inputs=("Code",))
