from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import LOAD_BALANCER_HOOKS, SERVER, hooks, platform

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class AppSpecLoadBalancerHook(DocumentRule):
    """
    ## What it does
    Notes EC2/On-Premises hooks on BeforeBlockTraffic, AfterBlockTraffic, BeforeAllowTraffic and
    AfterAllowTraffic: they run only in blue/green deployments or in in-place deployments whose
    deployment group has a load balancer.

    ## Why is this bad?
    It is not a mistake in itself, but the AppSpec cannot show whether the deployment group has a load
    balancer. Without one, CodeDeploy skips these events and the scripts (deregistration waits, warm-up,
    smoke tests) never run, which is easy to miss.

    ## Example
    ```yaml
    hooks:
      BeforeAllowTraffic:
        - location: scripts/warm_up.sh
    ```

    ## Fix
    Make sure the deployment group uses Elastic Load Balancing or blue/green deployments, or move the
    script to ValidateService. Suppress the note with `# codeward: ignore[CWA117]` once checked.
    """

    code = "CWA117"
    name = "appspec-load-balancer-hook"
    severity = Severity.INFO
    tags = ("deployment",)
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) != SERVER:
            return
        for hook in hooks(ctx):
            if hook.name in LOAD_BALANCER_HOOKS:
                ctx.report(
                    hook.path,
                    f"{hook.name} runs only with a load balancer (in-place) or in a blue/green deployment; without "
                    "one these scripts are skipped",
                    key=True,
                )

    VALID = (
        Valid(
            "version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: scripts/check.sh\n",
            files={"scripts/check.sh": "#!/bin/bash\ncurl -fs localhost/health\n"},
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  BeforeAllowTraffic:\n    - location: scripts/warm.sh\n",
            4,
            3,
            "runs only with a load balancer",
            files={"scripts/warm.sh": "#!/bin/bash\ncurl -fs localhost/\n"},
        ),
    )
