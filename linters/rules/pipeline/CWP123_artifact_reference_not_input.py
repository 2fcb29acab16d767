import json
import re

from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import SOURCE_ACTION, PipelineRule, action, api_case
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# Configuration values of the form ArtifactName::path/in/artifact, per provider.
_PATHS = {
    "CloudFormation": ("TemplatePath", "TemplateConfiguration"),
    "CloudFormationStackSet": ("TemplatePath", "Parameters", "DeploymentTargets"),
}
# Configuration values that are an artifact's name.
_NAMES = {
    "CodeDeployToECS": (
        "TaskDefinitionTemplateArtifact",
        "AppSpecTemplateArtifact",
        "Image1ArtifactName",
        "Image2ArtifactName",
        "Image3ArtifactName",
        "Image4ArtifactName",
    ),
}
# ParameterOverrides: {"Fn::GetArtifactAtt": ["Artifact", "ObjectKey"]}, {"Fn::GetParam": ["Artifact", ...]}.
_OVERRIDE_REF = re.compile(r'"Fn::(?:GetArtifactAtt|GetParam)"\s*:\s*\[\s*"([^"]+)"')

_DEPLOY = action(
    "Deploy",
    "Deploy",
    "CloudFormation",
    {"ActionMode": "CREATE_UPDATE", "StackName": "app", "RoleArn": "arn:aws:iam::123456789012:role/cfn",
     "TemplatePath": "BuildOutput::packaged.yaml"},
    inputs=("BuildOutput",),
)  # fmt: skip
_BUILD = action("Build", "Build", "CodeBuild", {"ProjectName": "app"}, inputs=("Code",), outputs=("BuildOutput",))


class ArtifactReferenceNotInput(PipelineRule):
    """
    ## What it does
    Reports a configuration value that names an artifact the action does not take as input: the
    `ArtifactName::path` of a CloudFormation action's `TemplatePath` or `TemplateConfiguration` (and of a
    StackSet action's `TemplatePath`, `Parameters`, `DeploymentTargets`), the artifacts of
    `Fn::GetArtifactAtt` and `Fn::GetParam` in `ParameterOverrides`, and the artifact names of an ECS
    blue/green (`CodeDeployToECS`) action. Values that are pipeline variables or CloudFormation intrinsics
    are not judged.

    ## Why is this bad?
    An action sees only its own input artifacts; the template or file is looked up in an artifact it does
    not have, so the action fails (cfn-lint reports the same for templates as E3703).

    ## Example
    ```yaml
    InputArtifacts:
      - Name: BuildArtifact
    Configuration:
      TemplatePath: Built::packaged.yaml   # the input is BuildArtifact
    ```

    ## Fix
    Use the name of one of the action's input artifacts, or add the artifact to its `inputArtifacts`.
    """

    code = "CWP123"
    name = "pipeline-artifact-reference-not-input"
    severity = Severity.ERROR
    tags = ("configuration",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [_BUILD]), ("Deploy", [_DEPLOY]))),)
    INVALID = (
        Invalid(
            api_case(
                ("Source", [SOURCE_ACTION]),
                ("Build", [_BUILD]),
                ("Deploy", [{**_DEPLOY, "configuration": {**_DEPLOY["configuration"], "TemplatePath": "Built::t.yaml"}}]),
            ),
            13,
            262,
            'TemplatePath of action "Deploy" reads artifact "Built", which is not one of its input artifacts',
        ),
        Invalid(
            api_case(
                ("Source", [SOURCE_ACTION]),
                ("Build", [_BUILD]),
                ("Deploy", [{**_DEPLOY, "configuration": {**_DEPLOY["configuration"],
                 "ParameterOverrides": json.dumps({"Key": {"Fn::GetArtifactAtt": ["Code", "ObjectKey"]}})}}]),
            ),
            13,
            314,
            'artifact "Code"',
        ),
    )  # fmt: skip

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            config = item.configuration
            if item.owner != "AWS" or config is None or item.artifact_count("inputArtifacts") is None:
                continue
            provider = item.provider or ""
            names = [a.name for a in item.inputs]
            refs: list[tuple[str, str]] = []
            for key in _PATHS.get(provider, ()):
                value = item.config_text(key)
                if value and "::" in value:
                    refs.append((key, value.split("::", 1)[0].strip()))
            for key in _NAMES.get(provider, ()):
                value = item.config_text(key)
                if value:
                    refs.append((key, value.strip()))
            if provider == "CloudFormation":
                overrides = item.config_text("ParameterOverrides") or ""
                refs += [("ParameterOverrides", m.group(1)) for m in _OVERRIDE_REF.finditer(overrides)]
            for key, artifact in refs:
                if not artifact or artifact in names or "#{" in artifact or "${" in artifact:
                    continue
                suggestion = did_you_mean(artifact, names)
                message = (
                    f'{key} of {item.describe} reads artifact "{artifact}", which is not one of its input artifacts'
                    f" ({', '.join(names) or 'none'}): the action fails"
                )
                if suggestion:
                    message += f'; did you mean "{suggestion}"?'
                self.report(ctx, pipeline, item.config_at(key), message)
