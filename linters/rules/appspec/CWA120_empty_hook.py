from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import SERVER, hooks, platform

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class AppSpecEmptyHook(DocumentRule):
    """
    ## What it does
    Reports an EC2/On-Premises lifecycle event declared with nothing under it (`ApplicationStop:` followed
    by the next event), as AWS's own AppSpec template leaves them when a section is not filled in.

    ## Why is this bad?
    It is not an error: the CodeDeploy agent skips an empty event (since December 2017, `parse_hooks`
    "Ignore empty hooks"), so nothing runs at that event. AWS's template warns that blank declarations
    "may cause associated deployments to fail", which is what agents older than that change did. The
    declaration says a script runs there when none does; this is a warning, never an error.

    ## Example
    ```yaml
    hooks:
      ApplicationStop:
      BeforeInstall:
        - location: scripts/clean.sh
    ```

    ## Fix
    Remove the empty event, or give it a script entry (`- location: scripts/stop.sh`).
    """

    code = "CWA120"
    name = "appspec-empty-hook"
    severity = Severity.WARNING
    tags = ("style",)
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) != SERVER:
            return
        for hook in hooks(ctx):
            if hook.value is None:
                ctx.report(
                    hook.path,
                    f"{hook.name} has no scripts; the agent skips an empty event, so nothing runs there",
                    key=True,
                )

    VALID = (
        Valid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStop:\n    - location: scripts/stop.sh\n      timeout: 60\n",
            files={"scripts/stop.sh": "#!/bin/bash\nsystemctl stop app\n"},
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStop:\n  ApplicationStart:\n"
            "    - location: scripts/start.sh\n  ValidateService:\n",
            4,
            3,
            "ApplicationStop has no scripts; the agent skips an empty event, so nothing runs there",
            also=((7, 3),),
            files={"scripts/start.sh": "#!/bin/bash\nsystemctl start app\n"},
        ),
    )
