from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n      timeout: 1\n"


class HookScriptTimedOut(SimRule):
    """
    ## What it does
    With `--execute`, reports a hook script still running when its `timeout` (or what is left of the
    event's 3600 seconds) ran out; the script's whole process group is stopped.

    ## Why is this bad?
    CodeDeploy fails the event with ScriptTimedOut. A classic cause is a start script that launches
    the service in the foreground instead of detaching it.

    ## Example
    ```yaml
    hooks:
      ApplicationStart:
        - location: start.sh   # runs the server in the foreground
          timeout: 60
    ```

    ## Fix
    Detach long-running processes (systemd, `nohup ... &` with output redirected) and keep scripts short.
    """

    code = "CWA209"
    name = "hook-script-timed-out"
    severity = Severity.ERROR
    kind = "appspec"
    VALID = (SimValid(SPEC, files={"start.sh": "#!/bin/sh\nexit 0\n"}, args=("--execute",)),)
    INVALID = (
        SimInvalid(SPEC, 5, 17, "timed out after 1s", files={"start.sh": "#!/bin/sh\nsleep 20\n"}, args=("--execute",)),
    )
