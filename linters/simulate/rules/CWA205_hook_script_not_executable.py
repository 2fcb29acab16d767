from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n"

REV = ("--revision-dir", ".")


class HookScriptNotExecutable(SimRule):
    """
    ## What it does
    Reports a Linux hook script that is not executable in the revision directory.
    With `--revision-dir DIR` (or `--execute`) only: a dry run without it takes `codeward lint`'s model
    of the revision instead, whose CWA106 reports the same problem (so one report, and suppressing either
    code silences both).

    ## Why is this bad?
    Executable bits often get lost on the way to the bundle (a zip built on Windows, a repository
    without the mode). The agent tries to fix the mode itself, but a script that is executable in the
    repository behaves the same everywhere, including in local runs.

    ## Example
    `scripts/start.sh` committed with mode 644.

    ## Fix
    Mark the script executable: `git update-index --chmod=+x` on its path (or `chmod +x` before bundling).
    """

    code = "CWA205"
    name = "hook-script-not-executable"
    severity = Severity.WARNING
    kind = "appspec"
    VALID = (SimValid(SPEC, files={"start.sh": "#!/bin/sh\n"}, args=REV),)
    INVALID = (SimInvalid(SPEC, 5, 17, "not executable", files={"start.sh": "echo no shebang, no mode\n"}, args=REV),)
