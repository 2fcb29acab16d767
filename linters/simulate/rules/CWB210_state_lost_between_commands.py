from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.1\nphases:\n  build:\n    commands:\n      - cd src\n      - make\n"


class StateLostBetweenCommands(SimRule):
    """
    ## What it does
    Reports, in a version 0.1 buildspec, a command that only changes its shell's state (`cd dir`,
    `export X=1`, `X=1`): version 0.1 runs every command in a separate shell.

    ## Why is this bad?
    The next command starts again in the source directory with the original environment, so the `cd`
    or the variable has no effect at all; the build runs in the wrong place or with empty values.

    ## Example
    ```yaml
    version: 0.1
    phases:
      build:
        commands:
          - cd src
          - make
    ```

    ## Fix
    Use `version: 0.2`, where all commands share one shell, or chain the commands: `cd src && make`.
    """

    code = "CWB210"
    name = "state-lost-between-commands"
    severity = Severity.WARNING
    kind = "buildspec"
    VALID = (SimValid(SPEC.replace("0.1", "0.2")), SimValid(SPEC.replace("- cd src\n      - make", "- cd src && make")))
    INVALID = (
        SimInvalid(SPEC, 5, 9, "own shell"),
        SimInvalid(SPEC.replace("cd src", "export TAG=1"), 5, 9, "sets a variable"),
    )
