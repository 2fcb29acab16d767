from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class DuplicateStageName(PipelineRule):
    """
    ## What it does
    Reports a stage whose name an earlier stage of the pipeline already uses.

    ## Why is this bad?
    Stage names identify stages in the API (transitions, retries, approvals); CodePipeline rejects a
    pipeline with two stages of the same name.

    ## Example
    ```json
    [{"name": "Deploy", ...}, {"name": "Deploy", ...}]
    ```

    ## Fix
    Rename one of the stages, e.g. `DeployStaging` and `DeployProduction`.
    """

    code = "CWP104"
    name = "pipeline-duplicate-stage-name"
    severity = Severity.ERROR
    tags = ("structure",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]), ("Test", [BUILD_ACTION]))),)
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]), ("Build", [BUILD_ACTION])),
            12,
            14,
            'stage name "Build" is already used by stage 2',
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        seen: dict[str, int] = {}
        for stage in pipeline.stages:
            name = stage.name
            if name is None or stage.conditional:
                continue
            if name in seen:
                self.report(
                    ctx,
                    pipeline,
                    stage.at("name"),
                    f'stage name "{name}" is already used by stage {seen[name] + 1}; stage names must be unique',
                )
            else:
                seen[name] = stage.index
