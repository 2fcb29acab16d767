from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import LAMBDA, platform
from codeward.linters.rules.appspec.CWA109_lambda_resource_incomplete import lambda_functions, lambda_properties

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


def _version(properties: dict[str, Any], lower: str, upper: str) -> tuple[str, str] | None:
    for key in (lower, upper):
        value = properties.get(key)
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            return key, str(value).strip()
    return None


class AppSpecLambdaSameVersion(DocumentRule):
    """
    ## What it does
    Reports a Lambda AppSpec whose `targetversion` equals its `currentversion`.

    ## Why is this bad?
    The alias already points at the target version, so the deployment shifts no traffic: the hooks run
    and the deployment reports success while the new code is not live. It usually means the pipeline
    did not publish a new version, or filled the AppSpec from the wrong variable.

    ## Example
    ```yaml
    version: 0.0
    resources:
      - orders:
          type: AWS::Lambda::Function
          properties:
            name: orders
            alias: live
            currentversion: 7
            targetversion: 7
    ```

    ## Fix
    Publish the new code as a new version and set `targetversion` to it.
    """

    code = "CWA110"
    name = "appspec-lambda-same-version"
    severity = Severity.WARNING
    tags = ("correctness", "lambda")
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) != LAMBDA:
            return
        for where, logical, resource in lambda_functions(ctx):
            key, properties = lambda_properties(resource)
            if not isinstance(properties, dict):
                continue
            current = _version(properties, "currentversion", "CurrentVersion")
            target = _version(properties, "targetversion", "TargetVersion")
            if current and target and current[1] == target[1]:
                ctx.report(
                    (*where, key, target[0]),
                    f"{target[0]} {target[1]} is the version the alias already points to ({current[0]}); "
                    f'deploying "{logical}" would shift no traffic',
                )

    VALID = (
        Valid(
            "version: 0.0\nresources:\n  - orders:\n      type: AWS::Lambda::Function\n      properties:\n"
            "        name: orders\n        alias: live\n        currentversion: 7\n        targetversion: 8\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nresources:\n  - orders:\n      type: AWS::Lambda::Function\n      properties:\n"
            '        name: orders\n        alias: live\n        currentversion: 7\n        targetversion: "7"\n',
            9,
            24,
            "would shift no traffic",
        ),
    )
