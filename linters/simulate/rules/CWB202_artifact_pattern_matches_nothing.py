from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files:\n    - dist/*.zip\n    - target\n"


class ArtifactPatternMatchesNothing(SimRule):
    """
    ## What it does
    Reports an artifact `files` pattern (or `base-directory`) that selects no file of the source
    directory. A dry run checks the directory as it is now (severity info: the build may create the
    files); after `--execute` it checks what the build left (severity warning).

    ## Why is this bad?
    CodeBuild skips a pattern that matches nothing ("Skipping invalid file path"); when no pattern of an
    artifact matches, UPLOAD_ARTIFACTS fails with "no matching artifact paths found" and so does the
    build. A typo in a path, or a directory named without `/**/*`, ships an incomplete artifact.

    ## Example
    ```yaml
    artifacts:
      files:
        - target        # a directory: selects nothing
    ```

    ## Fix
    Select files, not directories (`target/**/*`), relative to `base-directory` when it is set; check
    the spelling against the build's real output.
    """

    code = "CWB202"
    name = "artifact-pattern-matches-nothing"
    severity = Severity.INFO
    kind = "buildspec"
    VALID = (
        SimValid(
            SPEC.replace("    - target\n", "    - target/**/*\n"), files={"dist/app.zip": "zip", "target/a.jar": "jar"}
        ),
    )
    INVALID = (
        # A bare directory name matches no file (CodeBuild uploads files): 'target' is reported too.
        SimInvalid(SPEC, 7, 7, "'dist/*.zip' matches no file", files={"target/a.jar": "jar"}, also=((8, 7),)),
        SimInvalid(SPEC, 8, 7, "'target' matches no file", files={"dist/app.zip": "zip", "target/a.jar": "jar"}),
        SimInvalid(SPEC.replace("  files:", "  base-directory: out\n  files:"), 6, 19, "base-directory"),
    )
