from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import SOURCE_ACTION, PipelineRule, action, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_TEST = action("Test", "Test", "CodeBuild", {"ProjectName": "tests"}, inputs=("Code",))
_LINT = action("Test", "Test", "CodeBuild", {"ProjectName": "lint"}, inputs=("Code",))


class DuplicateActionName(PipelineRule):
    """
    ## What it does
    Reports an action whose name another action of the same stage already uses.

    ## Why is this bad?
    Action names must be unique within a stage; CodePipeline rejects the pipeline. (The same name in
    different stages is allowed.)

    ## Example
    ```json
    {"name": "Test", "actions": [{"name": "Test", ...}, {"name": "Test", ...}]}
    ```

    ## Fix
    Give each action of the stage its own name.
    """

    code = "CWP105"
    name = "pipeline-duplicate-action-name"
    severity = Severity.ERROR
    tags = ("structure",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Test", [_TEST, {**_LINT, "name": "Lint"}]))),)
    INVALID = (Invalid(api_case(("Source", [SOURCE_ACTION]), ("Test", [_TEST, _LINT])), 11, 16, 'action name "Test"'),)

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for stage in pipeline.stages:
            seen: set[str] = set()
            for item in stage.actions:
                name = item.name
                if name is None or item.conditional:
                    continue
                if name in seen:
                    self.report(
                        ctx,
                        pipeline,
                        item.at("name"),
                        f'action name "{name}" is used twice in stage "{stage.name}"; action names must be unique '
                        "within a stage",
                    )
                seen.add(name)
