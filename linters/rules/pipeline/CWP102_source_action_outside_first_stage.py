from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, action, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class SourceActionOutsideFirstStage(PipelineRule):
    """
    ## What it does
    Reports a `Source` action in any stage but the first.

    ## Why is this bad?
    Only the first stage may hold source actions; CodePipeline rejects the pipeline otherwise. To bring
    another repository in later, add it as a second source action of the first stage.

    ## Example
    ```json
    {"name": "Deploy", "actions": [{"name": "Config", "actionTypeId": {"category": "Source", ...}}]}
    ```

    ## Fix
    Move the source action into the first stage; later actions can use its output artifact.
    """

    code = "CWP102"
    name = "pipeline-source-action-outside-first-stage"
    severity = Severity.ERROR
    tags = ("structure",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]))),)
    INVALID = (
        Invalid(
            api_case(
                ("Source", [SOURCE_ACTION]),
                ("Build", [BUILD_ACTION, action("Cfg", "Source", "S3", {"S3Bucket": "b", "S3ObjectKey": "k"},
                                                outputs=("Cfg",))]),
            ),
            11,
            52,
            'source action "Cfg" is in stage "Build"',
        ),
    )  # fmt: skip

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        first = min((stage.index for stage in pipeline.stages), default=0)
        for stage in pipeline.stages:
            if stage.index == first:
                continue
            for item in stage.actions:
                if item.is_source:
                    type_id = item.at("actionTypeId", item.key("category"))
                    self.report(
                        ctx,
                        pipeline,
                        type_id,
                        f'source {item.describe} is in stage "{stage.name}"; '
                        "only the first stage may contain source actions",
                        notes=("Move it to the first stage; later stages can read its output artifact.",),
                    )
