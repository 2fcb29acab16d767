from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import hooks, platform

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

LIMIT = 3600


def _seconds(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


class AppSpecHookTimeout(DocumentRule):
    """
    ## What it does
    Reports an EC2/On-Premises lifecycle event whose scripts' `timeout` values add up to more than 3600
    seconds, the most one lifecycle event may take.

    ## Why is this bad?
    CodeDeploy gives each lifecycle event one hour in total, whatever the scripts declare. A script that
    relies on a longer timeout is cut off when the hour is over and the deployment to that instance
    fails, usually on the slowest, busiest day.

    A warning, not an error: the agent accepts any positive `timeout` (`script_info.rb` rejects only zero
    and negative values) and the deployment fails only if the scripts really run past the hour; the
    declared number alone does not tell (real AppSpecs write `timeout: 6000` for scripts that take
    seconds).

    ## Example
    ```yaml
    version: 0.0
    os: linux
    hooks:
      AfterInstall:
        - location: scripts/migrate.sh
          timeout: 2400
        - location: scripts/warm_cache.sh
          timeout: 1800
    ```

    ## Fix
    Make the scripts faster, lower their timeouts so they add up to at most 3600, or move work to
    another lifecycle event (each has its own hour).
    """

    code = "CWA103"
    name = "appspec-hook-timeout-too-long"
    severity = Severity.WARNING
    tags = ("correctness",)
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) != "server":
            return
        for hook in hooks(ctx):
            if not isinstance(hook.value, list):
                continue
            timed = []
            for index, script in enumerate(hook.value):
                if isinstance(script, dict) and "timeout" in script:
                    seconds = _seconds(script["timeout"])
                    if seconds is not None:
                        timed.append(((*hook.path, index, "timeout"), seconds))
            total = sum(seconds for _, seconds in timed)
            if total <= LIMIT:
                continue
            notes = ("Scripts without a timeout are given 3600 seconds, but the event's hour is shared by all.",)
            if len(timed) == 1:
                where, seconds = timed[0]
                ctx.report(
                    where,
                    f"timeout {seconds} exceeds the {LIMIT} seconds a lifecycle event may take ({hook.name})",
                    notes=notes,
                )
            else:
                parts = " + ".join(str(seconds) for _, seconds in timed)
                ctx.report(
                    hook.path,
                    f"the scripts of {hook.name} may run {total} seconds ({parts}); a lifecycle event may take at "
                    f"most {LIMIT} seconds in total",
                    key=True,
                    notes=notes,
                )

    VALID = (
        Valid(
            "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: 1800\n"
            "    - location: b.sh\n      timeout: 1800\n",
            files={"a.sh": "#!/bin/sh\ntrue\n", "b.sh": "#!/bin/sh\ntrue\n"},
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: 2400\n"
            "    - location: b.sh\n      timeout: 1800\n",
            4,
            3,
            "may run 4200 seconds (2400 + 1800)",
            files={"a.sh": "#!/bin/sh\ntrue\n", "b.sh": "#!/bin/sh\ntrue\n"},
        ),
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: a.sh\n      timeout: 7200\n",
            6,
            16,
            "timeout 7200 exceeds",
            files={"a.sh": "#!/bin/sh\ntrue\n"},
        ),
    )
