from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_MODULE = """resource "aws_codebuild_project" "plan" {
  name         = "plan"
  service_role = "arn:aws:iam::123456789012:role/build"
  artifacts {
    type = "CODEPIPELINE"
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type      = "CODEPIPELINE"
    buildspec = "version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - make\\n"
  }
}

resource "aws_codepipeline" "pipeline" {
  name     = "app"
  role_arn = "arn:aws:iam::123456789012:role/pipeline"
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
      provider         = "S3"
      version          = "1"
      output_artifacts = ["code"]
      configuration = {
        S3Bucket    = "sources"
        S3ObjectKey = "app.zip"
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
        ProjectName = aws_codebuild_project.plan.name
      }
    }
  }
}
"""


class TerraformValueCase(LoaderRule):
    """
    ## What it does
    Reports a value of an `aws_codebuild_project` enumeration, in a Terraform file that defines a pipeline, written
    in another case than the AWS provider takes: `artifacts { type = "s3" }`, `source { type = "codepipeline" }`,
    `environment { type = "linux_container" }`. Only values that are an enumeration member in another case are
    reported; a value that matches none (a member newer than codeward's list) is left alone.

    ## Why is this bad?
    The provider validates these arguments against the CodeBuild API's enumeration, exactly: `expected
    artifacts.0.type to be one of ["CODEPIPELINE" "NO_ARTIFACTS" "S3"], got s3`. Terraform stops before planning,
    so nothing of the module is created or changed, the pipeline that runs the project included.

    ## Example
    ```hcl
    artifacts {
      type = "s3"
    }
    ```

    ## Fix
    Write the value as the API spells it, in capitals: `type = "S3"` (with a `location`), or `CODEPIPELINE` for a
    project that a pipeline runs.
    """

    code = "CWF018"
    name = "terraform-value-case"
    severity = Severity.ERROR
    kinds = frozenset({"pipeline"})
    VALID = (Valid(_MODULE, filename="pipeline.tf"),)
    INVALID = (
        Invalid(
            _MODULE.replace('    type = "CODEPIPELINE"\n  }\n  environment', '    type = "codepipeline"\n  }\n  environment'),
            5,
            12,
            'artifacts type "codepipeline" must be written "CODEPIPELINE"',
            filename="pipeline.tf",
        ),
        Invalid(
            _MODULE.replace('type         = "LINUX_CONTAINER"', 'type         = "windows_server_2019_container"'),
            10,
            20,
            'environment type "windows_server_2019_container" must be written "WINDOWS_SERVER_2019_CONTAINER"',
            filename="pipeline.tf",
        ),
    )  # fmt: skip
