from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n"

REV = ("--revision-dir", ".")


class HookScriptNoInterpreter(SimRule):
    """
    ## What it does
    Reports a Linux hook script whose first line is not an interpreter line (`#!/bin/bash`).
    With `--revision-dir DIR` (or `--execute`) only: a dry run without it takes `codeward lint`'s model
    of the revision instead, whose CWA106 reports the same problem (so one report, and suppressing either
    code silences both).

    ## Why is this bad?
    Seldom badly, hence `info`: the agent's Ruby retries a file the kernel cannot execute with `/bin/sh`
    (and `runas` runs it through `su -c`, in the user's shell), so the script runs, but under sh. A script
    written for bash then fails on bash syntax.

    ## Example
    A `start.sh` that begins with `systemctl start app`.

    ## Fix
    Start the script with `#!/bin/bash` (or the interpreter it needs).
    """

    code = "CWA206"
    name = "hook-script-no-interpreter"
    severity = Severity.INFO
    kind = "appspec"
    VALID = (SimValid(SPEC, files={"start.sh": "#!/bin/bash\nsystemctl start app\n"}, args=REV),)
    INVALID = (SimInvalid(SPEC, 5, 17, "interpreter", files={"start.sh": "systemctl start app\n"}, args=REV),)
