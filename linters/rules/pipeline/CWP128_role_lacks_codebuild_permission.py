from typing import Any

from codeward.linters.document import Path
from codeward.linters.iam import action_roles, allows
from codeward.linters.pipeline_form import is_template
from codeward.linters.rule import Context, DocumentRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_TEMPLATE = """Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: !GetAtt PipelineRole.Arn
      ArtifactStore: {Type: S3, Location: my-artifacts}
      Stages:
        - Name: Source
          Actions:
            - Name: Code
              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeStarSourceConnection, Version: 1}
              OutputArtifacts: [{Name: Code}]
              Configuration: {ConnectionArn: arn:aws:codeconnections:us-east-1:123456789012:connection/x, FullRepositoryId: octo/app, BranchName: main}
        - Name: Build
          Actions:
            - Name: Image
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: 1}
              InputArtifacts: [{Name: Code}]
              Configuration: {ProjectName: app-image}
  PipelineRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: codepipeline.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: pipeline
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action:
                  - codebuild:StartBuild
                  - codebuild:StopBuild
                Resource: "*"
              - Effect: Allow
                Action: [s3:*, codestar-connections:UseConnection]
                Resource: "*"
"""
# The CodePipeline action reference (CodeBuild, "Service role permissions") lists what the pipeline's role
# needs to run a CodeBuild action: start the build, then read its status until it ends.
_NEEDED = ("codebuild:StartBuild", "codebuild:BatchGetBuilds")


class RoleLacksCodeBuildPermission(DocumentRule):
    """
    ## What it does
    In a CloudFormation template or a Terraform module (whose `aws_iam_role`, `aws_iam_role_policy` with
    `jsonencode` or an `aws_iam_policy_document`, and `inline_policy` blocks are read the same way; an attached
    managed policy makes the role unknown), reports a pipeline with a CodeBuild action whose role (the action's own
    `RoleArn`, else the pipeline's: an `AWS::IAM::Role` of the same template, given as `!GetAtt Role.Arn`) is not
    allowed
    `codebuild:StartBuild` or `codebuild:BatchGetBuilds`. Judged only when every policy that reaches the
    role is written in the template (inline `Policies` and `AWS::IAM::Policy`/`ManagedPolicy` resources
    that name it; no `ManagedPolicyArns`, no `NotAction`, no statement built by a function); wildcards
    (`codebuild:*`, `codebuild:Batch*`, `*`) count as granting, and resource restrictions are not judged.

    ## Why is this bad?
    CodePipeline runs a CodeBuild action with the pipeline's role: it starts the build
    (`StartBuild`), then polls it (`BatchGetBuilds`) until the build ends. Without the second permission
    the build may start but the action fails at once with an access-denied error ("not authorized to
    perform: codebuild:BatchGetBuilds"), on every execution; without the first no build starts. The
    CodePipeline action reference lists both for the CodeBuild action; a role that allows StartBuild,
    StopBuild and RetryBuild but not BatchGetBuilds is a common hand-written mistake.

    ## Example
    ```yaml
    Action:
      - codebuild:StartBuild
      - codebuild:StopBuild
    ```

    ## Fix
    Add `codebuild:BatchGetBuilds` (and `codebuild:StartBuild`) to the role's policy, for the project's ARN
    or `*`; batch builds (`BatchEnabled`) also need `codebuild:StartBuildBatch` and
    `codebuild:BatchGetBuildBatches`.
    """

    code = "CWP128"
    name = "pipeline-role-lacks-codebuild-permission"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"pipeline"})
    paths = ("",)
    VALID = (
        Valid(_TEMPLATE.replace("- codebuild:StopBuild", "- codebuild:BatchGetBuilds"), filename="pipeline.yml"),
        Valid(_TEMPLATE.replace("- codebuild:StartBuild", "- codebuild:*"), filename="pipeline.yml"),
        # A managed policy may grant it: what the role can do is not all in the template.
        Valid(
            _TEMPLATE.replace(
                "      Policies:\n",
                "      ManagedPolicyArns: [arn:aws:iam::aws:policy/AWSCodeBuildDeveloperAccess]\n      Policies:\n",
            ),
            filename="pipeline.yml",
        ),
        # A policy resource attached to the role adds its statements.
        Valid(
            _TEMPLATE + "  Extra:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: extra\n"
            "      Roles: [!Ref PipelineRole]\n      PolicyDocument:\n"
            "        Statement: [{Effect: Allow, Action: codebuild:BatchGet*, Resource: '*'}]\n",
            filename="pipeline.yml",
        ),
        # The action runs with a role of its own, which is allowed both.
        Valid(
            _TEMPLATE.replace(
                "              Configuration: {ProjectName: app-image}\n",
                "              Configuration: {ProjectName: app-image}\n              RoleArn: !GetAtt BuildRole.Arn\n",
            )
            + "  BuildRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
            "      Policies:\n        - PolicyName: build\n          PolicyDocument:\n"
            "            Statement: [{Effect: Allow, Action: 'codebuild:*', Resource: '*'}]\n",
            filename="pipeline.yml",
        ),
        # A role named by ARN (made elsewhere): its permissions are not in the template.
        Valid(
            _TEMPLATE.replace("!GetAtt PipelineRole.Arn", "arn:aws:iam::123456789012:role/pipeline"),
            filename="pipeline.yml",
        ),
    )
    INVALID = (
        Invalid(
            _TEMPLATE,
            31,
            21,
            'the role "PipelineRole" that runs the CodeBuild action is not allowed codebuild:BatchGetBuilds',
            filename="pipeline.yml",
        ),
        Invalid(
            _TEMPLATE.replace("- codebuild:StartBuild\n", "- codebuild:ListProjects\n").replace(
                "- codebuild:StopBuild\n", "- codebuild:BatchGetBuilds\n"
            ),
            31,
            21,
            "not allowed codebuild:StartBuild",
            filename="pipeline.yml",
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, eight labelled sets): errors on 5 files, all "
            "labelled defect (fresh4 q7, q9, q11, q25, q55); none on the files AWS accepts."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if path != () or not is_template(value) or not isinstance(value.get("Resources"), dict):
            return
        reported: set[tuple[str, str]] = set()
        for found in action_roles(value, ("CodeBuild",)):
            pipeline = found.named[1]
            if found.grants is None or (pipeline, found.role) in reported:
                continue
            missing = [name for name in _NEEDED if not allows(found.grants, name)]
            if not missing:
                continue
            reported.add((pipeline, found.role))
            # Where to add it: next to the role's CodeBuild permissions, else where the role is named (always there
            # in a Terraform module, whose policies may be in another of its files).
            near = next((g.path for g in found.grants if g.pattern.lower().startswith("codebuild:")), None)
            ctx.report(
                found.named if ctx.document.syntax == "hcl" else near or found.named,
                f'the role "{found.role}" that runs the CodeBuild action is not allowed {" or ".join(missing)}, '
                "which CodePipeline needs to run it (start the build, then poll it until it ends): the build action "
                "fails with an access-denied error on every execution",
                notes=("Every policy reaching the role is in this template; add the missing actions to one of them.",),
            )
