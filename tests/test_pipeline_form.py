"""The pipeline views and model: both forms, conditional items, positions and labels in templates."""

from __future__ import annotations

from codeward.linters.engine import lint_text
from codeward.linters.pipeline_form import pipeline_views

TEMPLATE = """\
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Parameters:
  Env: {Type: String}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Main:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: !ImportValue roles-PipelineRoleArn
      ArtifactStore: {Type: S3, Location: !Ref Bucket}
      Stages:
        - Name: Source
          Actions:
            - Name: Repo
              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit, Version: "1"}
              Configuration: {RepositoryName: app, BranchName: !Ref Env}
              OutputArtifacts: [{Name: Code}]
        - Name: Deploy
          Actions:
            - !If
              - IsProd
              - Name: Ship
                ActionTypeId: {Category: Deploy, Owner: AWS, Provider: ECS, Version: "1"}
                Configuration: {ClusterName: prod, ServiceName: app}
                InputArtifacts: [{Name: Code}]
              - Name: Ship
                ActionTypeId: {Category: Deploy, Owner: AWS, Provider: ECS, Version: "1"}
                Configuration: {ClusterName: dev, ServiceName: app}
                InputArtifacts: [{Name: Cod}]
"""


def test_template_views_are_the_template_then_each_pipeline() -> None:
    from codeward.linters.engine import load_document

    document = load_document("pipeline.yml", TEMPLATE)
    views = pipeline_views(document.data)
    assert [(label, prefix) for label, prefix, _ in views] == [("", ()), ("Pipeline Main", ("Resources", "Main"))]


def test_both_branches_of_a_conditional_action_are_checked_without_duplicate_reports() -> None:
    findings = lint_text("pipeline.yml", TEMPLATE).findings
    assert [(f.line, f.column, f.code) for f in findings] == [(31, 41, "CWP107")]
    assert findings[0].message.startswith('Pipeline Main: input artifact "Cod"')
    assert 'did you mean "Code"?' in findings[0].message


def test_intrinsic_values_are_unknown_not_wrong() -> None:
    text = TEMPLATE.replace(
        "              Configuration: {RepositoryName: app, BranchName: !Ref Env}\n",
        "              Configuration: !If [IsProd, {RepositoryName: app}, {RepositoryName: app, BranchName: dev}]\n",
    )
    codes = {f.code for f in lint_text("pipeline.yml", text).findings}
    assert "CWP110" not in codes and "CWF900" not in codes


def test_get_pipeline_wrapper_and_bare_declaration_report_the_same_defects() -> None:
    stages = (
        '"stages": [{"name": "Source", "actions": [{"name": "S", "actionTypeId": {"category": "Source", '
        '"owner": "AWS", "provider": "S3", "version": "1"}, "configuration": {"S3Bucket": "b", "S3ObjectKey": "k"}, '
        '"outputArtifacts": [{"name": "Code"}]}]}]'
    )
    bare = '{"name": "p", "roleArn": "arn:aws:iam::123456789012:role/r", ' + stages + "}"
    wrapped = '{"pipeline": ' + bare + ', "metadata": {"pipelineArn": "arn"}}'
    codes_bare = sorted(f.code for f in lint_text("pipeline.json", bare).findings)
    codes_wrapped = sorted(f.code for f in lint_text("pipeline.json", wrapped).findings)
    assert codes_bare == codes_wrapped == ["CWP004", "CWP101"]


ECR_TEMPLATE = """\
Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/cp
      ArtifactStore: {Type: S3, Location: artifacts}
      Stages:
        - Name: Source
          Actions:
            - Name: Image
              ActionTypeId: {Category: Source, Owner: AWS, Provider: ECR, Version: 1}
              Configuration: {RepositoryName: web, ImageTag: latest}
              OutputArtifacts: [{Name: ImageOut}]
            - Name: Code
              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit, Version: 1}
              Configuration: {RepositoryName: web, BranchName: main}
              OutputArtifacts: [{Name: CodeOut}]
        - Name: Deploy
          Actions:
            - Name: Stack
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, Version: 1}
              Configuration:
                ActionMode: CREATE_UPDATE
                StackName: web
                TemplatePath: ImageOut::template.yml
                ParameterOverrides: '{"Image": {"Fn::GetParam": ["ImageOut", "imageDetail.json", "ImageURI"]}}'
              InputArtifacts: [{Name: CodeOut}, {Name: ImageOut}]
            - Name: BlueGreen
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CodeDeployToECS, Version: 1}
              Configuration:
                ApplicationName: web
                DeploymentGroupName: web
                TaskDefinitionTemplateArtifact: CodeOut
                AppSpecTemplateArtifact: CodeOut
                Image1ArtifactName: ImageOut
                Image1ContainerName: IMAGE1_NAME
              InputArtifacts: [{Name: CodeOut}, {Name: ImageOut}]
            - Name: Servers
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CodeDeploy, Version: 1}
              Configuration: {ApplicationName: web, DeploymentGroupName: web}
              InputArtifacts: [{Name: ImageOut}]
              RunOrder: 2
"""


def test_ecr_image_artifact_in_cloudformation_form() -> None:
    # The template file read from the image artifact and the CodeDeploy (EC2) action fed the image artifact are
    # errors; the blue/green action's image input and Fn::GetParam on imageDetail.json are how AWS's tutorials
    # use it.
    findings = [f for f in lint_text("pipeline.yml", ECR_TEMPLATE).findings if f.code == "CWP125"]
    assert [(f.line, f.column, f.severity.name) for f in findings] == [(25, 31, "ERROR"), (41, 39, "ERROR")]
    assert findings[0].message == (
        'Pipeline Pipeline: TemplatePath of CloudFormation action "Stack" reads template.yml from "ImageOut", the '
        'output of the ECR source action "Image", which holds only imageDetail.json: the file is not there, so the '
        "action fails"
    )
    assert "CodeDeploy finds no AppSpec file" in findings[1].message
    fixed = ECR_TEMPLATE.replace("TemplatePath: ImageOut::", "TemplatePath: CodeOut::").replace(
        "InputArtifacts: [{Name: ImageOut}]\n              RunOrder",
        "InputArtifacts: [{Name: CodeOut}]\n              RunOrder",
    )
    assert [f for f in lint_text("pipeline.yml", fixed).findings if f.code == "CWP125"] == []
