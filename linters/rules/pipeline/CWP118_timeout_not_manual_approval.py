from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, action, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class TimeoutNotManualApproval(PipelineRule):
    """
    ## What it does
    Reports `timeoutInMinutes` on an action that is not a manual approval.

    ## Why is this bad?
    The API applies `timeoutInMinutes` only to manual approval actions; elsewhere it is ignored or
    rejected, so a build or deploy keeps its provider's default timeout (8 hours for CodeBuild, 5 days for
    CodeDeploy...) whatever the file says.

    ## Example
    ```json
    {"name": "Build", "timeoutInMinutes": 30, "actionTypeId": {"category": "Build", "provider": "CodeBuild", ...}}
    ```

    ## Fix
    Set the timeout where the provider defines it (for CodeBuild, the project's build timeout), and keep
    `timeoutInMinutes` for approval actions.
    """

    code = "CWP118"
    name = "pipeline-timeout-not-manual-approval"
    severity = Severity.WARNING
    tags = ("configuration",)
    VALID = (
        Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]),
                       ("Approve", [action("Approve", "Approval", "Manual", timeoutInMinutes=120)]))),
    )  # fmt: skip
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [{**BUILD_ACTION, "timeoutInMinutes": 30}])),
            10,
            200,
            "applies only to manual approval actions",
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            if not item.has("timeoutInMinutes") or item.category is None or item.provider is None:
                continue
            if item.category == "Approval" and item.provider == "Manual":
                continue
            self.report(
                ctx,
                pipeline,
                item.at("timeoutInMinutes"),
                f"{item.key('timeoutInMinutes')} of {item.category}/{item.provider} {item.describe} applies only to "
                "manual approval actions",
                key=True,
            )
