from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n"


class HookScriptNoInterpreter(SimRule):
    """
    ## What it does
    Reports a Linux hook script whose first line is not an interpreter line (`#!/bin/bash`).

    ## Why is this bad?
    The agent executes the script file directly; without `#!` the kernel does not know how to run it
    ("Exec format error") and the event fails with ScriptFailed.

    ## Example
    A `start.sh` that begins with `systemctl start app`.

    ## Fix
    Start the script with `#!/bin/bash` (or the interpreter it needs).
    """

    code = "CWA206"
    name = "hook-script-no-interpreter"
    severity = Severity.ERROR
    kind = "appspec"
    VALID = (SimValid(SPEC, files={"start.sh": "#!/bin/bash\nsystemctl start app\n"}),)
    INVALID = (SimInvalid(SPEC, 5, 17, "interpreter", files={"start.sh": "systemctl start app\n"}),)
