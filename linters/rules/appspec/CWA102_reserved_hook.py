from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import (
    PLATFORM_TITLES,
    RESERVED_EVENTS,
    VALID_HOOKS,
    hooks,
    platform,
    with_article,
)

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# The hookable events around each reserved one, best first.
_NEIGHBOURS = {
    "Start": ("ApplicationStop", "BeforeInstall", "BeforeAllowTraffic"),
    "DownloadBundle": ("ApplicationStop", "BeforeInstall"),
    "Install": ("BeforeInstall", "AfterInstall"),
    "BlockTraffic": ("BeforeBlockTraffic", "AfterBlockTraffic"),
    "AllowTestTraffic": ("AfterAllowTestTraffic",),
    "TestTraffic": ("AfterAllowTestTraffic",),
    "AllowTraffic": ("BeforeAllowTraffic", "AfterAllowTraffic"),
    "End": ("ValidateService", "AfterAllowTraffic"),
}


class AppSpecReservedHook(DocumentRule):
    """
    ## What it does
    Reports a hook on a lifecycle event that CodeDeploy performs itself and that cannot run scripts or
    functions: Start, DownloadBundle, Install, BlockTraffic, AllowTestTraffic (TestTraffic), AllowTraffic
    and End.

    ## Why is this bad?
    These events exist in the deployment's timeline, so the name looks right, but CodeDeploy never runs
    anything attached to them: the agent downloads and copies the revision itself during DownloadBundle
    and Install, and the load balancer is reconfigured by the service during the traffic events. The
    hook is dead code and the step it should perform never happens.

    ## Example
    ```yaml
    version: 0.0
    os: linux
    hooks:
      Install:
        - location: scripts/install_dependencies.sh
    ```

    ## Fix
    Attach the hook to a scriptable event before or after the reserved one (BeforeInstall or AfterInstall
    for DownloadBundle and Install; BeforeAllowTraffic or AfterAllowTraffic for AllowTraffic, and so on).
    """

    code = "CWA102"
    name = "appspec-reserved-hook"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        kind = platform(ctx)
        if kind is None:
            return
        valid = VALID_HOOKS[kind]
        for hook in hooks(ctx):
            if hook.name not in RESERVED_EVENTS:
                continue
            instead = [event for event in _NEIGHBOURS[hook.name] if event in valid] or list(valid)
            ctx.report(
                hook.path,
                f'"{hook.name}" is performed by CodeDeploy itself and cannot run a hook; '
                f"use {' or '.join(instead)} instead",
                key=True,
                notes=(f"Events {with_article(PLATFORM_TITLES[kind])} AppSpec can hook: {', '.join(valid)}.",),
            )

    VALID = (
        Valid(
            "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: scripts/deps.sh\n",
            files={"scripts/deps.sh": "#!/bin/bash\ndnf install -y nginx\n"},
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  Install:\n    - location: scripts/deps.sh\n",
            4,
            3,
            "use BeforeInstall or AfterInstall instead",
            files={"scripts/deps.sh": "#!/bin/bash\ndnf install -y nginx\n"},
        ),
        Invalid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 80\nHooks:\n  - AllowTestTraffic: run-smoke-tests\n",
            11,
            5,
            "use AfterAllowTestTraffic instead",
        ),
    )
