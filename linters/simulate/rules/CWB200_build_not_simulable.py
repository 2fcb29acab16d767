from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity


class BuildNotSimulable(SimRule):
    """
    ## What it does
    Reports a buildspec whose shape keeps `codeward simulate` from following it: an unsupported
    `version`, `phases` or a phase that is not a mapping, a command that is a mapping instead of a
    string, an `on-failure` value CodeBuild does not know, or (with `--execute`) a Windows shell.

    ## Why is this bad?
    CodeBuild rejects such a file when the build starts (`YAML_FILE_ERROR`), so there is no run to
    show; a simulation that guessed would describe a build that never happens.

    ## Example
    ```yaml
    version: 0.2
    phases:
      build:
        commands:
          - echo: hello   # a mapping, not a command
    ```

    ## Fix
    Write every command as a string (quote commands that contain `: `), keep `version` at 0.1 or 0.2
    and `phases` a mapping of install, pre_build, build and post_build.
    """

    code = "CWB200"
    name = "build-not-simulable"
    severity = Severity.ERROR
    kind = "buildspec"
    VALID = (SimValid("version: 0.2\nphases:\n  build:\n    commands:\n      - 'echo: hello'\n"),)
    INVALID = (
        SimInvalid("version: 0.2\nphases:\n  build:\n    commands:\n      - echo: hello\n", 5, 9, "single value"),
        SimInvalid(
            "version: 0.2\nphases:\n  build:\n    on-failure: SOMETIMES\n    commands: [make]\n", 4, 17, "on-failure"
        ),
        SimInvalid("version: 0.3\nphases:\n  build:\n    commands: [make]\n", 1, 10, "version"),
    )
