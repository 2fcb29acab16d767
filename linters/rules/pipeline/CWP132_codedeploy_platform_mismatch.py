from typing import Any

from codeward.linters.pipeline_form import Action, Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import PipelineRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

APPLICATION = "AWS::CodeDeploy::Application"
# The deploy action each compute platform takes (CodePipeline action reference): the CodeDeploy action deploys
# an EC2/On-Premises revision (an appspec.yml at the artifact's root); ECS blue/green deployments take
# CodeDeployToECS, with a task definition and an AppSpec template.
_ACTION_FOR = {"Server": "CodeDeploy", "ECS": "CodeDeployToECS"}
_PLATFORM_NAME = {"Server": "EC2/On-Premises", "ECS": "ECS", "Lambda": "Lambda"}


def _template(provider: str, platform: str | None) -> str:
    compute = f"\n      ComputePlatform: {platform}" if platform else ""
    return f"""Resources:
  App:
    Type: AWS::CodeDeploy::Application
    Properties:
      ApplicationName: shop{compute}
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/pipeline
      ArtifactStore: {{Type: S3, Location: my-artifacts}}
      Stages:
        - Name: Source
          Actions:
            - Name: Code
              ActionTypeId: {{Category: Source, Owner: AWS, Provider: CodeCommit, Version: 1}}
              OutputArtifacts: [{{Name: Code}}]
              Configuration: {{RepositoryName: shop, BranchName: main}}
        - Name: Deploy
          Actions:
            - Name: Deploy
              ActionTypeId: {{Category: Deploy, Owner: AWS, Provider: {provider}, Version: 1}}
              InputArtifacts: [{{Name: Code}}]
              Configuration: {{ApplicationName: !Ref App, DeploymentGroupName: prod}}
"""


def _platform(resources: dict[str, Any], name: Any) -> str | None:
    """The compute platform of the CodeDeploy application a `Ref` names in the same template; None when the
    value names no such resource or its platform is not a literal."""
    if not (isinstance(name, dict) and list(name) == ["Ref"] and isinstance(name["Ref"], str)):
        return None
    resource = resources.get(name["Ref"])
    if not isinstance(resource, dict) or resource.get("Type") != APPLICATION:
        return None
    properties = resource.get("Properties")
    if properties is None:
        return "Server"
    if not isinstance(properties, dict):
        return None
    platform = properties.get("ComputePlatform", "Server")  # CloudFormation's and Terraform's default
    return platform if platform in _PLATFORM_NAME else None


class CodeDeployPlatformMismatch(PipelineRule):
    """
    ## What it does
    Reports a CodeDeploy deploy action whose application, defined in the same template (an
    `AWS::CodeDeploy::Application` given with `!Ref`, or a Terraform `aws_codedeploy_app` given as
    `aws_codedeploy_app.NAME.name`), is of a compute platform the action cannot deploy to: the `CodeDeploy`
    (EC2/On-Premises) action on an ECS application, or the `CodeDeployToECS` action on an EC2/On-Premises or
    Lambda application. An application without `ComputePlatform` is EC2/On-Premises (`Server`), the default of
    CloudFormation and of Terraform. Silent when the application is made elsewhere (a literal name, a parameter).

    ## Why is this bad?
    The CodePipeline action reference gives each platform its own action: `CodeDeploy` deploys a revision whose
    `appspec.yml` the agent runs on instances, `CodeDeployToECS` creates an ECS blue/green deployment from a task
    definition and an AppSpec template. Given an application of the other platform, CodeDeploy refuses the
    deployment the action asks for, and the action fails on every execution.

    ## Example
    ```yaml
    App:
      Type: AWS::CodeDeploy::Application
      Properties: {ComputePlatform: ECS}
    ...
    ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CodeDeploy, Version: 1}
    Configuration: {ApplicationName: !Ref App, DeploymentGroupName: prod}
    ```

    ## Fix
    For an ECS application use `Provider: CodeDeployToECS` with `TaskDefinitionTemplateArtifact` and
    `AppSpecTemplateArtifact`; for instances, make the application's `ComputePlatform` `Server`.
    """

    code = "CWP132"
    name = "pipeline-codedeploy-platform-mismatch"
    severity = Severity.ERROR
    tags = ("configuration",)
    VALID = (
        Valid(_template("CodeDeploy", None), filename="pipeline.yml"),
        Valid(_template("CodeDeploy", "Server"), filename="pipeline.yml"),
        Valid(_template("CodeDeployToECS", "ECS"), filename="pipeline.yml"),
        Valid(_template("CodeDeploy", "ECS").replace("!Ref App", "shop"), filename="pipeline.yml"),
    )
    INVALID = (
        Invalid(
            _template("CodeDeploy", "ECS"),
            22,
            70,
            'Pipeline Pipeline: the CodeDeploy action "Deploy" deploys to application "App", whose compute platform '
            "is ECS: the CodeDeploy action deploys EC2/On-Premises revisions; an ECS application takes the "
            "CodeDeployToECS action",
            filename="pipeline.yml",
        ),
        Invalid(
            _template("CodeDeployToECS", None),
            21,
            70,
            'Pipeline Pipeline: the CodeDeployToECS action "Deploy" deploys to application "App", whose compute '
            "platform is EC2/On-Premises: the CodeDeployToECS action deploys ECS services",
            filename="pipeline.yml",
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        # The applications are resources of the template the pipeline is in (a Terraform module reads as one);
        # an API-form pipeline names applications made elsewhere.
        template = ctx.document.data
        resources = template.get("Resources") if isinstance(template, dict) and pipeline.form == "cfn" else None
        if not isinstance(resources, dict):
            return
        for action in pipeline.actions:
            self._check_action(ctx, pipeline, resources, action)

    def _check_action(self, ctx: Context, pipeline: Pipeline, resources: dict[str, Any], action: Action) -> None:
        provider = action.provider
        config = action.configuration
        if config is None or action.owner != "AWS" or provider not in _ACTION_FOR.values():
            return
        name = config.get("ApplicationName")
        platform = _platform(resources, name)
        if platform is None or _ACTION_FOR.get(platform) == provider:
            return
        if provider == "CodeDeploy":
            why = (
                "the CodeDeploy action deploys EC2/On-Premises revisions; an ECS application takes the "
                "CodeDeployToECS action"
                if platform == "ECS"
                else "the CodeDeploy action deploys EC2/On-Premises revisions"
            )
        else:
            why = "the CodeDeployToECS action deploys ECS services"
        self.report(
            ctx,
            pipeline,
            action.at("actionTypeId", action.key("provider")),
            f'the {provider} action "{action.name}" deploys to application "{name["Ref"]}", whose compute '
            f"platform is {_PLATFORM_NAME[platform]}: {why}",
            notes=("CodeDeploy refuses the deployment, and the action fails on every execution.",),
        )
