from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity


class DeploymentNotSimulable(SimRule):
    """
    ## What it does
    Reports an AppSpec whose shape keeps `codeward simulate` from following the deployment: EC2 hooks
    that are not a mapping of event to scripts, a script without `location`, a timeout that is not a
    positive number, or (with `--execute`) a Windows AppSpec.

    ## Why is this bad?
    The CodeDeploy agent rejects such a file when the deployment reaches the instance, so there is no
    deployment to show.

    ## Example
    ```yaml
    hooks:
      AfterInstall:
        - timeout: 300   # no location
    ```

    ## Fix
    Give every script a `location` relative to the revision root, and a positive `timeout` in seconds.
    """

    code = "CWA200"
    name = "deployment-not-simulable"
    severity = Severity.ERROR
    kind = "appspec"
    VALID = (
        SimValid(
            "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: a.sh\n", files={"a.sh": "#!/bin/sh\n"}
        ),
    )
    INVALID = (
        SimInvalid("version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - timeout: 300\n", 5, 7, "location"),
        SimInvalid(
            "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: -5\n",
            6,
            16,
            "positive",
            files={"a.sh": "#!/bin/sh\n"},
        ),
    )
