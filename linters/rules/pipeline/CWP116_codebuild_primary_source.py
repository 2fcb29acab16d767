from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import SOURCE_ACTION, PipelineRule, action, api_case
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_TOOLS = action("Tools", "Source", "S3", {"S3Bucket": "tools", "S3ObjectKey": "tools.zip"}, outputs=("Tools",))
_BUILD = action(
    "Build", "Build", "CodeBuild", {"ProjectName": "app", "PrimarySource": "Code"}, inputs=("Code", "Tools")
)


class CodeBuildPrimarySource(PipelineRule):
    """
    ## What it does
    Reports a CodeBuild action with several input artifacts but no `PrimarySource`, and a `PrimarySource`
    that is not one of the action's input artifacts.

    ## Why is this bad?
    With more than one input, CodeBuild must know which artifact holds the buildspec and becomes the
    working directory (`CODEBUILD_SRC_DIR`); the others are secondary sources. Without `PrimarySource`, or
    with a name that is not an input, the action fails.

    ## Example
    ```json
    {"configuration": {"ProjectName": "app"}, "inputArtifacts": [{"name": "Code"}, {"name": "Tools"}]}
    ```

    ## Fix
    Set `PrimarySource` to the name of the input artifact that contains the buildspec.
    """

    code = "CWP116"
    name = "pipeline-codebuild-primary-source"
    severity = Severity.ERROR
    tags = ("configuration",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION, _TOOLS]), ("Build", [_BUILD]))),)
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION, _TOOLS]), ("Build", [{**_BUILD, "configuration": {"ProjectName": "a"}}])),
            11,
            160,
            "has 2 input artifacts but no PrimarySource",
        ),
        Invalid(
            api_case(("Source", [SOURCE_ACTION, _TOOLS]),
                     ("Build", [{**_BUILD, "configuration": {"ProjectName": "a", "PrimarySource": "code"}}])),
            11,
            176,
            'did you mean "Code"?',
        ),
    )  # fmt: skip

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            if item.owner != "AWS" or item.provider != "CodeBuild" or item.configuration is None:
                continue
            names = [a.name for a in item.inputs]
            count = item.artifact_count("inputArtifacts")
            primary = item.configuration.get("PrimarySource")
            if primary is None and count is not None and count > 1:
                self.report(
                    ctx,
                    pipeline,
                    item.at("inputArtifacts"),
                    f"CodeBuild {item.describe} has {count} input artifacts but no PrimarySource in its configuration",
                    key=True,
                    notes=(f"Set PrimarySource to the input that holds the buildspec: one of {', '.join(names)}.",),
                )
            elif isinstance(primary, str) and count is not None and primary not in names:
                suggestion = did_you_mean(primary, names)
                message = f'PrimarySource "{primary}" of {item.describe} is not one of its input artifacts'
                if suggestion:
                    message += f'; did you mean "{suggestion}"?'
                self.report(
                    ctx,
                    pipeline,
                    item.config_at("PrimarySource"),
                    message,
                    notes=(f"Inputs: {', '.join(names) or 'none'}.",),
                )
