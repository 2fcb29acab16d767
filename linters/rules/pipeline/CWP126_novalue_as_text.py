from typing import Any

from codeward.linters.document import Path
from codeward.linters.pipeline_form import is_template
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.pipeline import PROJECT_RESOURCE

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_PROJECT = (
    """Parameters:
  SourceType:
    Type: String
    Default: CODEPIPELINE
Conditions:
  FromPipeline: !Equals [!Ref SourceType, CODEPIPELINE]
Resources:
"""
    + PROJECT_RESOURCE
    + """        Type: !Ref SourceType
        Auth: !If [FromPipeline, AWS::NoValue, {Type: OAUTH}]
"""
)


class NoValueAsText(DocumentRule):
    """
    ## What it does
    In a CloudFormation template with a pipeline or a CodeBuild project, reports the text `AWS::NoValue`
    written as a value (`!If [Cond, AWS::NoValue, ...]`) where the pseudo parameter `!Ref AWS::NoValue`
    was meant.

    ## Why is this bad?
    Only `Ref` turns `AWS::NoValue` into "leave this property out". Written bare it is a 12-letter
    string that CloudFormation passes to the service: a property that takes an object or a list
    (`Source.Auth`, `VpcConfig`) fails the resource's property validation, and a string property gets the
    value "AWS::NoValue" instead of its default.

    ## Example
    ```yaml
    Auth: !If [FromPipeline, AWS::NoValue, {Type: OAUTH}]
    ```

    ## Fix
    Write `!Ref AWS::NoValue` (JSON: `{"Ref": "AWS::NoValue"}`).
    """

    code = "CWP126"
    name = "pipeline-template-novalue-as-text"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"pipeline"})
    paths = ("",)
    VALID = (
        Valid(_PROJECT.replace("FromPipeline, AWS::NoValue", "FromPipeline, !Ref AWS::NoValue"), filename="build.yml"),
        # A comparison with the text is a comparison, not a value handed to a resource.
        Valid(
            _PROJECT.replace(
                "Auth: !If [FromPipeline, AWS::NoValue, {Type: OAUTH}]", "Description: made by a stack"
            ).replace("!Equals [!Ref SourceType, CODEPIPELINE]", "!Equals [!Ref SourceType, AWS::NoValue]"),
            filename="build.yml",
        ),
    )
    INVALID = (
        Invalid(
            _PROJECT,
            16,
            34,
            'the text "AWS::NoValue" is passed to the service as it is; write !Ref AWS::NoValue to leave the '
            "property out",
            filename="build.yml",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if path != () or not is_template(value) or not isinstance(value.get("Resources"), dict):
            return
        for key, resource in value["Resources"].items():
            if isinstance(resource, dict) and isinstance(resource.get("Properties"), (dict, list)):
                self._walk(ctx, resource["Properties"], ("Resources", key, "Properties"))

    def _walk(self, ctx: Context, value: Any, path: Path) -> None:
        if isinstance(value, str):
            if value.strip() == "AWS::NoValue":
                ctx.report(
                    path,
                    'the text "AWS::NoValue" is passed to the service as it is; write !Ref AWS::NoValue to leave '
                    "the property out",
                )
            return
        if isinstance(value, list):
            for index, item in enumerate(value):
                self._walk(ctx, item, (*path, index))
        elif isinstance(value, dict):
            for key, item in value.items():
                # Ref's operand is the pseudo parameter itself; conditions compare, they hand nothing over.
                if key not in ("Ref", "Fn::Equals", "Condition"):
                    self._walk(ctx, item, (*path, key))
