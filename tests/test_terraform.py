"""Terraform pipelines: aws_codepipeline resources read by linters.hcl_reader and judged by the structure and
artifact rules, at the .tf file's own lines and columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from codeward.linters.engine import lint_file
from codeward.linters.hcl_reader import EXPRESSION, HclError, parse_hcl, terraform_pipelines

PIPELINE = """resource "aws_codepipeline" "app" {
  name     = "app-${var.env}"
  role_arn = aws_iam_role.pipeline.arn

  artifact_store {
    location = aws_s3_bucket.artifacts.bucket
    type     = "S3"
  }

  stage {
    name = "Source"
    action {
      name             = "Source"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeStarSourceConnection"
      version          = "1"
      output_artifacts = ["source_output"]
      configuration = {
        ConnectionArn    = var.connection_arn
        FullRepositoryId = "me/app" # a comment
        BranchName       = "main"
      }
    }
  }

  stage {
    name = "Build"
    action {
      name             = "Build"
      category         = "Build"
      owner            = "AWS"
      provider         = "CodeBuild"
      version          = "1"
      input_artifacts  = ["source_output"]
      output_artifacts = ["build_output"]
      configuration = {
        ProjectName = aws_codebuild_project.build.name
      }
    }
  }

  stage {
    name = "Deploy"
    action {
      name            = "Deploy"
      category        = "Deploy"
      owner           = "AWS"
      provider        = "ECS"
      version         = "1"
      input_artifacts = ["build_output"]
      configuration = {
        ClusterName = "c"
        ServiceName = "s"
      }
    }
  }
}

resource "aws_codebuild_project" "build" {
  name = "app-build"
  source {
    type      = "CODEPIPELINE"
    buildspec = <<-EOT
      version: 0.2
      phases:
        build:
          commands:
            - printf '[{"name":"app","imageUri":"%s"}]' $URI > imagedefinitions.json
      artifacts:
        files: imagedefinitions.json
    EOT
  }
}
"""
# The build project's inline buildspec, for tests that give it another way.
HEREDOC = PIPELINE[PIPELINE.index("buildspec = <<-EOT") : PIPELINE.index("    EOT\n") + len("    EOT\n")]
# The pipeline with its deploy action turned into a CodeDeploy action on `aws_codedeploy_app.app`.
ON_CODEDEPLOY_APP = PIPELINE.replace('provider        = "ECS"', 'provider        = "CodeDeploy"').replace(
    'ClusterName = "c"\n        ServiceName = "s"',
    'ApplicationName     = aws_codedeploy_app.app.name\n        DeploymentGroupName = "prod"',
)


def _lint(tmp_path: Path, text: str, name: str = "main.tf") -> list[tuple[str, int, int]]:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    path = tmp_path / name
    path.write_text(text)
    return [(f.code, f.line, f.column) for f in lint_file(str(path)).findings]


def test_reader_keeps_literals_positions_and_marks_expressions() -> None:
    blocks = parse_hcl(PIPELINE)
    assert [(b.type, b.labels) for b in blocks] == [
        ("resource", ["aws_codepipeline", "app"]),
        ("resource", ["aws_codebuild_project", "build"]),
    ]
    template, problems = terraform_pipelines(PIPELINE)
    assert problems == []
    pipeline = template["Resources"]["app"]["Properties"]
    assert pipeline["Name"] == {EXPRESSION: '"app-${var.env}"'}
    # A role of the module is named as CloudFormation's !GetAtt names a role of the template (CWP128, CWP136).
    assert pipeline["RoleArn"] == {"Fn::GetAtt": ["aws_iam_role.pipeline", "Arn"]}
    deploy = pipeline["Stages"][2]["Actions"][0]
    assert deploy["ActionTypeId"] == {"Category": "Deploy", "Owner": "AWS", "Provider": "ECS", "Version": "1"}
    assert deploy["InputArtifacts"] == [{"Name": "build_output"}]
    # The project reference becomes the Ref CloudFormation would write; the heredoc is the buildspec's text.
    assert pipeline["Stages"][1]["Actions"][0]["Configuration"] == {"ProjectName": {"Ref": "build"}}
    project = template["Resources"]["build"]["Properties"]
    assert project["Source"]["BuildSpec"].startswith("version: 0.2\nphases:\n  build:\n")
    assert pipeline["Stages"][0]["Actions"][0]["Configuration"]["FullRepositoryId"] == "me/app"


def test_valid_terraform_pipeline_has_no_finding(tmp_path: Path) -> None:
    assert _lint(tmp_path, PIPELINE) == []


def test_input_artifact_nothing_produces_is_reported_at_the_tf_line(tmp_path: Path) -> None:
    text = PIPELINE.replace('input_artifacts = ["build_output"]', 'input_artifacts = ["buildoutput"]')
    assert _lint(tmp_path, text) == [("CWP107", 51, 26)]


def test_deploy_file_the_build_does_not_ship_is_reported(tmp_path: Path) -> None:
    text = PIPELINE.replace("files: imagedefinitions.json", "files: images.json")
    assert _lint(tmp_path, text) == [("CWP130", 51, 26)]


def test_schema_rules_do_not_judge_terraform_expressions(tmp_path: Path) -> None:
    # A role given as an expression, a version as a number: Terraform's business, not reported.
    text = PIPELINE.replace('version          = "1"', "version          = 1")
    assert _lint(tmp_path, text) == []


def test_terraform_without_a_pipeline_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "vpc.tf").write_text('resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    result = lint_file(str(tmp_path / "vpc.tf"), explicit=False)
    assert result.skipped and result.findings == []


def test_unreadable_terraform_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    assert _lint(tmp_path, 'resource "aws_codepipeline" "app" {\n  name = "app\n}\n') == [("CWF001", 2, 10)]
    with pytest.raises(HclError):
        parse_hcl('resource "aws_codepipeline" "app" {\n')


def test_fix_never_rewrites_a_terraform_file(tmp_path: Path) -> None:
    from codeward.linters.engine import lint_file as lint

    path = tmp_path / "main.tf"
    path.write_text(PIPELINE.replace('input_artifacts = ["build_output"]', 'input_artifacts = ["buildoutput"]'))
    assert not lint(str(path)).confirmed


def test_buildspec_read_with_file_is_followed(tmp_path: Path) -> None:
    # buildspec = file("${path.module}/ci/buildspec.yml"): Terraform passes that file's text to CodeBuild.
    text = PIPELINE.replace(HEREDOC, 'buildspec = file("${path.module}/ci/buildspec.yml")\n')
    (tmp_path / "ci").mkdir()
    spec = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\nartifacts:\n  files: {}\n"
    (tmp_path / "ci" / "buildspec.yml").write_text(spec.format("imagedefinitions.json"))
    assert _lint(tmp_path, text) == []
    (tmp_path / "ci" / "buildspec.yml").write_text(spec.format("images.json"))
    assert _lint(tmp_path, text) == [("CWP130", 51, 26)]


def test_a_hostile_file_nested_too_deep_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    text = 'resource "aws_codepipeline" "app" {' + " stage {" * 3000
    with pytest.raises(HclError, match="nested more than 64 deep"):
        parse_hcl(text)
    assert [code for code, _, _ in _lint(tmp_path, text)] == ["CWF001"]
    # Real nesting depth is far below the bound.
    assert parse_hcl("a {" * 64 + "}" * 64)[0].type == "a"


def test_file_outside_the_repository_is_never_read(tmp_path: Path) -> None:
    # A hostile pull request's `file("/etc/passwd")` or `file("../../x")`: codeward must not read it, nor quote it.
    repo = tmp_path / "repo"
    repo.mkdir()
    spec = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\nartifacts:\n  files: images.json\n"
    (tmp_path / "outside.yml").write_text(spec)
    (repo / "inside.yml").write_text(spec)
    outside = PIPELINE.replace(HEREDOC, 'buildspec = file("${path.module}/../outside.yml")\n')
    inside = PIPELINE.replace(HEREDOC, 'buildspec = file("${path.module}/inside.yml")\n')
    assert _lint(repo, outside) == []
    assert _lint(repo, inside) == [("CWP130", 51, 26)]


def test_configuration_keys_are_judged_in_both_terraform_forms(tmp_path: Path) -> None:
    # Terraform passes `configuration` to CodePipeline as a map of strings, unchecked: a key the provider does not
    # take is CodePipeline's rejection (fresh7 u53, `AppSpecTemplateFile` on a CodeDeploy action). Terraform 0.11
    # wrote the map as a block; an expression for the whole map is not judged.
    text = PIPELINE.replace('        ClusterName = "c"', '        ClusterName = "c"\n        FileNmae = "x.json"')
    assert _lint(tmp_path, text) == [("CWP109", 54, 9)]
    block = PIPELINE.replace("      configuration = {\n        ProjectName", "      configuration {\n        Project")
    assert _lint(tmp_path, block) == [("CWP109", 38, 9)]
    whole = PIPELINE.replace(
        'configuration = {\n        ClusterName = "c"\n        ServiceName = "s"\n      }', "configuration = var.deploy"
    )
    assert _lint(tmp_path, whole) == []


def test_codedeploy_application_of_another_file_of_the_module(tmp_path: Path) -> None:
    # Terraform reads a folder as one module: the CodeDeploy action's application is in codedeploy.tf (fresh7
    # u52). An ECS application takes CodeDeployToECS; the EC2/On-Premises CodeDeploy action is an error.
    (tmp_path / "codedeploy.tf").write_text(
        'resource "aws_codedeploy_app" "app" {\n  compute_platform = "ECS"\n  name = "a"\n}\n'
    )
    # The build's inline buildspec ships no appspec.yml either (CWP130).
    assert _lint(tmp_path, ON_CODEDEPLOY_APP) == [("CWP132", 49, 25), ("CWP130", 51, 26)]
    (tmp_path / "codedeploy.tf").write_text('resource "aws_codedeploy_app" "app" {\n  name = "a"\n}\n')
    assert _lint(tmp_path, ON_CODEDEPLOY_APP) == [("CWP130", 51, 26)]  # Terraform's default platform is Server


def test_ecs_action_without_its_service_is_reported(tmp_path: Path) -> None:
    # CodePipeline rejects an ECS deploy action without ServiceName (fresh10 y8): the key is absent from the
    # literal map, which Terraform passes as it is.
    text = PIPELINE.replace('        ServiceName = "s"\n', "")
    assert _lint(tmp_path, text) == [("CWP110", 52, 7)]
    # The AWS provider fills a GitHub (version 1) action's OAuthToken from GITHUB_TOKEN: not a missing key here.
    github = PIPELINE.replace(
        'owner            = "AWS"\n      provider         = "CodeStarSourceConnection"',
        'owner            = "ThirdParty"\n      provider         = "GitHub"',
    ).replace(
        '        ConnectionArn    = var.connection_arn\n        FullRepositoryId = "me/app" # a comment\n        BranchName       = "main"',
        '        Owner  = "me"\n        Repo   = "app"\n        Branch = "main"',
    )
    assert github != PIPELINE and _lint(tmp_path, github) == []


def test_dynamic_action_content_is_judged_as_an_action(tmp_path: Path) -> None:
    # `dynamic "action"` writes its content once per element (fresh8 w16): a CodeBuild action of two inputs
    # without PrimarySource is reported at the content's line; what depends on the element stays unknown.
    text = PIPELINE.replace(
        '    action {\n      name            = "Deploy"',
        '    dynamic "action" {\n      for_each = var.checks\n      content {\n        name            = action.value\n'
        '        category        = "Build"\n        owner           = "AWS"\n        provider        = "CodeBuild"\n'
        '        version         = "1"\n        input_artifacts = ["source_output", "build_output"]\n'
        "        configuration   = { ProjectName = action.value }\n      }\n    }\n"
        '    action {\n      name            = "Deploy"',
    )
    assert _lint(tmp_path, text) == [("CWP116", 53, 9)]
    assert (
        _lint(
            tmp_path,
            text.replace("ProjectName = action.value", 'ProjectName = action.value, PrimarySource = "source_output"'),
        )
        == []
    )


def test_dynamic_stage_content_counts_as_stages(tmp_path: Path) -> None:
    # `dynamic "stage"` writes a stage per element of its for_each, a number the file does not give (AWS's
    # Terraform CI/CD sample, fresh11 z53): the pipeline is not one of a single stage. Without the dynamic block
    # the one-stage pipeline is reported.
    start = PIPELINE.index('  stage {\n    name = "Build"')
    end = PIPELINE.index('resource "aws_codebuild_project"')
    source_only = PIPELINE[:start] + "}\n\n" + PIPELINE[end:]
    assert _lint(tmp_path, source_only) == [("CWP101", 1, 1)]
    dynamic = (
        PIPELINE[:start]
        + (
            '  dynamic "stage" {\n    for_each = var.stages\n    content {\n      name = stage.value["name"]\n'
            '      action {\n        name             = stage.value["name"]\n        category         = "Build"\n'
            '        owner            = "AWS"\n        provider         = "CodeBuild"\n        version          = "1"\n'
            '        input_artifacts  = ["source_output"]\n        configuration    = { ProjectName = stage.value["project"] }\n'
            "      }\n    }\n  }\n}\n\n"
        )
        + PIPELINE[end:]
    )
    assert _lint(tmp_path, dynamic) == []


def test_customer_managed_policy_of_the_module_is_read(tmp_path: Path) -> None:
    # An aws_iam_policy of the module attached to the pipeline's role is as readable as an inline policy (fresh10
    # y10): without ecs:RegisterTaskDefinition the ECS deploy fails. A policy given by ARN alone leaves it unknown.
    role = (
        'resource "aws_iam_role" "pipeline" {\n  name = "p"\n  assume_role_policy = "{}"\n}\n'
        'resource "aws_iam_policy" "pipeline" {\n  policy = jsonencode({\n    Statement = [{\n'
        '      Effect = "Allow"\n      Action = ["s3:*", "codebuild:*", "codestar-connections:UseConnection",'
        ' "ecs:UpdateService"]\n      Resource = "*"\n    }]\n  })\n}\n'
        'resource "aws_iam_role_policy_attachment" "pipeline" {\n  role       = aws_iam_role.pipeline.name\n'
        "  policy_arn = aws_iam_policy.pipeline.arn\n}\n"
    )
    assert _lint(tmp_path, PIPELINE + role) == [("CWP136", 3, 14)]
    granted = role.replace('"ecs:UpdateService"', '"ecs:UpdateService", "ecs:RegisterTaskDefinition"')
    assert _lint(tmp_path, PIPELINE + granted) == []
    by_arn = role.replace("aws_iam_policy.pipeline.arn", '"arn:aws:iam::123456789012:policy/pipeline"')
    assert _lint(tmp_path, PIPELINE + by_arn) == []


def test_cwf018_knows_every_codebuild_environment_type_the_buildspec_schema_knows() -> None:
    # One list for the API's EnvironmentType: a type added to the schema and not here would go unchecked.
    import json

    from codeward.linters.hcl_reader import _PROJECT_ENUMS

    from tests.helpers import ROOT

    schema = json.loads((Path(ROOT) / "schemas" / "buildspec.schema.json").read_text(encoding="utf-8"))
    assert sorted(_PROJECT_ENUMS[("environment", "type")]) == sorted(schema["$defs"]["environmentType"]["enum"])
