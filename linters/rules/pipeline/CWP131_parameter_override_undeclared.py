from __future__ import annotations

import json
import os
import re
from typing import Any

from codeward.linters.pipeline_form import Action, Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.buildspec._shared import text_span
from codeward.linters.rules.pipeline import SOURCE_ACTION, PipelineRule, action, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_SUB = re.compile(r"\$\{[^}]*\}")
_MAX_BYTES = 1_000_000
_DEPLOY = action(
    "Deploy", "Deploy", "CloudFormation",
    {"ActionMode": "CREATE_UPDATE", "StackName": "site", "TemplatePath": "Code::infra/site.yml",
     "RoleArn": "arn:aws:iam::123456789012:role/cfn", "ParameterOverrides": '{"BucketName": "site-main"}'},
    inputs=("Code",),
)  # fmt: skip
_FILES = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "infra/site.yml": (
        "Parameters:\n  BucketName:\n    Type: String\nResources:\n  Site:\n    Type: AWS::S3::Bucket\n"
        "    Properties:\n      BucketName: !Ref BucketName\n"
    ),
}


def _template_text(value: Any) -> str | None:
    """The text of a TemplatePath or ParameterOverrides value: a string, or the template of an Fn::Sub (its
    `${...}` left in place); None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        inner = value["Fn::Sub"]
        if isinstance(inner, list) and inner:
            inner = inner[0]
        return inner if isinstance(inner, str) else None
    return None


def _declared(path: str) -> set[str] | None:
    """The parameter names a CloudFormation template of the repository declares; None when it cannot be read
    as a template (not YAML or JSON, a Transform that may add parameters, no Resources)."""
    from codeward.linters.yaml_loader import load_yaml

    try:
        if os.path.getsize(path) > _MAX_BYTES:
            return None
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    data, _ = load_yaml(text)
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict) or "Transform" in data:
        return None
    parameters = data.get("Parameters") or {}
    return {str(name) for name in parameters} if isinstance(parameters, dict) else None


class ParameterOverrideUndeclared(PipelineRule):
    """
    ## What it does
    Reports a key of a CloudFormation deploy action's `ParameterOverrides` that the template it deploys does
    not declare, when that template is a file of this repository (`TemplatePath` names `Artifact::path` and
    the path exists from the repository's root, the root of a source artifact). `ParameterOverrides` is read
    when it is a JSON object, written out or as the template of an `Fn::Sub` (its `${...}` left as they
    are); a template with a `Transform` (which may add parameters) is not judged.

    ## Why is this bad?
    CloudFormation refuses a stack operation that passes a parameter the template does not declare
    ("Parameters: [CurrentUserName] do not exist in the template"), so the deploy action fails on every
    run; the pipeline itself is accepted. It usually follows a parameter removed from the template or
    renamed in one of the two files only.

    ## Example
    ```yaml
    Configuration:
      TemplatePath: Source::infra/pipeline.yml
      ParameterOverrides: '{"ProjectName": "site", "CurrentUserName": "me"}'
    ```
    with `infra/pipeline.yml` declaring `ProjectName` only.

    ## Fix
    Remove the override, or declare the parameter in the template (with the name written the same way).
    """

    code = "CWP131"
    name = "pipeline-parameter-override-undeclared"
    severity = Severity.ERROR
    tags = ("cloudformation",)
    VALID = (
        Valid(api_case(("Source", [SOURCE_ACTION]), ("Deploy", [_DEPLOY])), files=_FILES, filename="pipeline.json"),
        # A template outside the repository (built, or from another source) is not judged.
        Valid(
            api_case(("Source", [SOURCE_ACTION]), ("Deploy", [_DEPLOY])).replace("infra/site.yml", "out/packaged.yml"),
            files=_FILES,
            filename="pipeline.json",
        ),
    )
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Deploy", [_DEPLOY])).replace(
                '{\\"BucketName\\": \\"site-main\\"}', '{\\"BucketName\\": \\"site-main\\", \\"Owner\\": \\"me\\"}'
            ),
            10,
            344,
            'ParameterOverrides passes "Owner", which infra/site.yml does not declare: CloudFormation rejects the '
            "stack operation",
            files=_FILES,
            filename="pipeline.json",
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, ten labelled sets, 2026-12-07): no error on any "
            "file AWS accepts; errors on fresh6 t53 and t54 (CurrentUserName passed to a template that dropped it), labelled defect."
        )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        from codeward.linters.revision import project_root

        top: str | None = None
        for act in pipeline.actions:
            if act.provider != "CloudFormation" or act.configuration is None:
                continue
            if top is None:
                top = project_root(ctx.base_dir) or ""
            if not top:
                return
            self._action(ctx, pipeline, act, top)

    def _action(self, ctx: Context, pipeline: Pipeline, act: Action, top: str) -> None:
        config = act.configuration or {}
        where = _template_text(config.get("TemplatePath"))
        overrides = _template_text(config.get("ParameterOverrides"))
        if where is None or overrides is None or "::" not in where:
            return
        relative = where.split("::", 1)[1].strip().lstrip("./")
        if not relative or "${" in relative or relative.startswith(".."):
            return
        full = os.path.join(top, relative)
        if not os.path.isfile(full):
            return
        try:
            given = json.loads(_SUB.sub("x", overrides))
        except ValueError:
            return
        if not isinstance(given, dict):
            return
        declared = _declared(full)
        if declared is None:
            return
        for name in given:
            if name in declared:
                continue
            close = [d for d in declared if d.lower() == str(name).lower()]
            hint = f' (it declares "{close[0]}")' if close else ""
            at = act.config_at("ParameterOverrides")
            ctx.report(
                at,
                pipeline.message(
                    f'ParameterOverrides passes "{name}", which {relative} does not declare{hint}: CloudFormation '
                    f'rejects the stack operation ("Parameters: [{name}] do not exist in the template") and the '
                    "action fails"
                ),
                span=text_span(ctx.document, at, str(name)),
                notes=("Remove the override, or declare the parameter in the template.",),
            )
