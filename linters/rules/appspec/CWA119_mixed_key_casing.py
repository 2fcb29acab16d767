from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import SERVER, platform

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_PAIRS = (
    ("resources", "Resources"), ("hooks", "Hooks"), ("type", "Type"), ("properties", "Properties"),
    ("name", "Name"), ("alias", "Alias"), ("currentversion", "CurrentVersion"), ("targetversion", "TargetVersion"),
)  # fmt: skip


class AppSpecMixedKeyCasing(DocumentRule):
    """
    ## What it does
    Reports a Lambda or ECS AppSpec mapping that has the same key in both of its documented spellings,
    such as `resources` and `Resources`, or `targetversion` and `TargetVersion`.

    ## Why is this bad?
    The AWS docs show Lambda and ECS AppSpecs with lowercase and with PascalCase keys, but a file that
    uses both for the same key holds two values for one setting. Only one of them is used, so a version
    bump or an extra hook written under the other spelling is silently ignored.

    ## Example
    ```yaml
    resources:
      - orders:
          type: AWS::Lambda::Function
          properties:
            name: orders
            alias: live
            currentversion: 7
            targetversion: 8
            TargetVersion: 9
    ```

    ## Fix
    Keep one spelling of each key (and preferably one style for the whole file).
    """

    code = "CWA119"
    name = "appspec-mixed-key-casing"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"appspec"})
    paths = ("", "resources/*/*", "Resources/*/*", "resources/*/*/properties", "resources/*/*/Properties",
             "Resources/*/*/properties", "Resources/*/*/Properties")  # fmt: skip

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) in (SERVER, None) or not isinstance(value, dict):
            return
        for lower, upper in _PAIRS:
            if lower in value and upper in value:
                ctx.report(
                    (*path, upper),
                    f'both "{lower}" and "{upper}" are given; CodeDeploy reads only one of them, so keep one spelling',
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
            "        name: orders\n        alias: live\n        currentversion: 7\n        targetversion: 8\n"
            "        TargetVersion: 9\n",
            10,
            9,
            'both "targetversion" and "TargetVersion"',
        ),
    )
