from __future__ import annotations

from codeward.linters.pipeline_form import Action, Artifact, Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import PipelineRule, action, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

IMAGE_DETAIL = "imageDetail.json"
_APPSPECS = ("appspec.yml", "appspec.yaml", "appspec.json")

_ECR = action("Image", "Source", "ECR", {"RepositoryName": "app"}, outputs=("Image",))
_CODE = action("Code", "Source", "CodeCommit", {"RepositoryName": "app", "BranchName": "main"}, outputs=("Code",))
_BLUE_GREEN = action(
    "Deploy", "Deploy", "CodeDeployToECS",
    {"ApplicationName": "app", "DeploymentGroupName": "prod", "TaskDefinitionTemplateArtifact": "Code",
     "AppSpecTemplateArtifact": "Code", "Image1ArtifactName": "Image", "Image1ContainerName": "IMAGE1_NAME"},
    inputs=("Code", "Image"),
)  # fmt: skip
_EC2 = action(
    "Deploy", "Deploy", "CodeDeploy", {"ApplicationName": "app", "DeploymentGroupName": "prod"}, inputs=("Image",)
)
_ECS = action("Deploy", "Deploy", "ECS", {"ClusterName": "c", "ServiceName": "s"}, inputs=("Image",))


def _file(value: str) -> str:
    """A path inside an artifact as the archive names it: no leading `./` or `/`."""
    value = value.strip()
    while value.startswith("./"):
        value = value[2:]
    return value.lstrip("/")


class ArtifactLacksFile(PipelineRule):
    """
    ## What it does
    Reports an action that reads a file its input artifact cannot hold, where the producer fixes the
    artifact's content: an Amazon ECR source action's output holds `imageDetail.json` and nothing else. Given
    such an artifact,
    - a `CodeDeploy` (EC2/On-Premises) action finds no AppSpec file at the revision's root;
    - a standard `ECS` action finds no `imagedefinitions.json` (or its `FileName`); `imageDetail.json` is
      the blue/green format, an object, not the list of container names and image URIs it reads;
    - a `CodeDeployToECS` action finds no task definition or AppSpec template when the artifact is its
      `TaskDefinitionTemplateArtifact` or `AppSpecTemplateArtifact`;
    - a CloudFormation, StackSet or AppConfig action finds no template or configuration file at a path other
      than `imageDetail.json`.

    An Elastic Beanstalk action given the image artifact is a warning: the bundle deploys, but holds no
    application. Reading `imageDetail.json` itself is fine: as a `CodeDeployToECS` image artifact
    (`Image1ArtifactName`, AWS's ECR-to-ECS blue/green tutorial), through `Fn::GetParam` in CloudFormation
    parameter overrides, in CodeBuild, Lambda or an S3 deploy.

    ## Why is this bad?
    CodePipeline's image definitions reference: the ECR source action generates `imageDetail.json` as its
    output; the standard ECS action requires `imagedefinitions.json`; the CodeDeploy action's input is the
    revision whose AppSpec file CodeDeploy reads. The pipeline is accepted, and the deploy action fails on
    every run.

    ## Example
    ```json
    {"name": "Image", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "ECR", "version": "1"},
     "outputArtifacts": [{"name": "Image"}]}
    {"name": "Deploy", "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CodeDeploy", "version": "1"},
     "inputArtifacts": [{"name": "Image"}]}
    ```

    ## Fix
    For an ECS blue/green deployment use the `CodeDeployToECS` provider: the image artifact as
    `Image1ArtifactName`, the task definition and AppSpec templates from a source or build artifact. For a
    standard ECS deployment write `imagedefinitions.json` in a build action from the image's URI. For
    EC2/On-Premises give the action the artifact that holds `appspec.yml`.
    """

    code = "CWP125"
    name = "pipeline-artifact-lacks-file"
    severity = Severity.ERROR
    tags = ("artifacts",)
    VALID = (
        Valid(api_case(("Source", [_CODE, _ECR]), ("Deploy", [_BLUE_GREEN]))),
        Valid(
            api_case(
                ("Source", [_CODE, _ECR]),
                ("Deploy", [action("Deploy", "Deploy", "CloudFormation",
                 {"ActionMode": "CREATE_UPDATE", "StackName": "app", "TemplatePath": "Code::t.yaml",
                  "ParameterOverrides": '{"Image": {"Fn::GetParam": ["Image", "imageDetail.json", "ImageURI"]}}'},
                 inputs=("Code", "Image"))]),
            )
        ),
        Valid(api_case(("Source", [_CODE, _ECR]), ("Build", [action("Build", "Build", "CodeBuild",
              {"ProjectName": "app", "PrimarySource": "Code"}, inputs=("Code", "Image"))]))),
    )  # fmt: skip
    INVALID = (
        Invalid(
            api_case(("Source", [_ECR]), ("Deploy", [_EC2])),
            10,
            228,
            'input artifact "Image" of CodeDeploy action "Deploy" comes from the ECR source action "Image", which '
            "holds only imageDetail.json: CodeDeploy finds no AppSpec file (appspec.yml) at the revision's root, so "
            "every deployment fails",
        ),
        Invalid(
            api_case(("Source", [_ECR]), ("Deploy", [_ECS])),
            10,
            204,
            "holds only imageDetail.json: the ECS action reads imagedefinitions.json (a list of container names "
            "and image URIs), which is not there",
        ),
        Invalid(
            api_case(
                ("Source", [_CODE, _ECR]),
                ("Deploy", [{**_BLUE_GREEN, "configuration": {**_BLUE_GREEN["configuration"],
                             "AppSpecTemplateArtifact": "Image"}}]),
            ),
            11,
            273,
            'AppSpecTemplateArtifact of CodeDeployToECS action "Deploy" is "Image", the output of the ECR source '
            'action "Image", which holds only imageDetail.json: the AppSpec template appspec.yaml is not there',
        ),
        Invalid(
            api_case(("Source", [_CODE, _ECR]), ("Deploy", [action("Deploy", "Deploy", "ElasticBeanstalk",
                     {"ApplicationName": "a", "EnvironmentName": "e"}, inputs=("Image",))])),
            11,
            225,
            "Elastic Beanstalk deploys it as the application's source bundle",
        ),
    )  # fmt: skip

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        contents: dict[str, tuple[Action, frozenset[str]]] = {}
        for item in pipeline.actions:
            held = _known_contents(item)
            for artifact in item.outputs:
                if held is not None:
                    contents.setdefault(artifact.name, (item, held))
                else:
                    contents[artifact.name] = (item, frozenset())  # another producer: content unknown
        fixed = {name: v for name, v in contents.items() if v[1]}

        def source(name: str | None) -> tuple[Action, frozenset[str]] | None:
            return fixed.get(name) if name else None

        for item in pipeline.actions:
            if item.owner != "AWS" or item.category != "Deploy":
                continue
            provider = item.provider or ""
            inputs = item.inputs
            if provider in ("CodeDeploy", "ECS", "ElasticBeanstalk") and len(inputs) == 1:
                found = source(inputs[0].name)
                if found:
                    self._whole_artifact(ctx, pipeline, item, provider, inputs[0], found)
            elif provider == "CodeDeployToECS":
                for key, path_key, default in (
                    ("TaskDefinitionTemplateArtifact", "TaskDefinitionTemplatePath", "taskdef.json"),
                    ("AppSpecTemplateArtifact", "AppSpecTemplatePath", "appspec.yaml"),
                ):
                    name = item.config_text(key)
                    found = source(name.strip() if name else None)
                    wanted = item.config_text(path_key) or default
                    if found and _missing(wanted, found[1]):
                        what = "task definition template" if key.startswith("Task") else "AppSpec template"
                        self.report(
                            ctx,
                            pipeline,
                            item.config_at(key),
                            f'{key} of CodeDeployToECS {item.describe} is "{name}", the output of the ECR source '
                            f"{found[0].describe}, which holds only {IMAGE_DETAIL}: the {what} {wanted} is not there",
                            notes=(
                                f"Take the {what} from a source or build artifact; the image artifact belongs in "
                                "Image1ArtifactName.",
                            ),
                        )
            else:
                for key in _FILE_KEYS.get(provider, ()):
                    value = item.config_text(key)
                    if not value or "::" not in value or "#{" in value:
                        continue
                    name, _, wanted = value.partition("::")
                    found = source(name.strip())
                    if found and _missing(wanted, found[1]):
                        self.report(
                            ctx,
                            pipeline,
                            item.config_at(key),
                            f'{key} of {provider} {item.describe} reads {wanted.strip()} from "{name.strip()}", the '
                            f"output of the ECR source {found[0].describe}, which holds only {IMAGE_DETAIL}: the "
                            "file is not there, so the action fails",
                        )
                if provider == "AppConfig" and len(inputs) == 1:
                    found = source(inputs[0].name)
                    wanted = item.config_text("InputArtifactConfigurationPath")
                    if found and wanted and "#{" not in wanted and _missing(wanted, found[1]):
                        self.report(
                            ctx,
                            pipeline,
                            item.config_at("InputArtifactConfigurationPath"),
                            f"InputArtifactConfigurationPath of AppConfig {item.describe} is {wanted}, but its input "
                            f'"{inputs[0].name}" is the output of the ECR source {found[0].describe}, which holds '
                            f"only {IMAGE_DETAIL}",
                        )

    def _whole_artifact(
        self,
        ctx: Context,
        pipeline: Pipeline,
        item: Action,
        provider: str,
        artifact: Artifact,
        found: tuple[Action, frozenset[str]],
    ) -> None:
        producer, held = found
        head = (
            f'input artifact "{artifact.name}" of {provider} {item.describe} comes from the ECR source '
            f"{producer.describe}, which holds only {IMAGE_DETAIL}"
        )
        severity = None
        if provider == "CodeDeploy":
            if not all(_missing(name, held) for name in _APPSPECS):
                return
            message = f"{head}: CodeDeploy finds no AppSpec file (appspec.yml) at the revision's root, so every deployment fails"
            fix = (
                "For an ECS blue/green deployment use the CodeDeployToECS provider with this artifact as "
                "Image1ArtifactName; for EC2/On-Premises give the action the artifact that holds appspec.yml."
            )
        elif provider == "ECS":
            wanted = item.config_text("FileName") or "imagedefinitions.json"
            if "#{" in wanted:
                return
            message = (
                f"{head}: the ECS action reads {wanted} (a list of container names and image URIs), which is not there"
                if _missing(wanted, held)
                else f"{head}: the ECS action reads {wanted} as a list of container names and image URIs, and "
                f"{IMAGE_DETAIL} is the blue/green format (one ImageURI)"
            )
            fix = (
                f"Write {wanted} in a build action from the image URI and give its output to this action, "
                "or use CodeDeployToECS (blue/green), which reads imageDetail.json."
            )
        else:
            message = (
                f"{head}: Elastic Beanstalk deploys it as the application's source bundle, which then holds no "
                "application"
            )
            fix = "Give the action the artifact of your application's source bundle (a Dockerrun.aws.json for images)."
            severity = Severity.WARNING
        self.report(ctx, pipeline, artifact.path, message, notes=(fix,), severity=severity)


# Configuration values of the form ArtifactName::path/in/artifact that name a file the action reads.
_FILE_KEYS = {
    "CloudFormation": ("TemplatePath", "TemplateConfiguration"),
    "CloudFormationStackSet": ("TemplatePath", "Parameters", "DeploymentTargets"),
}


def _known_contents(item: Action) -> frozenset[str] | None:
    """The files an action's output artifacts hold when the provider fixes them, else None."""
    if item.owner == "AWS" and item.category == "Source" and item.provider == "ECR":
        return frozenset({IMAGE_DETAIL})
    return None


def _missing(wanted: str, held: frozenset[str]) -> bool:
    return _file(wanted) not in held
