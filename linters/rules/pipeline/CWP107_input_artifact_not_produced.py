from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import SOURCE_ACTION, PipelineRule, action, api_case
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_BUILD = action("Build", "Build", "CodeBuild", {"ProjectName": "app"}, inputs=("Code",), outputs=("App",))
_DEPLOY = action(
    "Deploy", "Deploy", "CodeDeploy", {"ApplicationName": "app", "DeploymentGroupName": "prod"}, inputs=("App",)
)


class InputArtifactNotProduced(PipelineRule):
    """
    ## What it does
    Reports an input artifact that no action running earlier produces: the name is not an output artifact
    anywhere (often a misspelling), or its producer runs in a later stage, or in the same stage with the
    same or a higher `runOrder`.

    ## Why is this bad?
    An action can only read artifacts of actions that finished before it starts. CodePipeline rejects an
    input that matches no earlier output, and an artifact produced in parallel is not there yet.

    ## Example
    ```json
    {"name": "Deploy", "inputArtifacts": [{"name": "BuildOutput"}]}
    ```
    while the build action declares `"outputArtifacts": [{"name": "BuildArtifact"}]`.

    ## Fix
    Use the exact name of an earlier action's output artifact, or give the producing action a lower
    `runOrder` than the consuming one.
    """

    code = "CWP107"
    name = "pipeline-input-artifact-not-produced"
    severity = Severity.ERROR
    tags = ("artifacts",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [_BUILD]), ("Deploy", [_DEPLOY]))),)
    INVALID = (
        Invalid(
            api_case(
                ("Source", [SOURCE_ACTION]),
                ("Build", [_BUILD]),
                ("Deploy", [{**_DEPLOY, "inputArtifacts": [{"name": "Ap"}]}]),
            ),
            13,
            228,
            'did you mean "App"?',
        ),
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [_BUILD, _DEPLOY])),
            11,
            228,
            "same runOrder",
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        producers: dict[str, list] = {}
        for item in pipeline.actions:
            for artifact in item.outputs:
                producers.setdefault(artifact.name, []).append(item)
        for item in pipeline.actions:
            if item.is_source:
                continue  # a source action takes no input at all: CWP108 says so
            for artifact in item.inputs:
                makers = [m for m in producers.get(artifact.name, ()) if m is not item]
                order = [m.runs_before(item) for m in makers]
                if any(o is not False for o in order):
                    continue  # produced earlier, or the order is not known (intrinsic runOrder)
                if makers:
                    maker = makers[0]
                    if maker.stage.index == item.stage.index:
                        key = pipeline.key("runOrder")
                        why = (
                            f"same {key} ({maker.run_order})"
                            if maker.run_order == item.run_order
                            else f"{key} {maker.run_order}, after this action's {item.run_order}"
                        )
                        detail = f"{maker.describe} produces it in the same stage with the {why}"
                        fix_note = f"Give {maker.describe} a lower {key} than {item.describe}."
                    else:
                        detail = f'{maker.describe} produces it in the later stage "{maker.stage.name}"'
                        fix_note = "Move the consuming action after the producing one."
                    self.report(
                        ctx,
                        pipeline,
                        artifact.path,
                        f'input artifact "{artifact.name}" of {item.describe} is not available yet: {detail}',
                        notes=(fix_note,),
                    )
                    continue
                earlier = sorted({n for n, ms in producers.items() for m in ms if m.runs_before(item)})
                suggestion = did_you_mean(artifact.name, earlier)
                message = f'input artifact "{artifact.name}" of {item.describe} is not produced by any earlier action'
                if suggestion:
                    message += f'; did you mean "{suggestion}"?'
                notes = (f"Artifacts available here: {', '.join(earlier)}.",) if earlier else ()
                self.report(ctx, pipeline, artifact.path, message, notes=notes)
