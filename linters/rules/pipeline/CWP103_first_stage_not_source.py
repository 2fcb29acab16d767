from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class FirstStageNotSource(PipelineRule):
    """
    ## What it does
    Reports a first stage that holds an action of another category than `Source`, or no source action.

    ## Why is this bad?
    CodePipeline requires the first stage to contain at least one source action and only source actions;
    the pipeline is rejected otherwise.

    ## Example
    ```json
    {"name": "Source", "actions": [{"name": "Src", ...Source...}, {"name": "Lint", ...Build...}]}
    ```

    ## Fix
    Move the non-source action to the next stage (it can still read the source artifact).
    """

    code = "CWP103"
    name = "pipeline-first-stage-not-source"
    severity = Severity.ERROR
    tags = ("structure",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]))),)
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION, BUILD_ACTION]), ("Deploy", [BUILD_ACTION])),
            8,
            54,
            'Build action "Build" in the first stage',
        ),
        Invalid(api_case(("Build", [BUILD_ACTION]), ("Test", [BUILD_ACTION])), 6, 14, "has no source action"),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        first = [stage for stage in pipeline.stages if stage.index == 0]
        if not first:
            return
        known = [a for stage in first for a in stage.actions if a.category is not None]
        if not known:
            return
        if len(known) == sum(len(s.actions) for s in first) and not any(a.is_source for a in known):
            stage = first[0]
            self.report(
                ctx,
                pipeline,
                stage.at("name"),
                f'the first stage "{stage.name}" has no source action; every pipeline starts with a stage of '
                "source actions",
            )
            return
        for item in known:
            if not item.is_source:
                self.report(
                    ctx,
                    pipeline,
                    item.at("actionTypeId", item.key("category")),
                    f'{item.category} {item.describe} in the first stage "{first[0].name}"; '
                    "the first stage may contain only source actions",
                    notes=("Move it to a later stage.",),
                )
