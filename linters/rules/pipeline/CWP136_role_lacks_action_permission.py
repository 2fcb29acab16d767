from typing import Any

from codeward.linters.document import Path
from codeward.linters.iam import action_roles, allows
from codeward.linters.pipeline_form import is_template
from codeward.linters.rule import Context, DocumentRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# What the pipeline's role needs to run an action, by provider (the CodePipeline action reference, "Service role
# permissions"), each need a tuple of alternatives: a connection is used through either service prefix.
_NEEDED: dict[str, tuple[tuple[str, ...], ...]] = {
    "CodeStarSourceConnection": (("codestar-connections:UseConnection", "codeconnections:UseConnection"),),
    "CodeDeploy": (
        ("codedeploy:CreateDeployment",),
        ("codedeploy:GetDeployment",),
        ("codedeploy:GetDeploymentConfig",),
    ),
    "CodeDeployToECS": (
        ("codedeploy:CreateDeployment",),
        ("codedeploy:GetDeployment",),
        ("codedeploy:GetDeploymentConfig",),
    ),
    # The ECS standard deploy registers a new revision of the service's task definition with the image of
    # imagedefinitions.json, then points the service at it.
    "ECS": (("ecs:RegisterTaskDefinition",), ("ecs:UpdateService",)),
}

_MODULE = """resource "aws_codestarconnections_connection" "github" {
  name          = "github"
  provider_type = "GitHub"
}

resource "aws_iam_role" "pipeline" {
  name               = "pipeline"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "pipeline" {
  statement {
    effect    = "Allow"
    resources = ["*"]
    actions = [
      "s3:*",
      "codebuild:StartBuild",
      "codebuild:BatchGetBuilds",
    ]
  }
}

resource "aws_iam_role_policy" "pipeline" {
  role   = aws_iam_role.pipeline.id
  policy = data.aws_iam_policy_document.pipeline.json
}

resource "aws_codepipeline" "app" {
  name     = "app"
  role_arn = aws_iam_role.pipeline.arn
  artifact_store {
    type     = "S3"
    location = "artifacts"
  }
  stage {
    name = "Source"
    action {
      name             = "Source"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeStarSourceConnection"
      version          = "1"
      output_artifacts = ["code"]
      configuration = {
        ConnectionArn    = aws_codestarconnections_connection.github.arn
        FullRepositoryId = "octo/app"
        BranchName       = "main"
      }
    }
  }
  stage {
    name = "Build"
    action {
      name            = "Build"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["code"]
      configuration = {
        ProjectName = "app"
      }
    }
  }
}
"""


class RoleLacksActionPermission(DocumentRule):
    """
    ## What it does
    In a CloudFormation template or a Terraform module, reports a pipeline whose role (the action's own
    `RoleArn`, else the pipeline's: a role the template or module defines, `!GetAtt Role.Arn` or
    `aws_iam_role.NAME.arn`) is not allowed what one of its actions needs: `codestar-connections:UseConnection`
    (or `codeconnections:UseConnection`) for a `CodeStarSourceConnection` source, `codedeploy:CreateDeployment`,
    `GetDeployment` and `GetDeploymentConfig` for a `CodeDeploy` or `CodeDeployToECS` deploy action,
    `ecs:RegisterTaskDefinition` and `ecs:UpdateService` for an `ECS` (standard) deploy action. Judged only
    when every policy that reaches the role is written there (as for CWP128: no managed policy, no `NotAction`,
    no statement built by a function); wildcards count as granting, resource restrictions are not judged.

    ## Why is this bad?
    CodePipeline runs the action with that role. A connection source without `UseConnection` fails at once
    ("Unable to use Connection ... The provided role does not have sufficient permissions"); a CodeDeploy action
    creates the deployment, reads the deployment configuration and polls the deployment, and fails with an
    access-denied error without one of them; an ECS deploy registers a new revision of the service's task
    definition and updates the service to it, and fails the same way. The CodePipeline action reference lists these permissions for each
    action; the failure comes on every execution.

    ## Example
    ```hcl
    data "aws_iam_policy_document" "pipeline" {
      statement {
        actions   = ["s3:*", "codebuild:StartBuild", "codebuild:BatchGetBuilds"]
        resources = ["*"]
      }
    }
    ```
    (the pipeline's source is a `CodeStarSourceConnection` action)

    ## Fix
    Add the missing action to the role's policy: `codestar-connections:UseConnection` on the connection's ARN,
    `codedeploy:GetDeploymentConfig` (with CreateDeployment and GetDeployment) for the deploy action,
    `ecs:RegisterTaskDefinition` and `ecs:UpdateService` for an ECS deploy.
    """

    code = "CWP136"
    name = "pipeline-role-lacks-action-permission"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"pipeline"})
    paths = ("",)
    VALID = (
        Valid(
            _MODULE.replace('"codebuild:BatchGetBuilds",', '"codebuild:BatchGetBuilds",\n      "codestar-connections:*",'),
            filename="pipeline.tf",
        ),
        Valid(
            _MODULE.replace('"codebuild:BatchGetBuilds",', '"codebuild:BatchGetBuilds",\n      "codeconnections:UseConnection",'),
            filename="pipeline.tf",
        ),
        # A managed policy attached to the role may grant it: what the role can do is not all in the module.
        Valid(
            _MODULE
            + 'resource "aws_iam_role_policy_attachment" "admin" {\n  role       = aws_iam_role.pipeline.name\n'
            '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n',
            filename="pipeline.tf",
        ),
        # A role given by ARN: its permissions are not in the module.
        Valid(
            _MODULE.replace("role_arn = aws_iam_role.pipeline.arn", "role_arn = var.pipeline_role_arn"),
            filename="pipeline.tf",
        ),
    )  # fmt: skip
    INVALID = (
        Invalid(
            _MODULE,
            30,
            14,
            'the role "aws_iam_role.pipeline" that runs the CodeStarSourceConnection action "Source" is not allowed '
            "codestar-connections:UseConnection",
            filename="pipeline.tf",
        ),
        Invalid(
            _MODULE.replace(
                "  policy = data.aws_iam_policy_document.pipeline.json\n",
                '  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n      Effect   = "Allow"\n'
                '      Action   = ["s3:*", "codebuild:*", "codestar-connections:UseConnection",\n'
                '                  "codedeploy:CreateDeployment", "codedeploy:GetDeployment"]\n'
                '      Resource = "*"\n    }]\n  })\n',
            ).replace(
                '        ProjectName = "app"\n      }\n    }\n  }\n',
                '        ProjectName = "app"\n      }\n    }\n  }\n  stage {\n    name = "Deploy"\n    action {\n'
                '      name            = "Deploy"\n      category        = "Deploy"\n      owner           = "AWS"\n'
                '      provider        = "CodeDeployToECS"\n      version         = "1"\n'
                '      input_artifacts = ["code"]\n      configuration = {\n'
                '        ApplicationName     = "app"\n        DeploymentGroupName = "app"\n'
                '        TaskDefinitionTemplateArtifact = "code"\n        AppSpecTemplateArtifact = "code"\n'
                "      }\n    }\n  }\n",
            ),
            38,
            14,
            'that runs the CodeDeployToECS action "Deploy" is not allowed codedeploy:GetDeploymentConfig',
            filename="pipeline.tf",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if path != () or not is_template(value) or not isinstance(value.get("Resources"), dict):
            return
        hcl = ctx.document.syntax == "hcl"
        reported: set[tuple[str, str, str]] = set()
        for found in action_roles(value, _NEEDED):
            key = (found.named[1], found.role, found.provider)
            if found.grants is None or key in reported:
                continue
            missing = [need[0] for need in _NEEDED[found.provider] if not any(allows(found.grants, n) for n in need)]
            if not missing:
                continue
            reported.add(key)
            near = None if hcl else next((g.path for g in found.grants), None)
            name = found.action.get("Name") if isinstance(found.action.get("Name"), str) else "?"
            ctx.report(
                near or found.named,
                f'the role "{found.role}" that runs the {found.provider} action "{name}" is not allowed '
                f"{' or '.join(missing)}, which CodePipeline needs to run it: the action fails with an "
                "access-denied error on every execution",
                notes=(
                    "Every policy reaching the role is in this "
                    + ("module" if hcl else "template")
                    + "; add the missing actions to one of them.",
                ),
            )
