from codeward.linters.pipeline_form import Action, Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class DuplicateNamespace(PipelineRule):
    """
    ## What it does
    Reports a variable `namespace` used by two actions, or equal to the name of an artifact.

    ## Why is this bad?
    Namespaces must be unique in the pipeline and must not match an artifact name: CodePipeline rejects
    the pipeline, and a `#{Namespace.Variable}` reference would be ambiguous.

    ## Example
    ```json
    {"name": "Source", "namespace": "Vars"}, {"name": "Build", "namespace": "Vars"}
    ```

    ## Fix
    Give each action its own namespace, e.g. `SourceVariables`, `BuildVariables`.
    """

    code = "CWP114"
    name = "pipeline-duplicate-namespace"
    severity = Severity.ERROR
    tags = ("variables",)
    VALID = (
        Valid(api_case(("Source", [{**SOURCE_ACTION, "namespace": "SourceVariables"}]),
                       ("Build", [{**BUILD_ACTION, "namespace": "BuildVariables"}]))),
    )  # fmt: skip
    INVALID = (
        Invalid(
            api_case(("Source", [{**SOURCE_ACTION, "namespace": "Vars"}]),
                     ("Build", [{**BUILD_ACTION, "namespace": "Vars"}])),
            10,
            213,
            'namespace "Vars" is already declared by action "Source"',
        ),
        Invalid(
            api_case(("Source", [{**SOURCE_ACTION, "namespace": "Code"}]), ("Build", [BUILD_ACTION])),
            7,
            242,
            'namespace "Code" is also the name of an artifact',
        ),
    )  # fmt: skip

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        artifacts = {a.name for item in pipeline.actions for a in item.outputs}
        seen: dict[str, Action] = {}
        for item in pipeline.actions:
            namespace = item.text("namespace")
            if not namespace:
                continue
            first = seen.get(namespace)
            if first is not None and not (first.conditional and item.conditional):
                self.report(
                    ctx,
                    pipeline,
                    item.at("namespace"),
                    f'namespace "{namespace}" is already declared by {first.describe}; namespaces must be unique',
                )
            seen.setdefault(namespace, item)
            if namespace in artifacts:
                self.report(
                    ctx,
                    pipeline,
                    item.at("namespace"),
                    f'namespace "{namespace}" is also the name of an artifact; CodePipeline requires them to differ',
                )
