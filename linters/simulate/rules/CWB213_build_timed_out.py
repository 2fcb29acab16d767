from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 5\n"


class BuildTimedOut(SimRule):
    """
    ## What it does
    With `--execute`, reports the command that was running when the build timeout (`--timeout`, the
    project's "timeout in minutes", 60 minutes by default) ran out.

    ## Why is this bad?
    CodeBuild stops a build that exceeds its timeout: the build ends TIMED_OUT, the remaining phases
    and the artifact upload do not run.

    ## Example
    A `sleep 5` command under `codeward simulate --execute --timeout 1s`.

    ## Fix
    Make the command faster (cache dependencies, split the build) or raise the project's timeout.
    """

    code = "CWB213"
    name = "build-timed-out"
    severity = Severity.ERROR
    kind = "buildspec"
    VALID = (SimValid(SPEC.replace("sleep 5", "sleep 0"), args=("--execute", "--timeout", "5s")),)
    INVALID = (SimInvalid(SPEC, 5, 9, "timed out", args=("--execute", "--timeout", "1s")),)
