from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_MODULE = """resource "aws_codebuild_project" "plan" {
  name         = "plan"
  service_role = aws_iam_role.build.arn
  artifacts {
    type = "CODEPIPELINE"
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "hashicorp/terraform:1.5.5"
    type         = "LINUX_CONTAINER"
  }
  source {
    type      = "CODEPIPELINE"
    buildspec = file("buildspec/planspec.yml")
  }
}

resource "aws_codepipeline" "pipeline" {
  name     = "tf-cicd"
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
        FullRepositoryId = "octo/infra"
        BranchName       = "main"
        ConnectionArn    = var.connection
      }
    }
  }
  stage {
    name = "Plan"
    action {
      name            = "Plan"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["code"]
      configuration = {
        ProjectName = aws_codebuild_project.plan.name
      }
    }
  }
}
"""
_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - terraform plan\n"


class TerraformFileMissing(LoaderRule):
    """
    ## What it does
    Reports `buildspec = file("path")` in a Terraform `aws_codebuild_project` (of a file that defines a pipeline)
    whose path, relative to the module's folder (`${path.module}/` allowed), is no file: `planspec.yml` where the
    repository has `planspec.yaml`. Absolute paths and paths outside the checkout are not looked at.

    ## Why is this bad?
    Terraform evaluates `file()` while planning and stops with "Invalid value for "path" parameter: no file
    exists at ...": nothing of the module is created or changed, the pipeline included.

    ## Example
    ```hcl
    source {
      type      = "CODEPIPELINE"
      buildspec = file("buildspec/planspec.yml")
    }
    ```

    ## Fix
    Name the file as it is in the repository (`file("buildspec/planspec.yaml")`).
    """

    code = "CWF015"
    name = "terraform-file-missing"
    severity = Severity.ERROR
    kinds = frozenset({"pipeline"})
    VALID = (Valid(_MODULE, filename="pipeline.tf", files={".git/HEAD": "x\n", "buildspec/planspec.yml": _BUILDSPEC}),)
    INVALID = (
        Invalid(
            _MODULE,
            14,
            17,
            'file("buildspec/planspec.yml") names no file of this module\'s folder (it has buildspec/planspec.yaml): '
            "Terraform cannot read it",
            filename="pipeline.tf",
            files={".git/HEAD": "x\n", "buildspec/planspec.yaml": _BUILDSPEC},
        ),
    )
