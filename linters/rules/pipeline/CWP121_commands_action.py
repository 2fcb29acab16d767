from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, action, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_COMMANDS = action("Test", "Compute", "Commands", inputs=("Code",), commands=["make test"])


class CommandsAction(PipelineRule):
    """
    ## What it does
    Reports a `Commands` action without `commands`, and `commands`, `outputVariables` or
    `environmentVariables` on an action of another provider.

    ## Why is this bad?
    The Commands action runs exactly the `commands` list and nothing else: without it there is nothing to
    run and the pipeline is rejected. Other action types do not read these fields, so the commands written
    there never run.

    ## Example
    ```json
    {"name": "Build", "actionTypeId": {"provider": "CodeBuild", ...}, "commands": ["make test"]}
    ```

    ## Fix
    Give the Commands action its `commands`; move commands of a CodeBuild action into its buildspec.
    """

    code = "CWP121"
    name = "pipeline-commands-action"
    severity = Severity.ERROR
    tags = ("configuration",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Test", [_COMMANDS]), top='"pipelineType": "V2",')),)
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [{**BUILD_ACTION, "commands": ["make"]}])),
            10,
            200,
            "only Commands actions run commands",
        ),
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Test", [{k: v for k, v in _COMMANDS.items() if k != "commands"}]),
                     top='"pipelineType": "V2",'),
            11,
            8,
            "has no commands",
        ),
    )  # fmt: skip

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            if item.provider is None:
                continue
            if item.owner == "AWS" and item.provider == "Commands":
                if not item.has("commands"):
                    self.report(
                        ctx,
                        pipeline,
                        item.at("name"),
                        f"Commands {item.describe} has no {item.key('commands')}: there is nothing to run",
                        key=True,
                    )
                continue
            for name in ("commands", "outputVariables", "environmentVariables"):
                if item.has(name):
                    self.report(
                        ctx,
                        pipeline,
                        item.at(name),
                        f"{item.key(name)} on {item.provider} {item.describe} is ignored: only Commands actions run "
                        "commands and export these",
                        key=True,
                    )
