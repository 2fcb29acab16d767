from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import LAMBDA, platform

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_REQUIRED = (
    ("name", "Name"),
    ("alias", "Alias"),
    ("currentversion", "CurrentVersion"),
    ("targetversion", "TargetVersion"),
)


def lambda_functions(ctx: Context) -> list[tuple[Path, str, dict[str, Any]]]:
    """(path of the resource's value, logical name, resource) for each AWS::Lambda::Function resource."""
    data = ctx.document.data
    out = []
    for key in ("resources", "Resources"):
        items = data.get(key) if isinstance(data, dict) else None
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            for logical, resource in item.items():
                if isinstance(resource, dict) and "AWS::Lambda::Function" in (
                    resource.get("type"),
                    resource.get("Type"),
                ):
                    out.append(((key, index, logical), logical, resource))
    return out


def lambda_properties(resource: dict[str, Any]) -> tuple[str, Any]:
    key = "properties" if "properties" in resource else "Properties"
    return key, resource.get(key)


class AppSpecLambdaResourceIncomplete(DocumentRule):
    """
    ## What it does
    Reports a Lambda AppSpec resource that lacks one of the properties a Lambda deployment needs: the
    function `name`, the `alias` to move, and the `currentversion` and `targetversion` to shift traffic
    between (either lowercase or PascalCase keys).

    ## Why is this bad?
    CodeDeploy shifts the alias's traffic from the current version to the target version. Without any
    of the four it cannot tell which function, alias or versions to use and fails the deployment.

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
    ```

    ## Fix
    Add the missing properties; a pipeline usually fills `currentversion` and `targetversion` in when it
    publishes the new version.
    """

    code = "CWA109"
    name = "appspec-lambda-resource-incomplete"
    severity = Severity.ERROR
    tags = ("correctness", "lambda")
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) != LAMBDA:
            return
        for where, logical, resource in lambda_functions(ctx):
            key, properties = lambda_properties(resource)
            if properties is None and key not in resource:
                ctx.report(
                    where,
                    f'the Lambda resource "{logical}" has no properties; it needs name, alias, currentversion '
                    "and targetversion",
                    key=True,
                )
                continue
            if not isinstance(properties, dict):
                continue  # wrong type: CWA003
            missing = [lower for lower, upper in _REQUIRED if lower not in properties and upper not in properties]
            if missing:
                ctx.report(
                    (*where, key),
                    f'the Lambda resource "{logical}" is missing {", ".join(missing)}; a Lambda deployment needs '
                    "name, alias, currentversion and targetversion",
                    key=True,
                )

    VALID = (
        Valid(
            "version: 0.0\nResources:\n  - orders:\n      Type: AWS::Lambda::Function\n      Properties:\n"
            "        Name: orders\n        Alias: live\n        CurrentVersion: 7\n        TargetVersion: 8\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nresources:\n  - orders:\n      type: AWS::Lambda::Function\n      properties:\n"
            "        name: orders\n        alias: live\n        currentversion: 7\n",
            5,
            7,
            "is missing targetversion",
        ),
        Invalid(
            "version: 0.0\nresources:\n  - orders:\n      type: AWS::Lambda::Function\n", 3, 5, "has no properties"
        ),
    )
