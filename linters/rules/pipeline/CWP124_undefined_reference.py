import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.inline_buildspec import scalar_positions
from codeward.linters.pipeline_form import is_template
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity, Span
from codeward.rule import Invalid, Valid

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)
# ${Name}, ${Resource.Attribute}; ${!Literal} is text.
_SUB = re.compile(r"\$\{(?!!)\s*([^}]*?)\s*\}")

_TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  RepoName:
    Type: String
Resources:
  Artifacts:
    Type: AWS::S3::Bucket
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: !Sub "${AWS::StackName}-${RepoName}"
      ServiceRole: !GetAtt BuildRole.Arn
      Artifacts: {Type: S3, Location: !Ref Artifacts}
      Source:
        Type: NO_SOURCE
        BuildSpec: !Sub |
          version: 0.2
          phases:
            build:
              commands:
                - echo ${!CODEBUILD_BUILD_ID} ${Bucket}
      Environment:
        Type: LINUX_CONTAINER
        ComputeType: !Ref Size
        Image: aws/codebuild/standard:7.0
"""


class UndefinedReference(DocumentRule):
    """
    ## What it does
    In a CloudFormation template with a pipeline or a CodeBuild project, reports a `Ref`, `Fn::GetAtt` or
    `Fn::Sub` (`${Name}`, `${Resource.Attribute}`) whose name the template does not define: no parameter,
    no resource, no pseudo parameter (`AWS::Region`, `AWS::AccountId`, ...) and, inside `Fn::Sub`, no
    variable of its own variable map; in a resource's properties and in its `Metadata` (cfn-init's
    `AWS::CloudFormation::Init`), where CloudFormation resolves them as well. `${!Name}` is literal text.
    Templates with a `Transform` (SAM, macros), whose transform adds resources and parameters, are not
    checked.

    ## Why is this bad?
    CloudFormation refuses the template before creating anything ("Unresolved resource dependencies [X]
    in the Resources block of the template", or "Template format error"), so neither the pipeline nor
    the project is created or updated. It usually comes from a template split into stacks, or from a
    resource renamed in one place only.

    ## Example
    ```yaml
    ServiceRole: !GetAtt BuildRole.Arn   # no resource BuildRole in this template
    ```

    ## Fix
    Define the parameter or resource, correct the name, or take the value from the other stack with
    `Fn::ImportValue` (or a parameter).
    """

    code = "CWP124"
    name = "pipeline-template-undefined-reference"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"pipeline"})
    paths = ("",)
    VALID = (
        # Malformed intrinsic functions (a mapping where a name or a list belongs) are no reference to check.
        Valid(
            "Resources:\n  Build:\n    Type: AWS::CodeBuild::Project\n    Properties:\n"
            '      Name: {"Fn::GetAtt": {"Build": "Arn"}}\n      Description: {"Fn::Sub": {"a": 1}}\n',
            filename="pipeline.yml",
        ),
        Valid(
            _TEMPLATE.replace("!GetAtt BuildRole.Arn", "!GetAtt Artifacts.Arn")
            .replace(" ${Bucket}", "")
            .replace("!Ref Size", "BUILD_GENERAL1_SMALL"),
            filename="pipeline.yml",
        ),
        Valid(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Build:\n    Type: AWS::CodeBuild::Project\n"
            "    Properties:\n      ServiceRole: !GetAtt FunctionRole.Arn\n",
            filename="pipeline.yml",
        ),
        Valid(
            "Resources:\n  Build:\n    Type: AWS::CodeBuild::Project\n    Properties:\n"
            '      Name: !Sub ["${Prefix}-build", {Prefix: !Ref "AWS::StackName"}]\n',
            filename="pipeline.yml",
        ),
    )
    # One template with three undefined names: each case checks one finding's message, and lists the others.
    INVALID = (
        Invalid(_TEMPLATE, 12, 20, 'GetAtt names "BuildRole", which is no resource of this template', filename="pipeline.yml",
                also=((21, 47), (24, 22))),
        Invalid(_TEMPLATE, 21, 47, '${Bucket} names no parameter', filename="pipeline.yml", also=((12, 20), (24, 22))),
        Invalid(_TEMPLATE, 24, 22, 'Ref names "Size"', filename="pipeline.yml", also=((12, 20), (21, 47))),
    )  # fmt: skip

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if path != () or not is_template(value) or "Transform" in value:
            return
        parameters = value.get("Parameters")
        resources = value.get("Resources")
        params = {str(k) for k in parameters} if isinstance(parameters, dict) else set()
        names = {str(k) for k in resources} if isinstance(resources, dict) else set()
        defined = params | names | PSEUDO_PARAMETERS
        for section in ("Resources", "Outputs", "Conditions"):
            block = value.get(section)
            if not isinstance(block, dict):
                continue
            for key, item in block.items():
                if isinstance(item, dict):
                    # A resource's Metadata too: CloudFormation resolves the intrinsic functions there (the
                    # values `AWS::CloudFormation::Init` hands to cfn-init), so an undefined name fails there too.
                    self._walk(ctx, item, (section, key), defined, names, frozenset())

    def _walk(
        self, ctx: Context, value: Any, path: Path, defined: set[str], resources: set[str], local: frozenset[str]
    ) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                self._walk(ctx, item, (*path, index), defined, resources, local)
            return
        if not isinstance(value, dict):
            return
        if len(value) == 1:
            ((key, body),) = value.items()
            if key == "Ref" and isinstance(body, str):
                if body not in defined:
                    self._report(ctx, (*path, "Ref"), "Ref", body, defined)
                return
            if key == "Fn::GetAtt":
                target = (
                    body.split(".", 1)[0]
                    if isinstance(body, str)
                    else body[0]
                    if isinstance(body, list) and body
                    else None
                )
                if isinstance(target, str) and target not in resources:
                    at = (*path, key) if isinstance(body, str) else (*path, key, 0)
                    self._report(ctx, at, "GetAtt", target, resources)
                return
            if key == "Fn::Sub":
                template, variables, at = body, None, (*path, key)
                if isinstance(body, list) and body:
                    template, at = body[0], (*path, key, 0)
                    variables = body[1] if len(body) > 1 else None
                mine = local | ({str(k) for k in variables} if isinstance(variables, dict) else set())
                if isinstance(template, str):
                    self._sub(ctx, at, template, defined | mine, resources)
                if isinstance(variables, dict):
                    self._walk(ctx, variables, (*path, key, 1), defined, resources, local)
                return
        for key, item in value.items():
            self._walk(ctx, item, (*path, key), defined, resources, local)

    def _sub(self, ctx: Context, path: Path, template: str, defined: set[str], resources: set[str]) -> None:
        positions: list[tuple[int, int]] | None = None
        for match in _SUB.finditer(template):
            name = match.group(1)
            target, attribute = name, ""
            if "." in name and not name.startswith("AWS::"):
                target, _, attribute = name.partition(".")
            known = (target in resources) if attribute else (target in defined)
            if known or not target:
                continue
            if positions is None:
                positions = scalar_positions(ctx.document, ctx.document.span(path), template) or []
            span = None
            if positions:
                (line, column), (end_line, end_column) = positions[match.start()], positions[match.end() - 1]
                span = Span(line, column, end_line, end_column + 1)
            choices = resources if attribute else defined
            suggestion = did_you_mean(target, sorted(choices))
            ctx.report(
                path,
                f"{match.group()} names no {'resource' if attribute else 'parameter, resource or pseudo parameter'} "
                f'"{target}" of this template: CloudFormation rejects it before creating anything'
                + (f'; did you mean "{suggestion}"?' if suggestion else ""),
                span=span,
                notes=("Write ${!" + name + "} for the literal text (a shell variable of an inline buildspec).",),
            )

    def _report(self, ctx: Context, path: Path, function: str, name: str, choices: set[str]) -> None:
        what = "resource" if function == "GetAtt" else "parameter, resource or pseudo parameter"
        suggestion = did_you_mean(name, sorted(choices))
        ctx.report(
            path,
            f'{function} names "{name}", which is no {what} of this template: CloudFormation rejects it before '
            "creating anything" + (f'; did you mean "{suggestion}"?' if suggestion else ""),
        )
