from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.0\nos: linux\nfiles:\n  - source: build/app.jar\n    destination: /opt/app\n"

REV = ("--revision-dir", ".")


class FileSourceMissing(SimRule):
    """
    ## What it does
    Reports a `files` entry whose `source` is not in the revision directory.
    With `--revision-dir DIR` (or `--execute`) only: a dry run without it takes `codeward lint`'s model
    of the revision instead, whose CWA105 reports the same problem (so one report, and suppressing either
    code silences both).

    ## Why is this bad?
    The Install event copies each source to its destination; a missing source fails the deployment to
    every instance.

    ## Example
    ```yaml
    files:
      - source: build/app.jar   # the bundle has target/app.jar
        destination: /opt/app
    ```

    ## Fix
    Correct the path (relative to the revision root) or add the file to the bundle.
    """

    code = "CWA207"
    name = "file-source-missing"
    severity = Severity.ERROR
    kind = "appspec"
    VALID = (
        SimValid(SPEC, files={"build/app.jar": "jar"}, args=REV),
        SimValid(SPEC.replace("build/app.jar", "/"), args=REV),
    )
    INVALID = (SimInvalid(SPEC, 4, 13, "not in the revision", args=REV),)
