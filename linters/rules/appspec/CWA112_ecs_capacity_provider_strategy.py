from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import ECS, platform

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class AppSpecEcsCapacityProviderStrategy(DocumentRule):
    """
    ## What it does
    Checks an ECS `CapacityProviderStrategy`: at most one provider may set a `Base`, a provider may be
    listed once, and when several providers are listed at least one needs a `Weight` above 0.

    ## Why is this bad?
    Amazon ECS rejects such a strategy when CodeDeploy creates the replacement task set, so the
    deployment fails after the traffic shift was prepared. With every weight 0, no task beyond the base
    can be placed at all.

    ## Example
    ```yaml
    CapacityProviderStrategy:
      - CapacityProvider: FARGATE
        Base: 1
      - CapacityProvider: FARGATE_SPOT
        Base: 2
    ```

    ## Fix
    Keep `Base` on one provider, list each provider once and give the providers weights (for example
    `Weight: 1` and `Weight: 3`).
    """

    code = "CWA112"
    name = "appspec-ecs-capacity-provider-strategy"
    severity = Severity.ERROR
    tags = ("correctness", "ecs")
    kinds = frozenset({"appspec"})
    paths = ("Resources/*/*/Properties/CapacityProviderStrategy", "resources/*/*/Properties/CapacityProviderStrategy")

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) != ECS or not isinstance(value, list):
            return
        entries = [(index, entry) for index, entry in enumerate(value) if isinstance(entry, dict)]
        with_base = [(index, entry) for index, entry in entries if _number(entry.get("Base")) > 0]
        for index, _ in with_base[1:]:
            first = with_base[0][1].get("CapacityProvider")
            ctx.report(
                (*path, index, "Base"),
                f"only one capacity provider may set Base; {first!s} already sets it",
            )
        seen: dict[str, int] = {}
        for index, entry in entries:
            name = entry.get("CapacityProvider")
            if isinstance(name, str):
                if name in seen:
                    ctx.report(
                        (*path, index, "CapacityProvider"),
                        f'capacity provider "{name}" is listed twice (first as entry {seen[name]})',
                    )
                seen.setdefault(name, index)
        if len(entries) > 1 and not any(_number(entry.get("Weight")) > 0 for _, entry in entries):
            ctx.report(
                path,
                "with several capacity providers at least one needs a Weight above 0; with every weight 0 no task "
                "beyond the base can be placed",
            )

    VALID = (
        Valid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 80\n        CapacityProviderStrategy:\n          - CapacityProvider: FARGATE\n"
            "            Base: 1\n            Weight: 1\n          - CapacityProvider: FARGATE_SPOT\n"
            "            Weight: 3\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 80\n        CapacityProviderStrategy:\n          - CapacityProvider: FARGATE\n"
            "            Base: 1\n            Weight: 1\n          - CapacityProvider: FARGATE_SPOT\n"
            "            Base: 2\n            Weight: 3\n",
            15,
            19,
            "only one capacity provider may set Base",
        ),
        Invalid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 80\n        CapacityProviderStrategy:\n          - CapacityProvider: FARGATE\n"
            "          - CapacityProvider: FARGATE_SPOT\n",
            11,
            11,
            "at least one needs a Weight above 0",
        ),
    )
