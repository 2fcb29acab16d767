from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import SERVER, hooks, platform

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class AppSpecDuplicateHook(DocumentRule):
    """
    ## What it does
    Reports a Lambda or ECS lifecycle event hooked more than once in the `hooks` list.

    ## Why is this bad?
    Each lifecycle event runs one hook function. CodeDeploy does not run both entries, so one of the two
    checks never happens, and which one is kept is not something to rely on.

    ## Example
    ```yaml
    hooks:
      - BeforeAllowTraffic: check-schema
      - BeforeAllowTraffic: check-latency
    ```

    ## Fix
    Keep one hook per event; call the second check from the first function or move it to another event.
    """

    code = "CWA118"
    name = "appspec-duplicate-hook"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) in (SERVER, None):
            return  # EC2 hooks are a mapping: a repeated key is CWF002
        first: dict[str, Path] = {}
        for hook in hooks(ctx):
            if hook.name in first:
                earlier = ctx.document.span(first[hook.name], key=True).line
                ctx.report(
                    hook.path,
                    f"{hook.name} is already hooked at line {earlier}; an event runs one hook function",
                    key=True,
                )
            else:
                first[hook.name] = hook.path

    VALID = (
        Valid(
            "version: 0.0\nresources:\n  - orders:\n      type: AWS::Lambda::Function\n      properties:\n"
            "        name: orders\n        alias: live\n        currentversion: 7\n        targetversion: 8\n"
            "hooks:\n  - BeforeAllowTraffic: check-schema\n  - AfterAllowTraffic: check-latency\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nresources:\n  - orders:\n      type: AWS::Lambda::Function\n      properties:\n"
            "        name: orders\n        alias: live\n        currentversion: 7\n        targetversion: 8\n"
            "hooks:\n  - BeforeAllowTraffic: check-schema\n  - BeforeAllowTraffic: check-latency\n",
            12,
            5,
            "already hooked at line 11",
        ),
    )
