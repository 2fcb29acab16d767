from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, PipelineRule, action, api_case
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_CONNECTION = action(
    "Checkout", "Source", "CodeStarSourceConnection",
    {"ConnectionArn": "arn:aws:codestar-connections:us-east-1:123456789012:connection/abc",
     "FullRepositoryId": "octo/app", "BranchName": "main"},
    outputs=("Code",),
)  # fmt: skip


def _top(name: str) -> str:
    return (
        '"pipelineType": "V2",\n"triggers": [{"providerType": "CodeStarSourceConnection", "gitConfiguration": '
        f'{{"sourceActionName": "{name}", "push": [{{"branches": {{"includes": ["main"]}}}}]}}}}],'
    )


class TriggerSourceAction(PipelineRule):
    """
    ## What it does
    Reports a trigger whose `gitConfiguration.sourceActionName` names no source action, names a source
    action that is not a `CodeStarSourceConnection` action, or names an action that another trigger
    already uses.

    ## Why is this bad?
    Git triggers attach to a connection source action by name; there can be one trigger per source action.
    CodePipeline rejects a trigger that points nowhere.

    ## Example
    ```json
    "triggers": [{"providerType": "CodeStarSourceConnection",
                  "gitConfiguration": {"sourceActionName": "Source", "push": [...]}}]
    ```
    while the source action is called `Checkout`.

    ## Fix
    Use the exact name of the CodeStarSourceConnection action, and merge filters for one action into a
    single trigger.
    """

    code = "CWP120"
    name = "pipeline-trigger-source-action"
    severity = Severity.ERROR
    tags = ("triggers",)
    VALID = (Valid(api_case(("Source", [_CONNECTION]), ("Build", [BUILD_ACTION]), top=_top("Checkout"))),)
    INVALID = (
        Invalid(
            api_case(("Source", [_CONNECTION]), ("Build", [BUILD_ACTION]), top=_top("Checkot")),
            6,
            102,
            'no source action "Checkot"; did you mean "Checkout"?',
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        triggers = pipeline.raw("triggers")
        if not isinstance(triggers, list):
            return
        sources = {a.name: a for a in pipeline.actions if a.is_source and a.name}
        used: set[str] = set()
        for index, trigger in enumerate(triggers):
            git = trigger.get(pipeline.key("gitConfiguration")) if isinstance(trigger, dict) else None
            name = git.get(pipeline.key("sourceActionName")) if isinstance(git, dict) else None
            if not isinstance(name, str):
                continue
            path = pipeline.at("triggers", index, pipeline.key("gitConfiguration"), pipeline.key("sourceActionName"))
            source = sources.get(name)
            if source is None:
                suggestion = did_you_mean(name, list(sources))
                message = f'trigger {index + 1} names no source action "{name}"'
                if suggestion:
                    message += f'; did you mean "{suggestion}"?'
                self.report(ctx, pipeline, path, message, notes=(f"Source actions: {', '.join(sources) or 'none'}.",))
            elif source.provider is not None and source.provider != "CodeStarSourceConnection":
                self.report(
                    ctx,
                    pipeline,
                    path,
                    f'trigger {index + 1} uses source action "{name}", a {source.provider} action; triggers work '
                    "only with CodeStarSourceConnection actions",
                )
            elif name in used:
                self.report(
                    ctx,
                    pipeline,
                    path,
                    f'source action "{name}" already has a trigger; put all its filters in one trigger',
                )
            used.add(name)
