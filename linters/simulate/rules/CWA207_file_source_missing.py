from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.0\nos: linux\nfiles:\n  - source: build/app.jar\n    destination: /opt/app\n"


class FileSourceMissing(SimRule):
    """
    ## What it does
    Reports a `files` entry whose `source` is not in the revision directory.

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
    VALID = (SimValid(SPEC, files={"build/app.jar": "jar"}), SimValid(SPEC.replace("build/app.jar", "/")))
    INVALID = (SimInvalid(SPEC, 4, 13, "not in the revision"),)
