from codeward.linters.pipeline_form import Artifact, Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import SOURCE_ACTION, PipelineRule, action, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_BUILD = action("Build", "Build", "CodeBuild", {"ProjectName": "app"}, inputs=("Code",), outputs=("App",))
_DOCS = action("Docs", "Build", "CodeBuild", {"ProjectName": "docs"}, inputs=("Code",), outputs=("Docs",))


class DuplicateOutputArtifact(PipelineRule):
    """
    ## What it does
    Reports an output artifact whose name an earlier action of the pipeline already produces.

    ## Why is this bad?
    Artifact names are unique across the whole pipeline: later actions refer to artifacts by name alone,
    so CodePipeline rejects a pipeline where two actions produce the same name.

    ## Example
    ```json
    {"name": "Build", "outputArtifacts": [{"name": "App"}]}, {"name": "Docs", "outputArtifacts": [{"name": "App"}]}
    ```

    ## Fix
    Give each output artifact its own name and update the input artifacts that read it.
    """

    code = "CWP106"
    name = "pipeline-duplicate-output-artifact"
    severity = Severity.ERROR
    tags = ("artifacts",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [_BUILD, _DOCS]))),)
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [_BUILD, {**_DOCS, "outputArtifacts": [{"name": "App"}]}])),
            11,
            229,
            'output artifact "App" is already produced by action "Build"',
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        seen: dict[str, Artifact] = {}
        for item in pipeline.actions:
            for artifact in item.outputs:
                first = seen.get(artifact.name)
                if first is None:
                    seen[artifact.name] = artifact
                elif first.action is item or not (item.conditional or first.action.conditional):
                    # Two branches of one `!If` may well produce the same name: only one of them exists.
                    where = f' in stage "{first.action.stage.name}"' if first.action.stage is not item.stage else ""
                    self.report(
                        ctx,
                        pipeline,
                        artifact.path,
                        f'output artifact "{artifact.name}" is already produced by {first.action.describe}{where}; '
                        "artifact names must be unique in the pipeline",
                    )
