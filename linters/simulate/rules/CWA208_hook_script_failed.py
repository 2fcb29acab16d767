from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: check.sh\n"


class HookScriptFailed(SimRule):
    """
    ## What it does
    With `--execute`, reports a hook script that exited with a non-zero status.

    ## Why is this bad?
    CodeDeploy fails the lifecycle event (ScriptFailed), skips the instance's remaining events and
    counts the instance as failed, which may stop the whole deployment.

    ## Example
    A ValidateService script whose health check gets no answer.

    ## Fix
    Fix the script or what it checks; the trace shows its output.
    """

    code = "CWA208"
    name = "hook-script-failed"
    severity = Severity.ERROR
    kind = "appspec"
    VALID = (SimValid(SPEC, files={"check.sh": "#!/bin/sh\nexit 0\n"}, args=("--execute",)),)
    INVALID = (
        SimInvalid(SPEC, 5, 17, "exited with status 3", files={"check.sh": "#!/bin/sh\nexit 3\n"}, args=("--execute",)),
    )
