from __future__ import annotations

import re

from codeward.linters.pipeline_form import Action, Pipeline, texts_in
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import SOURCE_ACTION, PipelineRule, action, api_case
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_REFERENCE = re.compile(r"#\{([^}]*)\}")
_SOURCE = {**SOURCE_ACTION, "namespace": "SourceVariables"}
_BUILD = action(
    "Build", "Build", "CodeBuild",
    {"ProjectName": "app", "EnvironmentVariables":
     '[{"name": "COMMIT", "value": "#{SourceVariables.CommitId}"}, '
     '{"name": "RUN", "value": "#{codepipeline.PipelineExecutionId}"}]'},
    inputs=("Code",),
)  # fmt: skip


def _strings(item: Action) -> list[tuple[str, tuple]]:
    out = list(texts_in(item.raw("configuration"), item.at("configuration")))
    out += texts_in(item.raw("commands"), item.at("commands"))
    out += texts_in(item.raw("environmentVariables"), item.at("environmentVariables"))
    return out


class UnresolvedVariable(PipelineRule):
    """
    ## What it does
    Reports a `#{Namespace.Variable}` reference that cannot resolve: no action declares the namespace, the
    declaring action does not run before the referencing one (same stage with the same or a higher
    `runOrder`, or a later stage), or `#{variables.name}` names no pipeline variable. References to
    `#{codepipeline.PipelineExecutionId}` and to declared pipeline variables are fine.

    ## Why is this bad?
    CodePipeline resolves variables when the action starts; it refuses a pipeline whose references point
    to an unknown namespace, and a producer that has not run yet has no value to give.

    ## Example
    ```json
    {"configuration": {"ProjectName": "app",
      "EnvironmentVariables": "[{\\"name\\": \\"COMMIT\\", \\"value\\": \\"#{SourceVars.CommitId}\\"}]"}}
    ```
    while the source action declares `"namespace": "SourceVariables"`.

    ## Fix
    Declare the namespace on the producing action (`namespace`), spell it exactly (namespaces are
    case-sensitive), and make the producer run earlier.
    """

    code = "CWP113"
    name = "pipeline-unresolved-variable"
    severity = Severity.ERROR
    tags = ("variables",)
    VALID = (Valid(api_case(("Source", [_SOURCE]), ("Build", [_BUILD]))),)
    INVALID = (
        Invalid(
            api_case(("Source", [{**_SOURCE, "namespace": "SourceVars"}]), ("Build", [_BUILD])),
            10,
            185,
            'namespace "SourceVariables" is not declared by any action; did you mean "SourceVars"?',
        ),
        Invalid(
            api_case(
                ("Source", [SOURCE_ACTION]),
                ("Build", [{**_BUILD, "configuration": {"ProjectName": "#{variables.project}"}}]),
            ),
            10,
            154,
            'no pipeline variable "project"',
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        declared: dict[str, list[Action]] = {}
        for item in pipeline.actions:
            namespace = item.text("namespace")
            if namespace:
                declared.setdefault(namespace, []).append(item)
        variables_raw = pipeline.raw("variables")
        variables: set[str] | None = set()
        if isinstance(variables_raw, list):
            for var in variables_raw:
                name = var.get(pipeline.key("name")) if isinstance(var, dict) else None
                if not isinstance(name, str):
                    variables = None  # an intrinsic or a broken entry: do not guess
                    break
                variables.add(name)
        elif variables_raw is not None:
            variables = None
        for item in pipeline.actions:
            for value, path in _strings(item):
                for match in _REFERENCE.finditer(value):
                    self._check_reference(ctx, pipeline, item, path, match.group(1), declared, variables)

    def _check_reference(
        self,
        ctx: Context,
        pipeline: Pipeline,
        item: Action,
        path: tuple,
        reference: str,
        declared: dict[str, list[Action]],
        variables: set[str] | None,
    ) -> None:
        namespace, dot, variable = reference.partition(".")
        if not dot or not namespace or not variable:
            self.report(
                ctx, pipeline, path, f'"#{{{reference}}}" is not a variable reference; write #{{Namespace.Variable}}'
            )
            return
        if namespace == "codepipeline":
            return
        if namespace == "variables":
            if variables is not None and variable not in variables:
                suggestion = did_you_mean(variable, sorted(variables))
                message = f'"#{{{reference}}}" refers to no pipeline variable "{variable}"'
                if suggestion:
                    message += f'; did you mean "{suggestion}"?'
                notes = (f"Declare it under {pipeline.key('variables')}.",)
                self.report(ctx, pipeline, path, message, notes=notes)
            return
        producers = declared.get(namespace)
        if not producers:
            suggestion = did_you_mean(namespace, [*declared, "codepipeline", "variables"])
            message = f'"#{{{reference}}}": namespace "{namespace}" is not declared by any action'
            if suggestion:
                message += f'; did you mean "{suggestion}"?'
            notes = ("Set namespace on the action that produces the variable; namespaces are case-sensitive.",)
            self.report(ctx, pipeline, path, message, notes=notes)
            return
        order = [p.runs_before(item) for p in producers if p is not item]
        if any(o is not False for o in order):
            return
        producer = producers[0]
        self.report(
            ctx,
            pipeline,
            path,
            f'"#{{{reference}}}": namespace "{namespace}" belongs to {producer.describe}, which does not run before '
            f"{item.describe}",
            notes=(
                "Variables are available only to actions in later stages or with a higher runOrder in the same stage.",
            ),
        )
