from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_MODULE = """resource "aws_codepipeline" "app" {
  name     = "app"
  role_arn = aws_iam_role.pipeline.arn
  artifact_store {
    type     = "S3"
    location = aws_s3_bucket.artifacts.id
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
        FullRepositoryId = "octo/app"
        BranchName       = "main"
        ConnectionArn    = var.connection
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
_DYNAMIC = _MODULE.replace(
    """    action {
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
""",
    """    dynamic "action" {
      for_each = var.projects
      content {
        name            = action.value
        category        = "Build"
        owner           = "AWS"
        provider        = "CodeBuild"
        version         = "1"
        input_artifacts = ["code"]
        configuration = {
          ProjectName = action.value
        }
      }
    }
""",
)

# The Build stage made by a `dynamic "stage"` block, one per project.
_DYNAMIC_STAGE = _MODULE.replace(
    """  stage {
    name = "Build"
    action {""",
    """  dynamic "stage" {
    for_each = var.projects
    content {
    name = stage.value
    action {""",
).replace(
    '        ProjectName = "app"\n      }\n    }\n  }\n', '        ProjectName = "app"\n      }\n    }\n    }\n  }\n'
)


class TerraformRequiredArgument(LoaderRule):
    """
    ## What it does
    Reports an `aws_codepipeline` resource of a Terraform file, one of its `stage` blocks or one of their
    `action` blocks that lacks an argument or block the AWS provider requires: `name` and `role_arn`, an
    `artifact_store` and `stage` blocks for the pipeline; `name` and an `action` for a stage; `name`,
    `category`, `owner`, `provider` and `version` for an action. A block that a `dynamic` block supplies counts
    as present. A block written as an argument (`stage = { ... }`, which Terraform 0.11 accepted) is a warning.

    ## Why is this bad?
    Terraform validates the configuration against the provider's schema before it plans: "The argument
    "version" is required, but no definition was found." It stops there, so nothing of the module is created
    or changed, the pipeline included. (In CloudFormation and the CLI the same fields are required too, where
    codeward's schema reports them.)

    ## Example
    ```hcl
    action {
      name            = "Build"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      input_artifacts = ["code"]
      configuration   = { ProjectName = "app" }
    }
    ```

    ## Fix
    Add the missing argument; an action's `version` is `"1"` for every AWS-owned action type.
    """

    code = "CWF016"
    name = "terraform-required-argument"
    severity = Severity.ERROR
    kinds = frozenset({"pipeline"})
    VALID = (
        Valid(_MODULE, filename="pipeline.tf"),
        Valid(_DYNAMIC, filename="pipeline.tf"),
        Valid(_DYNAMIC_STAGE, filename="pipeline.tf"),
    )
    INVALID = (
        Invalid(
            _MODULE.replace('      version         = "1"\n      input_artifacts = ["code"]\n', '      input_artifacts = ["code"]\n'),
            26,
            5,
            'action "Build" lacks the required argument "version": Terraform rejects the configuration before '
            "planning, so nothing of the module is created or changed",
            filename="pipeline.tf",
        ),
        Invalid(
            _MODULE.replace('  name     = "app"\n  role_arn = aws_iam_role.pipeline.arn\n', '  name     = "app"\n'),
            1,
            1,
            'aws_codepipeline "app" lacks the required argument "role_arn"',
            filename="pipeline.tf",
        ),
        # The content of a dynamic block is the actions it makes.
        Invalid(
            _DYNAMIC.replace('        version         = "1"\n', ""),
            28,
            7,
            'the content of dynamic "action" in stage "Build" lacks the required argument "version"',
            filename="pipeline.tf",
        ),
        # The content of a dynamic "stage" block is the stages it makes, actions included.
        Invalid(
            _DYNAMIC_STAGE.replace('      version         = "1"\n      input_artifacts', "      input_artifacts"),
            28,
            5,
            'action "Build" lacks the required argument "version"',
            filename="pipeline.tf",
        ),
        # Terraform 0.11 took `action = { ... }`: a warning, since the version that runs the module is not known.
        Invalid(
            _MODULE.replace('    action {\n      name            = "Build"', '    action = {\n      name            = "Build"'),
            26,
            5,
            'stage "Build" writes "action" as an argument (action = { ... }): Terraform 0.12 and later take only a block',
            filename="pipeline.tf",
        ),
    )  # fmt: skip
