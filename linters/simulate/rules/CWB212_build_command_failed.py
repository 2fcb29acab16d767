from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo building\n      - test -f missing.txt\n"


class BuildCommandFailed(SimRule):
    """
    ## What it does
    With `--execute`, reports each command that exited with a non-zero status, at the command's line,
    so the failure shows up in editors, SARIF and CI annotations like any other finding.

    ## Why is this bad?
    A failing command fails its phase; depending on the phase and `on-failure` the build stops there or
    goes on and ends FAILED. The trace above the findings shows which phases still ran.

    ## Example
    ```yaml
    phases:
      build:
        commands:
          - test -f missing.txt
    ```

    ## Fix
    Fix the command (the trace shows its output), or make a failure harmless on purpose (`|| true`,
    `on-failure: CONTINUE`).
    """

    code = "CWB212"
    name = "build-command-failed"
    severity = Severity.ERROR
    kind = "buildspec"
    VALID = (SimValid(SPEC, args=("--execute",), files={"missing.txt": "here"}),)
    INVALID = (SimInvalid(SPEC, 6, 9, "exited with status 1", args=("--execute",)),)
