from typing import Any

from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import PipelineRule
from codeward.linters.suggest import near_name

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

PROJECT = "AWS::CodeBuild::Project"
# A value that is not the name as written: a variable, a parameter, a substitution, a placeholder.
_NOT_LITERAL = ("$", "{", "}", "<", ">", "%", "#")

_TF = """resource "aws_codebuild_project" "plan" {{
  name         = "tf-cicd-plan2"
  service_role = aws_iam_role.build.arn
  artifacts {{
    type = "CODEPIPELINE"
  }}
  environment {{
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "hashicorp/terraform:1.5.5"
    type         = "LINUX_CONTAINER"
  }}
  source {{
    type = "CODEPIPELINE"
  }}
}}

resource "aws_codepipeline" "pipeline" {{
  name     = "tf-cicd"
  role_arn = aws_iam_role.pipeline.arn
  artifact_store {{
    type     = "S3"
    location = aws_s3_bucket.artifacts.id
  }}
  stage {{
    name = "Source"
    action {{
      name             = "Source"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeStarSourceConnection"
      version          = "1"
      output_artifacts = ["code"]
      configuration = {{
        FullRepositoryId = "octo/infra"
        BranchName       = "main"
        ConnectionArn    = var.connection
      }}
    }}
  }}
  stage {{
    name = "Plan"
    action {{
      name            = "Build"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["code"]
      configuration = {{
        ProjectName = {project}
      }}
    }}
  }}
}}
"""


def _project_names(resources: dict[str, Any]) -> set[str]:
    """The literal names of the CodeBuild projects the template (or Terraform module) defines."""
    names = set()
    for resource in resources.values():
        if isinstance(resource, dict) and resource.get("Type") == PROJECT:
            properties = resource.get("Properties")
            name = properties.get("Name") if isinstance(properties, dict) else None
            if isinstance(name, str) and name and not any(c in name for c in _NOT_LITERAL):
                names.add(name)
    return names


class ProjectNameMisspelt(PipelineRule):
    """
    ## What it does
    Reports a CodeBuild action whose literal `ProjectName` is the name of no project the same template (or
    Terraform module) defines, while exactly one project it defines has a name a slip away (at most two
    characters inserted, dropped, changed or swapped): `tf-cicd-plan` where the module creates `tf-cicd-plan2`.
    Silent when the template defines no project with a literal name, when the value is a reference, a variable
    or a placeholder, or when it is far from every name (a project made elsewhere).

    ## Why is this bad?
    The action starts the project by name; CodeBuild answers "project not found" and the action fails on every
    execution, while the project the template creates is never run.

    ## Example
    ```hcl
    resource "aws_codebuild_project" "plan" { name = "tf-cicd-plan2" ... }
    ...
    configuration = { ProjectName = "tf-cicd-plan" }
    ```

    ## Fix
    Refer to the project instead of repeating its name (`aws_codebuild_project.plan.name`, `!Ref Plan`), or
    write the name it has.
    """

    code = "CWP134"
    name = "pipeline-codebuild-project-name-misspelt"
    severity = Severity.ERROR
    tags = ("configuration",)
    VALID = (
        Valid(_TF.format(project='"tf-cicd-plan2"'), filename="pipeline.tf"),
        Valid(_TF.format(project="aws_codebuild_project.plan.name"), filename="pipeline.tf"),
        # Far from every name the module defines: a project made elsewhere.
        Valid(_TF.format(project='"landing-zone-validate"'), filename="pipeline.tf"),
        Valid(_TF.format(project='"${var.prefix}-plan"'), filename="pipeline.tf"),
    )
    INVALID = (
        Invalid(
            _TF.format(project='"tf-cicd-plan"'),
            50,
            22,
            'Pipeline pipeline: ProjectName "tf-cicd-plan" of action "Build" names no project this module defines; '
            'it defines "tf-cicd-plan2"',
            filename="pipeline.tf",
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        template = ctx.document.data
        resources = template.get("Resources") if isinstance(template, dict) and pipeline.form == "cfn" else None
        if not isinstance(resources, dict):
            return
        names = _project_names(resources)
        if not names:
            return
        where = "module" if ctx.document.syntax == "hcl" else "template"
        for action in pipeline.actions:
            if action.owner != "AWS" or action.provider != "CodeBuild":
                continue
            value = action.config_text("ProjectName")
            if not value or value in names or any(c in value for c in _NOT_LITERAL):
                continue
            near = [n for n in names if near_name(value, n)]
            if len(near) != 1:
                continue
            self.report(
                ctx,
                pipeline,
                action.config_at("ProjectName"),
                f'ProjectName "{value}" of action "{action.name}" names no project this {where} defines; it '
                f'defines "{near[0]}"',
                notes=(
                    "CodeBuild finds no project of that name and the action fails on every execution; refer to "
                    "the project (aws_codebuild_project.NAME.name, !Ref) rather than repeating its name.",
                ),
            )
