from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: scripts/migrate.sh\n"

REV = ("--revision-dir", ".")


class HookScriptMissing(SimRule):
    """
    ## What it does
    Reports an EC2/On-Premises hook script whose `location` is not a file of the revision directory.
    With `--revision-dir DIR` (or `--execute`) only: a dry run without it takes `codeward lint`'s model
    of the revision instead, whose CWA104 reports the same problem (so one report, and suppressing either
    code silences both).

    ## Why is this bad?
    The agent fails the lifecycle event with ScriptMissing, which fails the deployment to the instance.

    ## Example
    ```yaml
    hooks:
      AfterInstall:
        - location: scripts/migrate.sh   # the bundle has script/migrate.sh
    ```

    ## Fix
    Correct the path (relative to the revision root, where appspec.yml is), or add the script to the bundle.
    """

    code = "CWA204"
    name = "hook-script-missing"
    severity = Severity.ERROR
    kind = "appspec"
    VALID = (SimValid(SPEC, files={"scripts/migrate.sh": "#!/bin/sh\n"}, args=REV),)
    INVALID = (SimInvalid(SPEC, 5, 17, "ScriptMissing", files={"script/migrate.sh": "#!/bin/sh\n"}, args=REV),)
