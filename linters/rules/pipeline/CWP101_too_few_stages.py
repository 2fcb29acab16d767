from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class TooFewStages(PipelineRule):
    """
    ## What it does
    Reports a pipeline with fewer than two stages.

    ## Why is this bad?
    CodePipeline requires at least two stages: a first stage of source actions and at least one stage that
    does something with the source. A one-stage pipeline is rejected.

    ## Example
    ```json
    {"stages": [{"name": "Source", "actions": [...]}]}
    ```

    ## Fix
    Add a stage after the source stage (build, test, deploy or approval).
    """

    code = "CWP101"
    name = "pipeline-too-few-stages"
    severity = Severity.ERROR
    tags = ("structure",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]))),)
    INVALID = (Invalid(api_case(("Source", [SOURCE_ACTION])), 5, 13, "has 1 stage"),)

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        stages = pipeline.raw("stages")
        if not isinstance(stages, list) or len(stages) >= 2:
            return
        key = pipeline.key("stages")
        count = f"{len(stages)} stage" + ("" if len(stages) == 1 else "s")
        self.report(
            ctx,
            pipeline,
            pipeline.at("stages"),
            f"{key} has {count}; a pipeline needs at least two: a source stage and a stage that uses its output",
        )
